//! What happens to a response on its way into the database: normalized,
//! committed, quarantined.

use std::fmt::Display;
use std::time::Duration;

use super::InternalEvent;

/// A plugin turned a response into a batch.
pub struct BatchNormalized<'a> {
    /// The URL, secrets removed.
    pub url: &'a str,
    /// Where the body came from (`provider`, `cache`, `archive`).
    pub source: &'a str,
    /// Records made, repeats included.
    pub records: u64,
    /// Items the plugin or the host's checks rejected.
    pub rejects: usize,
    /// Requests it asked for next.
    pub follow_ups: usize,
}

impl InternalEvent for BatchNormalized<'_> {
    fn emit(self) {
        tracing::info!(
            url = %self.url,
            source = self.source,
            records = self.records,
            rejects = self.rejects,
            follow_ups = self.follow_ups,
            "batch normalized"
        );
    }
}

/// A batch committed, with its checkpoint.
pub struct BatchCommitted<'a> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// New rows.
    pub inserted: u64,
    /// Changed rows.
    pub updated: u64,
    /// Rows already holding the same content.
    pub unchanged: u64,
    /// Items quarantined with it.
    pub quarantined: u64,
    /// Per table: rows inserted, updated, unchanged and deleted.
    pub tables: Vec<(&'static str, [u64; 4])>,
    /// How long writing and committing took.
    pub elapsed: Duration,
}

impl InternalEvent for BatchCommitted<'_> {
    fn emit(self) {
        tracing::info!(
            inserted = self.inserted,
            updated = self.updated,
            unchanged = self.unchanged,
            quarantined = self.quarantined,
            commit_ms = self.elapsed.as_millis() as u64,
            "batch committed"
        );
        for (table, counts) in self.tables {
            for (result, value) in ["inserted", "updated", "unchanged", "deleted"]
                .into_iter()
                .zip(counts)
            {
                metrics::counter!("sluice_load_rows_total", "table" => table, "result" => result)
                    .increment(value);
            }
        }
        metrics::histogram!("sluice_load_batch_commit_duration_seconds", "pipeline" => self.pipeline.to_string())
            .record(self.elapsed.as_secs_f64());
    }
}

/// Items of a committed batch went to quarantine with their raw JSON.
pub struct RecordsQuarantined {
    /// How many.
    pub count: u64,
}

impl InternalEvent for RecordsQuarantined {
    fn emit(self) {
        tracing::warn!(
            count = self.count,
            "records quarantined; `sluice quarantine list` shows them"
        );
    }
}

/// A plugin failed on a whole response (a trap, a refusal, bad output): the
/// response is quarantined and nothing of it loads.
pub struct BatchQuarantined<'a, E: Display> {
    /// The URL, secrets removed.
    pub url: &'a str,
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for BatchQuarantined<'_, E> {
    fn emit(self) {
        tracing::error!(
            url = %self.url,
            error = %self.error,
            "plugin failed on the response; quarantining it"
        );
    }
}

/// A first load of odds found rows a concurrent run loaded meanwhile, and
/// merges instead of copying.
pub struct ConcurrentLoadMerged<'a, E: Display> {
    /// The table.
    pub table: &'a str,
    /// What the copy ran into.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for ConcurrentLoadMerged<'_, E> {
    fn emit(self) {
        tracing::info!(
            error = %self.error,
            table = self.table,
            "rows conflicted with a concurrent load; merging instead"
        );
    }
}

/// A stream's checkpoint was cleared on request: it starts over.
pub struct CheckpointCleared;

impl InternalEvent for CheckpointCleared {
    fn emit(self) {
        tracing::info!("checkpoint cleared: the stream starts over");
    }
}

/// A `write = "replace"` stream committed, deleting what it no longer
/// produced.
pub struct ReplaceCommitted {
    /// Rows deleted.
    pub deleted: u64,
}

impl InternalEvent for ReplaceCommitted {
    fn emit(self) {
        tracing::info!(deleted = self.deleted, "replace committed");
    }
}

/// A `write = "replace"` stream did not complete: nothing was deleted.
pub struct ReplaceIncomplete;

impl InternalEvent for ReplaceIncomplete {
    fn emit(self) {
        tracing::warn!("the stream did not complete: its rows were merged and nothing was deleted");
    }
}

