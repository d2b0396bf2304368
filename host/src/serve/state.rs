//! What every HTTP handler of `sluice serve` reaches: the config, the
//! published plugins, the database, the scheduler, the live event feed and
//! the metrics.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::broadcast;

use crate::config::LoadedConfig;
use crate::pipeline::Stores;
use crate::plugin::PluginRegistry;

use super::events::ServeEvent;
use super::scheduler::Scheduler;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The config `serve` started with.
    pub config: Arc<LoadedConfig>,
    /// The plugins published now.
    pub registry: Arc<PluginRegistry>,
    /// The database.
    pub stores: Stores,
    /// Starts runs on demand and knows which are running.
    pub scheduler: Scheduler,
    /// What happens, as it happens, for `/events`.
    pub events: broadcast::Sender<ServeEvent>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The admin token; `None` makes the server read-only.
    pub admin_token: Option<Arc<str>>,
    /// The latest plugin reloads, published or refused.
    pub reloads: Reloads,
}

/// One reload of a plugin by the folder watcher.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReloadRecord {
    /// The plugin.
    pub plugin: String,
    /// When.
    pub at: String,
    /// Whether the new version now serves.
    pub published: bool,
    /// Why it was refused.
    pub error: Option<String>,
}

/// The latest reloads, newest last, at most [`Reloads::KEPT`].
#[derive(Debug, Clone, Default)]
pub struct Reloads(Arc<std::sync::Mutex<std::collections::VecDeque<ReloadRecord>>>);

impl Reloads {
    /// How many reloads are remembered.
    pub const KEPT: usize = 200;

    /// Remembers a reload, forgetting the oldest past [`Reloads::KEPT`].
    pub fn push(&self, record: ReloadRecord) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() == Self::KEPT {
            kept.pop_front();
        }
        kept.push_back(record);
    }

    /// Every remembered reload, oldest first.
    pub fn list(&self) -> Vec<ReloadRecord> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}
