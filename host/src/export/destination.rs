//! Where an export goes, and how it gets there whole or not at all: files
//! are written into a staging folder (beside a local destination, so the
//! final step is a rename; in the temporary folder for S3), then renamed
//! into place or uploaded. A staging folder is removed when dropped, so an
//! export that fails leaves nothing behind.

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, WriteMultipart};
use std::path::{Path, PathBuf};
use tokio::io::AsyncReadExt;

use super::ExportError;
use super::format::io_error;

/// An export's destination, as given by `--out` or `out`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A local file or folder.
    Local(PathBuf),
    /// An S3 object or prefix.
    S3 {
        /// The bucket.
        bucket: String,
        /// The object's key, or the prefix of a folder's.
        key: String,
    },
}

impl Destination {
    /// `s3://bucket/key` or a local path.
    pub fn parse(out: &str) -> Result<Self, ExportError> {
        if let Some(rest) = out.strip_prefix("s3://") {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(ExportError::Options(format!(
                    "--out `{out}` names no bucket (s3://BUCKET/PREFIX)"
                )));
            }
            return Ok(Destination::S3 {
                bucket: bucket.to_string(),
                key: key.trim_matches('/').to_string(),
            });
        }
        if out.trim().is_empty() {
            return Err(ExportError::Options("--out must not be empty".into()));
        }
        Ok(Destination::Local(PathBuf::from(out)))
    }

    /// The last part of the path or key: a single file's name.
    pub fn file_name(&self) -> Option<String> {
        match self {
            Destination::Local(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()),
            Destination::S3 { key, .. } => key
                .rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .map(str::to_string),
        }
    }

    /// How the destination is shown.
    pub fn shown(&self) -> String {
        match self {
            Destination::Local(path) => path.display().to_string(),
            Destination::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
        }
    }

    /// Where a staged file ends, shown (`relative` under a folder, or the
    /// destination itself for a single file).
    fn target(&self, relative: &Path, folder: bool) -> String {
        if !folder {
            return self.shown();
        }
        match self {
            Destination::Local(path) => path.join(relative).display().to_string(),
            Destination::S3 { bucket, key } => {
                format!("s3://{bucket}/{}", object_key(key, relative))
            }
        }
    }
}

/// The key of `relative` under `prefix`, `/`-separated.
fn object_key(prefix: &str, relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if prefix.is_empty() {
        parts.join("/")
    } else {
        format!("{prefix}/{}", parts.join("/"))
    }
}

/// The folder files are written into before they are published.
#[derive(Debug)]
pub struct Staging {
    /// The folder.
    pub dir: PathBuf,
    destination: Destination,
    /// Whether the destination is a folder of files rather than one file.
    folder: bool,
}

/// What publishing moved: each file's final place and the bytes in all.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// The files, where they ended.
    pub files: Vec<String>,
    /// Their size together.
    pub bytes: u64,
}

impl Staging {
    /// A new, empty staging folder for `destination` (a folder of files
    /// when `folder`), named after `label`.
    pub fn new(destination: &Destination, folder: bool, label: &str) -> Result<Self, ExportError> {
        let dir = match destination {
            Destination::Local(path) => {
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
                let name = destination.file_name().unwrap_or_else(|| "export".into());
                parent.join(format!(".{name}.{label}.sluice-tmp"))
            }
            Destination::S3 { .. } => {
                std::env::temp_dir().join(format!("sluice-export-{}-{label}", std::process::id()))
            }
        };
        std::fs::create_dir(&dir).map_err(io_error(&dir))?;
        Ok(Staging {
            dir,
            destination: destination.clone(),
            folder,
        })
    }

    /// Moves the staged `files` (relative to the staging folder) to the
    /// destination.
    pub async fn publish(&self, files: &[PathBuf]) -> Result<Published, ExportError> {
        let mut published = Published::default();
        for file in files {
            let staged = self.dir.join(file);
            let size = std::fs::metadata(&staged).map_err(io_error(&staged))?.len();
            published.bytes += size;
            published
                .files
                .push(self.destination.target(file, self.folder));
        }
        match &self.destination {
            Destination::Local(path) => self.publish_local(path, files)?,
            Destination::S3 { bucket, key } => self.publish_s3(bucket, key, files).await?,
        }
        Ok(published)
    }

