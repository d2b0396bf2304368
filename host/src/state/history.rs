//! Read-only views over time for the terminal: the runs of each hour added
//! up, for `sluice metrics`.

use time::OffsetDateTime;
use time::macros::format_description;

use crate::db::row::{int, text};
use crate::db::{DbError, Exec, Value};

/// `at` in the form of every stored timestamp (RFC 3339 UTC, microseconds,
/// fixed width), so it compares with stored ones as text.
pub fn timestamp(at: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The runs of one pipeline started within one hour, added up.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct HourOfRuns {
    /// The hour, `YYYY-MM-DDTHH` (UTC).
    pub hour: String,
    /// The pipeline.
    pub pipeline: String,
    /// Runs that succeeded.
    pub succeeded: i64,
    /// Runs that loaded with some batches quarantined.
    pub partial: i64,
    /// Runs that failed.
    pub failed: i64,
    /// Runs whose process stopped before they finished.
    pub abandoned: i64,
    /// Runs still running.
    pub running: i64,
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
    /// Runs that finished (the ones with a duration).
    pub finished: i64,
    /// Their durations added up, in seconds.
    pub duration_seconds: f64,
}

impl HourOfRuns {
    /// Every run counted, whatever its outcome.
    pub fn runs(&self) -> i64 {
        self.succeeded + self.partial + self.failed + self.abandoned + self.running
    }

    /// The mean duration of the finished runs, in seconds.
    pub fn mean_duration_seconds(&self) -> Option<f64> {
        (self.finished > 0).then(|| self.duration_seconds / self.finished as f64)
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &HourOfRuns) {
        self.succeeded += other.succeeded;
        self.partial += other.partial;
        self.failed += other.failed;
        self.abandoned += other.abandoned;
        self.running += other.running;
        self.requests += other.requests;
        self.records_in += other.records_in;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.quarantined += other.quarantined;
        self.finished += other.finished;
        self.duration_seconds += other.duration_seconds;
    }
}

/// Seconds since midnight of a stored timestamp, in SQL both backends run.
fn seconds_of_day(column: &str) -> String {
    format!(
        "(CAST(substr({column}, 12, 2) AS INTEGER) * 3600 + CAST(substr({column}, 15, 2) AS INTEGER) * 60 \
         + CAST(substr({column}, 18, 9) AS DOUBLE PRECISION))"
    )
}

/// The runs (not dry runs or replays, as `sluice_runs_total` counts them)
/// started at or after `since`, per hour and pipeline, oldest hour first:
/// one grouped query. A run's duration is read from its timestamps'
/// text, so it holds for runs shorter than a day.
pub async fn runs_per_hour(db: &mut impl Exec, since: &str) -> Result<Vec<HourOfRuns>, DbError> {
    let outcome = |status: &str| {
        format!("CAST(SUM(CASE WHEN status = '{status}' THEN 1 ELSE 0 END) AS BIGINT)")
    };
    let duration = format!(
        "{finished} - {started} + CASE WHEN substr(finished_at, 1, 10) <> substr(started_at, 1, 10) THEN 86400 ELSE 0 END",
        finished = seconds_of_day("finished_at"),
        started = seconds_of_day("started_at"),
    );
    let sql = format!(
        "SELECT substr(started_at, 1, 13), pipeline, {succeeded}, {partial}, {failed}, {abandoned}, {running}, \
         CAST(SUM(requests) AS BIGINT), CAST(SUM(records_in) AS BIGINT), CAST(SUM(inserted) AS BIGINT), \
         CAST(SUM(updated) AS BIGINT), CAST(SUM(unchanged) AS BIGINT), CAST(SUM(quarantined) AS BIGINT), \
         CAST(COUNT(finished_at) AS BIGINT), \
         CAST(SUM(CASE WHEN finished_at IS NULL THEN NULL ELSE {duration} END) AS DOUBLE PRECISION) \
         FROM sluice_runs WHERE mode = 'run' AND started_at >= ? \
         GROUP BY substr(started_at, 1, 13), pipeline ORDER BY substr(started_at, 1, 13), pipeline",
        succeeded = outcome("succeeded"),
        partial = outcome("partial"),
        failed = outcome("failed"),
        abandoned = outcome("abandoned"),
        running = outcome("running"),
    );
    let rows = db
        .fetch(&sql, vec![since.into()])
        .await
        .map_err(DbError::query("adding up the runs of each hour"))?;
    let what = "runs of an hour";
    rows.iter()
        .map(|r| {
            Ok(HourOfRuns {
                hour: text(r, 0, what)?,
                pipeline: text(r, 1, what)?,
                succeeded: int(r, 2, what)?,
                partial: int(r, 3, what)?,
                failed: int(r, 4, what)?,
                abandoned: int(r, 5, what)?,
                running: int(r, 6, what)?,
                requests: int(r, 7, what)?,
                records_in: int(r, 8, what)?,
                inserted: int(r, 9, what)?,
                updated: int(r, 10, what)?,
                unchanged: int(r, 11, what)?,
                quarantined: int(r, 12, what)?,
                finished: int(r, 13, what)?,
                duration_seconds: match r.get(14) {
                    Some(Value::Float(f)) => *f,
                    Some(Value::Int(i)) => *i as f64,
                    _ => 0.0,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_has_the_stored_form() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid time");
        assert_eq!(timestamp(at), "2023-11-14T22:13:20.000000Z");
    }
}
