//! `[serve]`: how `sluice serve` listens, who may change things through it,
//! and how long it waits for running batches when it is stopped.

use serde::Deserialize;
use std::net::SocketAddr;

use super::HumanDuration;

/// The port `sluice serve` listens on when neither `listen` nor `--addr`
/// names one: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8001";

/// `[serve]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// The address served; `127.0.0.1:8001` when absent.
    pub listen: Option<SocketAddr>,
    /// An environment variable holding the admin token. Without it the
    /// server is read-only: starting runs and replaying quarantine answer
    /// 401.
    pub admin_token_env: Option<String>,
    /// On SIGTERM or Ctrl-C, how long running batches get to commit before
    /// the process exits.
    #[serde(default = "default_grace_period")]
    pub grace_period: HumanDuration,
    /// Log lines kept in the database per run (for `sluice logs`).
    #[serde(default = "default_log_lines_per_run")]
    pub log_lines_per_run: u32,
    /// How long a run's log lines are kept; `sluice serve` deletes older
    /// ones every hour (the runs themselves stay).
    #[serde(default = "default_keep_run_logs")]
    pub keep_run_logs: HumanDuration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: None,
            admin_token_env: None,
            grace_period: default_grace_period(),
            log_lines_per_run: default_log_lines_per_run(),
            keep_run_logs: default_keep_run_logs(),
        }
    }
}

fn default_grace_period() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(30))
}

fn default_log_lines_per_run() -> u32 {
    1000
}

fn default_keep_run_logs() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(30 * 24 * 60 * 60))
}
