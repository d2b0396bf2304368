//! The host's own state in the database: runs, checkpoints, quarantine,
//! the raw archive and the providers' breakers.
//! These functions run inside the caller's transaction, so the loader can
//! commit them together with the rows they describe.

pub mod archive;
pub mod checkpoints;
pub mod providers;
pub mod quarantine;
pub mod runs;

pub use archive::{ArchivedResponse, ReplaySelection, ResponseSource, StoredBody};
pub use runs::{RunMode, RunStatus};

/// Identifies a run in `sluice_runs`.
pub type RunId = i64;
