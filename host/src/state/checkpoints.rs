//! `sluice_checkpoints`: where each stream stands.

use sqlx::SqliteConnection;

use super::RunId;
use crate::load::LoadError;

/// The stored cursor of a stream.
pub async fn load(
    conn: &mut SqliteConnection,
    pipeline: &str,
    stream_key: &str,
) -> Result<Option<String>, LoadError> {
    let cursor: Option<Option<String>> = sqlx::query_scalar(
        "SELECT cursor FROM sluice_checkpoints WHERE pipeline = ? AND stream_key = ?",
    )
    .bind(pipeline)
    .bind(stream_key)
    .fetch_optional(conn)
    .await
    .map_err(LoadError::query("reading the stream's checkpoint"))?;
    Ok(cursor.flatten())
}

/// Stores the stream's position after a batch; a batch without a cursor
/// keeps the previous one.
pub async fn save(
    conn: &mut SqliteConnection,
    pipeline: &str,
    stream_key: &str,
    cursor: Option<&str>,
    run_id: RunId,
    now: &str,
) -> Result<(), LoadError> {
    sqlx::query(
        "INSERT INTO sluice_checkpoints (pipeline, stream_key, cursor, run_id, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (pipeline, stream_key) DO UPDATE SET \
         cursor = COALESCE(excluded.cursor, sluice_checkpoints.cursor), run_id = excluded.run_id, updated_at = excluded.updated_at",
    )
    .bind(pipeline)
    .bind(stream_key)
    .bind(cursor)
    .bind(run_id)
    .bind(now)
    .execute(conn)
    .await
    .map_err(LoadError::query("saving the stream's checkpoint"))?;
    Ok(())
}
