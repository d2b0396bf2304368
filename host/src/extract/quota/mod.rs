//! What providers report about their quotas, read from the headers or body
//! fields the plugin's manifest names, and acted on: a window's remaining
//! requests are spread over the time to its reset, and a quota without a
//! reset (daily, monthly credits) stops the provider's requests when no more
//! than the reserve is left.
//!
//! A window with a `scope` is kept once per scope the responses name
//! (Sportmonks: per entity). A request cannot say its scope before it is
//! sent, so each lane (a stream) is paced by the window its last response
//! named; streams on other windows are not held by it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

use super::RateBudget;
use crate::internal_events::{InternalEvent, QuotaObserved, QuotaReserveReached, QuotaWindowSpent};
use crate::model::{QuotaSource, QuotaSpec};

/// The longest a reported window reset is believed: a year (monthly
/// credits reset within it).
const MAX_RESET: Duration = Duration::from_secs(366 * 24 * 60 * 60);

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
    scoped: Mutex<ScopedWindows>,
    /// Whether a response has been read yet: until one has, the provider's
    /// streams ask one at a time (see [`QuotaTracker::learning`]).
    observed: AtomicBool,
    /// What the quotas without a reset still allow, counted down as
    /// requests start.
    spending: Mutex<Spending>,
    /// Signalled when a request that spent part of a quota is answered.
    answered: tokio::sync::Notify,
    /// What each window (quota, scope) last reported left, for status.
    reported: Mutex<std::collections::BTreeMap<(String, String), QuotaReport>>,
}

/// What a provider last reported of one quota window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaReport {
    /// Requests (or credits) left.
    pub remaining: u64,
    /// Seconds until the window resets, when the provider says.
    pub resets_in_s: Option<u64>,
    /// When it was reported.
    pub at: std::time::SystemTime,
}

/// The requests the quotas without a reset (credits) still allow: streams
/// running at once must not together spend into the reserve, which they
/// would if each went on the last report alone.
#[derive(Default)]
struct Spending {
    /// Requests left before the reserve as of the last report, less those
    /// started since; unknown until a report.
    left: Option<u64>,
    /// Requests started and not yet answered.
    outstanding: u64,
}

/// One request's share of the provider's quotas, from its start until its
/// answer has been read (or it failed): while it is out, others may wait
/// for what it reports.
pub struct QuotaSpend<'a> {
    tracker: &'a QuotaTracker,
}

impl Drop for QuotaSpend<'_> {
    fn drop(&mut self) {
        {
            let mut spending = self.tracker.spending();
            spending.outstanding = spending.outstanding.saturating_sub(1);
        }
        self.tracker.answered.notify_waiters();
    }
}

/// The windows kept per scope, and which window each lane last reported.
#[derive(Default)]
struct ScopedWindows {
    /// (quota, scope) → no request on it before this instant.
    not_before: HashMap<(String, String), Instant>,
    /// (quota, scope) → the spacing its last report asks for.
    pace: HashMap<(String, String), Duration>,
    /// lane → the (quota, scope) pairs its last response named.
    lanes: HashMap<String, Vec<(String, String)>>,
}

impl QuotaTracker {
    /// Tracks `specs`, keeping `reserve` requests of an exhaustible quota.
    pub fn new(specs: Vec<QuotaSpec>, reserve: u64) -> Self {
        QuotaTracker {
            specs,
            reserve,
            exhausted: Mutex::new(None),
            scoped: Mutex::new(ScopedWindows::default()),
            observed: AtomicBool::new(false),
            spending: Mutex::new(Spending::default()),
            answered: tokio::sync::Notify::new(),
            reported: Mutex::new(std::collections::BTreeMap::new()),
        }
    }

