//! A provider's request budget: every configured limit at once, plus pauses
//! the provider itself asks for (429 `Retry-After`, a spent quota window).

use futures_util::future::BoxFuture;
use governor::{DefaultDirectRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

use crate::config::RateLimit;

/// Extra spacing over `period / N`: a request that reaches the provider a
/// little late (a new connection, a busy machine: several milliseconds)
/// must not make the next one look early in its window. 2 % of a 1 s
/// window of 5 is 20 ms of slack for the sixth request.
const SPACING_MARGIN: f64 = 1.02;

/// Waits until every limit of a provider allows one more request.
///
/// Each `N/period` limit is a GCRA with one request every `period / N` (plus
/// a 2 % margin) and a burst of one: a burst of N would let a window of
/// `period` hold up to `2N - 1` requests, more than the provider allows.
///
/// Streams of one provider share its budget and may ask at once: the next
/// turn is claimed under a lock, so a pause or a pace lets one request out
/// per turn, never every waiting stream together.
pub struct RateBudget {
    limiters: Vec<DefaultDirectRateLimiter>,
    turns: Mutex<Turns>,
    /// The limit every process shares, which then replaces `limiters`.
    shared: OnceLock<Arc<dyn SharedRate>>,
}

/// A provider's rate limit and day quota kept outside this process, so
/// that every process sending its requests stays under one limit together.
pub trait SharedRate: Send + Sync {
    /// Takes the next request's turn: how long to wait before sending it,
    /// or that the day's quota is spent. An error is the store's, worded
    /// for a log line.
    fn take(&self) -> BoxFuture<'_, Result<SharedTurn, String>>;
}

/// A turn taken from a [`SharedRate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedTurn {
    /// The request may go after this wait.
    After(Duration),
    /// The day's quota of `limit` requests is spent.
    DaySpent {
        /// Requests allowed per UTC day.
        limit: u64,
    },
}

/// How long a request waits before asking a shared limit whose store
/// failed again.
const SHARED_RETRY: Duration = Duration::from_secs(1);

/// When the next request may go, and how far apart requests must be.
#[derive(Default)]
struct Turns {
    /// No request before this instant (a pause, or the next paced turn).
    not_before: Option<Instant>,
    /// The spacing the provider's last window report asks for.
    pace: Option<Duration>,
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
            turns: Mutex::new(Turns::default()),
            shared: OnceLock::new(),
        }
    }

    /// Takes every later request's turn from `shared` instead of this
    /// process's own limiters; the first limit shared stays.
    pub fn share(&self, shared: Arc<dyn SharedRate>) {
        let _ = self.shared.set(shared);
    }

    fn turns(&self) -> std::sync::MutexGuard<'_, Turns> {
        self.turns.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Holds every request of the provider until `wait` has passed (a later
    /// pause already set wins).
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut turns = self.turns();
        if turns.not_before.is_none_or(|t| t < until) {
            turns.not_before = Some(until);
        }
    }

    /// Spaces the provider's requests `wait` apart from now on, as its
    /// window report asks (the requests left spread over the time to its
    /// reset), starting with a pause of `wait`.
    pub fn pace(&self, wait: Duration) {
        self.turns().pace = Some(wait);
        self.pause_for(wait);
    }

    /// Resolves when one more request is allowed by every limit; fails
    /// with the day's limit when a shared day quota is spent.
    pub async fn acquire(&self) -> Result<(), u64> {
        loop {
            let until = {
                let mut turns = self.turns();
                let now = Instant::now();
                match turns.not_before.filter(|t| *t > now) {
                    Some(until) => until,
                    None => {
                        // This request takes the turn; the next one waits
                        // for the pace.
                        turns.not_before = turns.pace.map(|pace| now + pace);
                        break;
                    }
                }
            };
            tokio::time::sleep_until(until).await;
        }
        if let Some(shared) = self.shared.get() {
            loop {
                match shared.take().await {
                    Ok(SharedTurn::After(wait)) => {
                        tokio::time::sleep(wait).await;
                        return Ok(());
                    }
                    Ok(SharedTurn::DaySpent { limit }) => return Err(limit),
                    Err(error) => {
                        tracing::warn!(%error, "the shared rate limit cannot be read; asking again");
                        tokio::time::sleep(SHARED_RETRY).await;
                    }
                }
            }
        }
        for limiter in &self.limiters {
            limiter.until_ready().await;
        }
        Ok(())
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
            budget.acquire().await.expect("no day quota");
        }
        // Five requests under 20/s: the first at once, then one every 50 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn a_pace_lets_one_waiting_request_out_per_turn() {
        let budget = std::sync::Arc::new(RateBudget::new(&[]));
        budget.pace(Duration::from_millis(60));
        let start = Instant::now();
        let waiting: Vec<_> = (0..3)
            .map(|_| {
                let budget = budget.clone();
                tokio::spawn(async move {
                    budget.acquire().await.expect("no day quota");
                    start.elapsed()
                })
            })
            .collect();
        let mut granted = Vec::new();
        for handle in waiting {
            granted.push(handle.await.expect("joined"));
        }
        granted.sort();
        // Three streams waiting on one pace go out one turn apart, not
        // together when the first pause ends.
        assert!(granted[0] >= Duration::from_millis(55), "{granted:?}");
        assert!(granted[2] >= Duration::from_millis(175), "{granted:?}");
    }

    #[tokio::test]
    async fn a_pause_holds_the_next_request() {
        let budget = RateBudget::new(&[]);
        budget.pause_for(Duration::from_millis(120));
        budget.pause_for(Duration::from_millis(10));
        let start = Instant::now();
        budget.acquire().await.expect("no day quota");
        assert!(
            start.elapsed() >= Duration::from_millis(115),
            "{:?}",
            start.elapsed()
        );
    }
}
