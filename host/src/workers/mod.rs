//! More than one machine: `sluice worker` processes share one PostgreSQL,
//! which is the only coordinator. Work units (one stream of a pipeline
//! each) are messages of a pgmq queue grouped by unit; a batch's rows, its
//! checkpoint, the unit's fence and its next message commit in one
//! transaction; each provider's rate limit is one row all workers take
//! their turns from.

mod events;
mod fence;
mod queue;
mod rate;
mod units;
mod worker;

pub use fence::UnitFence;
pub use queue::{Claim, Ending, Enqueued, QUEUE, UnitMessage, UnitQueue, unit_id};
pub use rate::{SharedRateRow, row_of};
pub use units::{QueueView, UnitRow, WorkerRow, view};
pub use worker::{Worker, WorkerSettings, enqueue_pipeline, enqueue_prepared, postgres_pool};

/// Why a worker, `sluice enqueue` or `sluice units` could not go on.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// Workers coordinate through PostgreSQL only.
    #[error(
        "workers need PostgreSQL: `{url}` is not a postgres:// URL (SQLite stays the single-process default: use `sluice run` or `sluice serve`)"
    )]
    NeedsPostgres {
        /// The database URL, without its password.
        url: String,
    },
    /// A statement of the queue failed.
    #[error("queue error while {doing}: {source}")]
    Queue {
        /// What the worker was doing.
        doing: &'static str,
        /// What pgmq said.
        source: pgmq::PgmqError,
    },
    /// A statement failed.
    #[error("database error while {doing}: {source}")]
    Sql {
        /// What the worker was doing.
        doing: &'static str,
        /// What sqlx said.
        source: sqlx::Error,
    },
    /// Opening the database failed.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// The pipeline cannot run.
    #[error(transparent)]
    Run(#[from] crate::pipeline::RunError),
    /// A queued unit names a stream the config no longer has.
    #[error(
        "pipeline {pipeline} has no stream {stream_key} any more; queue the pipeline again with `sluice enqueue`"
    )]
    UnknownStream {
        /// The pipeline.
        pipeline: String,
        /// The stream's key.
        stream_key: String,
    },
    /// A stream written with `write = "replace"` is one transaction from
    /// its first batch to its last: it cannot be a unit.
    #[error(
        "stream {stream_key} is written with write = \"replace\", which is one transaction for the whole stream; run it with `sluice run` instead of as a work unit"
    )]
    ReplaceStream {
        /// The stream.
        stream_key: String,
    },
}
