//! The task that publishes the outbox to Supabase: every tick it reads
//! what is new after its cursor, sends one message per match (its latest
//! state and the tick's events), paced under the message rate, and only
//! then moves its cursor, in memory and in `live_sink_cursors`.

use std::collections::HashMap;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::Instrument;

use super::client::{Answer, BroadcastClient};
use super::fold::by_match;
use super::message::{Message, build};
use super::pacing::SendWindow;
use super::posts::{Post, body_limit, posts};
use super::{SINK, Settings};
use crate::db::{DbError, Pool};
use crate::internal_events::{
    InternalEvent, LiveSinkDbFailed, LiveSinkDelivered, LiveSinkEventsDropped, LiveSinkFailed,
    LiveSinkFailure, LiveSinkMessageSkipped,
};
use crate::state::live::{OutboxEvent, after};
use crate::state::live_sink::{self, MatchState};

/// Most outbox events one tick takes; the rest wait for the next.
const BATCH: i64 = 1_000;
/// First wait after a failed POST; doubled (with jitter) after each.
const MIN_RETRY: Duration = Duration::from_millis(500);
/// Longest wait between two attempts the backoff grows to.
const MAX_RETRY: Duration = Duration::from_secs(60);
/// Longest `Retry-After` honoured as it is.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// Shutdown began: the task ends, the cursor stays at the last POST
/// accepted.
struct Stopped;

/// The publishing task's state.
pub(super) struct Publisher {
    pool: Pool,
    client: BroadcastClient,
    settings: Settings,
    window: SendWindow,
    stopping: watch::Receiver<bool>,
    /// Delivered up to here (read from the database at the first tick).
    cursor: Option<i64>,
    /// What `live_sink_cursors` holds.
    saved: i64,
}

impl Publisher {
    /// A publisher reading `pool`'s outbox, ending when `stopping` turns
    /// true.
    pub(super) fn new(
        pool: Pool,
        client: BroadcastClient,
        settings: Settings,
        stopping: watch::Receiver<bool>,
    ) -> Self {
        Publisher {
            window: SendWindow::new(settings.max_messages_per_second),
            pool,
            client,
            settings,
            stopping,
            cursor: None,
            saved: 0,
        }
    }

