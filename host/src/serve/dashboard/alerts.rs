//! `GET /alerts`: the alerts firing now, as `sluice alerts` lists them.

use axum::Json;
use axum::extract::State;

use super::{ApiError, conn, db_error};
use crate::alerts::{self, FiringAlert};
use crate::serve::state::AppState;

/// The firing alerts, oldest first (one per rule and subject, so the list
/// is as long as the conditions that hold, not the history).
pub async fn firing(State(state): State<AppState>) -> Result<Json<Vec<FiringAlert>>, ApiError> {
    let mut conn = conn(&state).await?;
    alerts::firing(&mut conn).await.map(Json).map_err(db_error)
}
