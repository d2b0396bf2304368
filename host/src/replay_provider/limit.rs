//! The replay provider's own rate limit: a sliding window, enforced with
//! 429 and reported in countdown headers, the way football-data.org does.

use serde::Deserialize;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `[limit]` of an `index.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// Requests allowed in any window.
    pub requests: u32,
    /// The window, in seconds.
    pub period_secs: f64,
    /// Header reporting the requests left in the window.
    pub remaining_header: Option<String>,
    /// Header reporting the seconds until the window frees a request.
    pub reset_header: Option<String>,
    /// Top-level key of a JSON object body under which the window is
    /// reported the way Sportmonks does (`{"remaining": …,
    /// "resets_in_seconds": …, "requested_entity": …}`).
    pub body_field: Option<String>,
}

/// What the window says about one request.
pub struct WindowVerdict {
    /// Whether it is served.
    pub allowed: bool,
    /// Requests left in the window after it.
    pub remaining: u32,
    /// Seconds until the window frees a request.
    pub reset: Duration,
}

/// The requests served in the current window.
pub struct WindowLimit {
    spec: LimitSpec,
    served: Mutex<VecDeque<Instant>>,
}

impl WindowLimit {
    /// A window enforcing `spec`.
    pub fn new(spec: LimitSpec) -> Self {
        WindowLimit {
            spec,
            served: Mutex::new(VecDeque::new()),
        }
    }

    /// The spec.
    pub fn spec(&self) -> &LimitSpec {
        &self.spec
    }

    /// Admits or refuses a request arriving now; refused requests do not
    /// count against the window.
    pub fn admit(&self) -> WindowVerdict {
        let period = Duration::from_secs_f64(self.spec.period_secs);
        let now = Instant::now();
        let mut served = self.served.lock().unwrap_or_else(|e| e.into_inner());
        while served
            .front()
            .is_some_and(|t| now.duration_since(*t) >= period)
        {
            served.pop_front();
        }
        let allowed = (served.len() as u32) < self.spec.requests;
        if allowed {
            served.push_back(now);
        }
        let reset = served
            .front()
            .map(|oldest| period.saturating_sub(now.duration_since(*oldest)))
            .unwrap_or(Duration::ZERO);
        WindowVerdict {
            allowed,
            remaining: self.spec.requests.saturating_sub(served.len() as u32),
            reset,
        }
    }
}
