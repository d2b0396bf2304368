//! What happens between the host and a provider: requests, retries, the
//! provider saying "too many", breakers and quotas.

use std::time::Duration;

use super::InternalEvent;

/// A request is about to be sent.
pub struct RequestSent<'a> {
    /// The URL, secrets removed.
    pub url: &'a str,
    /// 1 for the first attempt.
    pub attempt: u32,
}

impl InternalEvent for RequestSent<'_> {
    fn emit(self) {
        tracing::debug!(url = %self.url, attempt = self.attempt, "request");
    }
}

/// A provider answered a request (or did not: `status` is `None` when no
/// HTTP answer came back).
pub struct ResponseReceived<'a> {
    /// The provider's config name.
    pub provider: &'a str,
    /// The URL, secrets removed.
    pub url: &'a str,
    /// The HTTP status.
    pub status: Option<u16>,
    /// From sending to the end of the body.
    pub elapsed: Duration,
}

impl InternalEvent for ResponseReceived<'_> {
    fn emit(self) {
        let class = match self.status {
            Some(status @ 100..=599) => {
                ["1xx", "2xx", "3xx", "4xx", "5xx"][usize::from(status / 100 - 1)]
            }
            _ => "error",
        };
        tracing::debug!(
            provider = %self.provider,
            url = %self.url,
            status = self.status,
            elapsed_ms = self.elapsed.as_millis() as u64,
            "response"
        );
        let provider = self.provider.to_string();
        metrics::counter!("sluice_provider_requests_total", "provider" => provider.clone(), "status_class" => class)
            .increment(1);
        metrics::histogram!("sluice_provider_request_duration_seconds", "provider" => provider)
            .record(self.elapsed.as_secs_f64());
    }
}

/// A provider reported how many requests a quota window has left.
pub struct QuotaObserved<'a> {
    /// The provider's config name.
    pub provider: &'a str,
    /// The manifest's name for the quota.
    pub quota: &'a str,
    /// The window's scope, when the provider keeps one per kind of request.
    pub scope: Option<&'a str>,
    /// Requests left.
    pub remaining: u64,
}

impl InternalEvent for QuotaObserved<'_> {
    fn emit(self) {
        tracing::trace!(
            provider = %self.provider,
            quota = %self.quota,
            scope = self.scope,
            remaining = self.remaining,
            "quota reported"
        );
        let labels = [
            ("provider", self.provider.to_string()),
            ("quota", self.quota.to_string()),
            ("scope", self.scope.unwrap_or_default().to_string()),
        ];
        metrics::gauge!("sluice_provider_quota_remaining", &labels).set(self.remaining as f64);
        // Providers report what is left, not the window's size: the most
        // ever seen left stands for it (as `sluice_quotas.quota_limit`).
        let mut sizes = WINDOW_SIZES.lock().unwrap_or_else(|e| e.into_inner());
        let key = labels.clone().map(|(_, v)| v);
        let size = sizes.entry(key).or_default();
        if self.remaining > *size {
            *size = self.remaining;
            metrics::gauge!("sluice_provider_quota_limit", &labels).set(self.remaining as f64);
        }
    }
}

/// A request failed in a way worth another attempt, after `wait`.
pub struct RequestRetried<'a> {
    /// The provider's config name.
    pub provider: &'a str,
    /// The URL, secrets removed.
    pub url: &'a str,
    /// The attempt that failed.
    pub attempt: u32,
    /// What went wrong.
    pub error: &'a str,
    /// How long until the next attempt.
    pub wait: Duration,
}

impl InternalEvent for RequestRetried<'_> {
    fn emit(self) {
        tracing::warn!(
            url = %self.url,
            attempt = self.attempt,
            error = %self.error,
            wait_ms = self.wait.as_millis() as u64,
            "request failed; retrying"
        );
        metrics::counter!("sluice_provider_retries_total", "provider" => self.provider.to_string())
            .increment(1);
    }
}

