//! `sluice_source_files`: the files a source has loaded, its checkpoint.
//! A file's row is written in the transaction of its rows.

use std::collections::HashMap;

use crate::db::row::{int, text};
use crate::db::{DbError, Exec, Value, now_timestamp};
use crate::state::RunId;

/// A file as it was when it was loaded (or is now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, as stored in every timestamp column.
    pub modified: String,
    /// The sha256 of its bytes (hex); empty when not computed.
    pub sha256: String,
}

/// The files the source `source` of `pipeline` has loaded, by path.
pub async fn loaded(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
) -> Result<HashMap<String, FileStamp>, DbError> {
    let rows = db
        .fetch(
            "SELECT path, size, modified, sha256 FROM sluice_source_files WHERE pipeline = ? AND source = ?",
            vec![pipeline.into(), source.into()],
        )
        .await
        .map_err(DbError::query("reading the loaded files"))?;
    let what = "loaded file";
    rows.iter()
        .map(|r| {
            Ok((
                text(r, 0, what)?,
                FileStamp {
                    size: u64::try_from(int(r, 1, what)?).unwrap_or_default(),
                    modified: text(r, 2, what)?,
                    sha256: text(r, 3, what)?,
                },
            ))
        })
        .collect()
}

/// Records `path` as loaded by `run_id` with `rows` rows.
pub async fn record(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
    path: &str,
    stamp: &FileStamp,
    rows: u64,
    run_id: RunId,
) -> Result<(), DbError> {
    let n = |v: u64| Value::Int(i64::try_from(v).unwrap_or(i64::MAX));
    db.execute(
        "INSERT INTO sluice_source_files (pipeline, source, path, size, modified, sha256, row_count, run_id, loaded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (pipeline, source, path) DO UPDATE SET size = excluded.size, modified = excluded.modified, \
         sha256 = excluded.sha256, row_count = excluded.row_count, run_id = excluded.run_id, loaded_at = excluded.loaded_at",
        vec![
            pipeline.into(),
            source.into(),
            path.into(),
            n(stamp.size),
            stamp.modified.clone().into(),
            stamp.sha256.clone().into(),
            n(rows),
            run_id.into(),
            now_timestamp().into(),
        ],
    )
    .await
    .map_err(DbError::query(format!("recording {path} as loaded")))?;
    Ok(())
}

/// Forgets every file the source has loaded: the next run loads them all.
pub async fn forget(db: &mut impl Exec, pipeline: &str, source: &str) -> Result<(), DbError> {
    db.execute(
        "DELETE FROM sluice_source_files WHERE pipeline = ? AND source = ?",
        vec![pipeline.into(), source.into()],
    )
    .await
    .map_err(DbError::query("forgetting the loaded files"))?;
    Ok(())
}

/// Marks as resolved by `run_id` what earlier runs quarantined of the file
/// `path` (its rows, or the file refused whole): the file is being loaded
/// again, and whatever of it is still bad is quarantined anew.
pub async fn resolve_quarantined(
    db: &mut impl Exec,
    source: &str,
    path: &str,
    run_id: RunId,
) -> Result<u64, DbError> {
    let prefix = format!("{path}:");
    let length = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
    db.execute(
        "UPDATE sluice_quarantine SET resolved_by = ? WHERE provider = 'file' AND stream = ? \
         AND resolved_by IS NULL \
         AND (substr(provider_id, 1, CAST(? AS INTEGER)) = ? OR (kind = 'batch' AND raw = ?))",
        vec![
            run_id.into(),
            source.into(),
            length.into(),
            prefix.into(),
            path.into(),
        ],
    )
    .await
    .map_err(DbError::query(format!(
        "resolving what {path} had in quarantine"
    )))
}
