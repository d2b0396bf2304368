//! The bundled replay provider: serves recorded provider responses on a
//! local port, so demos and tests run real pipelines with no network and no
//! API key, and injects faults on demand, so retries, limits and breakers are
//! tested against something that misbehaves like a real provider.
//!
//! A recordings folder holds the response bodies and an `index.toml`:
//!
//! ```toml
//! latency_ms = 50                         # optional: every answer waits this long
//!
//! [auth]                                  # optional: a 403 without this header
//! header = "X-Auth-Token"
//! value = "demo-token"
//!
//! [limit]                                 # optional: a sliding window, 429 past it
//! requests = 10
//! period_secs = 60
//! remaining_header = "x-requests-available-minute"
//! reset_header = "x-requestcounter-reset"
//! body_field = "rate_limit"               # optional: also in a JSON body's field
//! per_entity = false                      # optional: one window per path's first segment
//!
//! [[route]]
//! path = "/v4/competitions/CL/matches"
//! query = { season = "2022" }
//! file = "v4_competitions_CL_matches_season2022.json"
//! headers = { "x-api-version" = "v4" }    # optional
//! status = 200                            # optional
//!
//! [[fault]]                               # optional, any number
//! path = "/v4/competitions/CL/matches"    # optional: every path when absent
//! skip = 0                                # matching requests let through first
//! times = 2                               # matching requests hit
//! kind = "status"                         # status | delay | stall | truncate | body
//! status = 429
//! retry_after = "1"
//! ```
//!
//! A request matches a route when its path is equal and its query holds
//! exactly the route's parameters; anything else is a 404 naming the request.
//! Every route has an `ETag`; a matching `If-None-Match` gets a 304.
//! `GET /_replay/requests` lists every request served with its time, and
//! `POST /_replay/faults` arms a fault given as JSON.
//!
//! Instead of a recordings folder it can play a live match day
//! ([`live_sim`]): simulated matches served as providers' in-play feeds.

mod faults;
mod limit;
pub mod live_sim;
mod recordings;

pub use faults::{FaultBook, FaultKind, FaultSpec};
pub use limit::LimitSpec;
pub use recordings::{LoggedRequest, Recordings, ReplayError};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

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
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    match (method, uri.path()) {
        (Method::GET, "/_replay/requests") => {
            return json(
                StatusCode::OK,
                serde_json::to_value(recordings.request_log()).unwrap_or_default(),
            );
        }
        (Method::POST, "/_replay/faults") => {
            return match serde_json::from_slice::<FaultSpec>(&body) {
                Ok(spec) => {
                    recordings.faults().add(spec);
                    json(StatusCode::CREATED, serde_json::json!({ "armed": true }))
                }
                Err(e) => error(StatusCode::BAD_REQUEST, format!("not a fault: {e}")),
            };
        }
        _ => {}
    }
    let entry = recordings.log_arrival(uri.path());
    let response = respond(&recordings, &uri, &headers, &query).await;
    if !recordings.latency().is_zero() {
        tokio::time::sleep(recordings.latency()).await;
    }
    recordings.log_status(entry, response.status().as_u16());
    response
}

