//! A provider's request budget: every configured limit at once.

use governor::{DefaultDirectRateLimiter, Quota};
use std::num::NonZeroU32;

use crate::config::RateLimit;

/// Waits until every limit of a provider allows one more request.
///
/// Each `N/period` limit is a GCRA with one request every `period / N` and
/// a burst of one: a larger burst would let a window of `period` hold up to
/// `2N - 1` requests, more than the provider allows.
pub struct RateBudget {
    limiters: Vec<DefaultDirectRateLimiter>,
}

impl RateBudget {
    /// A budget enforcing all of `limits`; none means unlimited.
    pub fn new(limits: &[RateLimit]) -> Self {
        let limiters = limits
            .iter()
            .filter_map(|limit| {
                let interval = limit.period / limit.requests.get();
                Quota::with_period(interval)
                    .map(|q| q.allow_burst(NonZeroU32::MIN))
                    .map(DefaultDirectRateLimiter::direct)
            })
            .collect();
        RateBudget { limiters }
    }

    /// Resolves when one more request is allowed by every limit.
    pub async fn acquire(&self) {
        for limiter in &self.limiters {
            limiter.until_ready().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

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
            start.elapsed() >= Duration::from_millis(195),
            "{:?}",
            start.elapsed()
        );
    }
}
