//! `GET /providers`: each provider's circuit breaker and the quota windows
//! it last reported (remaining, size as far as known, reset). Providers of
//! the config come first, with a closed breaker until one was stored.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;

use super::{ApiError, conn, db_error};
use crate::db::row::{int, opt_int, opt_text, text};
use crate::db::{DbError, Exec};
use crate::serve::state::AppState;

/// Most quota windows one answer lists.
const MAX_WINDOWS: i64 = 1000;

/// One provider as the dashboard shows it.
#[derive(Debug, serde::Serialize)]
pub struct ProviderView {
    provider: String,
    /// Whether the running config names it (else only its history does).
    configured: bool,
    breaker: Breaker,
    quotas: Vec<QuotaWindow>,
}

/// A provider's breaker.
#[derive(Debug, serde::Serialize)]
pub struct Breaker {
    /// `closed`, `open` or `half_open`.
    state: String,
    consecutive_failures: i64,
    opened_at: Option<String>,
    last_error: Option<String>,
}

/// One quota window at its last report.
#[derive(Debug, serde::Serialize)]
pub struct QuotaWindow {
    quota: String,
    scope: String,
    remaining: i64,
    /// The most ever seen left: the window's size, as far as sluice knows.
    limit: Option<i64>,
    resets_at: Option<String>,
    updated_at: String,
}

fn closed() -> Breaker {
    Breaker {
        state: "closed".to_string(),
        consecutive_failures: 0,
        opened_at: None,
        last_error: None,
    }
}

/// Every provider: configured ones, and any the database remembers.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ProviderView>>, ApiError> {
    let mut by_name: BTreeMap<String, ProviderView> = BTreeMap::new();
    for name in state.config.config.providers.keys() {
        by_name.insert(
            name.clone(),
            ProviderView {
                provider: name.clone(),
                configured: true,
                breaker: closed(),
                quotas: Vec::new(),
            },
        );
    }
    let mut conn = conn(&state).await?;
    for status in crate::state::providers::all(&mut conn)
        .await
        .map_err(db_error)?
    {
        let view = by_name
            .entry(status.provider.clone())
            .or_insert_with(|| ProviderView {
                provider: status.provider.clone(),
                configured: false,
                breaker: closed(),
                quotas: Vec::new(),
            });
        view.breaker = Breaker {
            state: status.breaker_state,
            consecutive_failures: status.consecutive_failures,
            opened_at: status.opened_at,
            last_error: status.last_error,
        };
    }
    let rows = conn
        .fetch(
            "SELECT provider, quota, scope, remaining, quota_limit, resets_at, updated_at FROM sluice_quotas \
             ORDER BY provider, quota, scope LIMIT ?",
            vec![MAX_WINDOWS.into()],
        )
        .await
        .map_err(|e| db_error(DbError::query("reading the providers' quotas")(e)))?;
    let what = "quota window";
    for r in &rows {
        let provider = text(r, 0, what).map_err(db_error)?;
        let window = QuotaWindow {
            quota: text(r, 1, what).map_err(db_error)?,
            scope: text(r, 2, what).map_err(db_error)?,
            remaining: int(r, 3, what).map_err(db_error)?,
            limit: opt_int(r, 4, what).map_err(db_error)?,
            resets_at: opt_text(r, 5, what).map_err(db_error)?,
            updated_at: text(r, 6, what).map_err(db_error)?,
        };
        by_name
            .entry(provider.clone())
            .or_insert_with(|| ProviderView {
                provider,
                configured: false,
                breaker: closed(),
                quotas: Vec::new(),
            })
            .quotas
            .push(window);
    }
    Ok(Json(by_name.into_values().collect()))
}
