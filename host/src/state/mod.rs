//! The host's own state in the database: runs, checkpoints, quarantine,
//! the raw archive, the providers' breakers, each stream's part of a run.
//! These functions run inside the caller's transaction, so the loader can
//! commit them together with the rows they describe.

pub mod archive;
pub mod checkpoints;
mod counts;
pub mod history;
pub mod live;
pub mod live_lookup;
pub mod live_odds;
pub mod live_sink;
pub mod live_views;
pub mod providers;
pub mod quarantine;
pub mod quotas;
pub mod run_logs;
pub mod runs;
mod store;
pub mod stream_runs;

pub use archive::{ArchivedResponse, ReplaySelection, ResponseSource, StoredBody};
pub use counts::{LoadCounts, TableCounts};
pub use runs::{RunMode, RunStatus};
pub use store::StateStore;

/// Identifies a run in `sluice_runs`.
pub type RunId = i64;
