//! A recordings folder: its `index.toml`, the bodies it names, the faults
//! armed on it and the log of what was asked of it.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use super::faults::{FaultBook, FaultSpec};
use super::limit::{LimitSpec, WindowLimit};

/// Why a recordings folder cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The index is invalid.
    #[error("{path}: {message}")]
    Index {
        /// The index file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    /// Milliseconds every answer waits before it goes, like a provider
    /// across the internet.
    #[serde(default)]
    latency_ms: u64,
    auth: Option<AuthEntry>,
    limit: Option<LimitSpec>,
    route: Vec<RouteEntry>,
    #[serde(default)]
    fault: Vec<FaultSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthEntry {
    header: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteEntry {
    path: String,
    #[serde(default)]
    query: BTreeMap<String, String>,
    file: PathBuf,
    #[serde(default = "ok")]
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

fn ok() -> u16 {
    200
}

/// One recorded response.
pub(super) struct Route {
    path: String,
    query: BTreeMap<String, String>,
    pub(super) status: StatusCode,
    pub(super) headers: Vec<(HeaderName, HeaderValue)>,
    pub(super) body: axum::body::Bytes,
    pub(super) etag: String,
}

/// A request the provider received, as its log keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// Seconds since the provider started.
    pub at: f64,
    /// The path.
    pub path: String,
    /// The status answered; 0 while (or if never) answered.
    pub status: u16,
}

/// A loaded recordings folder, its faults and its request log.
pub struct Recordings {
    latency: std::time::Duration,
    auth: Option<(HeaderName, String)>,
    limit: Option<WindowLimit>,
    routes: Vec<Route>,
    faults: FaultBook,
    started: Instant,
    log: Mutex<Vec<LoggedRequest>>,
}

impl Recordings {
    /// Loads `dir/index.toml` and every file it names.
    pub fn load(dir: &Path) -> Result<Self, ReplayError> {
        let index_path = dir.join("index.toml");
        let text = std::fs::read_to_string(&index_path).map_err(|source| ReplayError::Read {
            path: index_path.clone(),
            source,
        })?;
        let invalid = |message: String| ReplayError::Index {
            path: index_path.clone(),
            message,
        };
        let index: Index = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        let mut routes = Vec::with_capacity(index.route.len());
        for entry in index.route {
            let path = dir.join(&entry.file);
            let body = std::fs::read(&path).map_err(|source| ReplayError::Read { path, source })?;
            let status = StatusCode::from_u16(entry.status)
                .map_err(|_| invalid(format!("status {} is not an HTTP status", entry.status)))?;
            let mut headers = vec![(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            )];
            for (name, value) in &entry.headers {
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| invalid(format!("`{name}` is not a header name")))?;
                let value = HeaderValue::from_str(value)
                    .map_err(|_| invalid(format!("`{value}` is not a header value")))?;
                headers.push((name, value));
            }
            let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..16]);
            routes.push(Route {
                path: entry.path,
                query: entry.query,
                status,
                headers,
                body: body.into(),
                etag,
            });
        }
        let auth = index
            .auth
            .map(|a| {
                HeaderName::from_bytes(a.header.as_bytes())
                    .map(|name| (name, a.value))
                    .map_err(|_| invalid(format!("`{}` is not a header name", a.header)))
            })
            .transpose()?;
        let faults = FaultBook::default();
        for fault in index.fault {
            faults.add(fault);
        }
        Ok(Recordings {
            latency: std::time::Duration::from_millis(index.latency_ms),
            auth,
            limit: index.limit.map(WindowLimit::new),
            routes,
            faults,
            started: Instant::now(),
            log: Mutex::new(Vec::new()),
        })
    }

    /// How long every answer waits before it goes (`latency_ms`).
    pub fn latency(&self) -> std::time::Duration {
        self.latency
    }

    /// How many requests were served, recorded or not.
    pub fn requests(&self) -> u64 {
        self.lock_log().len() as u64
    }

    /// Every request received so far, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.lock_log().clone()
    }

    /// The armed faults; arm more with [`FaultBook::add`].
    pub fn faults(&self) -> &FaultBook {
        &self.faults
    }

    pub(super) fn auth(&self) -> Option<(&HeaderName, &str)> {
        self.auth.as_ref().map(|(n, v)| (n, v.as_str()))
    }

    pub(super) fn limit(&self) -> Option<&WindowLimit> {
        self.limit.as_ref()
    }

    pub(super) fn route(&self, path: &str, query: &BTreeMap<String, String>) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.path == path && &r.query == query)
    }

    /// Logs a request as it arrives; returns its place in the log.
    pub(super) fn log_arrival(&self, path: &str) -> usize {
        let at = self.started.elapsed().as_secs_f64();
        let mut log = self.lock_log();
        log.push(LoggedRequest {
            at,
            path: path.to_string(),
            status: 0,
        });
        log.len() - 1
    }

    /// Records the status a logged request was answered with.
    pub(super) fn log_status(&self, entry: usize, status: u16) {
        if let Some(logged) = self.lock_log().get_mut(entry) {
            logged.status = status;
        }
    }

    fn lock_log(&self) -> std::sync::MutexGuard<'_, Vec<LoggedRequest>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}
