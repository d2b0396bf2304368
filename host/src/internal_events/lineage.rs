//! OpenLineage events leaving the host: each one sent or given up. A
//! lineage server that is down never fails a run; it is told here.

use std::time::Duration;

use super::InternalEvent;

/// A run event reached its destination (`http` or `file`).
pub struct LineageEventSent<'a> {
    /// `http` or `file`.
    pub transport: &'static str,
    /// START, COMPLETE, FAIL or ABORT.
    pub event_type: &'a str,
    /// The pipeline.
    pub pipeline: &'a str,
    /// How long it took.
    pub elapsed: Duration,
}

impl InternalEvent for LineageEventSent<'_> {
    fn emit(self) {
        tracing::debug!(
            transport = self.transport,
            event_type = %self.event_type,
            pipeline = %self.pipeline,
            elapsed_ms = self.elapsed.as_millis() as u64,
            "lineage event sent"
        );
        metrics::counter!(
            "sluice_lineage_events_total",
            "transport" => self.transport,
            "outcome" => "sent"
        )
        .increment(1);
    }
}

/// A run event could not be delivered; the run goes on without it.
pub struct LineageEventNotSent<'a> {
    /// `http` or `file`.
    pub transport: &'static str,
    /// START, COMPLETE, FAIL or ABORT.
    pub event_type: &'a str,
    /// The pipeline.
    pub pipeline: &'a str,
    /// Why: the status, the timeout, the I/O error.
    pub error: &'a str,
}

impl InternalEvent for LineageEventNotSent<'_> {
    fn emit(self) {
        tracing::warn!(
            transport = self.transport,
            event_type = %self.event_type,
            pipeline = %self.pipeline,
            error = %self.error,
            "lineage event not sent; the run goes on"
        );
        metrics::counter!(
            "sluice_lineage_events_total",
            "transport" => self.transport,
            "outcome" => "failed"
        )
        .increment(1);
    }
}
