//! Runs pipelines on their schedules and on demand, never two runs of one
//! pipeline at once: a tick that finds the previous run still going is
//! skipped and counted, a run missed while the process was down is caught
//! up once at start, and on shutdown no run starts while the running ones
//! stop at their next request.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{Notify, broadcast, watch};

use super::events::ServeEvent;
use crate::alerts::Alerter;
use crate::config::{LoadedConfig, Schedule};
use crate::internal_events::{
    InternalEvent, RunNotStarted, RunTriggered, RunsAbandoned, TickSkipped,
};
use crate::pipeline::{self, PluginSource, RunError, RunOptions, RunReport, StopSignal, Stores};
use crate::plugin::PluginRegistry;
use crate::state::RunMode;

/// Why a run was not started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The config has no such pipeline.
    #[error("no pipeline `{0}` in the config")]
    Unknown(String),
    /// A run of it is going; it is not queued.
    #[error("a run of `{0}` is already going")]
    AlreadyRunning(String),
    /// The server is shutting down.
    #[error("sluice serve is shutting down")]
    Stopping,
    /// Its checks failed before the first request (a plugin missing, a
    /// token not set).
    #[error("{0}")]
    NotReady(String),
}

/// Starts runs; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    alerter: Option<Alerter>,
    config: Arc<LoadedConfig>,
    registry: Arc<PluginRegistry>,
    stores: Stores,
    events: broadcast::Sender<ServeEvent>,
    running: Mutex<BTreeSet<String>>,
    stop: StopSignal,
    stopping: watch::Sender<bool>,
    run_ended: Notify,
}

impl Scheduler {
    /// A scheduler over `config`'s pipelines, with the plugins `registry`
    /// publishes when each run starts.
    /// After each run, the plugins it saw trapped are reported to
    /// `alerter`, which evaluates its rules at once.
    pub fn new(
        config: Arc<LoadedConfig>,
        registry: Arc<PluginRegistry>,
        stores: Stores,
        events: broadcast::Sender<ServeEvent>,
        alerter: Option<Alerter>,
    ) -> Self {
        Scheduler {
            inner: Arc::new(Inner {
                alerter,
                config,
                registry,
                stores,
                events,
                running: Mutex::new(BTreeSet::new()),
                stop: StopSignal::default(),
                stopping: watch::channel(false).0,
                run_ended: Notify::new(),
            }),
        }
    }

