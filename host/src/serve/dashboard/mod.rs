//! The dashboard: `GET /` and its assets, embedded in the binary, and the
//! JSON it reads beyond the run history: quarantine (and its replay),
//! providers' breakers and quotas, stream freshness, firing alerts,
//! plugin reloads, the latest quality grade per table, and the workers' units. Every list is one bounded query. The Live panel
//! (`assets/live.js`) reads `/live/matches` and follows `/live/events`.

mod alerts;
mod page;
mod providers;
mod quality;
mod quarantine;
mod reloads;
mod streams;
mod workers;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

use super::state::AppState;

/// The dashboard's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page::index))
        .route("/assets/{file}", get(page::asset))
        .route("/quarantine", get(quarantine::list))
        .route("/quarantine/{id}", get(quarantine::show))
        .route("/quarantine/{id}/replay", post(quarantine::replay))
        .route("/providers", get(providers::list))
        .route("/streams", get(streams::list))
        .route("/alerts", get(alerts::firing))
        .route("/quality", get(quality::latest))
        .route("/plugins/reloads", get(reloads::list))
        .route("/workers", get(workers::view))
}

/// A failed request as the API answers it: a status and one line saying why.
use super::http::{ApiError, conn, db_error};

/// Parses an id from the path, or answers 400 naming what it was.
fn parse_id(id: &str, what: &str) -> Result<i64, ApiError> {
    id.parse::<i64>().map_err(|_| {
        (
            StatusCode::BAD_REQUEST,
            format!("`{id}` is not a {what} id\n"),
        )
    })
}
