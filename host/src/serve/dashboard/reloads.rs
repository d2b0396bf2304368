//! `GET /plugins/reloads`: the plugin folder watcher's latest reloads,
//! newest first, published or refused with the reason.

use axum::Json;
use axum::extract::State;

use crate::serve::state::{AppState, ReloadRecord};

/// The remembered reloads, newest first.
pub async fn list(State(state): State<AppState>) -> Json<Vec<ReloadRecord>> {
    let mut reloads = state.reloads.list();
    reloads.reverse();
    Json(reloads)
}
