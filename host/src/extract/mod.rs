//! Extraction: performs the requests plugins plan, under each provider's
//! rate limits, with the provider's secret added by the host.

mod client;
mod rate_limit;

pub use client::{FetchError, ProviderAuth, ProviderClient};
pub use rate_limit::RateBudget;
