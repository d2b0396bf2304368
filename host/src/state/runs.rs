//! `sluice_runs`: one row per run with its counters.

use super::LoadCounts;
use super::RunId;
use crate::db::DbError;
use crate::db::now_timestamp;
use crate::db::row::{int, opt_text, text};
use crate::db::{Exec, Value};

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
    /// The process running it stopped before it finished (killed, or its
    /// grace period ran out): marked so when the next `sluice serve` starts.
    Abandoned,
    /// Every stream ran and every batch loaded.
    Succeeded,
    /// Every stream ran; some batches were quarantined.
    Partial,
    /// A stream could not finish.
    Failed,
}

impl RunStatus {
    /// The stored `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Abandoned => "abandoned",
        }
    }
}

/// Inserts a running run of `pipeline`.
pub async fn start(db: &mut impl Exec, pipeline: &str, mode: RunMode) -> Result<RunId, DbError> {
    let replay_of = match mode {
        RunMode::Replay(of) => of,
        _ => None,
    };
    let rows = db
        .fetch(
            "INSERT INTO sluice_runs (pipeline, mode, replay_of, status, started_at) VALUES (?, ?, ?, 'running', ?) RETURNING id",
            vec![pipeline.into(), mode.as_str().into(), replay_of.into(), now_timestamp().into()],
        )
        .await
        .map_err(DbError::query("recording the start of the run"))?;
    rows.first()
        .map(|row| int(row, 0, "new run id"))
        .unwrap_or_else(|| {
            Err(DbError::Unexpected(
                "the new run returned no id".to_string(),
            ))
        })
}

/// Adds one batch's counters to its run.
pub async fn add_batch(
    db: &mut impl Exec,
    run_id: RunId,
    counts: &LoadCounts,
) -> Result<(), DbError> {
    let total = counts.total();
    let n = |v: u64| Value::Int(i64::try_from(v).unwrap_or(i64::MAX));
    db.execute(
        "UPDATE sluice_runs SET requests = requests + ?, records_in = records_in + ?, \
         inserted = inserted + ?, updated = updated + ?, unchanged = unchanged + ?, \
         duplicates = duplicates + ?, quarantined = quarantined + ?, \
         failed_batches = failed_batches + ?, deleted = deleted + ?, moves = moves + ? WHERE id = ?",
        vec![
            n(counts.requests),
            n(counts.records_in()),
            n(total.inserted),
            n(total.updated),
            n(total.unchanged),
            n(counts.duplicates),
            n(counts.quarantined),
            n(counts.failed_batches),
            n(total.deleted),
            n(total.moves),
            run_id.into(),
        ],
    )
    .await
    .map_err(DbError::query("updating the run's counters"))?;
    Ok(())
}

/// Records how the run ended.
pub async fn finish(
    db: &mut impl Exec,
    run_id: RunId,
    status: RunStatus,
    error: Option<&str>,
    note: Option<&str>,
) -> Result<bool, DbError> {
    let updated = db.execute(
        "UPDATE sluice_runs SET status = ?, finished_at = ?, error = ?, note = ? WHERE id = ? AND status = 'running'",
        vec![
            status.as_str().into(),
            now_timestamp().into(),
            error.into(),
            note.into(),
            run_id.into(),
        ],
    )
    .await
    .map_err(DbError::query("recording the end of the run"))?;
    Ok(updated > 0)
}

/// One run as `sluice status`, `sluice runs` and `GET /runs` show it.
#[derive(Debug, Clone, serde::Serialize)]
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
    /// Why it stopped early, when it did.
    pub note: Option<String>,
}

/// Which runs a history query returns.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Only this pipeline's.
    pub pipeline: Option<String>,
    /// Only runs started at or after this timestamp (`now_timestamp` form).
    pub since: Option<String>,
    /// Only runs with a smaller id (the next page).
    pub before: Option<i64>,
}

const RUN_COLUMNS: &str = "id, pipeline, mode, status, started_at, finished_at, requests, records_in, inserted, updated, \
     unchanged, quarantined, failed_batches, error, note";

