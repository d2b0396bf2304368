//! A provider's circuit breaker: after repeated failures it opens and
//! requests fail at once; after a cool-down it lets one request through
//! (half-open), which closes it again or re-opens it.
//!
//! Written here rather than taken from a crate because its state must be
//! shown by `sluice status` and survive from one run to the next.

use crate::internal_events::{BreakerChange, BreakerChanged, InternalEvent};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Where a breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerPhase {
    /// Requests flow.
    Closed,
    /// Requests fail at once until the cool-down ends.
    Open,
    /// The cool-down ended: the next request decides.
    HalfOpen,
}

impl BreakerPhase {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerPhase::Closed => "closed",
            BreakerPhase::Open => "open",
            BreakerPhase::HalfOpen => "half-open",
        }
    }

    /// The phase named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "closed" => Some(BreakerPhase::Closed),
            "open" => Some(BreakerPhase::Open),
            "half-open" => Some(BreakerPhase::HalfOpen),
            _ => None,
        }
    }
}

/// A breaker's state as stored between runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerSnapshot {
    /// The phase.
    pub phase: BreakerPhase,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// When it last opened.
    pub opened_at: Option<SystemTime>,
    /// The failure that opened it, or the last one.
    pub last_error: Option<String>,
}

/// Why the breaker refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerRefusal {
    /// Failures in a row that opened it.
    pub failures: u32,
    /// Time left until it lets a request through.
    pub retry_in: Duration,
    /// The failure that opened it.
    pub last_error: String,
}

/// One provider's breaker.
pub struct CircuitBreaker {
    provider: String,
    failures_to_open: u32,
    cooldown: Duration,
    state: Mutex<BreakerSnapshot>,
}

impl CircuitBreaker {
    /// A closed breaker opening after `failures_to_open` failures in a row.
    pub fn new(provider: &str, failures_to_open: u32, cooldown: Duration) -> Self {
        CircuitBreaker {
            provider: provider.to_string(),
            failures_to_open: failures_to_open.max(1),
            cooldown,
            state: Mutex::new(BreakerSnapshot {
                phase: BreakerPhase::Closed,
                consecutive_failures: 0,
                opened_at: None,
                last_error: None,
            }),
        }
    }

    /// Continues from a stored state (an open breaker stays open until its
    /// cool-down, counted from when it opened, ends).
    pub fn restore(&self, snapshot: BreakerSnapshot) {
        *self.lock() = snapshot;
    }

    /// The current state.
    pub fn snapshot(&self) -> BreakerSnapshot {
        self.lock().clone()
    }

    /// Whether a request may go out now.
    pub fn check(&self) -> Result<(), BreakerRefusal> {
        let mut state = self.lock();
        if state.phase != BreakerPhase::Open {
            return Ok(());
        }
        let elapsed = state
            .opened_at
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .unwrap_or(self.cooldown);
        if elapsed >= self.cooldown {
            state.phase = BreakerPhase::HalfOpen;
            BreakerChanged {
                provider: &self.provider,
                change: BreakerChange::HalfOpen,
            }
            .emit();
            return Ok(());
        }
        Err(BreakerRefusal {
            failures: state.consecutive_failures,
            retry_in: self.cooldown - elapsed,
            last_error: state.last_error.clone().unwrap_or_default(),
        })
    }

    /// A request succeeded.
    pub fn record_success(&self) {
        let mut state = self.lock();
        if state.phase != BreakerPhase::Closed {
            BreakerChanged {
                provider: &self.provider,
                change: BreakerChange::Closed,
            }
            .emit();
        }
        state.phase = BreakerPhase::Closed;
        state.consecutive_failures = 0;
    }

    /// A request failed in a way that says the provider is unwell
    /// (connection errors, timeouts, 5xx).
    pub fn record_failure(&self, error: &str) {
        let mut state = self.lock();
        state.consecutive_failures += 1;
        state.last_error = Some(error.to_string());
        let reopen = state.phase == BreakerPhase::HalfOpen;
        if reopen
            || (state.phase == BreakerPhase::Closed
                && state.consecutive_failures >= self.failures_to_open)
        {
            state.phase = BreakerPhase::Open;
            state.opened_at = Some(SystemTime::now());
            BreakerChanged {
                provider: &self.provider,
                change: BreakerChange::Opened {
                    failures: state.consecutive_failures,
                    cooldown: self.cooldown,
                    error,
                },
            }
            .emit();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BreakerSnapshot> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_then_half_opens_after_the_cooldown() {
        let breaker = CircuitBreaker::new("p", 3, Duration::from_millis(50));
        breaker.record_failure("HTTP 503");
        breaker.record_failure("HTTP 503");
        assert!(breaker.check().is_ok());
        breaker.record_failure("HTTP 503");
        let refusal = breaker.check().expect_err("open");
        assert_eq!(refusal.failures, 3);
        assert_eq!(refusal.last_error, "HTTP 503");
        std::thread::sleep(Duration::from_millis(60));
        assert!(breaker.check().is_ok(), "half-open lets one through");
        assert_eq!(breaker.snapshot().phase, BreakerPhase::HalfOpen);
        breaker.record_failure("HTTP 503");
        assert!(breaker.check().is_err(), "a failed trial re-opens it");
        std::thread::sleep(Duration::from_millis(60));
        assert!(breaker.check().is_ok());
        breaker.record_success();
        assert_eq!(breaker.snapshot().phase, BreakerPhase::Closed);
        assert_eq!(breaker.snapshot().consecutive_failures, 0);
    }

    #[test]
    fn a_restored_open_breaker_keeps_refusing_until_its_cooldown_ends() {
        let breaker = CircuitBreaker::new("p", 3, Duration::from_secs(60));
        breaker.restore(BreakerSnapshot {
            phase: BreakerPhase::Open,
            consecutive_failures: 3,
            opened_at: Some(SystemTime::now() - Duration::from_secs(50)),
            last_error: Some("timed out".into()),
        });
        let refusal = breaker.check().expect_err("still open");
        assert!(refusal.retry_in <= Duration::from_secs(10), "{refusal:?}");
    }
}
