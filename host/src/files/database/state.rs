//! A database source's checkpoint, written in the transaction of the rows
//! it accounts for: a cursor source's position (`sluice_source_cursors`),
//! a snapshot source's keys and row hashes (`sluice_source_snapshots`).

use std::collections::HashMap;

use crate::db::row::text;
use crate::db::{DbError, Exec, Value, now_timestamp};
use crate::state::RunId;

/// Keys looked up, or rows written, per statement.
const CHUNK: usize = 500;

/// The position a cursor source reached: its cursor and key values.
pub async fn position(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
) -> Result<Option<Vec<serde_json::Value>>, DbError> {
    let rows = db
        .fetch(
            "SELECT position FROM sluice_source_cursors WHERE pipeline = ? AND source = ?",
            vec![pipeline.into(), source.into()],
        )
        .await
        .map_err(DbError::query("reading a database source's position"))?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let stored = text(row, 0, "source position")?;
    serde_json::from_str(&stored)
        .map(Some)
        .map_err(|e| DbError::Unexpected(format!("source position `{stored}`: {e}")))
}

/// Records `position` as reached by `run_id`, `rows` more rows loaded.
pub async fn save_position(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
    position: &[serde_json::Value],
    rows: u64,
    run_id: RunId,
) -> Result<(), DbError> {
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    db.execute(
        "INSERT INTO sluice_source_cursors (pipeline, source, position, row_count, run_id, loaded_at) \
         VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (pipeline, source) DO UPDATE SET position = excluded.position, \
         row_count = sluice_source_cursors.row_count + excluded.row_count, \
         run_id = excluded.run_id, loaded_at = excluded.loaded_at",
        vec![
            pipeline.into(),
            source.into(),
            serde_json::Value::from(position.to_vec()).to_string().into(),
            rows.into(),
            run_id.into(),
            now_timestamp().into(),
        ],
    )
    .await
    .map_err(DbError::query("recording a database source's position"))?;
    Ok(())
}

/// Forgets a source's checkpoint, position and snapshot both: its next
/// run reads the whole source.
pub async fn forget(db: &mut impl Exec, pipeline: &str, source: &str) -> Result<(), DbError> {
    for table in ["sluice_source_cursors", "sluice_source_snapshots"] {
        db.execute(
            &format!("DELETE FROM {table} WHERE pipeline = ? AND source = ?"),
            vec![pipeline.into(), source.into()],
        )
        .await
        .map_err(DbError::query("forgetting a database source's checkpoint"))?;
    }
    Ok(())
}

/// The row hashes the last snapshot held for `keys`.
pub async fn hashes(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
    keys: &[String],
) -> Result<HashMap<String, String>, DbError> {
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut args: Vec<Value> = vec![pipeline.into(), source.into()];
        args.extend(chunk.iter().map(Value::from));
        let rows = db
            .fetch(
                &format!(
                    "SELECT row_key, row_hash FROM sluice_source_snapshots \
                     WHERE pipeline = ? AND source = ? AND row_key IN ({marks})"
                ),
                args,
            )
            .await
            .map_err(DbError::query("reading the last snapshot"))?;
        for row in &rows {
            found.insert(
                text(row, 0, "snapshot key")?,
                text(row, 1, "snapshot hash")?,
            );
        }
    }
    Ok(found)
}

/// Records each (key, hash) as seen by `run_id`.
pub async fn save_hashes(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
    seen: &[(String, String)],
    run_id: RunId,
) -> Result<(), DbError> {
    for chunk in seen.chunks(CHUNK) {
        let marks = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let mut args: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
        for (key, hash) in chunk {
            args.extend([
                pipeline.into(),
                source.into(),
                key.into(),
                hash.into(),
                run_id.into(),
            ]);
        }
        db.execute(
            &format!(
                "INSERT INTO sluice_source_snapshots (pipeline, source, row_key, row_hash, run_id) \
                 VALUES {marks} ON CONFLICT (pipeline, source, row_key) DO UPDATE SET \
                 row_hash = excluded.row_hash, run_id = excluded.run_id"
            ),
            args,
        )
        .await
        .map_err(DbError::query("recording the snapshot"))?;
    }
    Ok(())
}

/// Up to `limit` keys of the last snapshot that `run_id` did not see.
pub async fn gone(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
    run_id: RunId,
    limit: usize,
) -> Result<Vec<String>, DbError> {
    let rows = db
        .fetch(
            &format!(
                "SELECT row_key FROM sluice_source_snapshots \
                 WHERE pipeline = ? AND source = ? AND run_id <> ? ORDER BY row_key LIMIT {limit}"
            ),
            vec![pipeline.into(), source.into(), run_id.into()],
        )
        .await
        .map_err(DbError::query("finding the keys gone from the source"))?;
    rows.iter().map(|r| text(r, 0, "snapshot key")).collect()
}

/// Drops `keys` from the snapshot.
pub async fn drop_keys(
    db: &mut impl Exec,
    pipeline: &str,
    source: &str,
    keys: &[String],
) -> Result<(), DbError> {
    for chunk in keys.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut args: Vec<Value> = vec![pipeline.into(), source.into()];
        args.extend(chunk.iter().map(Value::from));
        db.execute(
            &format!(
                "DELETE FROM sluice_source_snapshots WHERE pipeline = ? AND source = ? AND row_key IN ({marks})"
            ),
            args,
        )
        .await
        .map_err(DbError::query("dropping gone keys from the snapshot"))?;
    }
    Ok(())
}
