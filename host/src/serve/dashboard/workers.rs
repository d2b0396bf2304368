//! `GET /workers`: the work units of the queue (by status, and the first
//! hundred, running first) with their workers and leases, and the workers
//! alive; empty on SQLite, where there are no workers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::ApiError;
use crate::db::Pool;
use crate::serve::state::AppState;
use crate::workers::QueueView;

/// Units listed at most.
const LISTED: i64 = 100;

/// The queue's view.
pub async fn view(State(state): State<AppState>) -> Result<Json<QueueView>, ApiError> {
    match state.stores.state.pool() {
        Pool::Postgres(pool) => crate::workers::view(pool, None, Some(LISTED))
            .await
            .map(Json)
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n"))),
        Pool::Sqlite(_) => Ok(Json(QueueView::default())),
    }
}