    /// Turns true when shutdown begins: long-lived answers (`/events`)
    /// end then, so the server can close.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.inner.stopping.subscribe()
    }

    /// The pipelines running now.
    pub fn running(&self) -> Vec<String> {
        self.lock_running().iter().cloned().collect()
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.inner
            .running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `prepared`'s streams as work units for `sluice worker`, in
    /// the background: a unit queued or running already is left alone.
    fn queue_for_workers(&self, prepared: crate::pipeline::PreparedPipeline, trigger: &str) {
        let pool = self.inner.stores.state.pool().clone();
        let trigger = trigger.to_string();
        tokio::spawn(async move {
            match crate::workers::enqueue_prepared(&pool, &prepared).await {
                Ok(enqueued) => tracing::info!(
                    pipeline = %prepared.name,
                    trigger,
                    queued = enqueued.queued.len(),
                    pending = enqueued.pending.len(),
                    "units queued for workers"
                ),
                Err(error) => RunNotStarted {
                    pipeline: &prepared.name,
                    error: &error,
                }
                .emit(),
            }
        });
    }

    /// Starts a run of `pipeline` now, in the background; `trigger` says
    /// why (`schedule`, `catch-up`, `api`).
    pub fn start(&self, pipeline: &str, trigger: &str) -> Result<(), StartError> {
        let inner = &self.inner;
        if !inner.config.config.pipelines.contains_key(pipeline) {
            return Err(StartError::Unknown(pipeline.to_string()));
        }
        let mut running = self.lock_running();
        // Checked under the lock `shutdown` raises the signal under, so a
        // run either starts before shutdown looks or not at all.
        if inner.stop.is_stopped() {
            return Err(StartError::Stopping);
        }
        if running.contains(pipeline) {
            return Err(StartError::AlreadyRunning(pipeline.to_string()));
        }
        let prepared = pipeline::prepare(
            &inner.config,
            pipeline,
            PluginSource::Registry(&inner.registry),
        )
        .map_err(|error| {
            RunNotStarted {
                pipeline,
                error: &error,
            }
            .emit();
            StartError::NotReady(error.to_string())
        })?;
        if inner
            .config
            .config
            .workers
            .pipelines
            .iter()
            .any(|p| p == pipeline)
        {
            drop(running);
            self.queue_for_workers(prepared, trigger);
            return Ok(());
        }
        running.insert(pipeline.to_string());
        drop(running);
        RunTriggered {
            pipeline,
            trigger,
            running: true,
        }
        .emit();
        let _ = inner.events.send(ServeEvent::RunStarted {
            pipeline: pipeline.to_string(),
            trigger: trigger.to_string(),
        });
        let scheduler = self.clone();
        let pipeline = pipeline.to_string();
        tokio::spawn(async move {
            let inner = &scheduler.inner;
            let options = RunOptions {
                mode: RunMode::Run,
                ..RunOptions::default()
            };
            // The run in a task of its own: should it panic, the pipeline
            // is still released, and its row does not stay `running`.
            let run = tokio::spawn({
                let (stores, stop) = (inner.stores.clone(), inner.stop.clone());
                async move { pipeline::run_until(&prepared, &stores, options, stop).await }
            });
            let outcome = match run.await {
                Ok(outcome) => Some(outcome),
                Err(panicked) => {
                    let why =
                        format!("abandoned: the run stopped on an internal error ({panicked})");
                    RunNotStarted {
                        pipeline: &pipeline,
                        error: &why,
                    }
                    .emit();
                    if let Ok(mut conn) = inner.stores.state.pool().acquire().await
                        && let Ok(runs) =
                            crate::state::runs::abandon_running(&mut conn, &why, Some(&pipeline))
                                .await
                    {
                        RunsAbandoned {
                            runs: &runs,
                            why: &why,
                        }
                        .emit();
                    }
                    None
                }
            };
            let (run_id, status) = match &outcome {
                None => (None, "abandoned".to_string()),
                Some(Ok(report)) => {
                    if let Some(alerter) = &inner.alerter {
                        report_traps(alerter, report);
                    }
                    (Some(report.run_id), report.status.as_str().to_string())
                }
                Some(Err(error)) => {
                    RunNotStarted {
                        pipeline: &pipeline,
                        error,
                    }
                    .emit();
                    (None, "failed".to_string())
                }
            };
            scheduler.lock_running().remove(&pipeline);
            RunTriggered {
                pipeline: &pipeline,
                trigger: "",
                running: false,
            }
            .emit();
            let _ = inner.events.send(ServeEvent::RunFinished {
                pipeline,
                run_id,
                status,
            });
            inner.run_ended.notify_waiters();
            if let Some(alerter) = &inner.alerter
                && let Err(error) = alerter.evaluate_now().await
            {
                tracing::error!(%error, "alerts not evaluated after the run");
            }
        });
        Ok(())
    }

    /// Runs every scheduled pipeline of the config on its schedule until
    /// shutdown.
    pub fn spawn_schedules(&self) {
        for (name, pipeline) in &self.inner.config.config.pipelines {
            if let Some(schedule) = &pipeline.schedule {
                tokio::spawn(self.clone().schedule(name.clone(), schedule.clone()));
            }
        }
    }

    async fn schedule(self, pipeline: String, schedule: Schedule) {
        if let Schedule::Live { every, lead } = schedule {
            return self.live(pipeline, every, lead).await;
        }
        let mut stopping = self.inner.stopping.subscribe();
        // Caught up once: a run due while the process was down (or never
        // run at all) starts now, however many ticks were missed.
        let last = crate::state::runs::last_started(
            &mut match self.inner.stores.state.pool().acquire().await {
                Ok(conn) => conn,
                Err(error) => {
                    tracing::error!(%pipeline, %error, "cannot read the pipeline's last run; its schedule starts from now");
                    return self.ticks(pipeline, schedule, stopping).await;
                }
            },
            &pipeline,
        )
        .await;
        let due = match last {
            Ok(Some(started)) => OffsetDateTime::parse(&started, &Rfc3339)
                .ok()
                .and_then(|at| {
                    schedule
                        .next_after_ms(i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()?)
                })
                .is_none_or(|due| due <= now_ms()),
            Ok(None) => true,
            Err(error) => {
                tracing::error!(%pipeline, %error, "cannot read the pipeline's last run");
                false
            }
        };
        if due && !*stopping.borrow_and_update() {
            self.start_or_skip(&pipeline, "catch-up");
        }
        self.ticks(pipeline, schedule, stopping).await;
    }

    async fn ticks(
        self,
        pipeline: String,
        schedule: Schedule,
        mut stopping: watch::Receiver<bool>,
    ) {
        let mut after = now_ms();
        loop {
            let Some(next) = schedule.next_after_ms(after) else {
                tracing::warn!(%pipeline, schedule = %schedule.describe(), "the schedule has no later time; no more runs");
                return;
            };
            let wait = Duration::from_millis(u64::try_from(next - now_ms()).unwrap_or(0));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopping.wait_for(|stop| *stop) => return,
            }
            // The next tick counts from now: a process that slept through
            // several ticks runs once, not once per tick.
            after = next.max(now_ms());
            self.start_or_skip(&pipeline, "schedule");
        }
    }

    /// A live schedule: every cadence, a run if a match is in play or
    /// about to start; otherwise none.
    async fn live(self, pipeline: String, every: Duration, lead: Duration) {
        let inner = &self.inner;
        let pipeline = &pipeline;
        let cadence = super::in_play::cadence(&inner.config, &inner.registry, pipeline, every);
        if cadence > every {
            tracing::info!(
                %pipeline,
                asked_s = every.as_secs_f64(),
                cadence_s = cadence.as_secs_f64(),
                "live schedule slowed to the providers' refresh interval"
            );
        }
        let in_play = || async move {
            let spaces = super::in_play::id_spaces(&inner.config, &inner.registry, pipeline);
            let in_play = match inner.stores.state.pool().acquire().await {
                Ok(mut conn) => {
                    super::in_play::any_in_play(&mut conn, &spaces, OffsetDateTime::now_utc(), lead)
                        .await
                }
                Err(e) => Err(crate::db::DbError::query("acquiring a connection")(e)),
            };
            in_play.unwrap_or_else(|error| {
                tracing::error!(%pipeline, %error, "cannot tell whether a match is in play");
                false
            })
        };
        let stopping = self.inner.stopping.subscribe();
        super::in_play::gate(
            cadence,
            in_play,
            || self.start_or_skip(pipeline, "live"),
            stopping,
        )
        .await;
    }

    fn start_or_skip(&self, pipeline: &str, trigger: &str) {
        match self.start(pipeline, trigger) {
            Ok(()) | Err(StartError::Stopping) | Err(StartError::NotReady(_)) => {}
            Err(StartError::AlreadyRunning(_)) => {
                TickSkipped { pipeline }.emit();
                let _ = self.inner.events.send(ServeEvent::TickSkipped {
                    pipeline: pipeline.to_string(),
                });
            }
            Err(error @ StartError::Unknown(_)) => {
                tracing::error!(%pipeline, %error, "scheduled run not started");
            }
        }
    }

    /// Starts no more runs and asks the running ones to stop at their next
    /// request; waits up to `grace` for them to commit and end. Returns the
    /// pipelines still running when the grace period ran out.
    pub async fn shutdown(&self, grace: Duration) -> Vec<String> {
        {
            let _running = self.lock_running();
            self.inner.stop.stop();
        }
        self.inner.stopping.send_replace(true);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let ended = self.inner.run_ended.notified();
            let running = self.running();
            if running.is_empty() {
                return running;
            }
            if tokio::time::timeout_at(deadline, ended).await.is_err() {
                return self.running();
            }
        }
    }
}

/// Tells `alerter` of every plugin trap among the run's failures.
fn report_traps(alerter: &Alerter, report: &RunReport) {
    for failure in &report.failures {
        let trapped = match &failure.error {
            RunError::Normalize { source, .. } | RunError::Plugin(source) => {
                source.trapped_plugin()
            }
            _ => None,
        };
        if let Some(plugin) = trapped {
            alerter.report_plugin_trap(plugin);
        }
    }
}

fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
