//! One provider's HTTP client: every request goes through the provider's
//! breaker, quota and rate budget, and is retried when the failure is worth
//! another attempt.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::RateBudget;
use super::breaker::{BreakerRefusal, CircuitBreaker};
use super::quota::{QuotaExhausted, QuotaTracker};
use super::retry::{RetryPolicy, parse_retry_after, status_is_retryable};
use crate::internal_events::{
    InternalEvent, RateLimited, RequestRetried, RequestSent, ResponseReceived,
};
use crate::model::{HttpResponse, PlannedRequest};

/// How much of an error body is quoted in the error.
const ERROR_BODY_CHARS: usize = 200;
/// Response headers never archived: they can carry credentials.
const PRIVATE_HEADERS: [&str; 3] = ["set-cookie", "authorization", "proxy-authorization"];

/// Why a request produced no usable response.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The planned path does not make a valid URL with the base URL.
    #[error("provider {provider}: cannot build a URL from `{request}`: {message}")]
    BadUrl {
        /// Provider name.
        provider: String,
        /// The planned request.
        request: String,
        /// Why.
        message: String,
    },
    /// Connecting, sending or receiving failed on every attempt.
    #[error("GET {url}: {message}{}", attempts_note(*attempts))]
    Transport {
        /// The URL.
        url: String,
        /// What failed, e.g. `could not connect (Connection refused)`.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The provider answered with a status that is not a success.
    #[error("GET {url}: HTTP {status}{body}{}", attempts_note(*attempts))]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the provider's message, prefixed with `: `.
        body: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The provider asked to wait longer than the config allows.
    #[error("GET {url}: HTTP {status} asking to retry after {} s, longer than retry_max_wait ({} s)", wait.as_secs(), max.as_secs())]
    WaitTooLong {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// What the provider asked for.
        wait: Duration,
        /// The configured maximum.
        max: Duration,
    },
    /// The body was larger than the host accepts.
    #[error("GET {url}: body larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The provider's circuit breaker is open.
    #[error("provider {provider}: circuit breaker open after {} failures in a row (last: {}); next attempt allowed in {} s", refusal.failures, refusal.last_error, refusal.retry_in.as_secs())]
    BreakerOpen {
        /// Provider name.
        provider: String,
        /// Why it refused.
        refusal: BreakerRefusal,
    },
    /// A quota is spent down to the reserve.
    #[error("provider {provider}: quota `{}` has {} requests left ({}), at or under quota_reserve = {}: stopping before it runs out", quota.quota, quota.remaining, quota.source, quota.reserve)]
    QuotaExhausted {
        /// Provider name.
        provider: String,
        /// The quota.
        quota: QuotaExhausted,
    },
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// How the host authenticates requests to a provider.
#[derive(Clone)]
pub enum ProviderAuth {
    /// No credentials.
    None,
    /// A header carrying the secret.
    Header(HeaderName, HeaderValue),
    /// A query parameter carrying the secret: added to the URL that is
    /// sent, never to the one archived, logged or shown.
    Query(String, String),
    /// A path segment carrying the secret, right after the base URL's path:
    /// in the URL that is sent, never in the one archived, logged or shown.
    PathSegment(String),
}

/// A provider's request settings.
#[derive(Debug, Clone, Copy)]
pub struct ClientSettings {
    /// Retries.
    pub retry: RetryPolicy,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Largest body accepted.
    pub max_body_bytes: usize,
}

/// Validators of a response archived earlier, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag` of the earlier response.
    pub etag: Option<String>,
    /// `Last-Modified` of the earlier response.
    pub last_modified: Option<String>,
}

/// What a request brought back.
#[derive(Debug)]
pub enum Fetched {
    /// A 2xx response.
    Fresh(HttpResponse),
    /// 304: the archived response is still current.
    NotModified,
}

/// Performs one provider's requests.
pub struct ProviderClient {
    name: String,
    base_url: reqwest::Url,
    http: reqwest::Client,
    settings: ClientSettings,
    budget: Arc<RateBudget>,
    breaker: Arc<CircuitBreaker>,
    quota: Arc<QuotaTracker>,
    /// Taken by each request while the provider's quotas are unknown, so
    /// streams running at once learn them from one response first.
    learning: tokio::sync::Mutex<()>,
    secrets: Vec<String>,
    query_secret: Option<(String, String)>,
    path_secret: Option<String>,
}