async fn respond(
    recordings: &Recordings,
    uri: &Uri,
    headers: &HeaderMap,
    query: &BTreeMap<String, String>,
) -> Response {
    if let Some((name, value)) = recordings.auth()
        && headers.get(name).and_then(|v| v.to_str().ok()) != Some(value)
    {
        tracing::warn!(uri = %uri, "missing or wrong credentials");
        return error(
            StatusCode::FORBIDDEN,
            format!("missing or wrong {name} header"),
        );
    }
    let mut limit_headers = Vec::new();
    let mut limit_body = None;
    if let Some(limit) = recordings.limit() {
        let verdict = limit.admit(uri.path());
        let spec = limit.spec();
        let reset_secs = verdict.reset.as_secs_f64().ceil() as u64;
        if let Some(name) = &spec.remaining_header {
            limit_headers.push((name.clone(), verdict.remaining.to_string()));
        }
        if let Some(name) = &spec.reset_header {
            limit_headers.push((name.clone(), reset_secs.to_string()));
        }
        if let Some(field) = &spec.body_field {
            limit_body = Some((field.clone(), verdict.remaining, reset_secs));
        }
        if !verdict.allowed {
            tracing::warn!(uri = %uri, "over the rate limit");
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests".to_string(),
            );
            add_headers(&mut response, &limit_headers);
            add_headers(
                &mut response,
                &[("retry-after".to_string(), reset_secs.max(1).to_string())],
            );
            return response;
        }
    }
    let fault = recordings.faults().take(uri.path());
    match &fault {
        Some(FaultKind::Status {
            status,
            retry_after,
            body,
        }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = match body {
                Some(body) => (status, body.clone()).into_response(),
                None => error(status, format!("injected {}", status.as_u16())),
            };
            if let Some(after) = retry_after {
                add_headers(&mut response, &[("retry-after".to_string(), after.clone())]);
            }
            add_headers(&mut response, &limit_headers);
            return response;
        }
        Some(FaultKind::Delay { ms }) => tokio::time::sleep(Duration::from_millis(*ms)).await,
        Some(FaultKind::Stall) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return error(StatusCode::GATEWAY_TIMEOUT, "stalled".to_string());
        }
        Some(FaultKind::Body { body, content_type }) => {
            let content_type = content_type
                .clone()
                .unwrap_or_else(|| "text/html".to_string());
            let mut response = (StatusCode::OK, body.clone()).into_response();
            add_headers(&mut response, &[("content-type".to_string(), content_type)]);
            add_headers(&mut response, &limit_headers);
            return response;
        }
        Some(FaultKind::Truncate { .. }) | None => {}
    }
    let Some(route) = recordings.route(uri.path(), query) else {
        tracing::warn!(uri = %uri, "no recording");
        return error(StatusCode::NOT_FOUND, format!("no recording for GET {uri}"));
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(route.etag.as_str())
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        add_headers(&mut response, &[("etag".to_string(), route.etag.clone())]);
        add_headers(&mut response, &limit_headers);
        return response;
    }
    tracing::info!(uri = %uri, status = route.status.as_u16(), "replayed");
    let mut response = match fault {
        Some(FaultKind::Truncate { bytes }) => {
            let sent = route.body.slice(..bytes.min(route.body.len()));
            let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> =
                vec![Ok(sent), Err(std::io::Error::other("truncated by a fault"))];
            let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
            *response.status_mut() = route.status;
            add_headers(
                &mut response,
                &[("content-length".to_string(), route.body.len().to_string())],
            );
            response
        }
        _ => match &limit_body {
            Some((field, remaining, reset)) => {
                let body = with_limit_field(&route.body, field, uri.path(), *remaining, *reset);
                (route.status, body).into_response()
            }
            None => (route.status, route.body.clone()).into_response(),
        },
    };
    for (name, value) in &route.headers {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    add_headers(&mut response, &[("etag".to_string(), route.etag.clone())]);
    add_headers(&mut response, &limit_headers);
    response
}

/// `body` with the rate-limit window reported in its top-level `field`,
/// when it is a JSON object; otherwise `body` as it is.
fn with_limit_field(
    body: &axum::body::Bytes,
    field: &str,
    path: &str,
    remaining: u32,
    reset_secs: u64,
) -> axum::body::Bytes {
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice(body) else {
        return body.clone();
    };
    let entity = limit::entity_of(path);
    object.insert(
        field.to_string(),
        serde_json::json!({
            "remaining": remaining,
            "resets_in_seconds": reset_secs,
            "requested_entity": entity,
        }),
    );
    serde_json::to_vec(&object).map_or_else(|_| body.clone(), axum::body::Bytes::from)
}

fn add_headers(response: &mut Response, headers: &[(String, String)]) {
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// An error body in the shape football-data.org uses.
fn error(status: StatusCode, message: String) -> Response {
    json(
        status,
        serde_json::json!({ "message": message, "errorCode": status.as_u16() }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_reported_in_a_json_bodys_field_and_other_bodies_stay_as_they_are() {
        let body = axum::body::Bytes::from_static(br#"{"data": [1, 2]}"#);
        let with = with_limit_field(&body, "rate_limit", "/fixtures/multi/1,2", 2999, 3600);
        let value: serde_json::Value = serde_json::from_slice(&with).expect("JSON");
        assert_eq!(value["data"], serde_json::json!([1, 2]));
        assert_eq!(
            value["rate_limit"],
            serde_json::json!({"remaining": 2999, "resets_in_seconds": 3600, "requested_entity": "fixtures"})
        );
        let list = axum::body::Bytes::from_static(b"[1, 2]");
        assert_eq!(with_limit_field(&list, "rate_limit", "/x", 1, 1), list);
        let text = axum::body::Bytes::from_static(b"not json");
        assert_eq!(with_limit_field(&text, "rate_limit", "/x", 1, 1), text);
    }
}
