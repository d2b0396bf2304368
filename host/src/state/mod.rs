//! The host's own state in the database: runs, checkpoints, quarantine,
//! the raw archive and the providers' breakers.
//! These functions run inside the caller's transaction, so the loader can
//! commit them together with the rows they describe.

pub mod archive;
pub mod checkpoints;
pub mod providers;
pub mod quarantine;
pub(crate) mod row;
pub mod runs;

pub use archive::{ArchivedResponse, ReplaySelection, ResponseSource, StoredBody};
pub use runs::{RunMode, RunStatus};

use time::OffsetDateTime;
use time::macros::format_description;

/// Identifies a run in `sluice_runs`.
pub type RunId = i64;

/// Now, as stored in every timestamp column: RFC 3339 UTC with microseconds,
/// fixed width so that text order is time order.
pub fn now_timestamp() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| OffsetDateTime::now_utc().unix_timestamp().to_string())
}
