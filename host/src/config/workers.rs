//! `[workers]`: how `sluice worker` processes take work units from the
//! PostgreSQL queue.

use serde::Deserialize;
use std::time::Duration;

use super::HumanDuration;

/// `[workers]` of the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkersConfig {
    /// How long a claimed unit stays invisible to other workers without
    /// news from its worker; a worker renews it every third of it, and a
    /// crashed worker's unit is taken over once it runs out. Whole seconds.
    #[serde(default = "default_visibility_timeout")]
    pub visibility_timeout: HumanDuration,
    /// How long an idle worker waits before asking the queue again.
    #[serde(default = "default_poll")]
    pub poll: HumanDuration,
    /// Units one worker process runs at once (`--concurrency` overrides).
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Pipelines whose runs `sluice serve` (its schedules and `POST
    /// /runs/{pipeline}`) queues as work units instead of running them.
    #[serde(default)]
    pub pipelines: Vec<String>,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        WorkersConfig {
            visibility_timeout: default_visibility_timeout(),
            poll: default_poll(),
            concurrency: default_concurrency(),
            pipelines: Vec::new(),
        }
    }
}

impl WorkersConfig {
    /// The visibility timeout in whole seconds (the queue's resolution),
    /// at least one.
    pub fn visibility_secs(&self) -> u32 {
        u32::try_from(self.visibility_timeout.0.as_secs())
            .unwrap_or(u32::MAX)
            .max(1)
    }

    /// How often a running unit's lease is renewed: a third of the
    /// visibility timeout.
    pub fn renew_every(&self) -> Duration {
        Duration::from_secs(u64::from(self.visibility_secs())) / 3
    }
}

fn default_visibility_timeout() -> HumanDuration {
    HumanDuration(Duration::from_secs(30))
}

fn default_poll() -> HumanDuration {
    HumanDuration(Duration::from_secs(1))
}

fn default_concurrency() -> usize {
    1
}
