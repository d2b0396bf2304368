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
/// (relative to `base`) or `s3://bucket/prefix/name`, with wildcards in any
/// component: `*` and `?` within one component, `[a-z]` a class, and `**`
/// any number of folders (`data/**/*.csv`); a folder (or a prefix ending in
/// `/`) names every file directly in it.
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

/// How patterns match: `*` and `?` stay within one path component, `**`
/// crosses folders, names starting with a dot match like any other.
const MATCH: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

fn list_local(pattern: &Path) -> Result<Vec<FoundFile>, String> {
    let text = pattern
        .to_str()
        .ok_or_else(|| format!("{}: the path is not UTF-8", pattern.display()))?;
    let mut found = Vec::new();
    if !has_wildcard(text) {
        let meta = std::fs::metadata(pattern).map_err(|e| e.to_string())?;
        if !meta.is_dir() {
            found.push(local_file(pattern.to_path_buf(), &meta));
            return Ok(found);
        }
        // A folder: every file directly in it.
        let entries =
            std::fs::read_dir(pattern).map_err(|e| format!("{}: {e}", pattern.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            let meta = entry.metadata().map_err(|e| e.to_string())?;
            if meta.is_file() {
                found.push(local_file(entry.path(), &meta));
            }
        }
    } else {
        let paths = glob::glob_with(text, MATCH).map_err(|e| pattern_error(text, &e))?;
        for path in paths {
            let path = path.map_err(|e| e.to_string())?;
            let meta = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if meta.is_file() {
                found.push(local_file(path, &meta));
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// A pattern the glob syntax refuses, with the place.
fn pattern_error(pattern: &str, error: &glob::PatternError) -> String {
    format!(
        "`{pattern}` is not a valid pattern: {} at character {}",
        error.msg,
        error.pos + 1
    )
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
    // `s3://bucket/prefix/`: every object directly under the prefix.
    let key = if key.is_empty() || key.ends_with('/') {
        format!("{key}*")
    } else {
        key.to_string()
    };
    let pattern = glob::Pattern::new(&key).map_err(|e| pattern_error(&key, &e))?;
    // Objects are listed under the folders before the first wildcard.
    let literal: Vec<&str> = key
        .split('/')
        .take_while(|part| !has_wildcard(part))
        .collect();
    let prefix = if literal.len() == key.split('/').count() {
        // No wildcard: the key itself, or the objects under it.
        key.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()
    } else {
        literal.join("/")
    };
    let store = Arc::new(s3_store(bucket, endpoint)?);
    let listing_prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix.as_str()));
    let mut listing = store.list(listing_prefix.as_ref());
    let mut found = Vec::new();
    while let Some(meta) = listing.next().await {
        let meta = meta.map_err(|e| e.to_string())?;
        let location = meta.location.as_ref();
        if !pattern.matches_with(location, MATCH) {
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
    pattern.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path, pattern: &str) -> Vec<String> {
        let found = list_local(&dir.join(pattern)).expect("lists");
        found
            .iter()
            .map(|f| {
                let Location::Local(path) = &f.location else {
                    panic!("a local file")
                };
                let relative = path.strip_prefix(dir).expect("under the folder");
                relative.to_string_lossy().into_owned()
            })
            .collect()
    }

    #[test]
    fn wildcards_match_files_and_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in [
            "a.csv",
            "b.csv.gz",
            "2024/01/x.csv",
            "2024/02/y.csv",
            "2024/02/deep/z.csv",
            "2025/01/w.csv",
            "2024/notes.txt",
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
            std::fs::write(&path, b"x").expect("file");
        }
        assert_eq!(names(dir.path(), "*.csv"), ["a.csv"]);
        assert_eq!(names(dir.path(), "?.csv*"), ["a.csv", "b.csv.gz"]);
        assert_eq!(
            names(dir.path(), "**/*.csv"),
            [
                "2024/01/x.csv",
                "2024/02/deep/z.csv",
                "2024/02/y.csv",
                "2025/01/w.csv",
                "a.csv"
            ]
        );
        assert_eq!(
            names(dir.path(), "2024/*/*.csv"),
            ["2024/01/x.csv", "2024/02/y.csv"]
        );
        assert_eq!(names(dir.path(), "202[5]/**/*.csv"), ["2025/01/w.csv"]);
        // A folder is the files directly in it.
        assert_eq!(names(dir.path(), "2024"), ["2024/notes.txt"]);
    }

    #[test]
    fn a_bad_pattern_names_its_place() {
        let error = list_local(Path::new("data/a**b.csv"))
            .err()
            .expect("refused");
        assert!(error.contains("is not a valid pattern"), "{error}");
        assert!(error.contains("at character"), "{error}");
    }
}
