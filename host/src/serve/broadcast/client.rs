//! `POST {url}/realtime/v1/api/broadcast` with the project's key in both
//! `apikey` and `Authorization: Bearer`, as Supabase's REST Broadcast
//! endpoint takes it. The shape follows Supabase's own client (realtime-js
//! sends `{"messages":[{"topic","event","payload","private"}]}` with those
//! two headers when it is not connected) and server (Realtime's broadcast
//! controller answers 202 once it took the batch, and 429 when the
//! project's messages per second, counting every message of a POST, would
//! pass its limit).

use std::time::{Duration, SystemTime};

use super::BroadcastError;

/// Longest time one POST may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Most characters of an error answer kept for the log.
const DETAIL: usize = 300;

/// What became of one POST.
#[derive(Debug)]
pub(super) enum Answer {
    /// 2xx: the messages were accepted.
    Accepted,
    /// 429, with the wait the sink asked for.
    RateLimited(Option<Duration>),
    /// Another status, with what the sink said.
    Refused(u16, String),
    /// No answer.
    Unreachable(String),
}

/// The project's service key: sent, never logged.
#[derive(Clone)]
pub(super) struct ApiKey(String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

impl ApiKey {
    /// The key held in the environment variable `var`.
    pub(super) fn from_env(var: &str) -> Result<Self, BroadcastError> {
        match std::env::var(var) {
            Ok(key) if !key.trim().is_empty() => Ok(ApiKey(key.trim().to_string())),
            _ => Err(BroadcastError::MissingKey(var.to_string())),
        }
    }
}

/// Sends bodies to one project's Broadcast endpoint.
#[derive(Debug, Clone)]
pub(super) struct BroadcastClient {
    http: reqwest::Client,
    url: String,
    key: ApiKey,
}

impl BroadcastClient {
    /// A client POSTing to `url` with `key`.
    pub(super) fn new(url: String, key: ApiKey) -> Result<Self, BroadcastError> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| BroadcastError::Client(e.to_string()))?;
        Ok(BroadcastClient { http, url, key })
    }

    /// POSTs `body`.
    pub(super) async fn post(&self, body: bytes::Bytes) -> Answer {
        let sent = self
            .http
            .post(&self.url)
            .header("apikey", &self.key.0)
            .bearer_auth(&self.key.0)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return Answer::Unreachable(without_url(&e)),
        };
        let status = response.status();
        if status.is_success() {
            return Answer::Accepted;
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| crate::extract::parse_retry_after(v, SystemTime::now()));
            return Answer::RateLimited(wait);
        }
        let text = response.text().await.unwrap_or_default();
        let detail: String = text.trim().chars().take(DETAIL).collect();
        Answer::Refused(status.as_u16(), detail)
    }
}

/// reqwest's message without the URL it names (the project's URL is not
/// a secret, but the message reads better without it).
fn without_url(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    if let Some(url) = error.url() {
        message = message.replace(&format!(" ({url})"), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
