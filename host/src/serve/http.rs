//! The HTTP side of `sluice serve`: health, plugins, metrics, the run
//! history, starting a run, the live event feed, and the dashboard's routes.

use std::convert::Infallible;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast;

use super::auth::require_admin;
use super::scheduler::StartError;
use super::state::AppState;
use crate::db::{Conn, DbError};
use crate::plugin::PluginInfo;
use crate::state::runs::{self, RunFilter};
use crate::state::stream_runs;

/// Most runs one page of `GET /runs` returns.
const MAX_PAGE: i64 = 500;

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/plugins", get(plugins))
        .route("/metrics", get(metrics))
        .route("/runs", get(list_runs))
        .route("/runs/{id}", get(show_run).post(start_run))
        .route("/events", get(events))
        .route("/live/events", get(super::live::events))
        .route("/live/matches", get(super::live::matches))
        .merge(super::dashboard::routes())
        .with_state(state)
}

/// Every published plugin: name, version, WIT version, sha256, load time.
async fn plugins(State(state): State<AppState>) -> Json<Vec<PluginInfo>> {
    Json(state.registry.list())
}

async fn metrics(State(state): State<AppState>) -> Response {
    super::metrics::describe_workers(state.stores.state.pool()).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        super::metrics::render(&state.metrics),
    )
        .into_response()
}

/// `GET /runs` query: `?limit=50&before=ID&pipeline=NAME&since=TIMESTAMP`.
#[derive(Debug, Deserialize)]
struct RunsQuery {
    limit: Option<i64>,
    before: Option<i64>,
    pipeline: Option<String>,
    since: Option<String>,
}

/// An error as the API answers it: a status and one line.
pub(super) type ApiError = (StatusCode, String);

/// A database error as the API answers it: 500 with the message.
pub(super) fn db_error(error: DbError) -> ApiError {
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n"))
}

/// A connection from the server's pool.
pub(super) async fn conn(state: &AppState) -> Result<Conn, ApiError> {
    state
        .stores
        .state
        .pool()
        .acquire()
        .await
        .map_err(|e| db_error(DbError::query("acquiring a connection")(e)))
}

async fn list_runs(
    State(state): State<AppState>,
    Query(query): Query<RunsQuery>,
) -> Result<Json<Vec<runs::RunRow>>, (StatusCode, String)> {
    let filter = RunFilter {
        pipeline: query.pipeline,
        since: query.since,
        before: query.before,
    };
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let mut conn = conn(&state).await?;
    runs::list(&mut conn, &filter, limit)
        .await
        .map(Json)
        .map_err(db_error)
}

/// `GET /runs/{id}`: the run and its streams.
#[derive(serde::Serialize)]
struct RunDetail {
    run: runs::RunRow,
    streams: Vec<stream_runs::StreamRun>,
}

async fn show_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RunDetail>, (StatusCode, String)> {
    let Ok(id) = id.parse::<i64>() else {
        return Err((StatusCode::BAD_REQUEST, format!("`{id}` is not a run id\n")));
    };
    let mut conn = conn(&state).await?;
    let Some(run) = runs::get(&mut conn, id).await.map_err(db_error)? else {
        return Err((StatusCode::NOT_FOUND, format!("no run {id}\n")));
    };
    let streams = stream_runs::of_run(&mut conn, id).await.map_err(db_error)?;
    Ok(Json(RunDetail { run, streams }))
}

/// `POST /runs/{pipeline}`: starts a run now (202), or says why not.
async fn start_run(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(pipeline): Path<String>,
) -> Result<(StatusCode, Json<serde_json::Value>), (StatusCode, String)> {
    require_admin(&state, &headers)?;
    match state.scheduler.start(&pipeline, "api") {
        Ok(()) => Ok((
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "pipeline": pipeline, "started": true })),
        )),
        Err(error) => {
            let status = match &error {
                StartError::Unknown(_) => StatusCode::NOT_FOUND,
                StartError::AlreadyRunning(_) => StatusCode::CONFLICT,
                StartError::Stopping => StatusCode::SERVICE_UNAVAILABLE,
                StartError::NotReady(_) => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Err((status, format!("{error}\n")))
        }
    }
}

/// `GET /events`: what happens, as server-sent events of JSON.
async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.events.subscribe();
    let stopping = state.scheduler.stopping();
    let stream = futures_util::stream::unfold(
        (receiver, stopping),
        |(mut receiver, mut stopping)| async move {
            let received = tokio::select! {
                received = receiver.recv() => received,
                // The server is stopping: the stream ends so it can close.
                _ = stopping.wait_for(|stop| *stop) => return None,
            };
            let data = match received {
                Ok(event) => serde_json::to_string(&event).unwrap_or_default(),
                // A slow reader missed some: tell it to read everything again.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    r#"{"type":"changed","what":"all"}"#.to_string()
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((Ok(Event::default().data(data)), (receiver, stopping)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
