//! A pipeline's streams run at once, up to the pipeline's `concurrency`:
//! their fetches and plugin calls overlap, while their commits take turns,
//! and each stream's outcome is kept apart so the run's report reads in
//! config order whatever order the streams finished in.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::stream::{self, End};
use super::{Failure, FallbackServed, PreparedStream, RunOptions, Stores, provider_unavailable};
use crate::db::now_timestamp;
use crate::internal_events::{FallbackServing, InternalEvent, StreamFailed, StreamFinished};
use crate::state::stream_runs::StreamRun;
use crate::state::{LoadCounts, RunId};

/// Asks running runs to stop at their next request: each stream ends after
/// the batch it is loading commits, and keeps its checkpoint. `sluice
/// serve` raises it on SIGTERM and Ctrl-C.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    /// Asks every run holding this signal to stop.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether stopping was asked.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// What every stream of one run shares: its identity, its options, the
/// requests `--max-requests` still allows, and the turn to write.
pub struct RunContext {
    /// The run's id in `sluice_runs`.
    pub run_id: RunId,
    /// Pipeline name.
    pub pipeline: String,
    /// What the run was asked to do.
    pub options: RunOptions,
    /// The requests left under `--max-requests`, taken by any stream.
    pub requests: RequestAllowance,
    /// One batch (or one replace stream) writes at a time: SQLite has one
    /// writer anyway, and on PostgreSQL two batches of overlapping rows
    /// committing together could lock each other or both record the same
    /// odds move. Fetching and normalizing are what run side by side.
    write_turn: Semaphore,
    /// The run's quality checks and what its batches added up to.
    pub quality: crate::quality::RunQuality,
    /// Sealed in each batch's transaction when the run is a worker's unit.
    pub fence: Option<Arc<dyn crate::load::BatchFence>>,
}

impl RunContext {
    /// The shared state of run `run_id` of `pipeline`.
    pub fn new(
        run_id: RunId,
        pipeline: &str,
        options: RunOptions,
        stop: StopSignal,
        quality: Arc<crate::quality::QualityPlan>,
        fence: Option<Arc<dyn crate::load::BatchFence>>,
    ) -> Self {
        RunContext {
            run_id,
            pipeline: pipeline.to_string(),
            options,
            requests: RequestAllowance::new(options.max_requests, stop),
            write_turn: Semaphore::new(1),
            quality: crate::quality::RunQuality::new(quality),
            fence,
        }
    }

    /// Waits for the turn to write, held until the permit is dropped.
    pub async fn write_turn(&self) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed, so acquiring only waits.
        self.write_turn.acquire().await.ok()
    }
}

/// The requests a run may still make, shared by its streams so that
/// `--max-requests` bounds the run whichever streams make them, and none is
/// made once the run is asked to stop.
pub struct RequestAllowance {
    max: Option<u64>,
    taken: AtomicU64,
    reached: AtomicBool,
    stop: StopSignal,
}

impl RequestAllowance {
    /// At most `max` requests (unbounded when none), none after `stop`.
    pub fn new(max: Option<u64>, stop: StopSignal) -> Self {
        RequestAllowance {
            max,
            taken: AtomicU64::new(0),
            reached: AtomicBool::new(false),
            stop,
        }
    }

    /// Whether a request could still be taken: neither stopped nor at
    /// the limit.
    pub fn may_continue(&self) -> bool {
        !self.stop.is_stopped() && !self.reached()
    }

    /// Takes one request; false once the run has made all it may.
    pub fn take(&self) -> bool {
        if self.stop.is_stopped() {
            self.reached.store(true, Ordering::Release);
            return false;
        }
        let Some(max) = self.max else {
            return true;
        };
        let taken = self
            .taken
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok();
        if !taken {
            self.reached.store(true, Ordering::Release);
        }
        taken
    }

    /// Returns a request taken but never sent (the breaker or the quota
    /// refused it first).
    pub fn give_back(&self) {
        if self.max.is_some() {
            let _ = self
                .taken
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        }
    }

    /// Whether a stream was refused a request: no further stream starts.
    pub fn reached(&self) -> bool {
        self.reached.load(Ordering::Acquire)
    }
}

/// What one stream of the run (with the fallbacks that served for it)
/// loaded and what went wrong, kept apart until the run adds them up in
/// config order.
#[derive(Default)]
pub struct StreamOutcome {
    /// What its batches did.
    pub counts: LoadCounts,
    /// What went wrong, in order.
    pub failures: Vec<Failure>,
    /// Fallbacks that served in its place.
    pub fallbacks: Vec<FallbackServed>,
    /// Whether `--max-requests` ended it.
    pub stopped_at_limit: bool,
}

/// Runs `streams`, at most `concurrency` at once, starting them in config
/// order and none once `--max-requests` is reached. Returns one outcome per
/// stream that started, in config order.
pub async fn run_streams(
    streams: &[PreparedStream],
    stores: &Stores,
    run: &RunContext,
    concurrency: usize,
) -> Vec<StreamOutcome> {
    let mut outcomes: Vec<Option<StreamOutcome>> = Vec::new();
    let mut running = FuturesUnordered::new();
    let mut waiting = streams.iter().enumerate();
    loop {
        while running.len() < concurrency.max(1) && !run.requests.reached() {
            let Some((index, stream)) = waiting.next() else {
                break;
            };
            outcomes.push(None);
            running.push(async move { (index, with_fallbacks(stream, stores, run).await) });
        }
        let Some((index, outcome)) = running.next().await else {
            break;
        };
        if let Some(slot) = outcomes.get_mut(index) {
            *slot = Some(outcome);
        }
    }
    outcomes.into_iter().flatten().collect()
}

