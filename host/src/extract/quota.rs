//! What providers report about their quotas, read from the headers or body
//! fields the plugin's manifest names, and acted on: a window's remaining
//! requests are spread over the time to its reset, and a quota without a
//! reset (daily, monthly credits) stops the provider's requests when no more
//! than the reserve is left.

use std::sync::Mutex;
use std::time::Duration;

use super::RateBudget;
use crate::plugin::{QuotaSource, QuotaSpec};

/// A quota that must not be spent further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaExhausted {
    /// The quota's name in the manifest.
    pub quota: String,
    /// What the provider said is left.
    pub remaining: u64,
    /// Where that was read.
    pub source: String,
    /// The configured reserve.
    pub reserve: u64,
}

/// One provider's quotas as last reported.
pub struct QuotaTracker {
    specs: Vec<QuotaSpec>,
    reserve: u64,
    exhausted: Mutex<Option<QuotaExhausted>>,
}

impl QuotaTracker {
    /// Tracks `specs`, keeping `reserve` requests of an exhaustible quota.
    pub fn new(specs: Vec<QuotaSpec>, reserve: u64) -> Self {
        QuotaTracker {
            specs,
            reserve,
            exhausted: Mutex::new(None),
        }
    }

    /// Whether another request may be spent.
    pub fn check(&self) -> Result<(), QuotaExhausted> {
        match &*self.exhausted.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(exhausted) => Err(exhausted.clone()),
            None => Ok(()),
        }
    }

    /// Reads a response's quota reports and slows or stops the provider.
    pub fn observe(
        &self,
        provider: &str,
        headers: &[(String, String)],
        body: &[u8],
        budget: &RateBudget,
    ) {
        if self.specs.is_empty() {
            return;
        }
        let needs_body = self.specs.iter().any(|s| {
            matches!(s.remaining, QuotaSource::Body(_))
                || matches!(s.reset_after, Some(QuotaSource::Body(_)))
        });
        let json: Option<serde_json::Value> = needs_body
            .then(|| serde_json::from_slice(body).ok())
            .flatten();
        for spec in &self.specs {
            let Some(remaining) = read(&spec.remaining, headers, json.as_ref()) else {
                continue;
            };
            let remaining = remaining.max(0.0) as u64;
            match spec
                .reset_after
                .as_ref()
                .and_then(|s| read(s, headers, json.as_ref()))
            {
                Some(reset) => {
                    let reset = Duration::from_secs_f64(reset.max(0.0));
                    // `remaining` requests may go out before the window
                    // resets: space them evenly over it.
                    let wait = if remaining == 0 {
                        reset
                    } else {
                        reset / remaining as u32
                    };
                    if remaining == 0 {
                        tracing::info!(provider, quota = %spec.name, wait_s = reset.as_secs_f64(), "quota window spent; waiting for its reset");
                    }
                    budget.pause_for(wait);
                }
                None if remaining <= self.reserve => {
                    tracing::warn!(provider, quota = %spec.name, remaining, reserve = self.reserve, "quota nearly spent; no more requests to this provider");
                    *self.exhausted.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(QuotaExhausted {
                            quota: spec.name.clone(),
                            remaining,
                            source: spec.remaining.to_string(),
                            reserve: self.reserve,
                        });
                }
                None => {}
            }
        }
    }
}

fn read(
    source: &QuotaSource,
    headers: &[(String, String)],
    json: Option<&serde_json::Value>,
) -> Option<f64> {
    match source {
        QuotaSource::Header(name) => headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.trim().parse().ok()),
        QuotaSource::Body(pointer) => json?.pointer(pointer).and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, remaining: QuotaSource, reset_after: Option<QuotaSource>) -> QuotaSpec {
        QuotaSpec {
            name: name.to_string(),
            remaining,
            reset_after,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_monthly_quota_at_the_reserve_stops_the_provider() {
        let tracker = QuotaTracker::new(
            vec![spec(
                "credits",
                QuotaSource::Header("x-requests-remaining".into()),
                None,
            )],
            5,
        );
        let budget = RateBudget::new(&[]);
        tracker.observe(
            "odds",
            &headers(&[("x-requests-remaining", "6")]),
            b"",
            &budget,
        );
        assert!(tracker.check().is_ok());
        tracker.observe(
            "odds",
            &headers(&[("X-Requests-Remaining", "5")]),
            b"",
            &budget,
        );
        assert_eq!(
            tracker.check(),
            Err(QuotaExhausted {
                quota: "credits".into(),
                remaining: 5,
                source: "header x-requests-remaining".into(),
                reserve: 5
            })
        );
    }

    #[tokio::test]
    async fn a_spent_window_holds_requests_until_its_reset() {
        let tracker = QuotaTracker::new(
            vec![spec(
                "entity",
                QuotaSource::Body("/rate_limit/remaining".into()),
                Some(QuotaSource::Body("/rate_limit/resets_in_seconds".into())),
            )],
            0,
        );
        let budget = RateBudget::new(&[]);
        let body = br#"{"data": [], "rate_limit": {"remaining": 0, "resets_in_seconds": 0.15}}"#;
        tracker.observe("sportmonks", &[], body, &budget);
        let start = std::time::Instant::now();
        budget.acquire().await;
        assert!(
            start.elapsed() >= Duration::from_millis(140),
            "{:?}",
            start.elapsed()
        );
        assert!(
            tracker.check().is_ok(),
            "a window quota never stops the run"
        );
    }
}
