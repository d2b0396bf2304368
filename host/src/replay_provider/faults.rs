//! Faults the replay provider injects on demand: what a real provider does
//! on a bad day.

use serde::Deserialize;
use std::sync::Mutex;

/// One scripted fault: which requests it hits and what it does to them.
/// (Unknown fields are refused by [`FaultKind`]: serde cannot refuse them
/// on a struct with a flattened field.)
#[derive(Debug, Clone, Deserialize)]
pub struct FaultSpec {
    /// Only requests to this path; every path when absent.
    pub path: Option<String>,
    /// Matching requests let through before the fault starts.
    #[serde(default)]
    pub skip: u32,
    /// Matching requests the fault hits, from then on.
    #[serde(default = "one")]
    pub times: u32,
    /// What it does.
    #[serde(flatten)]
    pub kind: FaultKind,
}

fn one() -> u32 {
    1
}

/// What a fault does to a request.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultKind {
    /// Answer with this status (429, 503 …), optionally `Retry-After`.
    Status {
        /// HTTP status.
        status: u16,
        /// `Retry-After` value, seconds or an HTTP date.
        retry_after: Option<String>,
        /// Body; a JSON error message when absent.
        body: Option<String>,
    },
    /// Answer normally after this many milliseconds.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Accept the request and never answer.
    Stall,
    /// Announce the whole body, send only its first `bytes`, then drop the
    /// connection.
    Truncate {
        /// Bytes sent.
        bytes: usize,
    },
    /// Answer 200 with this body instead of the recording.
    Body {
        /// The body.
        body: String,
        /// Its content type; `text/html` when absent.
        content_type: Option<String>,
    },
}

struct Active {
    spec: FaultSpec,
    seen: u32,
    fired: u32,
}

/// The faults armed on a replay provider.
#[derive(Default)]
pub struct FaultBook {
    active: Mutex<Vec<Active>>,
}

impl FaultBook {
    /// Arms `spec`.
    pub fn add(&self, spec: FaultSpec) {
        self.lock().push(Active {
            spec,
            seen: 0,
            fired: 0,
        });
    }

    /// The fault that hits a request to `path`, if any: the first armed
    /// fault for the path that is past its `skip` and not yet spent.
    pub fn take(&self, path: &str) -> Option<FaultKind> {
        let mut active = self.lock();
        for fault in active.iter_mut() {
            if fault.spec.path.as_deref().is_some_and(|p| p != path)
                || fault.fired >= fault.spec.times
            {
                continue;
            }
            fault.seen += 1;
            if fault.seen > fault.spec.skip {
                fault.fired += 1;
                return Some(fault.spec.kind.clone());
            }
        }
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Active>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_skips_then_hits_then_is_spent() {
        let book = FaultBook::default();
        book.add(FaultSpec {
            path: Some("/a".into()),
            skip: 1,
            times: 2,
            kind: FaultKind::Stall,
        });
        assert_eq!(book.take("/b"), None);
        assert_eq!(book.take("/a"), None, "skipped");
        assert_eq!(book.take("/a"), Some(FaultKind::Stall));
        assert_eq!(book.take("/a"), Some(FaultKind::Stall));
        assert_eq!(book.take("/a"), None, "spent");
    }
}
