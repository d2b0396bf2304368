//! The live path's core: what changed in a match between two polls.
//!
//! A [`MatchTracker`] holds what was accepted of one match and turns each
//! new [`MatchSnapshot`] into [`LiveEvent`]s: goals and cards new, updated
//! (re-timed, scorer corrected) or cancelled (a goal ruled out, a card
//! withdrawn), and status changes. It is pure (no I/O, no clock), so the
//! same snapshots always give the same events: an identical snapshot gives
//! none, a goal whose minute moves is an update of the goal seen first,
//! never a second goal, and a clock or status going backwards is held
//! until enough polls confirm it. A [`ServedMatch`] puts one tracker per
//! real match behind every provider reporting it: one serves, and another
//! takes over when it freezes or goes silent, telling nothing twice.

pub mod budget;
mod served;
mod snapshot;
mod tracker;

pub use served::{
    Handover, LiveSettings, Observed, STALE_FLOOR_SECS, ServedMatch, stale_after_secs,
};
pub use snapshot::{LiveSnapshot, MatchSnapshot, Moment, MomentClass, snapshots_of};
pub use tracker::{LiveEvent, LiveEventKind, MatchTracker, TrackerSettings};

#[cfg(test)]
mod tests;
