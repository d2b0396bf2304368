//! `GET /quarantine`, `GET /quarantine/{id}` and `POST /quarantine/{id}/replay`:
//! what could not be loaded, newest first; one item with its raw payload;
//! and a replay of it through the current plugins (admin token needed).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use super::{ApiError, conn, db_error, parse_id};
use crate::db::row::{int, opt_text, text};
use crate::db::{DbError, Exec, Value};
use crate::pipeline::{RunError, replay_quarantined_item};
use crate::serve::auth::require_admin;
use crate::serve::events::ServeEvent;
use crate::serve::state::AppState;
use crate::state::quarantine::QuarantinedItem;

/// Most items one page lists.
const MAX_PAGE: i64 = 500;

/// `GET /quarantine` query: `?limit=50&before=ID`.
#[derive(Debug, Deserialize)]
pub struct QuarantineQuery {
    limit: Option<i64>,
    before: Option<i64>,
}

/// One quarantined item without its payload.
#[derive(Debug, Serialize)]
pub struct ItemSummary {
    id: i64,
    run_id: i64,
    provider: String,
    stream: String,
    plugin: String,
    kind: String,
    provider_id: Option<String>,
    reason: String,
    payload_hash: String,
    created_at: String,
    resolved_by: Option<i64>,
}

/// Quarantined items, newest first, resolved ones included.
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<QuarantineQuery>,
) -> Result<Json<Vec<ItemSummary>>, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let mut sql = String::from(
        "SELECT id, run_id, provider, stream, plugin || ' ' || plugin_version, kind, provider_id, reason, \
         payload_hash, created_at, resolved_by FROM sluice_quarantine",
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(before) = query.before {
        sql.push_str(" WHERE id < ?");
        args.push(before.into());
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    args.push(limit.into());
    let mut conn = conn(&state).await?;
    let rows = conn
        .fetch(&sql, args)
        .await
        .map_err(|e| db_error(DbError::query("listing quarantine")(e)))?;
    let what = "quarantined item";
    rows.iter()
        .map(|r| {
            Ok(ItemSummary {
                id: int(r, 0, what)?,
                run_id: int(r, 1, what)?,
                provider: text(r, 2, what)?,
                stream: text(r, 3, what)?,
                plugin: text(r, 4, what)?,
                kind: text(r, 5, what)?,
                provider_id: opt_text(r, 6, what)?,
                reason: text(r, 7, what)?,
                payload_hash: text(r, 8, what)?,
                created_at: text(r, 9, what)?,
                resolved_by: r.get(10).and_then(Value::int),
            })
        })
        .collect::<Result<Vec<_>, DbError>>()
        .map(Json)
        .map_err(db_error)
}

/// One quarantined item with its raw payload.
#[derive(Debug, Serialize)]
pub struct ItemDetail {
    #[serde(flatten)]
    summary: ItemSummary,
    /// The payload, pretty-printed when it is JSON.
    raw: String,
    /// Whether the payload is JSON.
    raw_is_json: bool,
}

impl From<QuarantinedItem> for ItemDetail {
    fn from(item: QuarantinedItem) -> Self {
        let pretty = serde_json::from_str::<serde_json::Value>(&item.raw)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok());
        let raw_is_json = pretty.is_some();
        ItemDetail {
            raw: pretty.unwrap_or(item.raw),
            raw_is_json,
            summary: ItemSummary {
                id: item.id,
                run_id: item.run_id,
                provider: item.provider,
                stream: item.stream,
                plugin: item.plugin,
                kind: item.kind,
                provider_id: item.provider_id,
                reason: item.reason,
                payload_hash: item.payload_hash,
                created_at: item.created_at,
                resolved_by: item.resolved_by,
            },
        }
    }
}

/// The item `id`, or 404.
async fn item(state: &AppState, id: i64) -> Result<QuarantinedItem, ApiError> {
    let mut conn = conn(state).await?;
    crate::state::quarantine::get(&mut conn, id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no quarantined item {id}\n")))
}

/// `GET /quarantine/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ItemDetail>, ApiError> {
    let id = parse_id(&id, "quarantined item")?;
    Ok(Json(item(&state, id).await?.into()))
}

/// What a replay did.
#[derive(Debug, Serialize)]
pub struct ReplayOutcome {
    /// The item asked for.
    item: i64,
    /// The replay run.
    run_id: i64,
    /// How the replay run ended.
    status: String,
    records_in: u64,
    inserted: u64,
    updated: u64,
    unchanged: u64,
    quarantined: u64,
    failed_batches: u64,
    /// Whether the item left quarantine.
    resolved: bool,
    /// Unresolved items still in quarantine from the item's run.
    left: usize,
    /// What went wrong, one line each.
    failures: Vec<String>,
}

/// `POST /quarantine/{id}/replay`: replays the response the item came from
/// (with that response's other items) through the current plugins.
pub async fn replay(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ReplayOutcome>, ApiError> {
    require_admin(&state, &headers)?;
    let id = parse_id(&id, "quarantined item")?;
    let found = item(&state, id).await?;
    if let Some(run) = found.resolved_by {
        return Err((
            StatusCode::CONFLICT,
            format!("quarantined item {id} was already loaded by run {run}\n"),
        ));
    }
    let registry = state.registry.clone();
    let replayed = replay_quarantined_item(
        &state.config,
        registry.engine(),
        &state.stores,
        id,
        found.run_id,
    )
    .await
    .map_err(|error| {
        let status = match error {
            RunError::NothingToReplay(_) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (
            status,
            format!("replay of quarantined item {id}: {error}\n"),
        )
    })?;
    let report = &replayed.report;
    let _ = state.events.send(ServeEvent::RunFinished {
        pipeline: report.pipeline.clone(),
        run_id: Some(report.run_id),
        status: report.status.as_str().to_string(),
    });
    let _ = state.events.send(ServeEvent::Changed {
        what: "quarantine".to_string(),
    });
    let resolved = item(&state, id).await?.resolved_by.is_some();
    let total = report.counts.total();
    Ok(Json(ReplayOutcome {
        item: id,
        run_id: report.run_id,
        status: report.status.as_str().to_string(),
        records_in: report.counts.records_in(),
        inserted: total.inserted,
        updated: total.updated,
        unchanged: total.unchanged,
        quarantined: report.counts.quarantined,
        failed_batches: report.counts.failed_batches,
        resolved,
        left: replayed.left,
        failures: report
            .failures
            .iter()
            .map(|f| format!("{}: {}", f.stream_key, f.error))
            .collect(),
    }))
}
