//! Finding a source's files: a local glob, or the objects of an S3 prefix
//! (credentials from the environment), with the size and modification time
//! the incremental check compares; and each file's checksum.

use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::checkpoint::FileStamp;

/// One file of a source.
pub struct FoundFile {
    /// How it is named in messages, the summary and the checkpoint: its
    /// path, or its `s3://` URL.
    pub name: String,
    /// Where its bytes are.
    pub location: Location,
    /// Its size and modification time (the checksum is computed later).
    pub stamp: FileStamp,
}

/// Where a file's bytes are.
pub enum Location {
    /// On the local disk.
    Local(PathBuf),
    /// An S3 object.
    S3 {
        /// The bucket's client.
        store: Arc<AmazonS3>,
        /// The object's key.
        key: ObjectPath,
    },
}

/// A file readable from the local disk: the file itself, or a downloaded
/// copy removed when dropped.
pub struct LocalCopy {
    /// Its path.
    pub path: PathBuf,
    _temp: Option<tempfile::TempPath>,
}

/// The files `pattern` names, in name order. `pattern` is a local path
/// (relative to `base`) or `s3://bucket/prefix/name`, with wildcards (`*`,
/// `?`) in the file name only; a folder (or a prefix ending in `/`) names
/// every file in it.
pub async fn list(
    pattern: &str,
    base: &Path,
    endpoint: Option<&str>,
) -> Result<Vec<FoundFile>, String> {
    match pattern.strip_prefix("s3://") {
        Some(rest) => list_s3(rest, endpoint).await,
        None => {
            let path = base.join(pattern);
            tokio::task::spawn_blocking(move || list_local(&path))
                .await
                .map_err(|e| e.to_string())?
        }
    }
}

fn list_local(pattern: &Path) -> Result<Vec<FoundFile>, String> {
    let name_pattern = pattern
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| "expected a path ending in a file name or pattern".to_string())?;
    let mut dir = pattern.parent().unwrap_or(Path::new("."));
    let mut name_pattern = name_pattern;
    let mut found = Vec::new();
    if !has_wildcard(name_pattern) {
        let meta = std::fs::metadata(pattern).map_err(|e| e.to_string())?;
        if !meta.is_dir() {
            found.push(local_file(pattern.to_path_buf(), &meta));
            return Ok(found);
        }
        // A folder: every file in it.
        dir = pattern;
        name_pattern = "*";
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !matches(name_pattern, name) {
            continue;
        }
        let meta = entry.metadata().map_err(|e| e.to_string())?;
        if meta.is_file() {
            found.push(local_file(entry.path(), &meta));
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn local_file(path: PathBuf, meta: &std::fs::Metadata) -> FoundFile {
    let modified = meta
        .modified()
        .map(|m| crate::db::timestamp(time::OffsetDateTime::from(m)))
        .unwrap_or_default();
    FoundFile {
        name: path.display().to_string(),
        location: Location::Local(path),
        stamp: FileStamp {
            size: meta.len(),
            modified,
            sha256: String::new(),
        },
    }
}

async fn list_s3(rest: &str, endpoint: Option<&str>) -> Result<Vec<FoundFile>, String> {
    let (bucket, key) = rest
        .split_once('/')
        .ok_or_else(|| "expected s3://bucket/prefix/name".to_string())?;
    let (prefix, name_pattern) = key.rsplit_once('/').unwrap_or(("", key));
    // `s3://bucket/prefix/`: every object under the prefix.
    let name_pattern = if name_pattern.is_empty() {
        "*"
    } else {
        name_pattern
    };
    let store = Arc::new(s3_store(bucket, endpoint)?);
    let listing_prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
    let mut listing = store.list(listing_prefix.as_ref());
    let mut found = Vec::new();
    while let Some(meta) = listing.next().await {
        let meta = meta.map_err(|e| e.to_string())?;
        let location = meta.location.as_ref();
        let (dir, name) = location.rsplit_once('/').unwrap_or(("", location));
        if dir != prefix || !matches(name_pattern, name) {
            continue;
        }
        let modified = meta
            .last_modified
            .timestamp_nanos_opt()
            .and_then(|n| time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).ok())
            .map(crate::db::timestamp)
            .unwrap_or_default();
        found.push(FoundFile {
            name: format!("s3://{bucket}/{location}"),
            location: Location::S3 {
                store: store.clone(),
                key: meta.location.clone(),
            },
            stamp: FileStamp {
                size: meta.size,
                modified,
                sha256: String::new(),
            },
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// The S3 client of `bucket`: credentials and region from the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`), the
/// endpoint from the source or `AWS_ENDPOINT_URL`; plain HTTP allowed for an
/// `http://` endpoint (a local S3-compatible server).
fn s3_store(bucket: &str, endpoint: Option<&str>) -> Result<AmazonS3, String> {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    let endpoint = endpoint.map(str::to_string).or_else(|| {
        std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("AWS_ENDPOINT"))
            .ok()
            .filter(|e| !e.is_empty())
    });
    if let Some(endpoint) = endpoint {
        let http = endpoint.starts_with("http://");
        builder = builder.with_endpoint(endpoint).with_allow_http(http);
    }
    if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
        builder = builder.with_region("us-east-1");
    }
    builder.build().map_err(|e| e.to_string())
}

/// The file on the local disk: itself, or an S3 object downloaded in
/// chunks into a temporary file.
pub async fn fetch(file: &FoundFile) -> Result<LocalCopy, String> {
    match &file.location {
        Location::Local(path) => Ok(LocalCopy {
            path: path.clone(),
            _temp: None,
        }),
        Location::S3 { store, key } => {
            let temp = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
            let (mut out, temp) = temp.into_parts();
            let mut body = store
                .get(key)
                .await
                .map_err(|e| e.to_string())?
                .into_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| e.to_string())?;
                out.write_all(&chunk).map_err(|e| e.to_string())?;
            }
            out.flush().map_err(|e| e.to_string())?;
            Ok(LocalCopy {
                path: temp.to_path_buf(),
                _temp: Some(temp),
            })
        }
    }
}

/// The sha256 of the file at `path`, read in chunks on a blocking thread.
pub async fn sha256(path: &Path) -> std::io::Result<String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(std::io::Error::other)?
}

fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Whether `name` matches `pattern` (`*`: any run of characters, `?`: one).
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards_match_file_names() {
        assert!(matches("*.csv", "a.csv"));
        assert!(matches("2024-??.csv.gz", "2024-01.csv.gz"));
        assert!(!matches("*.csv", "a.csv.gz"));
        assert!(matches("*", "anything"));
        assert!(!matches("a?c", "ac"));
    }
}