fn run_row(r: &[Value], what: &str) -> Result<RunRow, DbError> {
    Ok(RunRow {
        id: int(r, 0, what)?,
        pipeline: text(r, 1, what)?,
        mode: text(r, 2, what)?,
        status: text(r, 3, what)?,
        started_at: text(r, 4, what)?,
        finished_at: opt_text(r, 5, what)?,
        requests: int(r, 6, what)?,
        records_in: int(r, 7, what)?,
        inserted: int(r, 8, what)?,
        updated: int(r, 9, what)?,
        unchanged: int(r, 10, what)?,
        quarantined: int(r, 11, what)?,
        failed_batches: int(r, 12, what)?,
        error: opt_text(r, 13, what)?,
        note: opt_text(r, 14, what)?,
    })
}

/// Runs matching `filter`, newest first, at most `limit`: one indexed
/// query, however long the history.
pub async fn list(
    db: &mut impl Exec,
    filter: &RunFilter,
    limit: i64,
) -> Result<Vec<RunRow>, DbError> {
    let mut sql = format!("SELECT {RUN_COLUMNS} FROM sluice_runs WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(pipeline) = &filter.pipeline {
        sql.push_str(" AND pipeline = ?");
        args.push(pipeline.as_str().into());
    }
    if let Some(since) = &filter.since {
        sql.push_str(" AND started_at >= ?");
        args.push(since.as_str().into());
    }
    if let Some(before) = filter.before {
        sql.push_str(" AND id < ?");
        args.push(before.into());
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    args.push(limit.into());
    let rows = db
        .fetch(&sql, args)
        .await
        .map_err(DbError::query("reading the run history"))?;
    rows.iter().map(|r| run_row(r, "run history")).collect()
}

/// The run `id`, if there is one.
pub async fn get(db: &mut impl Exec, id: RunId) -> Result<Option<RunRow>, DbError> {
    let rows = db
        .fetch(
            &format!("SELECT {RUN_COLUMNS} FROM sluice_runs WHERE id = ?"),
            vec![id.into()],
        )
        .await
        .map_err(DbError::query("reading a run"))?;
    rows.first().map(|r| run_row(r, "run")).transpose()
}

/// When the latest run of `pipeline` started, if it ever ran.
pub async fn last_started(db: &mut impl Exec, pipeline: &str) -> Result<Option<String>, DbError> {
    let rows = db
        .fetch(
            "SELECT started_at FROM sluice_runs WHERE pipeline = ? AND mode = 'run' ORDER BY id DESC LIMIT 1",
            vec![pipeline.into()],
        )
        .await
        .map_err(DbError::query("reading the pipeline's latest run"))?;
    rows.first().map(|r| text(r, 0, "latest run")).transpose()
}

/// Marks the runs still `running` (of `pipeline`, or all) as `abandoned`:
/// at the start of `sluice serve` a run in that state belongs to a process
/// that is gone, and at its end to a run the grace period cut short.
/// Returns the runs marked, with their pipelines and modes.
pub async fn abandon_running(
    db: &mut impl Exec,
    why: &str,
    pipeline: Option<&str>,
) -> Result<Vec<(RunId, String, String)>, DbError> {
    let rows = db
        .fetch(
            "SELECT id, pipeline, mode FROM sluice_runs WHERE status = 'running' AND (? IS NULL OR pipeline = ?) ORDER BY id",
            vec![pipeline.into(), pipeline.into()],
        )
        .await
        .map_err(DbError::query("finding runs left running"))?;
    let runs = rows
        .iter()
        .map(|r| {
            let what = "run left running";
            Ok((int(r, 0, what)?, text(r, 1, what)?, text(r, 2, what)?))
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    for (id, _, _) in &runs {
        db.execute(
            "UPDATE sluice_runs SET status = 'abandoned', finished_at = ?, error = ? WHERE id = ? AND status = 'running'",
            vec![now_timestamp().into(), why.into(), (*id).into()],
        )
        .await
        .map_err(DbError::query("marking a run abandoned"))?;
    }
    Ok(runs)
}

/// The latest `limit` runs, newest first.
pub async fn recent(db: &mut impl Exec, limit: i64) -> Result<Vec<RunRow>, DbError> {
    list(db, &RunFilter::default(), limit).await
}
