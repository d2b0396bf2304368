//! `GET /live/events`: the live outbox as server-sent events. Each event's
//! `id` is its sequence number, so a client that reconnects with
//! `Last-Event-ID` (or `?after=SEQ`) gets what it missed, with no gap and
//! no duplicate; `?competition=`, `?match=`, `?event=` (the provider's id)
//! and `?kind=goal,goal_cancelled` filter, each a comma-separated list.
//! `GET /live/matches`: the matches in play as JSON, with the sequence
//! number to follow `/live/events` from.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;

use super::http::{ApiError, db_error};
use super::state::AppState;
use crate::state::live::{OutboxEvent, after, outbox_commits};
use crate::state::live_views::{self, LiveBoard};

/// How often the outbox is read for what is new when no commit of this
/// process said so (another process's commits).
const POLL: Duration = Duration::from_millis(200);
/// Most events one read takes.
const BATCH: i64 = 500;
/// The longest silence before a comment line keeps the connection open.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// `?after=SEQ&competition=C1,C2&match=M1,M2&event=ID&kind=K1,K2`: each
/// filter a comma-separated list, any of whose values passes.
#[derive(Debug, Default, Deserialize)]
pub struct LiveQuery {
    after: Option<i64>,
    competition: Option<String>,
    #[serde(rename = "match")]
    match_key: Option<String>,
    event: Option<String>,
    kind: Option<String>,
}

/// Whether `value` is one of the comma-separated `list`, or there is no list.
fn any_of(list: Option<&String>, value: Option<&str>) -> bool {
    list.is_none_or(|list| value.is_some_and(|v| list.split(',').any(|item| item.trim() == v)))
}

impl LiveQuery {
    fn wants(&self, event: &OutboxEvent) -> bool {
        any_of(self.competition.as_ref(), event.competition.as_deref())
            && any_of(self.match_key.as_ref(), Some(&event.match_key))
            && any_of(self.event.as_ref(), Some(&event.event))
            && any_of(self.kind.as_ref(), Some(&event.kind))
    }
}

/// The event's data: its payload with its sequence number added.
pub fn data_of(event: &OutboxEvent) -> String {
    match serde_json::from_str::<serde_json::Value>(&event.payload) {
        Ok(serde_json::Value::Object(mut object)) => {
            object.insert("seq".to_string(), event.seq.into());
            serde_json::Value::Object(object).to_string()
        }
        _ => event.payload.clone(),
    }
}

/// The stream; it ends when the server stops.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LiveQuery>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let seq = resume.or(query.after).unwrap_or(0);
    let stopping = state.scheduler.stopping();
    let pending: std::collections::VecDeque<OutboxEvent> = Default::default();
    let commits = outbox_commits();
    let stream = futures_util::stream::unfold(
        (state, query, seq, pending, stopping, commits),
        |(state, query, mut seq, mut pending, mut stopping, mut commits)| async move {
            loop {
                if let Some(next) = pending.pop_front() {
                    let event = Event::default()
                        .id(next.seq.to_string())
                        .event(next.kind.clone())
                        .data(data_of(&next));
                    return Some((Ok(event), (state, query, seq, pending, stopping, commits)));
                }
                if *stopping.borrow() {
                    return None;
                }
                // Seen before reading: a commit after this wakes the wait.
                commits.borrow_and_update();
                let read = match state.stores.state.pool().acquire().await {
                    Ok(mut conn) => after(&mut conn, seq, BATCH).await.ok(),
                    Err(_) => None,
                };
                let read = read.unwrap_or_default();
                if let Some(last) = read.last() {
                    seq = last.seq;
                }
                let empty = read.is_empty();
                pending.extend(read.into_iter().filter(|e| query.wants(e)));
                if empty {
                    tokio::select! {
                        _ = commits.changed() => {}
                        _ = tokio::time::sleep(POLL) => {}
                        _ = stopping.wait_for(|stop| *stop) => return None,
                    }
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT))
}

/// Minutes a finished match stays on `/live/matches` unless `?minutes=` says.
const ENDED_MINUTES: i64 = 30;
/// The longest `?minutes=` (a week).
const MAX_ENDED_MINUTES: i64 = 7 * 24 * 60;

/// `?minutes=N`: how long a finished match stays listed.
#[derive(Debug, Default, Deserialize)]
pub struct MatchesQuery {
    minutes: Option<i64>,
}

/// The matches in play and those finished within the last `minutes`, with
/// the outbox's newest `seq` read in the same snapshot: following
/// `/live/events?after=SEQ` from it continues exactly where they stand.
pub async fn matches(
    State(state): State<AppState>,
    Query(query): Query<MatchesQuery>,
) -> Result<Json<LiveBoard>, ApiError> {
    let minutes = query.minutes.unwrap_or(ENDED_MINUTES);
    if !(0..=MAX_ENDED_MINUTES).contains(&minutes) {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("`minutes` must be between 0 and {MAX_ENDED_MINUTES}, not {minutes}\n"),
        ));
    }
    let since = time::OffsetDateTime::now_utc() - time::Duration::minutes(minutes);
    let board = live_views::board(state.stores.state.pool(), &crate::db::timestamp(since))
        .await
        .map_err(db_error)?;
    Ok(Json(board))
}
