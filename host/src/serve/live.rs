//! `GET /live/events`: the live outbox as server-sent events. Each event's
//! `id` is its sequence number, so a client that reconnects with
//! `Last-Event-ID` (or `?after=SEQ`) gets what it missed, with no gap and
//! no duplicate; `?event=ID` and `?kind=goal,goal_cancelled` filter.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;

use super::state::AppState;
use crate::state::live::{OutboxEvent, after};

/// How often the outbox is read for what is new.
const POLL: Duration = Duration::from_millis(200);
/// Most events one read takes.
const BATCH: i64 = 500;
/// The longest silence before a comment line keeps the connection open.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// `?after=SEQ&event=ID&kind=K1,K2`.
#[derive(Debug, Default, Deserialize)]
pub struct LiveQuery {
    after: Option<i64>,
    event: Option<String>,
    kind: Option<String>,
}

impl LiveQuery {
    fn wants(&self, event: &OutboxEvent) -> bool {
        self.event.as_ref().is_none_or(|id| *id == event.event)
            && self
                .kind
                .as_ref()
                .is_none_or(|kinds| kinds.split(',').any(|k| k.trim() == event.kind))
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
    let stream = futures_util::stream::unfold(
        (state, query, seq, pending, stopping),
        |(state, query, mut seq, mut pending, mut stopping)| async move {
            loop {
                if let Some(next) = pending.pop_front() {
                    let event = Event::default()
                        .id(next.seq.to_string())
                        .event(next.kind.clone())
                        .data(next.payload.clone());
                    return Some((Ok(event), (state, query, seq, pending, stopping)));
                }
                if *stopping.borrow() {
                    return None;
                }
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
                        _ = tokio::time::sleep(POLL) => {}
                        _ = stopping.wait_for(|stop| *stop) => return None,
                    }
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT))
}
