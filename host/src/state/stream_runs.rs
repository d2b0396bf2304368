//! `sluice_stream_runs`: each stream's part of a run, written when the
//! stream ends. It gives a run's per-stream balance and each stream's last
//! success (freshness).

use super::RunId;
use crate::db::DbError;
use crate::db::row::{int, opt_text, text};
use crate::db::{Exec, Value};

/// How one stream of a run went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StreamRun {
    /// The run.
    pub run_id: RunId,
    /// Its pipeline.
    pub pipeline: String,
    /// The stream's key in the pipeline (`provider/stream?params`).
    pub stream_key: String,
    /// The provider that served it (a fallback's, when one did).
    pub provider: String,
    /// The stream's name.
    pub stream: String,
    /// `succeeded`, `partial` (responses quarantined) or `failed`.
    pub status: String,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub finished_at: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Requests sent.
    pub requests: i64,
    /// Records received.
    pub records_in: i64,
    /// New rows.
    pub inserted: i64,
    /// Changed rows.
    pub updated: i64,
    /// Rows already holding the same content.
    pub unchanged: i64,
    /// Items quarantined.
    pub quarantined: i64,
}

const COLUMNS: &str = "run_id, pipeline, stream_key, provider, stream, status, started_at, finished_at, error, \
     requests, records_in, inserted, updated, unchanged, quarantined";

fn stream_run(r: &[Value], what: &str) -> Result<StreamRun, DbError> {
    Ok(StreamRun {
        run_id: int(r, 0, what)?,
        pipeline: text(r, 1, what)?,
        stream_key: text(r, 2, what)?,
        provider: text(r, 3, what)?,
        stream: text(r, 4, what)?,
        status: text(r, 5, what)?,
        started_at: text(r, 6, what)?,
        finished_at: text(r, 7, what)?,
        error: opt_text(r, 8, what)?,
        requests: int(r, 9, what)?,
        records_in: int(r, 10, what)?,
        inserted: int(r, 11, what)?,
        updated: int(r, 12, what)?,
        unchanged: int(r, 13, what)?,
        quarantined: int(r, 14, what)?,
    })
}

/// Stores how one stream of a run went, and its last success when it did
/// not fail.
pub async fn record(db: &mut impl Exec, row: &StreamRun) -> Result<(), DbError> {
    if row.status != "failed" {
        db.execute(
            "INSERT INTO sluice_stream_freshness (pipeline, stream_key, provider, stream, run_id, last_success) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pipeline, stream_key) DO UPDATE SET \
             provider = excluded.provider, stream = excluded.stream, run_id = excluded.run_id, \
             last_success = excluded.last_success",
            vec![
                row.pipeline.as_str().into(),
                row.stream_key.as_str().into(),
                row.provider.as_str().into(),
                row.stream.as_str().into(),
                row.run_id.into(),
                row.finished_at.as_str().into(),
            ],
        )
        .await
        .map_err(DbError::query("recording the stream's last success"))?;
    }
    db.execute(
        &format!(
            "INSERT INTO sluice_stream_runs ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        vec![
            row.run_id.into(),
            row.pipeline.as_str().into(),
            row.stream_key.as_str().into(),
            row.provider.as_str().into(),
            row.stream.as_str().into(),
            row.status.as_str().into(),
            row.started_at.as_str().into(),
            row.finished_at.as_str().into(),
            row.error.as_deref().into(),
            row.requests.into(),
            row.records_in.into(),
            row.inserted.into(),
            row.updated.into(),
            row.unchanged.into(),
            row.quarantined.into(),
        ],
    )
    .await
    .map_err(DbError::query("recording how a stream of the run went"))?;
    Ok(())
}

/// The streams of run `run_id`, in the order they ended.
pub async fn of_run(db: &mut impl Exec, run_id: RunId) -> Result<Vec<StreamRun>, DbError> {
    let rows = db
        .fetch(
            &format!("SELECT {COLUMNS} FROM sluice_stream_runs WHERE run_id = ? ORDER BY finished_at, stream_key"),
            vec![run_id.into()],
        )
        .await
        .map_err(DbError::query("reading the run's streams"))?;
    rows.iter()
        .map(|r| stream_run(r, "stream of a run"))
        .collect()
}

/// Each stream's last success: pipeline, stream key, provider, stream and
/// when it finished.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Freshness {
    /// The pipeline.
    pub pipeline: String,
    /// The stream's key.
    pub stream_key: String,
    /// The provider that served it last.
    pub provider: String,
    /// The stream's name.
    pub stream: String,
    /// When its latest successful (or partial) run finished.
    pub last_success: String,
}

/// The last success of every stream that ever succeeded.
pub async fn freshness(db: &mut impl Exec) -> Result<Vec<Freshness>, DbError> {
    let rows = db
        .fetch(
            "SELECT pipeline, stream_key, provider, stream, last_success FROM sluice_stream_freshness \
             ORDER BY pipeline, stream_key",
            vec![],
        )
        .await
        .map_err(DbError::query("reading each stream's last success"))?;
    let what = "stream freshness";
    rows.iter()
        .map(|r| {
            Ok(Freshness {
                pipeline: text(r, 0, what)?,
                stream_key: text(r, 1, what)?,
                provider: text(r, 2, what)?,
                stream: text(r, 3, what)?,
                last_success: text(r, 4, what)?,
            })
        })
        .collect()
}