/// The provider answered 429: every stream of it pauses.
pub struct RateLimited<'a> {
    /// The provider's config name.
    pub provider: &'a str,
    /// The URL, secrets removed.
    pub url: &'a str,
    /// How long its requests pause.
    pub pause: Duration,
}

impl InternalEvent for RateLimited<'_> {
    fn emit(self) {
        tracing::warn!(
            provider = %self.provider,
            url = %self.url,
            pause_ms = self.pause.as_millis() as u64,
            "provider answered 429 (too many requests); every stream of it pauses"
        );
        metrics::counter!("sluice_provider_rate_limited_total", "provider" => self.provider.to_string())
            .increment(1);
    }
}

/// How a provider's circuit breaker changed.
pub enum BreakerChange<'a> {
    /// Too many failures in a row: requests fail at once until the
    /// cool-down ends.
    Opened {
        /// Failures in a row.
        failures: u32,
        /// How long it stays open.
        cooldown: Duration,
        /// The last failure.
        error: &'a str,
    },
    /// The cool-down ended: one request may try.
    HalfOpen,
    /// A request succeeded: back to normal.
    Closed,
}

/// A provider's circuit breaker changed state.
pub struct BreakerChanged<'a> {
    /// The provider's config name.
    pub provider: &'a str,
    /// What changed.
    pub change: BreakerChange<'a>,
}

impl InternalEvent for BreakerChanged<'_> {
    fn emit(self) {
        let provider = self.provider;
        let state = match self.change {
            BreakerChange::Closed => 0.0,
            BreakerChange::HalfOpen => 1.0,
            BreakerChange::Opened { .. } => 2.0,
        };
        metrics::gauge!("sluice_provider_breaker_state", "provider" => provider.to_string())
            .set(state);
        match self.change {
            BreakerChange::Opened {
                failures,
                cooldown,
                error,
            } => tracing::warn!(
                provider = %provider,
                failures,
                cooldown_s = cooldown.as_secs_f64(),
                error,
                "circuit breaker opened: requests to this provider fail at once until the cool-down ends"
            ),
            BreakerChange::HalfOpen => tracing::info!(
                provider = %provider,
                "circuit breaker half-open: letting one request through"
            ),
            BreakerChange::Closed => tracing::info!(provider = %provider, "circuit breaker closed"),
        }
    }
}

/// A quota window the provider reports is spent: its streams wait for the
/// reset.
pub struct QuotaWindowSpent<'a> {
    /// The provider's config name.
    pub provider: &'a str,
    /// The manifest's name for the quota.
    pub quota: &'a str,
    /// The window's scope, when the provider keeps one per kind of request.
    pub scope: Option<&'a str>,
    /// Until the reset.
    pub wait: Duration,
}

impl InternalEvent for QuotaWindowSpent<'_> {
    fn emit(self) {
        tracing::info!(
            provider = %self.provider,
            quota = %self.quota,
            scope = self.scope,
            wait_s = self.wait.as_secs_f64(),
            "quota window spent; waiting for its reset"
        );
    }
}

/// A quota that runs out (per day, monthly credits) is down to the
/// reserve: no more requests to the provider.
pub struct QuotaReserveReached<'a> {
    /// The provider's config name.
    pub provider: &'a str,
    /// The manifest's name for the quota.
    pub quota: &'a str,
    /// Requests left, as the provider reports.
    pub remaining: u64,
    /// The provider's `quota_reserve`.
    pub reserve: u64,
}

impl InternalEvent for QuotaReserveReached<'_> {
    fn emit(self) {
        tracing::warn!(
            provider = %self.provider,
            quota = %self.quota,
            remaining = self.remaining,
            reserve = self.reserve,
            "quota nearly spent; no more requests to this provider"
        );
    }
}

/// The most each quota window was seen to have left, by provider, quota
/// and scope.
static WINDOW_SIZES: std::sync::Mutex<std::collections::BTreeMap<[String; 3], u64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());
