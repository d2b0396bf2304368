//! `sluice_quarantine`: what could not be loaded, kept with its raw JSON:
//! items a plugin rejected, and whole responses a plugin failed on.

use super::archive::ResponseContext;
use crate::db::Exec;
use crate::load::LoadError;
use crate::model::Reject;

/// Stores items a plugin rejected; returns how many.
pub async fn store_rejects(
    db: &mut impl Exec,
    ctx: &ResponseContext<'_>,
    payload_hash: &str,
    rejects: &[Reject],
    now: &str,
) -> Result<u64, LoadError> {
    for reject in rejects {
        let entry = Entry {
            kind: "record",
            provider_id: reject.provider_id.as_deref(),
            reason: &reject.reason,
            raw: &reject.raw,
        };
        insert(db, ctx, payload_hash, entry, now).await?;
    }
    Ok(rejects.len() as u64)
}

/// Stores a whole response the plugin failed on, with its body.
pub async fn store_failed_batch(
    db: &mut impl Exec,
    ctx: &ResponseContext<'_>,
    payload_hash: &str,
    reason: &str,
    raw: &str,
    now: &str,
) -> Result<(), LoadError> {
    let entry = Entry {
        kind: "batch",
        provider_id: None,
        reason,
        raw,
    };
    insert(db, ctx, payload_hash, entry, now).await
}

struct Entry<'a> {
    kind: &'a str,
    provider_id: Option<&'a str>,
    reason: &'a str,
    raw: &'a str,
}

async fn insert(
    db: &mut impl Exec,
    ctx: &ResponseContext<'_>,
    payload_hash: &str,
    entry: Entry<'_>,
    now: &str,
) -> Result<(), LoadError> {
    db.execute(
        "INSERT INTO sluice_quarantine (run_id, provider, stream, plugin, plugin_version, kind, provider_id, reason, raw, payload_hash, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            ctx.run_id.into(),
            ctx.provider.into(),
            ctx.stream.into(),
            ctx.plugin.into(),
            ctx.plugin_version.into(),
            entry.kind.into(),
            entry.provider_id.into(),
            entry.reason.into(),
            entry.raw.into(),
            payload_hash.into(),
            now.into(),
        ],
    )
    .await
    .map_err(LoadError::query("quarantining"))?;
    Ok(())
}
