//! The HTTP side of `sluice serve`: `GET /healthz` and `GET /plugins`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use std::sync::Arc;

use crate::plugin::{PluginInfo, PluginRegistry};

/// The routes.
pub fn router(registry: Arc<PluginRegistry>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/plugins", get(plugins))
        .with_state(registry)
}

/// Every published plugin: name, version, WIT version, sha256, load time.
async fn plugins(State(registry): State<Arc<PluginRegistry>>) -> Json<Vec<PluginInfo>> {
    Json(registry.list())
}
