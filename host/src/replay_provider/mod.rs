//! The bundled replay provider: serves recorded provider responses on a
//! local port, so demos and tests run real pipelines with no network and no
//! API key.
//!
//! A recordings folder holds the response bodies and an `index.toml`:
//!
//! ```toml
//! [[route]]
//! path = "/v4/competitions/CL/matches"
//! query = { season = "2022" }
//! file = "v4_competitions_CL_matches_season2022.json"
//! headers = { "x-requests-available-minute" = "9" }   # optional
//! status = 200                                        # optional
//! ```
//!
//! A request matches a route when its path is equal and its query holds
//! exactly the route's parameters; anything else is a 404 naming the request.
//!
//! An optional `[auth]` table (`header`, `value`) makes every request without
//! that header value a 403, as a real provider answers a missing token.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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
    auth: Option<AuthEntry>,
    route: Vec<RouteEntry>,
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

struct Route {
    path: String,
    query: BTreeMap<String, String>,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: axum::body::Bytes,
}

/// A loaded recordings folder and how often it has been asked for something.
pub struct Recordings {
    auth: Option<(HeaderName, String)>,
    routes: Vec<Route>,
    requests: AtomicU64,
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
            routes.push(Route {
                path: entry.path,
                query: entry.query,
                status,
                headers,
                body: body.into(),
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
        Ok(Recordings {
            auth,
            routes,
            requests: AtomicU64::new(0),
        })
    }

    /// How many requests were served, recorded or not.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// Serves `recordings` on `listener` until the task is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    recordings: Arc<Recordings>,
) -> std::io::Result<()> {
    let app = Router::new().fallback(answer).with_state(recordings);
    axum::serve(listener, app).await
}

async fn answer(
    State(recordings): State<Arc<Recordings>>,
    uri: Uri,
    headers: axum::http::HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    recordings.requests.fetch_add(1, Ordering::Relaxed);
    if let Some((name, value)) = &recordings.auth
        && headers.get(name).and_then(|v| v.to_str().ok()) != Some(value.as_str())
    {
        tracing::warn!(uri = %uri, "missing or wrong credentials");
        return error(
            StatusCode::FORBIDDEN,
            format!("missing or wrong {name} header"),
        );
    }
    let found = recordings
        .routes
        .iter()
        .find(|r| r.path == uri.path() && r.query == query);
    match found {
        Some(route) => {
            tracing::info!(uri = %uri, status = route.status.as_u16(), "replayed");
            let mut response = (route.status, route.body.clone()).into_response();
            for (name, value) in &route.headers {
                response.headers_mut().insert(name.clone(), value.clone());
            }
            response
        }
        None => {
            tracing::warn!(uri = %uri, "no recording");
            error(StatusCode::NOT_FOUND, format!("no recording for GET {uri}"))
        }
    }
}

/// An error body in the shape football-data.org uses.
fn error(status: StatusCode, message: String) -> Response {
    let body = serde_json::json!({ "message": message, "errorCode": status.as_u16() });
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
