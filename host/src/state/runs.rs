//! `sluice_runs`: one row per run with its counters.

use sqlx::SqliteConnection;

use super::{RunId, now_timestamp};
use crate::load::{LoadCounts, LoadError};

/// What kind of run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Fetch, normalize, load.
    Run,
    /// Fetch and normalize; every batch is rolled back.
    DryRun,
    /// Archived responses (of one earlier run, or of a time range) through
    /// the current plugins.
    Replay(Option<RunId>),
}

impl RunMode {
    /// The stored `mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunMode::Run => "run",
            RunMode::DryRun => "dry-run",
            RunMode::Replay(_) => "replay",
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Every stream ran and every batch loaded.
    Succeeded,
    /// Every stream ran; some batches were quarantined or streams failed.
    Partial,
    /// The run could not go on.
    Failed,
}

impl RunStatus {
    /// The stored `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
        }
    }
}

/// Inserts a running run of `pipeline`.
pub async fn start(
    conn: &mut SqliteConnection,
    pipeline: &str,
    mode: RunMode,
) -> Result<RunId, LoadError> {
    let replay_of = match mode {
        RunMode::Replay(of) => of,
        _ => None,
    };
    sqlx::query_scalar(
        "INSERT INTO sluice_runs (pipeline, mode, replay_of, status, started_at) VALUES (?, ?, ?, 'running', ?) RETURNING id",
    )
    .bind(pipeline)
    .bind(mode.as_str())
    .bind(replay_of)
    .bind(now_timestamp())
    .fetch_one(conn)
    .await
    .map_err(LoadError::query("recording the start of the run"))
}

/// Adds one batch's counters to its run.
pub async fn add_batch(
    conn: &mut SqliteConnection,
    run_id: RunId,
    counts: &LoadCounts,
) -> Result<(), LoadError> {
    let total = counts.total();
    sqlx::query(
        "UPDATE sluice_runs SET requests = requests + ?, records_in = records_in + ?, \
         inserted = inserted + ?, updated = updated + ?, unchanged = unchanged + ?, \
         duplicates = duplicates + ?, quarantined = quarantined + ?, failed_batches = failed_batches + ? WHERE id = ?",
    )
    .bind(to_i64(counts.requests))
    .bind(to_i64(total.records + counts.duplicates))
    .bind(to_i64(total.inserted))
    .bind(to_i64(total.updated))
    .bind(to_i64(total.unchanged))
    .bind(to_i64(counts.duplicates))
    .bind(to_i64(counts.quarantined))
    .bind(to_i64(counts.failed_batches))
    .bind(run_id)
    .execute(conn)
    .await
    .map_err(LoadError::query("updating the run's counters"))?;
    Ok(())
}

/// Records how the run ended.
pub async fn finish(
    conn: &mut SqliteConnection,
    run_id: RunId,
    status: RunStatus,
    error: Option<&str>,
    note: Option<&str>,
) -> Result<(), LoadError> {
    sqlx::query(
        "UPDATE sluice_runs SET status = ?, finished_at = ?, error = ?, note = ? WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(now_timestamp())
    .bind(error)
    .bind(note)
    .bind(run_id)
    .execute(conn)
    .await
    .map_err(LoadError::query("recording the end of the run"))?;
    Ok(())
}

/// One run as `sluice status` shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    /// Id.
    pub id: i64,
    /// Pipeline.
    pub pipeline: String,
    /// Mode.
    pub mode: String,
    /// Status.
    pub status: String,
    /// Start.
    pub started_at: String,
    /// End.
    pub finished_at: Option<String>,
    /// Requests.
    pub requests: i64,
    /// Records in.
    pub records_in: i64,
    /// Inserted.
    pub inserted: i64,
    /// Updated.
    pub updated: i64,
    /// Unchanged.
    pub unchanged: i64,
    /// Quarantined.
    pub quarantined: i64,
    /// Failed batches.
    pub failed_batches: i64,
    /// Error.
    pub error: Option<String>,
}

/// The latest `limit` runs, newest first.
pub async fn recent(conn: &mut SqliteConnection, limit: i64) -> Result<Vec<RunRow>, LoadError> {
    sqlx::query_as(
        "SELECT id, pipeline, mode, status, started_at, finished_at, requests, records_in, inserted, updated, \
         unchanged, quarantined, failed_batches, error FROM sluice_runs ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
    .map_err(LoadError::query("reading recent runs"))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
