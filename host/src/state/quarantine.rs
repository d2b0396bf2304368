//! `sluice_quarantine`: what could not be loaded, kept with its raw JSON:
//! items a plugin rejected, and whole responses a plugin failed on.

use super::RunId;
use super::archive::ResponseContext;
use crate::db::DbError;
use crate::db::row::{int, opt_text, text};
use crate::db::{Exec, Value};
use crate::model::Reject;

/// Stores items a plugin rejected; returns how many.
pub async fn store_rejects(
    db: &mut impl Exec,
    ctx: &ResponseContext<'_>,
    payload_hash: &str,
    rejects: &[Reject],
    now: &str,
) -> Result<u64, DbError> {
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
) -> Result<(), DbError> {
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
) -> Result<(), DbError> {
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
    .map_err(DbError::query("quarantining"))?;
    Ok(())
}

/// One quarantined item as `sluice quarantine` shows it.
#[derive(Debug, Clone)]
pub struct QuarantinedItem {
    /// Id.
    pub id: i64,
    /// The run that quarantined it.
    pub run_id: i64,
    /// Provider config name.
    pub provider: String,
    /// Stream.
    pub stream: String,
    /// Plugin and version.
    pub plugin: String,
    /// `record` or `batch`.
    pub kind: String,
    /// The provider's id of the item.
    pub provider_id: Option<String>,
    /// Why.
    pub reason: String,
    /// The raw JSON (or body).
    pub raw: String,
    /// The archived response it came from.
    pub payload_hash: String,
    /// When.
    pub created_at: String,
    /// The replay run that loaded it, if one did.
    pub resolved_by: Option<i64>,
}

const ITEM_COLUMNS: &str = "id, run_id, provider, stream, plugin || ' ' || plugin_version, kind, provider_id, reason, raw, payload_hash, created_at, resolved_by";

fn item(r: &[Value]) -> Result<QuarantinedItem, DbError> {
    let what = "quarantined item";
    Ok(QuarantinedItem {
        id: int(r, 0, what)?,
        run_id: int(r, 1, what)?,
        provider: text(r, 2, what)?,
        stream: text(r, 3, what)?,
        plugin: text(r, 4, what)?,
        kind: text(r, 5, what)?,
        provider_id: opt_text(r, 6, what)?,
        reason: text(r, 7, what)?,
        raw: text(r, 8, what)?,
        payload_hash: text(r, 9, what)?,
        created_at: text(r, 10, what)?,
        resolved_by: r.get(11).and_then(Value::int),
    })
}

/// Quarantined items, oldest first: of one run, or of all; unresolved only
/// unless `all`.
pub async fn list(
    db: &mut impl Exec,
    run: Option<RunId>,
    all: bool,
) -> Result<Vec<QuarantinedItem>, DbError> {
    let mut sql = format!("SELECT {ITEM_COLUMNS} FROM sluice_quarantine WHERE 1 = 1");
    let mut args = Vec::new();
    if let Some(run) = run {
        sql.push_str(" AND run_id = ?");
        args.push(Value::Int(run));
    }
    if !all {
        sql.push_str(" AND resolved_by IS NULL");
    }
    sql.push_str(" ORDER BY id");
    let rows = db
        .fetch(&sql, args)
        .await
        .map_err(DbError::query("listing quarantine"))?;
    rows.iter().map(|r| item(r)).collect()
}

/// One quarantined item.
pub async fn get(db: &mut impl Exec, id: i64) -> Result<Option<QuarantinedItem>, DbError> {
    let rows = db
        .fetch(
            &format!("SELECT {ITEM_COLUMNS} FROM sluice_quarantine WHERE id = ?"),
            vec![Value::Int(id)],
        )
        .await
        .map_err(DbError::query("reading a quarantined item"))?;
    rows.first().map(|r| item(r)).transpose()
}

/// Marks the unresolved items quarantined from `payload_hash` as resolved by
/// `run_id`, except records the replay rejected again (`still_rejected`
/// provider ids) and everything when the replay failed on the whole
/// response (`failed`); returns how many were resolved.
pub async fn resolve(
    db: &mut impl Exec,
    payload_hash: &str,
    run_id: RunId,
    failed: bool,
    still_rejected: &[Option<String>],
) -> Result<u64, DbError> {
    if failed {
        return Ok(0);
    }
    let rows = db
        .fetch(
            "SELECT id, kind, provider_id FROM sluice_quarantine WHERE payload_hash = ? AND resolved_by IS NULL",
            vec![payload_hash.into()],
        )
        .await
        .map_err(DbError::query("finding quarantined items to resolve"))?;
    let mut resolved = 0;
    for r in &rows {
        let what = "quarantined item";
        let (id, kind, provider_id) = (int(r, 0, what)?, text(r, 1, what)?, opt_text(r, 2, what)?);
        if kind == "record" && still_rejected.contains(&provider_id) {
            continue;
        }
        resolved += db
            .execute(
                "UPDATE sluice_quarantine SET resolved_by = ? WHERE id = ?",
                vec![Value::Int(run_id), Value::Int(id)],
            )
            .await
            .map_err(DbError::query("resolving a quarantined item"))?;
    }
    Ok(resolved)
}
