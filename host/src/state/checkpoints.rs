//! `sluice_checkpoints`: where each stream stands.

use super::RunId;
use crate::db::DbError;
use crate::db::Exec;
use crate::db::row::opt_text;

/// The stored cursor of a stream.
pub async fn load(
    db: &mut impl Exec,
    pipeline: &str,
    stream_key: &str,
) -> Result<Option<String>, DbError> {
    let rows = db
        .fetch(
            "SELECT cursor FROM sluice_checkpoints WHERE pipeline = ? AND stream_key = ?",
            vec![pipeline.into(), stream_key.into()],
        )
        .await
        .map_err(DbError::query("reading the stream's checkpoint"))?;
    match rows.first() {
        Some(row) => opt_text(row, 0, "checkpoint"),
        None => Ok(None),
    }
}

/// Deletes the stream's stored position.
pub async fn clear(db: &mut impl Exec, pipeline: &str, stream_key: &str) -> Result<(), DbError> {
    db.execute(
        "DELETE FROM sluice_checkpoints WHERE pipeline = ? AND stream_key = ?",
        vec![pipeline.into(), stream_key.into()],
    )
    .await
    .map_err(DbError::query("clearing the stream's checkpoint"))?;
    Ok(())
}

/// Stores the stream's position after a batch; a batch without a cursor
/// keeps the previous one.
pub async fn save(
    db: &mut impl Exec,
    pipeline: &str,
    stream_key: &str,
    cursor: Option<&str>,
    run_id: RunId,
    now: &str,
) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO sluice_checkpoints (pipeline, stream_key, cursor, run_id, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (pipeline, stream_key) DO UPDATE SET \
         cursor = COALESCE(excluded.cursor, sluice_checkpoints.cursor), run_id = excluded.run_id, updated_at = excluded.updated_at",
        vec![pipeline.into(), stream_key.into(), cursor.into(), run_id.into(), now.into()],
    )
    .await
    .map_err(DbError::query("saving the stream's checkpoint"))?;
    Ok(())
}
