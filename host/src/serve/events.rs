//! What `sluice serve` tells the dashboard as it happens, over `/events`
//! (server-sent events): runs starting and ending, ticks skipped, plugins
//! published or refused, alerts firing or resolving.

use serde::Serialize;

/// One thing that happened, sent to every open `/events` stream as JSON
/// with its `type`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServeEvent {
    /// A run started.
    RunStarted {
        /// Its pipeline.
        pipeline: String,
        /// Why: `schedule`, `catch-up` or `api`.
        trigger: String,
    },
    /// A run ended (or could not start).
    RunFinished {
        /// Its pipeline.
        pipeline: String,
        /// Its id, when it was recorded.
        run_id: Option<i64>,
        /// How it ended.
        status: String,
    },
    /// A scheduled tick found the previous run still going.
    TickSkipped {
        /// The pipeline.
        pipeline: String,
    },
    /// Something else changed that the page shows (plugins, alerts,
    /// quarantine): it reads it again.
    Changed {
        /// What: `plugins`, `alerts`, `quarantine`.
        what: String,
    },
}
