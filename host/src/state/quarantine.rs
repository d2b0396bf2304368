//! `sluice_quarantine`: what could not be loaded, kept with its raw JSON:
//! items a plugin rejected, and whole responses a plugin failed on.

use sqlx::SqliteConnection;

use crate::load::LoadError;
use crate::model::Reject;

use super::archive::ResponseContext;

/// Stores items a plugin rejected; returns how many.
pub async fn store_rejects(
    conn: &mut SqliteConnection,
    ctx: &ResponseContext<'_>,
    payload_hash: &str,
    rejects: &[Reject],
    now: &str,
) -> Result<u64, LoadError> {
    for reject in rejects {
        insert(
            conn,
            ctx,
            payload_hash,
            "record",
            reject.provider_id.as_deref(),
            &reject.reason,
            &reject.raw,
            now,
        )
        .await?;
    }
    Ok(rejects.len() as u64)
}

/// Stores a whole response the plugin failed on, with its body.
pub async fn store_failed_batch(
    conn: &mut SqliteConnection,
    ctx: &ResponseContext<'_>,
    payload_hash: &str,
    reason: &str,
    raw: &str,
    now: &str,
) -> Result<(), LoadError> {
    insert(conn, ctx, payload_hash, "batch", None, reason, raw, now).await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    conn: &mut SqliteConnection,
    ctx: &ResponseContext<'_>,
    payload_hash: &str,
    kind: &str,
    provider_id: Option<&str>,
    reason: &str,
    raw: &str,
    now: &str,
) -> Result<(), LoadError> {
    sqlx::query(
        "INSERT INTO sluice_quarantine (run_id, provider, stream, plugin, plugin_version, kind, provider_id, reason, raw, payload_hash, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(ctx.run_id)
    .bind(ctx.provider)
    .bind(ctx.stream)
    .bind(ctx.plugin)
    .bind(ctx.plugin_version)
    .bind(kind)
    .bind(provider_id)
    .bind(reason)
    .bind(raw)
    .bind(payload_hash)
    .bind(now)
    .execute(conn)
    .await
    .map_err(LoadError::query("quarantining"))?;
    Ok(())
}