/// One attempt's failure.
enum AttemptError {
    Transport(String),
    Status {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    TooLarge,
}

impl ProviderClient {
    /// A client for `base_url` sending `auth` with every request, under the
    /// provider's shared `budget`, `breaker` and `quota`.
    pub fn new(
        name: &str,
        base_url: &str,
        auth: ProviderAuth,
        settings: ClientSettings,
        budget: Arc<RateBudget>,
        breaker: Arc<CircuitBreaker>,
        quota: Arc<QuotaTracker>,
    ) -> Result<Self, FetchError> {
        let bad = |message: String| FetchError::BadUrl {
            provider: name.to_string(),
            request: base_url.to_string(),
            message,
        };
        let base_url = reqwest::Url::parse(base_url).map_err(|e| bad(e.to_string()))?;
        let mut headers = HeaderMap::new();
        let mut secrets = Vec::new();
        let mut query_secret = None;
        let mut path_secret = None;
        match auth {
            ProviderAuth::None => {}
            ProviderAuth::Header(header, mut value) => {
                if let Ok(text) = value.to_str() {
                    secrets.push(text.to_string());
                }
                value.set_sensitive(true);
                headers.insert(header, value);
            }
            ProviderAuth::Query(name, value) => {
                secrets.push(value.clone());
                // Percent-encoded, as it appears in a URL in an error.
                let encoded: String =
                    reqwest::Url::parse_with_params("http://x/", [("k", value.as_str())])
                        .ok()
                        .and_then(|u| u.query().map(|q| q.trim_start_matches("k=").to_string()))
                        .unwrap_or_default();
                if encoded != value {
                    secrets.push(encoded);
                }
                query_secret = Some((name, value));
            }
            ProviderAuth::PathSegment(value) => {
                secrets.push(value.clone());
                path_secret = Some(value);
            }
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        Ok(ProviderClient {
            name: name.to_string(),
            base_url,
            http,
            settings,
            budget,
            breaker,
            quota,
            learning: tokio::sync::Mutex::new(()),
            secrets,
            query_secret,
            path_secret,
        })
    }

    /// The provider's name in the config.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The provider's base URL, as the config gives it (lineage names the
    /// provider's datasets by its scheme and host).
    pub fn base_url(&self) -> &reqwest::Url {
        &self.base_url
    }

    /// Takes this provider's request turns from `shared`, a limit every
    /// process sending its requests stays under together.
    pub fn share_rate(&self, shared: Arc<dyn super::SharedRate>) {
        self.budget.share(shared);
    }

    /// The provider's breaker, for status and persistence.
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// What the provider last reported of each quota window.
    pub fn quota_reports(&self) -> Vec<(String, String, super::quota::QuotaReport)> {
        self.quota.reports()
    }

    /// The URL of a planned request.
    pub fn url(&self, request: &PlannedRequest) -> Result<reqwest::Url, FetchError> {
        let bad = |message: String| FetchError::BadUrl {
            provider: self.name.clone(),
            request: request.to_string(),
            message,
        };
        if !request.path.starts_with('/') {
            return Err(bad("the path must start with `/`".to_string()));
        }
        let base = self.base_url.as_str().trim_end_matches('/');
        let mut url = reqwest::Url::parse(&format!("{base}{}", request.path))
            .map_err(|e| bad(e.to_string()))?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    /// Performs `request` for `lane` (the stream asking, which quota
    /// windows kept per scope pace), conditionally when `validators` are
    /// given, retrying what is worth retrying.
    pub async fn fetch(
        &self,
        request: &PlannedRequest,
        lane: &str,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let url = self.url(request)?;
        let shown = url.to_string();
        let mut backoff = self.settings.retry.backoff();
        let mut attempt = 0;
        let breaker_open = |refusal| FetchError::BreakerOpen {
            provider: self.name.clone(),
            refusal,
        };
        let quota_spent = |quota| FetchError::QuotaExhausted {
            provider: self.name.clone(),
            quota,
        };
        loop {
            attempt += 1;
            self.breaker.check().map_err(breaker_open)?;
            self.quota.check().map_err(quota_spent)?;
            // Requests sent before the provider first reports its quotas
            // would all go out unpaced and uncounted: until then, one at a
            // time.
            let _learning = match self.quota.learning() {
                true => {
                    let turn = self.learning.lock().await;
                    self.quota.learning().then_some(turn)
                }
                false => None,
            };
            self.quota.wait_turn(lane).await;
            self.budget.acquire().await.map_err(|limit| {
                quota_spent(QuotaExhausted {
                    quota: "day".to_string(),
                    remaining: 0,
                    source: format!("the day limit of {limit} requests all workers share"),
                    reserve: 0,
                })
            })?;
            // Other streams' requests may have opened the breaker or spent
            // the quota while this one waited.
            self.breaker.check().map_err(breaker_open)?;
            let spend = self.quota.spend().await.map_err(quota_spent)?;
            RequestSent {
                url: &shown,
                attempt,
            }
            .emit();
            let sent_at = std::time::Instant::now();
            let sent = self.send_once(url.clone(), validators).await;
            ResponseReceived {
                provider: &self.name,
                url: &shown,
                status: match &sent {
                    Ok(Fetched::Fresh(response)) => Some(response.status),
                    Ok(Fetched::NotModified) => Some(304),
                    Err(AttemptError::Status { status, .. }) => Some(*status),
                    Err(AttemptError::Transport(_) | AttemptError::TooLarge) => None,
                },
                elapsed: sent_at.elapsed(),
            }
            .emit();
            let failure = match sent {
                Ok(fetched) => {
                    self.breaker.record_success();
                    if let Fetched::Fresh(response) = &fetched {
                        self.quota.observe(
                            &self.name,
                            lane,
                            &response.headers,
                            &response.body,
                            &self.budget,
                        );
                    }
                    return Ok(fetched);
                }
                Err(failure) => failure,
            };
            drop(spend);
            let (retryable, retry_after, description) = match &failure {
                AttemptError::Transport(message) => (true, None, message.clone()),
                AttemptError::Status {
                    status,
                    retry_after,
                    ..
                } => (
                    status_is_retryable(*status),
                    *retry_after,
                    format!("HTTP {status}"),
                ),
                AttemptError::TooLarge => (false, None, "body too large".to_string()),
            };
            if let AttemptError::Status { status: 429, .. } = failure {
                // Too fast for the provider: every stream of it waits.
                let pause = self.settings.retry.wait(retry_after, None);
                RateLimited {
                    provider: &self.name,
                    url: &shown,
                    pause,
                }
                .emit();
                self.budget.pause_for(pause);
            } else if retryable {
                self.breaker.record_failure(&description);
            }
            if !retryable || attempt >= self.settings.retry.max_attempts {
                return Err(self.give_up(shown, failure, attempt));
            }
            let max_wait = self.settings.retry.max_wait;
            if let (Some(asked), AttemptError::Status { status, .. }) = (retry_after, &failure)
                && asked > max_wait
            {
                return Err(FetchError::WaitTooLong {
                    url: shown,
                    status: *status,
                    wait: asked,
                    max: max_wait,
                });
            }
            let wait = self
                .settings
                .retry
                .wait(retry_after, backoff.next())
                .min(max_wait);
            RequestRetried {
                provider: &self.name,
                url: &shown,
                attempt,
                error: &description,
                wait,
            }
            .emit();
            tokio::time::sleep(wait).await;
        }
    }

    fn give_up(&self, url: String, failure: AttemptError, attempts: u32) -> FetchError {
        match failure {
            AttemptError::Transport(message) => FetchError::Transport {
                url,
                message,
                attempts,
            },
            AttemptError::Status { status, body, .. } => FetchError::Status {
                url,
                status,
                body,
                attempts,
            },
            AttemptError::TooLarge => FetchError::TooLarge {
                url,
                limit: self.settings.max_body_bytes,
            },
        }
    }

    async fn send_once(
        &self,
        url: reqwest::Url,
        validators: Option<&Validators>,
    ) -> Result<Fetched, AttemptError> {
        let mut url = url;
        if let Some((name, value)) = &self.query_secret {
            url.query_pairs_mut().append_pair(name, value);
        }
        if let Some(segment) = &self.path_secret {
            // `url` is the base URL's path followed by the planned path.
            let base = self.base_url.path().trim_end_matches('/');
            let planned = url.path().get(base.len()..).unwrap_or_default().to_string();
            url.set_path(&format!("{base}/{segment}{planned}"));
        }
        let mut builder = self.http.get(url);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                builder = builder.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = &v.last_modified {
                builder = builder.header(reqwest::header::IF_MODIFIED_SINCE, last_modified);
            }
        }
        let transport = |e: reqwest::Error| AttemptError::Transport(self.redact(&describe(&e)));
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        if status == 304 && validators.is_some() {
            return Ok(Fetched::NotModified);
        }
        let headers = self.archivable_headers(response.headers());
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > self.settings.max_body_bytes {
                return Err(AttemptError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(&body);
            let snippet: String = text.trim().chars().take(ERROR_BODY_CHARS).collect();
            return Err(AttemptError::Status {
                status,
                body: if snippet.is_empty() {
                    String::new()
                } else {
                    format!(": {}", self.redact(&snippet))
                },
                retry_after,
            });
        }
        Ok(Fetched::Fresh(HttpResponse {
            status,
            headers,
            body,
        }))
    }

    /// Response headers as archived and handed to plugins: lower-case names,
    /// credentials removed.
    fn archivable_headers(&self, headers: &HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .filter(|(k, _)| !PRIVATE_HEADERS.contains(&k.as_str()))
            .filter_map(|(k, v)| Some((k.as_str().to_string(), self.redact(v.to_str().ok()?))))
            .collect()
    }

    /// `text` with every secret of this provider replaced.
    pub fn redact(&self, text: &str) -> String {
        self.secrets
            .iter()
            .filter(|s| !s.is_empty())
            .fold(text.to_string(), |t, s| t.replace(s.as_str(), "[redacted]"))
    }
}

/// reqwest's top-level message ("error sending request") hides the cause;
/// name the innermost one too.
fn describe(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "could not read the body"
    } else {
        "request failed"
    };
    format!("{kind} ({cause})")
}
