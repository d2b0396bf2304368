//! The replay provider's own rate limit: a sliding window, enforced with
//! 429 and reported in countdown headers, the way football-data.org does.

use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
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
    /// One window per entity (the request path's first segment, e.g.
    /// `fixtures`, `teams`), as Sportmonks counts; one for all when false.
    #[serde(default)]
    pub per_entity: bool,
}

/// The entity a request path is counted against: its first segment.
pub fn entity_of(path: &str) -> &str {
    path.trim_matches('/').split('/').next().unwrap_or_default()
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

/// The requests served in the current window, per entity when the spec
/// asks.
pub struct WindowLimit {
    spec: LimitSpec,
    served: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl WindowLimit {
    /// A window enforcing `spec`.
    pub fn new(spec: LimitSpec) -> Self {
        WindowLimit {
            spec,
            served: Mutex::new(HashMap::new()),
        }
    }

    /// The spec.
    pub fn spec(&self) -> &LimitSpec {
        &self.spec
    }

    /// Admits or refuses a request for `path` arriving now; refused
    /// requests do not count against the window.
    pub fn admit(&self, path: &str) -> WindowVerdict {
        let period = Duration::from_secs_f64(self.spec.period_secs);
        let now = Instant::now();
        let window = if self.spec.per_entity {
            entity_of(path)
        } else {
            ""
        };
        let mut windows = self.served.lock().unwrap_or_else(|e| e.into_inner());
        let served = windows.entry(window.to_string()).or_default();
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