/// Runs `stream`, then each of its fallbacks in turn while the provider
/// that was asked is unavailable (breaker open, quota spent).
async fn with_fallbacks(
    stream: &PreparedStream,
    stores: &Stores,
    run: &RunContext,
) -> StreamOutcome {
    let mut outcome = StreamOutcome::default();
    let started_at = now_timestamp();
    let mut ended = stream::run(stream, stores, run, &mut outcome).await;
    let (mut serving, mut fallbacks) = (stream, stream.fallbacks.iter());
    while let Err(error) = &ended
        && provider_unavailable(error)
        && let Some(next) = fallbacks.next()
    {
        let reason = error.to_string();
        FallbackServing {
            stream: &serving.key,
            fallback: &next.key,
            error: &reason,
        }
        .emit();
        outcome.fallbacks.push(FallbackServed {
            stream_key: serving.key.clone(),
            fallback_key: next.key.clone(),
            reason,
        });
        serving = next;
        ended = stream::run(next, stores, run, &mut outcome).await;
    }
    if matches!(ended, Ok(End::Finished)) && std::ptr::eq(serving, stream) {
        ended = poll_stale_fallbacks(stream, stores, run, &mut outcome).await;
    }
    let mut error_line = None;
    match ended {
        Ok(End::Finished) => {}
        Ok(End::RequestLimit) => outcome.stopped_at_limit = true,
        Err(error) => {
            StreamFailed {
                stream: &stream.key,
                error: &error,
            }
            .emit();
            error_line = Some(error.to_string());
            outcome.failures.push(Failure {
                stream_key: serving.key.clone(),
                quarantined: false,
                error,
            });
        }
    }
    record_stream_run(
        stream, serving, stores, run, &outcome, started_at, error_line,
    )
    .await;
    outcome
}

/// After a live stream's own poll: when its provider left matches in
/// play unchanged past the stream's `stale_after` (or a fallback serves
/// some already), its fallbacks are polled too, in order until one
/// finishes, so that the matches' trackers can hand over to a provider
/// that has news. Their events go through the same trackers: nothing is
/// told twice.
async fn poll_stale_fallbacks(
    stream: &PreparedStream,
    stores: &Stores,
    run: &RunContext,
    outcome: &mut StreamOutcome,
) -> Result<End, super::RunError> {
    let Some(live) = stream.live else {
        return Ok(End::Finished);
    };
    if stream.fallbacks.is_empty() || !run.requests.may_continue() {
        return Ok(End::Finished);
    }
    let space = stream.plugin.manifest().provider.clone();
    let fallbacks: Vec<String> = stream
        .fallbacks
        .iter()
        .map(|f| f.plugin.manifest().provider.clone())
        .filter(|f| *f != space)
        .collect();
    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::seconds(live.stale_after_secs);
    let stale = async {
        let mut conn = stores
            .state
            .pool()
            .acquire()
            .await
            .map_err(crate::db::DbError::query("looking for stale live matches"))?;
        crate::state::live::needing_fallback(
            &mut conn,
            &space,
            &fallbacks,
            &crate::db::timestamp(cutoff),
        )
        .await
    }
    .await?;
    if stale == 0 {
        return Ok(End::Finished);
    }
    let mut ended = Ok(End::Finished);
    for next in &stream.fallbacks {
        crate::internal_events::LiveFallbackPolled {
            stream: &stream.key,
            fallback: &next.key,
            matches: stale,
        }
        .emit();
        ended = stream::run(next, stores, run, outcome).await;
        if ended.is_ok() {
            break;
        }
    }
    ended
}

/// Stores how `stream` went (served last by `serving`) and counts it in the
/// metrics. A dry run stores nothing; a failure to store is logged and the
/// run goes on: the rows and checkpoints it loaded are already committed.
async fn record_stream_run(
    stream: &PreparedStream,
    serving: &PreparedStream,
    stores: &Stores,
    run: &RunContext,
    outcome: &StreamOutcome,
    started_at: String,
    error: Option<String>,
) {
    let status = if error.is_some() {
        "failed"
    } else if outcome.failures.is_empty() {
        "succeeded"
    } else {
        "partial"
    };
    let counts = &outcome.counts;
    let total = counts.total();
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let row = StreamRun {
        run_id: run.run_id,
        pipeline: run.pipeline.clone(),
        stream_key: stream.key.clone(),
        provider: serving.provider.clone(),
        stream: stream.stream.clone(),
        status: status.to_string(),
        started_at,
        finished_at: now_timestamp(),
        error,
        requests: n(counts.requests),
        records_in: n(counts.records_in()),
        inserted: n(total.inserted),
        updated: n(total.updated),
        unchanged: n(total.unchanged),
        quarantined: n(counts.quarantined),
    };
    // A dry run stores nothing; a stream stopped before its first request
    // (`--max-requests`, shutdown) did not run.
    if run.options.mode == crate::state::RunMode::DryRun
        || (outcome.stopped_at_limit && counts.requests == 0 && row.error.is_none())
    {
        return;
    }
    let stored = stores.state.record_stream_run(&row).await;
    StreamFinished {
        pipeline: &row.pipeline,
        stream_key: &row.stream_key,
        provider: &row.provider,
        stream: &row.stream,
        status: &row.status,
        records_in: row.records_in,
        inserted: row.inserted,
        updated: row.updated,
        unchanged: row.unchanged,
        quarantined: row.quarantined,
        not_stored: stored.as_ref().err(),
    }
    .emit();
}
