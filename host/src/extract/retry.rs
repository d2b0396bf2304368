//! Which failures are worth another attempt, and how long to wait first.

use backon::{BackoffBuilder, ExponentialBuilder};
use std::time::{Duration, SystemTime};

/// How a provider's requests are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Shortest wait, even when the provider says `Retry-After: 0`.
    pub min_wait: Duration,
    /// Longest wait; a provider asking for more fails the request.
    pub max_wait: Duration,
}

/// Longest wait the exponential backoff grows to by itself.
const BACKOFF_CEILING: Duration = Duration::from_secs(30);

impl RetryPolicy {
    /// The waits between attempts when the provider does not say: exponential
    /// from `min_wait`, with jitter.
    pub fn backoff(&self) -> impl Iterator<Item = Duration> {
        ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(self.min_wait)
            .with_max_delay(BACKOFF_CEILING.max(self.min_wait))
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .build()
    }

    /// The wait before the next attempt: what the provider asked for, else
    /// the backoff's next step, never less than `min_wait`.
    pub fn wait(&self, retry_after: Option<Duration>, backoff: Option<Duration>) -> Duration {
        retry_after
            .or(backoff)
            .unwrap_or(self.min_wait)
            .max(self.min_wait)
    }
}

/// Whether an HTTP status is worth retrying: 429 and 5xx are; any other
/// 4xx is the provider refusing the request itself.
pub fn status_is_retryable(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_both_forms() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2026 07:28:00 GMT").expect("date");
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn the_wait_is_never_below_the_minimum() {
        let policy = RetryPolicy {
            max_attempts: 5,
            min_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        };
        assert_eq!(
            policy.wait(Some(Duration::ZERO), None),
            Duration::from_millis(500)
        );
        assert_eq!(
            policy.wait(Some(Duration::from_secs(3)), Some(Duration::from_secs(1))),
            Duration::from_secs(3)
        );
        let waits: Vec<Duration> = policy.backoff().collect();
        assert_eq!(waits.len(), 4, "one wait between each of five attempts");
        assert!(
            waits.iter().all(|w| *w >= Duration::from_millis(500)),
            "{waits:?}"
        );
    }

    #[test]
    fn only_429_and_5xx_are_retried() {
        assert!(status_is_retryable(429));
        assert!(status_is_retryable(503));
        assert!(!status_is_retryable(401));
        assert!(!status_is_retryable(404));
    }
}
