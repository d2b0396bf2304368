//! A check that runs inside a batch's transaction, after its rows and
//! checkpoint and before it commits: a worker's lease on its work unit is
//! checked there, and its queue message acknowledged, so that either all
//! of it commits or none of it does.

use futures_util::future::BoxFuture;

use crate::db::{DbError, Tx};

/// Runs last in each batch's transaction; an error rolls the whole batch
/// back (rows, checkpoint, counters and whatever the fence wrote).
pub trait BatchFence: Send + Sync {
    /// Checks and writes what must commit with the batch in `tx`; `last`
    /// says the batch ends its stream (no request is left to make).
    fn seal<'a>(&'a self, tx: &'a mut Tx, last: bool) -> BoxFuture<'a, Result<(), DbError>>;
}
