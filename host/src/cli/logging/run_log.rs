//! Run logs kept in the database: a layer that takes the events inside a
//! span carrying `run_id` and hands them, without waiting, to a background
//! task that writes them in batches, at most `log_lines_per_run` per run.
//! A full channel drops the line and counts it, so logging never slows a
//! run.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::fields::{FieldMap, SpanFields};
use crate::db::{Pool, now_timestamp};
use crate::state::RunId;
use crate::state::run_logs::{self, RunLogLine};

/// Lines waiting for the writer; beyond this they are dropped.
const CHANNEL_LINES: usize = 8192;
/// Most lines written in one transaction.
const BATCH_LINES: usize = 512;
/// A run not heard of for this long is forgotten by the writer.
const FORGET_AFTER: Duration = Duration::from_secs(6 * 3600);

/// What the layer sends the writer.
enum ToWriter {
    /// A line of a run, not yet numbered.
    Line {
        run_id: RunId,
        at: String,
        level: &'static str,
        message: String,
        fields: String,
    },
    /// Answered once every line sent before it is written.
    Flush(oneshot::Sender<()>),
}

/// The writer's end, set once a command opened the database.
static WRITER: OnceLock<mpsc::Sender<ToWriter>> = OnceLock::new();

/// Starts the writer on `pool`: from now on the events of runs are kept,
/// at most `lines_per_run` per run. A second call changes nothing.
pub fn attach(pool: Pool, lines_per_run: u32) {
    if WRITER.get().is_some() {
        return;
    }
    let (sender, receiver) = mpsc::channel(CHANNEL_LINES);
    if WRITER.set(sender).is_ok() {
        tokio::spawn(write_lines(pool, lines_per_run, receiver));
    }
}

/// Waits (at most `timeout`) until every line sent so far is written.
pub async fn flush(timeout: Duration) {
    let Some(sender) = WRITER.get() else {
        return;
    };
    let (done, written) = oneshot::channel();
    // Both the wait for room in the queue and the wait for the write are
    // bounded: a database that is gone must not hold the exit.
    let _ = tokio::time::timeout(timeout, async {
        if sender.send(ToWriter::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    })
    .await;
}

/// The layer; it does nothing until [`attach`] was called.
#[derive(Debug, Default)]
pub struct RunLogLayer;

impl<S> tracing_subscriber::Layer<S> for RunLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut fields = FieldMap::default();
        attrs.record(&mut fields);
        span.extensions_mut().insert(SpanFields(fields.fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut fields = FieldMap::default();
        values.record(&mut fields);
        let mut extensions = span.extensions_mut();
        if let Some(known) = extensions.get_mut::<SpanFields>() {
            known.0.extend(fields.fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(writer) = WRITER.get() else {
            return;
        };
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        let mut fields = serde_json::Map::new();
        for span in scope.from_root() {
            if let Some(known) = span.extensions().get::<SpanFields>() {
                fields.extend(known.0.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let Some(run_id) = fields.remove("run_id").and_then(|v| v.as_i64()) else {
            return;
        };
        let mut own = FieldMap::default();
        event.record(&mut own);
        fields.extend(own.fields);
        let line = ToWriter::Line {
            run_id,
            at: now_timestamp(),
            level: event.metadata().level().as_str(),
            message: own.message.unwrap_or_default(),
            fields: serde_json::Value::Object(fields).to_string(),
        };
        if writer.try_send(line).is_err() {
            metrics::counter!("sluice_run_log_lines_dropped_total").increment(1);
        }
    }
}

/// What the writer knows of one run.
struct RunTally {
    written: u32,
    dropped: u64,
    seen: Instant,
}

/// The background task: numbers each run's lines, keeps the first
/// `lines_per_run`, and counts the rest in one closing line.
async fn write_lines(pool: Pool, lines_per_run: u32, mut receiver: mpsc::Receiver<ToWriter>) {
    let mut runs: HashMap<RunId, RunTally> = HashMap::new();
    while let Some(first) = receiver.recv().await {
        let mut kept = Vec::new();
        let mut over: Vec<RunId> = Vec::new();
        let mut flushed = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                ToWriter::Flush(done) => flushed.push(done),
                ToWriter::Line {
                    run_id,
                    at,
                    level,
                    message,
                    fields,
                } => {
                    let tally = runs.entry(run_id).or_insert(RunTally {
                        written: 0,
                        dropped: 0,
                        seen: Instant::now(),
                    });
                    tally.seen = Instant::now();
                    if tally.written < lines_per_run {
                        tally.written += 1;
                        kept.push(RunLogLine {
                            run_id,
                            seq: i64::from(tally.written),
                            at,
                            level: level.to_string(),
                            message,
                            fields,
                        });
                    } else {
                        tally.dropped += 1;
                        if !over.contains(&run_id) {
                            over.push(run_id);
                        }
                    }
                }
            }
            if kept.len() < BATCH_LINES {
                next = receiver.try_recv().ok();
            }
        }
        let dropped: Vec<(RunId, u64)> = over
            .iter()
            .filter_map(|id| runs.get(id).map(|t| (*id, t.dropped)))
            .collect();
        if let Err(error) = store(&pool, &kept, &dropped, lines_per_run).await {
            metrics::counter!("sluice_run_log_lines_dropped_total").increment(kept.len() as u64);
            tracing::warn!(%error, lines = kept.len(), "could not keep the run's log lines");
        }
        for done in flushed {
            let _ = done.send(());
        }
        runs.retain(|_, tally| tally.seen.elapsed() < FORGET_AFTER);
    }
}

/// Writes one batch of lines, and the closing line of each run over its
/// bound, in one transaction.
async fn store(
    pool: &Pool,
    kept: &[RunLogLine],
    dropped: &[(RunId, u64)],
    lines_per_run: u32,
) -> Result<(), crate::db::DbError> {
    use crate::db::DbError;
    if kept.is_empty() && dropped.is_empty() {
        return Ok(());
    }
    let mut tx = pool
        .begin()
        .await
        .map_err(DbError::query("keeping the run's log lines"))?;
    run_logs::insert(&mut tx, kept).await?;
    let at = now_timestamp();
    for (run_id, count) in dropped {
        run_logs::record_dropped(&mut tx, *run_id, i64::from(lines_per_run) + 1, &at, *count)
            .await?;
    }
    tx.commit()
        .await
        .map_err(DbError::query("keeping the run's log lines"))
}
