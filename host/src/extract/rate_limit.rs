//! A provider's request budget: every configured limit at once, plus pauses
//! the provider itself asks for (429 `Retry-After`, a spent quota window).

use governor::{DefaultDirectRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

use crate::config::RateLimit;

/// Extra spacing over `period / N`: a request that reaches the provider a
/// little late must not make the next one look early in its window.
const SPACING_MARGIN: f64 = 1.005;

/// Waits until every limit of a provider allows one more request.
///
/// Each `N/period` limit is a GCRA with one request every `period / N` (plus
/// a 0.5 % margin) and a burst of one: a burst of N would let a window of
/// `period` hold up to `2N - 1` requests, more than the provider allows.
pub struct RateBudget {
    limiters: Vec<DefaultDirectRateLimiter>,
    not_before: Mutex<Option<Instant>>,
}

impl RateBudget {
    /// A budget enforcing all of `limits`; none means unlimited.
    pub fn new(limits: &[RateLimit]) -> Self {
        let limiters = limits
            .iter()
            .filter_map(|limit| {
                let interval = limit.period.mul_f64(SPACING_MARGIN) / limit.requests.get();
                Quota::with_period(interval)
                    .map(|q| q.allow_burst(NonZeroU32::MIN))
                    .map(DefaultDirectRateLimiter::direct)
            })
            .collect();
        RateBudget {
            limiters,
            not_before: Mutex::new(None),
        }
    }

    /// Holds every request of the provider until `wait` has passed (a later
    /// pause already set wins).
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut not_before = self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if not_before.is_none_or(|t| t < until) {
            *not_before = Some(until);
        }
    }

    /// Resolves when one more request is allowed by every limit.
    pub async fn acquire(&self) {
        let pause = *self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = pause {
            tokio::time::sleep_until(until).await;
        }
        for limiter in &self.limiters {
            limiter.until_ready().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn requests_are_spaced_by_period_over_n() {
        let limit: RateLimit = "20/s".parse().expect("valid");
        let budget = RateBudget::new(&[limit]);
        let start = Instant::now();
        for _ in 0..5 {
            budget.acquire().await;
        }
        // Five requests under 20/s: the first at once, then one every 50 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn a_pause_holds_the_next_request() {
        let budget = RateBudget::new(&[]);
        budget.pause_for(Duration::from_millis(120));
        budget.pause_for(Duration::from_millis(10));
        let start = Instant::now();
        budget.acquire().await;
        assert!(
            start.elapsed() >= Duration::from_millis(115),
            "{:?}",
            start.elapsed()
        );
    }
}
