//! Live sinks publishing the outbox (Supabase Realtime Broadcast): each
//! POST accepted or failed, events left out of a message to fit the
//! payload limit, and the sink pausing on a database error.

use std::fmt::Display;
use std::time::Duration;

use super::InternalEvent;

/// A POST of messages was accepted by the sink.
pub struct LiveSinkDelivered<'a> {
    /// The sink (`supabase`).
    pub sink: &'a str,
    /// Messages in the POST (one per match).
    pub messages: usize,
    /// Outbox events they carried.
    pub events: usize,
    /// Bytes of the request body.
    pub bytes: usize,
    /// How long the sink took to answer.
    pub elapsed: Duration,
}

impl InternalEvent for LiveSinkDelivered<'_> {
    fn emit(self) {
        tracing::debug!(
            sink = %self.sink,
            messages = self.messages,
            events = self.events,
            bytes = self.bytes,
            elapsed_ms = self.elapsed.as_millis() as u64,
            "live messages accepted"
        );
        let sink = self.sink.to_string();
        metrics::counter!("sluice_live_sink_messages_total", "sink" => sink.clone())
            .increment(self.messages as u64);
        metrics::counter!("sluice_live_sink_events_total", "sink" => sink.clone())
            .increment(self.events as u64);
        metrics::counter!("sluice_live_sink_bytes_total", "sink" => sink.clone())
            .increment(self.bytes as u64);
        metrics::histogram!("sluice_live_sink_post_duration_seconds", "sink" => sink)
            .record(self.elapsed.as_secs_f64());
    }
}

/// Why a POST was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveSinkFailure {
    /// 429: the sink asked to slow down.
    RateLimited,
    /// Another status than 2xx.
    Refused,
    /// No answer: connection refused, reset or timed out.
    Unreachable,
}

impl LiveSinkFailure {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            LiveSinkFailure::RateLimited => "rate_limited",
            LiveSinkFailure::Refused => "refused",
            LiveSinkFailure::Unreachable => "unreachable",
        }
    }
}

/// A POST was not accepted; it is sent again after `retry_in`, and the
/// sink's cursor stays where it was until it is.
pub struct LiveSinkFailed<'a> {
    /// The sink.
    pub sink: &'a str,
    /// What kind of failure.
    pub failure: LiveSinkFailure,
    /// The status, when the sink answered.
    pub status: Option<u16>,
    /// What the sink or the connection said (never the key).
    pub detail: &'a str,
    /// Messages in the POST.
    pub messages: usize,
    /// The wait before the next attempt.
    pub retry_in: Duration,
}

impl InternalEvent for LiveSinkFailed<'_> {
    fn emit(self) {
        tracing::warn!(
            sink = %self.sink,
            failure = self.failure.as_str(),
            status = ?self.status,
            detail = %self.detail,
            messages = self.messages,
            retry_in_ms = self.retry_in.as_millis() as u64,
            "live messages not accepted; sending them again"
        );
        metrics::counter!(
            "sluice_live_sink_failures_total",
            "sink" => self.sink.to_string(),
            "failure" => self.failure.as_str()
        )
        .increment(1);
    }
}

/// A match's message would have been over the payload limit: its oldest
/// events of the tick were left out (the match's state always goes).
pub struct LiveSinkEventsDropped<'a> {
    /// The sink.
    pub sink: &'a str,
    /// The match.
    pub match_key: &'a str,
    /// Events left out.
    pub dropped: usize,
    /// Events kept.
    pub kept: usize,
    /// The limit, in bytes.
    pub limit: u64,
}

impl InternalEvent for LiveSinkEventsDropped<'_> {
    fn emit(self) {
        tracing::warn!(
            sink = %self.sink,
            r#match = %self.match_key,
            dropped = self.dropped,
            kept = self.kept,
            limit_bytes = self.limit,
            "oldest events left out of a match's live message to stay under the payload limit"
        );
        metrics::counter!("sluice_live_sink_events_dropped_total", "sink" => self.sink.to_string())
            .increment(self.dropped as u64);
    }
}

/// A match's message was not sent at all: even its state alone is over
/// the payload limit.
pub struct LiveSinkMessageSkipped<'a> {
    /// The sink.
    pub sink: &'a str,
    /// The match.
    pub match_key: &'a str,
    /// The size of the state alone, in bytes.
    pub bytes: usize,
    /// The limit, in bytes.
    pub limit: u64,
}

impl InternalEvent for LiveSinkMessageSkipped<'_> {
    fn emit(self) {
        tracing::error!(
            sink = %self.sink,
            r#match = %self.match_key,
            bytes = self.bytes,
            limit_bytes = self.limit,
            "a match's live message is over the payload limit even without events; not sent"
        );
        metrics::counter!("sluice_live_sink_messages_skipped_total", "sink" => self.sink.to_string())
            .increment(1);
    }
}

/// The sink could not read the outbox or save its cursor; it tries again
/// at its next tick (a cursor not saved means the events are sent again
/// after a restart, never lost).
pub struct LiveSinkDbFailed<'a, E: Display> {
    /// The sink.
    pub sink: &'a str,
    /// What the database said.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for LiveSinkDbFailed<'_, E> {
    fn emit(self) {
        tracing::warn!(sink = %self.sink, error = %self.error, "live sink: database error; trying again at the next tick");
        metrics::counter!(
            "sluice_live_sink_failures_total",
            "sink" => self.sink.to_string(),
            "failure" => "database"
        )
        .increment(1);
    }
}
