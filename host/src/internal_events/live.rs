//! The live path: a match handed from a stale provider to another, a
//! fallback polled for the matches its stream's provider left stale, and
//! in-play markets suspended.

use super::InternalEvent;

/// A match's serving provider went stale and another took over.
pub struct LiveHandover<'a> {
    /// The real match.
    pub match_key: &'a str,
    /// The provider that served it.
    pub from: &'a str,
    /// The provider serving it now.
    pub to: &'a str,
    /// Seconds `from` had left the match unchanged.
    pub silent_secs: i64,
}

impl InternalEvent for LiveHandover<'_> {
    fn emit(self) {
        tracing::warn!(
            r#match = %self.match_key,
            from = %self.from,
            to = %self.to,
            silent_secs = self.silent_secs,
            "live match stale at its provider; another provider serves it"
        );
        metrics::counter!(
            "sluice_live_handovers_total",
            "from" => self.from.to_string(),
            "to" => self.to.to_string()
        )
        .increment(1);
    }
}

/// A live stream's provider left in-play matches stale: its fallbacks
/// are polled too.
pub struct LiveFallbackPolled<'a> {
    /// The stream whose matches are stale.
    pub stream: &'a str,
    /// The fallback polled.
    pub fallback: &'a str,
    /// In-play matches its provider left stale (or handed over already).
    pub matches: u64,
}

impl InternalEvent for LiveFallbackPolled<'_> {
    fn emit(self) {
        tracing::info!(
            stream = %self.stream,
            fallback = %self.fallback,
            matches = self.matches,
            "in-play matches stale at the stream's provider; polling its fallback"
        );
    }
}

/// In-play markets whose prices stopped moving were told suspended, or
/// moving again resumed.
pub struct OddsSuspensionsChanged<'a> {
    /// The odds provider.
    pub provider: &'a str,
    /// Markets told suspended.
    pub suspended: u64,
    /// Markets told resumed.
    pub resumed: u64,
}

impl InternalEvent for OddsSuspensionsChanged<'_> {
    fn emit(self) {
        tracing::info!(
            provider = %self.provider,
            suspended = self.suspended,
            resumed = self.resumed,
            "in-play markets suspended or resumed"
        );
    }
}
