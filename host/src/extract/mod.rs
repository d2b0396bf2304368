//! Extraction: performs the requests plugins plan, under each provider's
//! rate limits, quotas and circuit breaker, retrying what is worth it, with
//! the provider's secret added by the host.

mod breaker;
mod client;
mod quota;
mod rate_limit;
mod retry;

pub use breaker::{BreakerPhase, BreakerRefusal, BreakerSnapshot, CircuitBreaker};
pub use client::{ClientSettings, FetchError, Fetched, ProviderAuth, ProviderClient, Validators};
pub use quota::{QuotaExhausted, QuotaReport, QuotaSpend, QuotaTracker};
pub use rate_limit::{RateBudget, SharedRate, SharedTurn};
pub use retry::{RetryPolicy, parse_retry_after};
