//! One provider's HTTP client.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::Duration;

use super::RateBudget;
use crate::model::PlannedRequest;
use crate::plugin::HttpResponse;

/// Longest time to establish a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time for a whole request, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest body the host accepts from a provider.
const MAX_BODY_BYTES: usize = 64 << 20;
/// How much of an error body is quoted in the error.
const ERROR_BODY_CHARS: usize = 200;

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
    /// Connecting, sending or receiving failed.
    #[error("GET {url}: {message}")]
    Transport {
        /// The URL, without secrets.
        url: String,
        /// What failed, e.g. `connection refused`.
        message: String,
    },
    /// The provider answered with a status that is not a success.
    #[error("GET {url}: HTTP {status}{body}")]
    Status {
        /// The URL, without secrets.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the provider's message, prefixed with `: `.
        body: String,
    },
    /// The body was larger than the host accepts.
    #[error("GET {url}: body larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: usize,
    },
}

/// How the host authenticates requests to a provider.
#[derive(Clone)]
pub enum ProviderAuth {
    /// No credentials.
    None,
    /// A header carrying the secret.
    Header(HeaderName, HeaderValue),
}

/// Performs one provider's requests.
pub struct ProviderClient {
    name: String,
    base_url: reqwest::Url,
    http: reqwest::Client,
    budget: Arc<RateBudget>,
}

impl ProviderClient {
    /// A client for `base_url` sending `auth` with every request, and sharing
    /// `budget` with every other client of the same provider.
    pub fn new(
        name: &str,
        base_url: &str,
        auth: ProviderAuth,
        budget: Arc<RateBudget>,
    ) -> Result<Self, FetchError> {
        let bad = |message: String| FetchError::BadUrl {
            provider: name.to_string(),
            request: base_url.to_string(),
            message,
        };
        let base_url = reqwest::Url::parse(base_url).map_err(|e| bad(e.to_string()))?;
        let mut headers = HeaderMap::new();
        if let ProviderAuth::Header(header, mut value) = auth {
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        Ok(ProviderClient {
            name: name.to_string(),
            base_url,
            http,
            budget,
        })
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

    /// Performs `request` once the rate budget allows it.
    pub async fn get(&self, request: &PlannedRequest) -> Result<HttpResponse, FetchError> {
        let url = self.url(request)?;
        self.budget.acquire().await;
        let shown = url.to_string();
        tracing::debug!(url = %shown, "request");
        let transport = |e: reqwest::Error| FetchError::Transport {
            url: shown.clone(),
            message: describe(&e),
        };
        let mut response = self.http.get(url.clone()).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge {
                    url: shown,
                    limit: MAX_BODY_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(&body);
            let snippet: String = text.trim().chars().take(ERROR_BODY_CHARS).collect();
            return Err(FetchError::Status {
                url: shown,
                status,
                body: if snippet.is_empty() {
                    String::new()
                } else {
                    format!(": {snippet}")
                },
            });
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
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