    /// Publishes every tick until shutdown.
    pub(super) async fn run(mut self) {
        let mut ticks = tokio::time::interval(self.settings.tick);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = self.stopping.wait_for(|stop| *stop) => return,
            }
            let span = tracing::info_span!("live_sink", sink = SINK, after = tracing::field::Empty);
            if self.tick().instrument(span).await.is_err() {
                tracing::info!(sink = SINK, "live sink stopped");
                return;
            }
        }
    }

    /// One tick: what is new, sent, and the cursor moved past it.
    async fn tick(&mut self) -> Result<(), Stopped> {
        let read = async {
            let mut conn = self
                .pool
                .acquire()
                .await
                .map_err(DbError::query("acquiring a connection"))?;
            let from = match self.cursor {
                Some(seq) => seq,
                None => {
                    let seq = live_sink::cursor(&mut conn, SINK).await?;
                    self.saved = seq;
                    self.cursor = Some(seq);
                    seq
                }
            };
            tracing::Span::current().record("after", from);
            let events = after(&mut conn, from, BATCH).await?;
            let mut keys: Vec<&str> = events.iter().map(|e| e.match_key.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            let states = live_sink::states(&mut conn, &keys).await?;
            Ok::<_, DbError>((events, states))
        };
        let (events, states) = match read.await {
            Ok(read) => read,
            Err(error) => {
                LiveSinkDbFailed {
                    sink: SINK,
                    error: &error,
                }
                .emit();
                return Ok(());
            }
        };
        if let Some(last) = events.last() {
            let messages = self.messages(&events, &states);
            let posts = posts(
                &messages,
                self.settings.max_messages_per_second,
                body_limit(self.settings.max_payload_bytes),
                self.settings.private,
            );
            for post in posts {
                self.deliver(post).await?;
            }
            self.cursor = Some(last.seq);
        }
        self.save().await;
        Ok(())
    }

    /// One message per match of `events`, each under the payload limit.
    fn messages(&self, events: &[OutboxEvent], states: &[MatchState]) -> Vec<Message> {
        let states: HashMap<&str, &MatchState> =
            states.iter().map(|s| (s.match_key.as_str(), s)).collect();
        let limit = usize::try_from(self.settings.max_payload_bytes).unwrap_or(usize::MAX);
        let mut messages = Vec::new();
        for news in by_match(events) {
            let state = states.get(news.match_key).copied();
            match build(&news, state, &self.settings.topic_prefix, limit) {
                Ok(message) => {
                    if message.dropped > 0 {
                        LiveSinkEventsDropped {
                            sink: SINK,
                            match_key: &message.match_key,
                            dropped: message.dropped,
                            kept: message.events,
                            limit: self.settings.max_payload_bytes,
                        }
                        .emit();
                    }
                    messages.push(message);
                }
                Err(over) => LiveSinkMessageSkipped {
                    sink: SINK,
                    match_key: news.match_key,
                    bytes: over.bytes,
                    limit: self.settings.max_payload_bytes,
                }
                .emit(),
            }
        }
        messages
    }

    /// Sends `post` until it is accepted, within the message rate, waiting
    /// as asked after a 429 and with a growing wait after any other
    /// failure.
    async fn deliver(&mut self, post: Post) -> Result<(), Stopped> {
        let body = bytes::Bytes::from(post.body);
        let mut backoff = ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(MIN_RETRY)
            .with_max_delay(MAX_RETRY)
            .without_max_times()
            .build();
        loop {
            let ready = self.window.ready_at(post.messages, Instant::now());
            self.pause_until(ready).await?;
            let started = Instant::now();
            let answer = tokio::select! {
                answer = self.client.post(body.clone()) => answer,
                _ = self.stopping.wait_for(|stop| *stop) => return Err(Stopped),
            };
            let answered = Instant::now();
            self.window.record(post.messages, answered);
            let mut next = || backoff.next().unwrap_or(MAX_RETRY);
            let (failure, status, detail, wait) = match answer {
                Answer::Accepted => {
                    LiveSinkDelivered {
                        sink: SINK,
                        messages: post.messages as usize,
                        events: post.events,
                        bytes: body.len(),
                        elapsed: answered - started,
                    }
                    .emit();
                    return Ok(());
                }
                Answer::RateLimited(asked) => (
                    LiveSinkFailure::RateLimited,
                    Some(429),
                    "too many messages".to_string(),
                    asked.map_or_else(&mut next, |wait| wait.min(MAX_RETRY_AFTER)),
                ),
                Answer::Refused(status, detail) => {
                    (LiveSinkFailure::Refused, Some(status), detail, next())
                }
                Answer::Unreachable(detail) => (LiveSinkFailure::Unreachable, None, detail, next()),
            };
            LiveSinkFailed {
                sink: SINK,
                failure,
                status,
                detail: &detail,
                messages: post.messages as usize,
                retry_in: wait,
            }
            .emit();
            self.pause_until(answered + wait).await?;
        }
    }

    /// Waits until `at`, or returns early when shutdown begins.
    async fn pause_until(&mut self, at: Instant) -> Result<(), Stopped> {
        if *self.stopping.borrow() {
            return Err(Stopped);
        }
        tokio::select! {
            _ = tokio::time::sleep_until(at) => Ok(()),
            _ = self.stopping.wait_for(|stop| *stop) => Err(Stopped),
        }
    }

    /// Writes the cursor when it moved; a failure is tried again at the
    /// next tick (until then a restart would send those events again).
    async fn save(&mut self) {
        let Some(cursor) = self.cursor.filter(|c| *c > self.saved) else {
            return;
        };
        let saved = match self.pool.acquire().await {
            Ok(mut conn) => live_sink::advance(&mut conn, SINK, cursor).await,
            Err(e) => Err(DbError::query("acquiring a connection")(e)),
        };
        match saved {
            Ok(()) => self.saved = cursor,
            Err(error) => LiveSinkDbFailed {
                sink: SINK,
                error: &error,
            }
            .emit(),
        }
    }
}
