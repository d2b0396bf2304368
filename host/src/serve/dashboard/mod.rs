//! The dashboard: `GET /` and its assets, embedded in the binary, and the
//! JSON it reads beyond the run history.

use axum::Router;

use super::state::AppState;

/// The dashboard's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