    fn publish_local(&self, path: &Path, files: &[PathBuf]) -> Result<(), ExportError> {
        for file in files {
            let staged = self.dir.join(file);
            let target = if self.folder {
                path.join(file)
            } else {
                path.to_path_buf()
            };
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            std::fs::rename(&staged, &target).map_err(io_error(&target))?;
        }
        Ok(())
    }

    async fn publish_s3(
        &self,
        bucket: &str,
        key: &str,
        files: &[PathBuf],
    ) -> Result<(), ExportError> {
        let store = s3_store(bucket)?;
        let mut uploaded: Vec<ObjectPath> = Vec::new();
        for file in files {
            let name = if self.folder {
                object_key(key, file)
            } else {
                key.to_string()
            };
            let location = ObjectPath::from(name.as_str());
            let sent = upload(&store, &self.dir.join(file), &location).await;
            if let Err(error) = sent {
                // What was uploaded before goes again: all or nothing.
                for done in &uploaded {
                    if let Err(e) = store.delete(done).await {
                        tracing::warn!(object = %done, error = %e, "could not delete a partly exported object");
                    }
                }
                return Err(error.into_export(bucket, &name));
            }
            uploaded.push(location);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.dir.exists()
            && let Err(error) = std::fs::remove_dir_all(&self.dir)
        {
            tracing::warn!(dir = %self.dir.display(), %error, "could not remove the export's staging folder");
        }
    }
}

/// Why an upload failed.
enum UploadError {
    Io(PathBuf, std::io::Error),
    Store(object_store::Error),
}

impl UploadError {
    fn into_export(self, bucket: &str, key: &str) -> ExportError {
        match self {
            UploadError::Io(path, source) => ExportError::Write { path, source },
            UploadError::Store(source) => ExportError::S3 {
                url: format!("s3://{bucket}/{key}"),
                message: source.to_string(),
            },
        }
    }
}

/// The S3 client of `bucket`: credentials, region and endpoint from the
/// environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
/// `AWS_ENDPOINT_URL` or `AWS_ENDPOINT`); plain HTTP allowed when the
/// endpoint is an `http://` URL (a local S3-compatible server).
pub fn s3_store(bucket: &str) -> Result<AmazonS3, ExportError> {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .or_else(|_| std::env::var("AWS_ENDPOINT"))
        .ok()
        .filter(|e| !e.is_empty());
    if let Some(endpoint) = endpoint {
        let http = endpoint.starts_with("http://");
        builder = builder.with_endpoint(endpoint).with_allow_http(http);
    }
    if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
        builder = builder.with_region("us-east-1");
    }
    builder.build().map_err(|e| ExportError::S3 {
        url: format!("s3://{bucket}"),
        message: e.to_string(),
    })
}

/// Streams the file at `path` to `location` in parts (never the whole file
/// in memory).
async fn upload(store: &AmazonS3, path: &Path, location: &ObjectPath) -> Result<(), UploadError> {
    const CHUNK: usize = 8 * 1024 * 1024;
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| UploadError::Io(path.to_path_buf(), e))?;
    let multipart = store
        .put_multipart(location)
        .await
        .map_err(UploadError::Store)?;
    let mut writer = WriteMultipart::new_with_chunk_size(multipart, CHUNK);
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = match file.read(&mut buffer).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let _ = writer.abort().await;
                return Err(UploadError::Io(path.to_path_buf(), e));
            }
        };
        if let Err(e) = writer.wait_for_capacity(2).await {
            return Err(UploadError::Store(e));
        }
        writer.write(&buffer[..read]);
    }
    writer.finish().await.map_err(UploadError::Store)?;
    Ok(())
}
