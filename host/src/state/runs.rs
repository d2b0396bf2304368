//! `sluice_runs`: one row per run with its counters.

use sqlx::SqliteConnection;

use super::{RunId, now_timestamp};
use crate::load::{LoadCounts, LoadError};

/// Inserts a running run of `pipeline`.
pub async fn start(conn: &mut SqliteConnection, pipeline: &str) -> Result<RunId, LoadError> {
    sqlx::query_scalar("INSERT INTO sluice_runs (pipeline, status, started_at) VALUES (?, 'running', ?) RETURNING id")
        .bind(pipeline)
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
        "UPDATE sluice_runs SET requests = requests + 1, records_in = records_in + ?, \
         inserted = inserted + ?, updated = updated + ?, unchanged = unchanged + ?, \
         duplicates = duplicates + ?, quarantined = quarantined + ? WHERE id = ?",
    )
    .bind(to_i64(total.records + counts.duplicates))
    .bind(to_i64(total.inserted))
    .bind(to_i64(total.updated))
    .bind(to_i64(total.unchanged))
    .bind(to_i64(counts.duplicates))
    .bind(to_i64(counts.quarantined))
    .bind(run_id)
    .execute(conn)
    .await
    .map_err(LoadError::query("updating the run's counters"))?;
    Ok(())
}

/// Marks the run finished, failed when `error` is set.
pub async fn finish(
    conn: &mut SqliteConnection,
    run_id: RunId,
    error: Option<&str>,
) -> Result<(), LoadError> {
    sqlx::query("UPDATE sluice_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?")
        .bind(if error.is_some() {
            "failed"
        } else {
            "succeeded"
        })
        .bind(now_timestamp())
        .bind(error)
        .bind(run_id)
        .execute(conn)
        .await
        .map_err(LoadError::query("recording the end of the run"))?;
    Ok(())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
