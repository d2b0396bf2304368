//! What the queue holds: every unit with its status, epoch, worker and
//! lease; the workers alive; the queue's depth. Read by `sluice units`,
//! the dashboard and the metrics.

use serde::Serialize;
use sqlx::PgPool;

use super::WorkerError;

/// One work unit as `sluice units` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    /// `PIPELINE:STREAM_KEY`.
    pub id: String,
    /// queued, running, done or failed.
    pub status: String,
    /// The epoch of its latest claim.
    pub epoch: i64,
    /// The worker holding (or that last held) it.
    pub worker: Option<String>,
    /// Seconds its lease has left (negative once run out), while running.
    pub lease_left_secs: Option<f64>,
    /// Batches committed under its current queueing.
    pub batches: i64,
    /// Times it was taken over from a worker whose lease ran out.
    pub takeovers: i64,
    /// The run that loaded it, once ended.
    pub run_id: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
}

/// A worker process, as it last said it was alive.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerRow {
    /// `HOST:PID:SUFFIX`.
    pub id: String,
    /// Units it runs at once.
    pub concurrency: i64,
    /// Seconds since it last said it was alive.
    pub silent_secs: f64,
    /// Units it holds now.
    pub running: i64,
}

/// The units and workers of the queue, and its depth.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QueueView {
    /// Units by status, all of them.
    pub counts: std::collections::BTreeMap<String, i64>,
    /// The units listed, running first, then queued, failed and done.
    pub units: Vec<UnitRow>,
    /// Workers heard from lately.
    pub workers: Vec<WorkerRow>,
    /// Messages in the queue (visible or leased).
    pub depth: i64,
    /// Takeovers of every unit together.
    pub takeovers: i64,
}

impl QueueView {
    /// How many units have `status`.
    pub fn count(&self, status: &str) -> i64 {
        self.counts.get(status).copied().unwrap_or(0)
    }
}

/// Reads the queue's view; `status` lists only units with that status,
/// and `limit` at most that many.
pub async fn view(
    pool: &PgPool,
    status: Option<&str>,
    limit: Option<i64>,
) -> Result<QueueView, WorkerError> {
    let sql = |source| WorkerError::Sql {
        doing: "reading the work units",
        source,
    };
    type UnitTuple = (
        String,
        String,
        i64,
        Option<String>,
        Option<f64>,
        i64,
        i64,
        Option<i64>,
        Option<String>,
    );
    let units: Vec<UnitTuple> = sqlx::query_as(
        "SELECT id, status, epoch, worker, \
         CASE WHEN status = 'running' THEN EXTRACT(EPOCH FROM lease_until - clock_timestamp())::float8 END \
           AS lease_left_secs, \
         batches, takeovers, run_id, error FROM sluice_units \
         WHERE $1::text IS NULL OR status = $1 \
         ORDER BY CASE status WHEN 'running' THEN 0 WHEN 'queued' THEN 1 WHEN 'failed' THEN 2 ELSE 3 END, id \
         LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(sql)?;
    let units = units
        .into_iter()
        .map(
            |(id, status, epoch, worker, lease_left_secs, batches, takeovers, run_id, error)| {
                UnitRow {
                    id,
                    status,
                    epoch,
                    worker,
                    lease_left_secs,
                    batches,
                    takeovers,
                    run_id,
                    error,
                }
            },
        )
        .collect();
    let workers: Vec<(String, i64, f64, i64)> = sqlx::query_as(
        "SELECT w.id, w.concurrency, EXTRACT(EPOCH FROM clock_timestamp() - w.seen_at)::float8 AS silent_secs, \
         (SELECT count(*) FROM sluice_units u WHERE u.worker = w.id AND u.status = 'running') AS running \
         FROM sluice_workers w ORDER BY w.id",
    )
    .fetch_all(pool)
    .await
    .map_err(sql)?;
    let workers = workers
        .into_iter()
        .map(|(id, concurrency, silent_secs, running)| WorkerRow {
            id,
            concurrency,
            silent_secs,
            running,
        })
        .collect();
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM sluice_units GROUP BY status")
            .fetch_all(pool)
            .await
            .map_err(sql)?;
    let takeovers: i64 =
        sqlx::query_scalar("SELECT COALESCE(sum(takeovers), 0)::bigint FROM sluice_units")
            .fetch_one(pool)
            .await
            .map_err(sql)?;
    // The queue's table exists once a worker or `sluice enqueue` made it.
    let depth: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN to_regclass('pgmq.q_sluice_units') IS NULL THEN 0 \
         ELSE (SELECT count(*) FROM sluice_units WHERE msg_id IS NOT NULL) END",
    )
    .fetch_one(pool)
    .await
    .map_err(sql)?;
    Ok(QueueView {
        counts: counts.into_iter().collect(),
        units,
        workers,
        depth,
        takeovers,
    })
}

/// Says worker `id` is alive; the first call registers it.
pub async fn heartbeat(pool: &PgPool, id: &str, concurrency: usize) -> Result<(), WorkerError> {
    let host = id.split(':').next().unwrap_or_default();
    sqlx::query(
        "INSERT INTO sluice_workers (id, host, pid, concurrency) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET seen_at = clock_timestamp()",
    )
    .bind(id)
    .bind(host)
    .bind(i64::from(std::process::id()))
    .bind(i64::try_from(concurrency).unwrap_or(i64::MAX))
    .execute(pool)
    .await
    .map_err(|source| WorkerError::Sql {
        doing: "registering the worker",
        source,
    })?;
    Ok(())
}

/// Forgets worker `id` (it stopped); the units it held stay as they are.
pub async fn sign_off(pool: &PgPool, id: &str) -> Result<(), WorkerError> {
    sqlx::query("DELETE FROM sluice_workers WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map_err(|source| WorkerError::Sql {
            doing: "signing the worker off",
            source,
        })?;
    Ok(())
}
