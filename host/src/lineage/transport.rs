//! Where run events go: POSTed to a lineage server within a timeout, and/or
//! appended to a file as one JSON line each. Delivery never fails a run: a
//! server that is down or slow costs at most the timeout, a warning and a
//! metric.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::event::RunEvent;
use crate::config::LineageConfig;
use crate::internal_events::{InternalEvent, LineageEventNotSent, LineageEventSent};

/// A lineage server's endpoint and how to reach it.
struct HttpTarget {
    client: reqwest::Client,
    url: String,
    bearer: Option<String>,
    timeout: Duration,
}

/// Sends a pipeline's run events where `[lineage]` says.
pub struct LineageTransport {
    /// The job namespace events are written with.
    pub namespace: String,
    http: Option<HttpTarget>,
    file: Option<PathBuf>,
    /// One line written at a time, whole, whatever runs share the file.
    file_lock: tokio::sync::Mutex<()>,
}

impl LineageTransport {
    /// The transport `config` describes; `file` is already resolved against
    /// the config file's folder. A token variable that is not set is
    /// warned about and the events are sent without it.
    pub fn new(config: &LineageConfig, file: Option<PathBuf>) -> Self {
        let timeout = config.timeout.0;
        let http = config.endpoint_url().map(|url| {
            let bearer = config.api_key_env.as_ref().and_then(|env| {
                let value = std::env::var(env).ok().filter(|v| !v.is_empty());
                if value.is_none() {
                    tracing::warn!(
                        env = %env,
                        "lineage.api_key_env is not set: lineage events are sent without a token"
                    );
                }
                value
            });
            let client = reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                .build()
                .unwrap_or_default();
            HttpTarget {
                client,
                url,
                bearer,
                timeout,
            }
        });
        LineageTransport {
            namespace: config.namespace.clone(),
            http,
            file,
            file_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Delivers `event` to every destination, logging what could not be.
    pub async fn send(&self, event: &RunEvent) {
        let event_type = serde_json::to_value(event.event_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let body = match serde_json::to_string(event) {
            Ok(body) => body,
            Err(error) => {
                self.not_sent("http", &event_type, &event.job.name, &error.to_string());
                return;
            }
        };
        if let Some(http) = &self.http {
            let started = Instant::now();
            match post(http, body.clone()).await {
                Ok(()) => LineageEventSent {
                    transport: "http",
                    event_type: &event_type,
                    pipeline: &event.job.name,
                    elapsed: started.elapsed(),
                }
                .emit(),
                Err(error) => self.not_sent("http", &event_type, &event.job.name, &error),
            }
        }
        if let Some(path) = &self.file {
            let started = Instant::now();
            let _line = self.file_lock.lock().await;
            match append_line(path, &body).await {
                Ok(()) => LineageEventSent {
                    transport: "file",
                    event_type: &event_type,
                    pipeline: &event.job.name,
                    elapsed: started.elapsed(),
                }
                .emit(),
                Err(error) => self.not_sent(
                    "file",
                    &event_type,
                    &event.job.name,
                    &format!("{}: {error}", path.display()),
                ),
            }
        }
    }

    fn not_sent(&self, transport: &'static str, event_type: &str, pipeline: &str, error: &str) {
        LineageEventNotSent {
            transport,
            event_type,
            pipeline,
            error,
        }
        .emit();
    }
}

/// POSTs `body`, within the target's timeout however the server behaves.
async fn post(http: &HttpTarget, body: String) -> Result<(), String> {
    let mut request = http
        .client
        .post(&http.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(token) = &http.bearer {
        request = request.bearer_auth(token);
    }
    let response = tokio::time::timeout(http.timeout, request.send())
        .await
        .map_err(|_| format!("{}: no answer within {:?}", http.url, http.timeout))?
        .map_err(|e| format!("{}: {e}", http.url))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{}: answered {status}", http.url))
    }
}

/// Appends `line` and a newline to `path`, creating it if needed, in one
/// write (off the async threads: it is a blocking file write).
async fn append_line(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    let (path, mut bytes) = (path.to_path_buf(), Vec::with_capacity(line.len() + 1));
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        file.write_all(&bytes)?;
        file.flush()
    })
    .await
    .map_err(std::io::Error::other)?
}
