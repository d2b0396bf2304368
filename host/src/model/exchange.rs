//! What the host and a provider's API exchange, as both the extractor and
//! the plugins see it: the requests a plugin plans, the responses the host
//! hands back, and the quotas a manifest says the responses report.

use serde::Deserialize;

/// A request planned by a plugin, before the host adds base URL and auth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    /// Path below the base URL.
    pub path: String,
    /// Query parameters.
    pub query: Vec<(String, String)>,
}

impl std::fmt::Display for PlannedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        for (i, (k, v)) in self.query.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// A response as the host hands it to a plugin.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers, names lower-case, secrets removed.
    pub headers: Vec<(String, String)>,
    /// The body, decompressed.
    pub body: Vec<u8>,
}

/// A quota the provider reports with each response.
///
/// With `reset_after`, it is a window (per minute, per hour): the host
/// spreads the remaining requests over the time left. Without, it is a
/// budget that runs out (per day, monthly credits): the host stops when no
/// more than the provider's `quota_reserve` is left.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuotaSpec {
    /// A name for messages, e.g. `per minute`.
    pub name: String,
    /// Where the number of requests left is.
    pub remaining: QuotaSource,
    /// Where the seconds until the window resets are.
    pub reset_after: Option<QuotaSource>,
    /// Where the name of the window a response reports on is, when the
    /// provider keeps one window per kind of request (Sportmonks: one per
    /// entity, `/rate_limit/requested_entity`): each window paces only the
    /// streams whose responses report it.
    pub scope: Option<QuotaSource>,
}

/// Where a number is read from a response.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum QuotaSource {
    /// A response header, e.g. `{ header = "x-requests-remaining" }`.
    Header(String),
    /// A JSON pointer into the body, e.g. `{ body = "/rate_limit/remaining" }`.
    Body(String),
}

impl std::fmt::Display for QuotaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuotaSource::Header(name) => write!(f, "header {name}"),
            QuotaSource::Body(pointer) => write!(f, "body field {pointer}"),
        }
    }
}