/// A stream's provider is unavailable and a fallback serves the stream.
pub struct FallbackServing<'a, E: Display> {
    /// The stream given up on.
    pub stream: &'a str,
    /// The fallback now serving.
    pub fallback: &'a str,
    /// Why the provider is unavailable.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for FallbackServing<'_, E> {
    fn emit(self) {
        tracing::warn!(
            stream = %self.stream,
            fallback = %self.fallback,
            error = %self.error,
            "provider unavailable; a fallback serves the stream"
        );
    }
}

/// A stream failed; the run's other streams go on.
pub struct StreamFailed<'a, E: Display> {
    /// The stream.
    pub stream: &'a str,
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for StreamFailed<'_, E> {
    fn emit(self) {
        tracing::error!(error = %self.error, stream = %self.stream, "stream failed");
    }
}

/// A run's records without a link were resolved.
pub struct RecordsResolved {
    /// Records that got a link.
    pub linked: u64,
    /// Of those, left for review.
    pub review: u64,
}

impl InternalEvent for RecordsResolved {
    fn emit(self) {
        tracing::info!(
            linked = self.linked,
            review = self.review,
            "records resolved"
        );
    }
}

/// A run's resolution failed; what it loaded stays, to be linked later.
pub struct ResolutionFailed<'a, E: Display> {
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for ResolutionFailed<'_, E> {
    fn emit(self) {
        tracing::error!(error = %self.error, "resolution failed");
    }
}

/// A stream of a run ended; its row in `sluice_stream_runs` was stored
/// (or could not be, `not_stored`).
pub struct StreamFinished<'a, E: Display> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// The stream's key.
    pub stream_key: &'a str,
    /// The provider that served it last.
    pub provider: &'a str,
    /// The stream's name.
    pub stream: &'a str,
    /// `succeeded`, `partial` or `failed`.
    pub status: &'a str,
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
    /// Why its row could not be stored.
    pub not_stored: Option<&'a E>,
}

impl<E: Display> InternalEvent for StreamFinished<'_, E> {
    fn emit(self) {
        let row = self;
        if let Some(error) = row.not_stored {
            tracing::error!(stream = %row.stream_key, %error, "could not record how the stream went");
        }
        tracing::info!(
            stream = %row.stream_key,
            provider = %row.provider,
            status = %row.status,
            records = row.records_in,
            inserted = row.inserted,
            updated = row.updated,
            unchanged = row.unchanged,
            quarantined = row.quarantined,
            "stream finished"
        );
        let labels = [
            ("pipeline", row.pipeline.to_string()),
            ("provider", row.provider.to_string()),
            ("stream", row.stream.to_string()),
        ];
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        metrics::counter!("sluice_stream_records_received_total", &labels)
            .increment(n(row.records_in));
        for (result, value) in [
            ("inserted", row.inserted),
            ("updated", row.updated),
            ("unchanged", row.unchanged),
            ("quarantined", row.quarantined),
        ] {
            let mut labels = labels.to_vec();
            labels.push(("result", result.to_string()));
            metrics::counter!("sluice_stream_records_total", &labels).increment(n(value));
        }
        if row.status != "failed" {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            // Keyed by the stream with its parameters too: two streams of
            // one name in a pipeline are two freshness series.
            let mut labels = labels.to_vec();
            labels.push(("stream_key", row.stream_key.to_string()));
            metrics::gauge!("sluice_stream_last_success_timestamp_seconds", &labels)
                .set(now.as_secs_f64());
        }
    }
}

/// A run ended and was recorded.
pub struct RunFinished<'a> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// `run`, `dry-run` or `replay`.
    pub mode: &'a str,
    /// How it ended.
    pub status: &'a str,
    /// Wall time.
    pub elapsed: Duration,
}

impl InternalEvent for RunFinished<'_> {
    fn emit(self) {
        tracing::info!(
            status = self.status,
            elapsed_ms = self.elapsed.as_millis() as u64,
            "run finished"
        );
        if self.mode != "run" {
            return;
        }
        let pipeline = self.pipeline.to_string();
        metrics::counter!("sluice_runs_total", "pipeline" => pipeline.clone(), "outcome" => self.status.to_string())
            .increment(1);
        metrics::histogram!("sluice_run_duration_seconds", "pipeline" => pipeline)
            .record(self.elapsed.as_secs_f64());
    }
}
