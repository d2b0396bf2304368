//! The dashboard: `GET /` and its assets, embedded in the binary, and the
//! JSON it reads beyond the run history: quarantine (and its replay),
//! providers' breakers and quotas, stream freshness, firing alerts and
//! plugin reloads. Every list is one bounded query.

mod alerts;
mod page;
mod providers;
mod quarantine;
mod reloads;
mod streams;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

use super::state::AppState;
use crate::db::{Conn, DbError};

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
        .route("/plugins/reloads", get(reloads::list))
}

/// A failed request as the API answers it: a status and one line saying why.
type ApiError = (StatusCode, String);

/// A database error as the API answers it: 500 with the message.
fn db_error(error: DbError) -> ApiError {
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n"))
}

/// A connection from the server's pool.
async fn conn(state: &AppState) -> Result<Conn, ApiError> {
    state
        .stores
        .state
        .pool()
        .acquire()
        .await
        .map_err(|e| db_error(DbError::query("acquiring a connection")(e)))
}

/// Parses an id from the path, or answers 400 naming what it was.
fn parse_id(id: &str, what: &str) -> Result<i64, ApiError> {
    id.parse::<i64>().map_err(|_| {
        (
            StatusCode::BAD_REQUEST,
            format!("`{id}` is not a {what} id\n"),
        )
    })
}