    /// Every window's last report: (quota, scope or empty, report).
    pub fn reports(&self) -> Vec<(String, String, QuotaReport)> {
        self.reported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|((quota, scope), report)| (quota.clone(), scope.clone(), report.clone()))
            .collect()
    }

    fn spending(&self) -> std::sync::MutexGuard<'_, Spending> {
        self.spending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes one request of the provider's quotas, to hold until its answer
    /// is read. While the last requests the quotas allow are out, waits for
    /// their answers, which tell whether more may go; refuses once a quota
    /// is down to the reserve.
    pub async fn spend(&self) -> Result<QuotaSpend<'_>, QuotaExhausted> {
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            self.check()?;
            {
                let mut spending = self.spending();
                if spending.left != Some(0) || spending.outstanding == 0 {
                    spending.left = spending.left.map(|left| left.saturating_sub(1));
                    spending.outstanding += 1;
                    return Ok(QuotaSpend { tracker: self });
                }
            }
            answered.await;
        }
    }

    /// Whether the provider declares quotas and no response has been read
    /// yet: requests sent before the first report would all go out
    /// unpaced and uncounted, so until then they go one at a time.
    pub fn learning(&self) -> bool {
        !self.specs.is_empty() && !self.observed.load(Ordering::Acquire)
    }

    /// Resolves when the windows `lane`'s last response named allow its
    /// next request, and takes that turn: lanes on one window (streams
    /// running at once) go one per paced turn.
    pub async fn wait_turn(&self, lane: &str) {
        loop {
            let until = {
                let mut scoped = self.scoped.lock().unwrap_or_else(|e| e.into_inner());
                let windows = scoped.lanes.get(lane).cloned().unwrap_or_default();
                let now = Instant::now();
                let until = windows
                    .iter()
                    .filter_map(|window| scoped.not_before.get(window))
                    .max()
                    .copied()
                    .filter(|until| *until > now);
                if until.is_none() {
                    for window in windows {
                        if let Some(pace) = scoped.pace.get(&window).copied() {
                            scoped.not_before.insert(window, now + pace);
                        }
                    }
                    return;
                }
                until
            };
            if let Some(until) = until {
                tokio::time::sleep_until(until).await;
            }
        }
    }

    /// Whether another request may be spent.
    pub fn check(&self) -> Result<(), QuotaExhausted> {
        match &*self.exhausted.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(exhausted) => Err(exhausted.clone()),
            None => Ok(()),
        }
    }

    /// Reads a response of `lane` (a stream) for its quota reports and
    /// slows or stops the provider, or only the lanes of a scoped window.
    pub fn observe(
        &self,
        provider: &str,
        lane: &str,
        headers: &[(String, String)],
        body: &[u8],
        budget: &RateBudget,
    ) {
        if self.specs.is_empty() {
            return;
        }
        // Paced now if the response reported a window; if it did not, the
        // provider does not report one, and waiting for it would only
        // serialize the streams.
        self.observed.store(true, Ordering::Release);
        let needs_body = self.specs.iter().any(|s| {
            [Some(&s.remaining), s.reset_after.as_ref(), s.scope.as_ref()]
                .into_iter()
                .flatten()
                .any(|source| matches!(source, QuotaSource::Body(_)))
        });
        let json: Option<serde_json::Value> = needs_body
            .then(|| serde_json::from_slice(body).ok())
            .flatten();
        let mut named = Vec::new();
        let mut allowed: Option<u64> = None;
        for spec in &self.specs {
            let Some(remaining) = read(&spec.remaining, headers, json.as_ref()) else {
                continue;
            };
            let remaining = remaining.max(0.0) as u64;
            let scope_name = spec
                .scope
                .as_ref()
                .and_then(|s| read_text(s, headers, json.as_ref()));
            QuotaObserved {
                provider,
                quota: &spec.name,
                scope: scope_name.as_deref(),
                remaining,
            }
            .emit();
            self.reported
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(
                    (spec.name.clone(), scope_name.clone().unwrap_or_default()),
                    QuotaReport {
                        remaining,
                        resets_in_s: spec
                            .reset_after
                            .as_ref()
                            .and_then(|s| read(s, headers, json.as_ref()))
                            .filter(|r| r.is_finite())
                            .map(|r| r.clamp(0.0, MAX_RESET.as_secs_f64()) as u64),
                        at: std::time::SystemTime::now(),
                    },
                );
            match spec
                .reset_after
                .as_ref()
                .and_then(|s| read(s, headers, json.as_ref()))
            {
                Some(reset) => {
                    // A provider's number, so anything: NaN, infinite or
                    // absurd resets are held to a year rather than panic.
                    let reset = Duration::try_from_secs_f64(reset.max(0.0))
                        .unwrap_or(MAX_RESET)
                        .min(MAX_RESET);
                    // `remaining` requests may go out before the window
                    // resets: space them evenly over it.
                    let wait = if remaining == 0 {
                        reset
                    } else {
                        reset / u32::try_from(remaining).unwrap_or(u32::MAX)
                    };
                    let scope = spec
                        .scope
                        .as_ref()
                        .and_then(|s| read_text(s, headers, json.as_ref()));
                    if remaining == 0 {
                        QuotaWindowSpent {
                            provider,
                            quota: &spec.name,
                            scope: scope.as_deref(),
                            wait: reset,
                        }
                        .emit();
                    }
                    match scope {
                        Some(scope) => {
                            let window = (spec.name.clone(), scope);
                            self.hold(&window, wait);
                            named.push(window);
                        }
                        None => budget.pace(wait),
                    }
                }
                None if remaining <= self.reserve => {
                    allowed = Some(0);
                    QuotaReserveReached {
                        provider,
                        quota: &spec.name,
                        remaining,
                        reserve: self.reserve,
                    }
                    .emit();
                    *self.exhausted.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(QuotaExhausted {
                            quota: spec.name.clone(),
                            remaining,
                            source: spec.remaining.to_string(),
                            reserve: self.reserve,
                        });
                }
                None => {
                    let left = remaining - self.reserve;
                    allowed = Some(allowed.map_or(left, |a| a.min(left)));
                }
            }
        }
        if let Some(allowed) = allowed {
            // The other requests out now were sent after this one's report
            // was made: each may spend one more.
            let mut spending = self.spending();
            let others = spending.outstanding.saturating_sub(1);
            spending.left = Some(allowed.saturating_sub(others));
        }
        if !named.is_empty() {
            let mut scoped = self.scoped.lock().unwrap_or_else(|e| e.into_inner());
            scoped.lanes.insert(lane.to_string(), named);
        }
    }

    /// Holds the requests on `window` until `wait` has passed (a later
    /// hold already set wins), and spaces them `wait` apart from then on.
    fn hold(&self, window: &(String, String), wait: Duration) {
        let until = Instant::now() + wait;
        let mut scoped = self.scoped.lock().unwrap_or_else(|e| e.into_inner());
        scoped.pace.insert(window.clone(), wait);
        let entry = scoped.not_before.entry(window.clone()).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }
}

/// A text value (a scope's name) read from a response.
fn read_text(
    source: &QuotaSource,
    headers: &[(String, String)],
    json: Option<&serde_json::Value>,
) -> Option<String> {
    let text = match source {
        QuotaSource::Header(name) => headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string()),
        QuotaSource::Body(pointer) => json?.pointer(pointer).and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
    };
    text.filter(|t| !t.is_empty())
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
mod tests;
