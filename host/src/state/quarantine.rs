//! `sluice_quarantine`: what a plugin rejected, kept with its raw JSON.

use sqlx::SqliteConnection;

use crate::load::{LoadBatch, LoadError};

/// Stores every reject of `batch`; returns how many.
pub async fn store(
    conn: &mut SqliteConnection,
    batch: &LoadBatch,
    now: &str,
) -> Result<u64, LoadError> {
    for reject in &batch.rejects {
        sqlx::query(
            "INSERT INTO sluice_quarantine (run_id, provider, stream, plugin, plugin_version, provider_id, reason, raw, payload_hash, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(batch.run_id)
        .bind(&batch.provider)
        .bind(&batch.stream)
        .bind(&batch.plugin)
        .bind(&batch.plugin_version)
        .bind(&reject.provider_id)
        .bind(&reject.reason)
        .bind(&reject.raw)
        .bind(&batch.payload_hash)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(LoadError::query("quarantining a rejected record"))?;
    }
    Ok(batch.rejects.len() as u64)
}
