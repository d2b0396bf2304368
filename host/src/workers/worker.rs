//! One `sluice worker` process: `concurrency` slots, each claiming a unit
//! from the queue, running its stream with the unit's fence in every
//! batch's transaction while its lease is renewed, and ending it; idle
//! slots ask the queue again after a poll.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::time::Instant;
use tracing::Instrument;

use super::events::{UnitClaimed, UnitEnded};
use super::fence::UnitFence;
use super::queue::{Claim, Ending, Enqueued, UnitQueue};
use super::rate::SharedRateRow;
use super::{WorkerError, units};
use crate::config::{LoadedConfig, WorkersConfig, WriteDisposition};
use crate::db::without_password;
use crate::internal_events::InternalEvent;
use crate::pipeline::{
    self, PluginSource, PreparedPipeline, RunError, RunOptions, RunReport, StopSignal, Stores,
};
use crate::plugin::{PluginEngine, PluginRegistry};

/// How a worker takes and holds units.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Units run at once.
    pub concurrency: usize,
    /// How long a claimed unit stays hidden without news, in seconds.
    pub visibility_secs: u32,
    /// How often a running unit's lease is renewed.
    pub renew_every: Duration,
    /// How long an idle slot waits before asking the queue again.
    pub poll: Duration,
}

impl WorkerSettings {
    /// The settings of `[workers]`, with `concurrency` overriding its own.
    pub fn new(config: &WorkersConfig, concurrency: Option<usize>) -> Self {
        WorkerSettings {
            concurrency: concurrency.unwrap_or(config.concurrency).max(1),
            visibility_secs: config.visibility_secs(),
            renew_every: config.renew_every(),
            poll: config.poll.0,
        }
    }
}

/// Opens the database at `url` for workers: its schema brought up to date,
/// and a pool of `connections` for the queue and the shared limits.
/// Anything but PostgreSQL is refused, saying why.
pub async fn postgres_pool(url: &str, connections: u32) -> Result<(Stores, PgPool), WorkerError> {
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
        return Err(WorkerError::NeedsPostgres {
            url: without_password(url),
        });
    }
    let stores = Stores::connect(url).await?;
    let pool = PgPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .connect(url)
        .await
        .map_err(|source| WorkerError::Sql {
            doing: "connecting the queue's pool",
            source,
        })?;
    Ok((stores, pool))
}

/// Where a worker's plugins come from: compiled from the folder for one
/// `sluice enqueue`, or compiled once when a worker starts and used by each
/// of its units.
#[derive(Clone)]
pub enum Plugins {
    /// The config's plugin folder, compiled for this use.
    Dir(Arc<PluginEngine>),
    /// A registry loaded once.
    Registry(Arc<PluginRegistry>),
}

/// Prepares `pipeline` off the async threads (plugins may compile there).
async fn prepare(
    config: &Arc<LoadedConfig>,
    plugins: &Plugins,
    pipeline: &str,
) -> Result<PreparedPipeline, WorkerError> {
    let (config, plugins, pipeline) = (config.clone(), plugins.clone(), pipeline.to_string());
    tokio::task::spawn_blocking(move || {
        let source = match &plugins {
            Plugins::Dir(engine) => PluginSource::Dir(engine),
            Plugins::Registry(registry) => PluginSource::Registry(registry),
        };
        pipeline::prepare(&config, &pipeline, source)
    })
    .await
    .map_err(|e| RunError::Aborted(e.to_string()))?
    .map_err(WorkerError::from)
}

/// Queues one unit per stream of `pipeline` (`sluice enqueue`).
pub async fn enqueue_pipeline(
    config: &Arc<LoadedConfig>,
    engine: &Arc<PluginEngine>,
    pipeline: &str,
    queue: &UnitQueue,
) -> Result<Enqueued, WorkerError> {
    let prepared = prepare(config, &Plugins::Dir(engine.clone()), pipeline).await?;
    if let Some(stream) = prepared
        .streams
        .iter()
        .find(|s| matches!(s.write, WriteDisposition::Replace))
    {
        return Err(WorkerError::ReplaceStream {
            stream_key: stream.key.clone(),
        });
    }
    let keys: Vec<String> = prepared.streams.iter().map(|s| s.key.clone()).collect();
    queue.enqueue(pipeline, &keys).await
}

/// Queues one unit per stream of `prepared` in the database of `pool`
/// (`sluice serve`'s scheduler, for the pipelines `[workers] pipelines`
/// names).
pub async fn enqueue_prepared(
    pool: &crate::db::Pool,
    prepared: &PreparedPipeline,
) -> Result<Enqueued, WorkerError> {
    let crate::db::Pool::Postgres(pool) = pool else {
        return Err(WorkerError::NeedsPostgres {
            url: "sqlite://…".to_string(),
        });
    };
    if let Some(stream) = prepared
        .streams
        .iter()
        .find(|s| matches!(s.write, WriteDisposition::Replace))
    {
        return Err(WorkerError::ReplaceStream {
            stream_key: stream.key.clone(),
        });
    }
    let queue = UnitQueue::open(pool.clone()).await?;
    let keys: Vec<String> = prepared.streams.iter().map(|s| s.key.clone()).collect();
    queue.enqueue(&prepared.name, &keys).await
}

/// A worker process's slots and what they share.
pub struct Worker {
    id: String,
    config: Arc<LoadedConfig>,
    plugins: Plugins,
    stores: Stores,
    queue: UnitQueue,
    settings: WorkerSettings,
    rates: tokio::sync::Mutex<HashMap<String, Arc<SharedRateRow>>>,
}

impl Worker {
    /// A worker named after this host and process, its units' plugins
    /// from `registry`, compiled once.
    pub fn new(
        config: Arc<LoadedConfig>,
        registry: Arc<PluginRegistry>,
        stores: Stores,
        queue: UnitQueue,
        settings: WorkerSettings,
    ) -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_string());
        let suffix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() % 10_000)
            .unwrap_or_default();
        Worker {
            id: format!("{host}:{}:{suffix:04}", std::process::id()),
            config,
            plugins: Plugins::Registry(registry),
            stores,
            queue,
            settings,
            rates: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The worker's id in `sluice_workers` and on its units.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs the slots until `stop` is raised: each running unit then stops
    /// at its next request, its batches committed, and goes back to the
    /// queue at once.
    pub async fn run(self: Arc<Self>, stop: StopSignal) -> Result<(), WorkerError> {
        let pool = self.queue.pool().clone();
        units::heartbeat(&pool, &self.id, self.settings.concurrency).await?;
        tracing::info!(worker = %self.id, concurrency = self.settings.concurrency, "worker started");
        let heartbeat = {
            let (pool, id, every) = (pool.clone(), self.id.clone(), self.settings.poll);
            let concurrency = self.settings.concurrency;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every.max(Duration::from_millis(500))).await;
                    if let Err(error) = units::heartbeat(&pool, &id, concurrency).await {
                        tracing::warn!(%error, "the worker's heartbeat was not stored");
                    }
                }
            })
        };
        let slots: Vec<_> = (0..self.settings.concurrency)
            .map(|_| self.clone().slot(stop.clone()))
            .collect();
        futures_util::future::join_all(slots).await;
        heartbeat.abort();
        units::sign_off(&pool, &self.id).await
    }

    /// One slot: claim, run, end, until stopped.
    async fn slot(self: Arc<Self>, stop: StopSignal) {
        while !stop.is_stopped() {
            match self
                .queue
                .claim(&self.id, self.settings.visibility_secs)
                .await
            {
                Ok(Some(claim)) => self.run_unit(claim, &stop).await,
                Ok(None) => wait_or_stop(self.settings.poll, &stop).await,
                Err(error) => {
                    tracing::warn!(%error, "the queue could not be read");
                    wait_or_stop(self.settings.poll, &stop).await;
                }
            }
        }
    }

    /// Runs `claim`'s stream and ends the unit, unless another worker took
    /// it meanwhile.
    async fn run_unit(&self, claim: Claim, worker_stop: &StopSignal) {
        UnitClaimed {
            unit: &claim.unit,
            epoch: claim.epoch,
            took_over: claim.took_over,
        }
        .emit();
        let span = tracing::info_span!(
            "unit",
            unit = %claim.unit,
            epoch = claim.epoch,
            worker = %self.id,
        );
        async {
            let fence = Arc::new(UnitFence::new(
                self.queue.clone(),
                claim.clone(),
                self.settings.visibility_secs,
            ));
            let ending = match self.prepare_unit(&claim).await {
                Err(error) => Some((Ending::Failed(error.to_string()), None)),
                Ok(prepared) => {
                    let unit_stop = StopSignal::default();
                    let run = pipeline::run_fenced(
                        &prepared,
                        &self.stores,
                        RunOptions::default(),
                        unit_stop.clone(),
                        fence.clone(),
                    );
                    let renew = self.renew(&claim, &fence, &unit_stop, worker_stop);
                    let report = tokio::select! {
                        report = run => report,
                        never = renew => match never {},
                    };
                    match (fence.lost(), report) {
                        (true, _) => None,
                        (false, Ok(report)) => Some((ending_of(&report), Some(report.run_id))),
                        (false, Err(error)) => Some((Ending::Failed(error.to_string()), None)),
                    }
                }
            };
            let lost = || {
                UnitEnded {
                    unit: &claim.unit,
                    outcome: "lost",
                    error: Some("another worker holds the unit now"),
                }
                .emit()
            };
            let Some((ending, run_id)) = ending else {
                return lost();
            };
            match self.queue.end(&claim, &ending, run_id).await {
                Ok(true) => {
                    let (outcome, error) = match &ending {
                        Ending::Done => ("done", None),
                        Ending::Failed(error) => ("failed", Some(error.as_str())),
                        Ending::Released => ("released", None),
                    };
                    UnitEnded {
                        unit: &claim.unit,
                        outcome,
                        error,
                    }
                    .emit();
                }
                Ok(false) => lost(),
                Err(error) => {
                    tracing::warn!(%error, "the unit's end was not stored; its lease runs out")
                }
            }
        }
        .instrument(span)
        .await
    }

    /// The pipeline of `claim`, narrowed to its stream, its providers under
    /// their shared limits, with no export (those follow whole runs).
    async fn prepare_unit(&self, claim: &Claim) -> Result<PreparedPipeline, WorkerError> {
        let mut prepared = prepare(&self.config, &self.plugins, &claim.pipeline).await?;
        prepared.streams.retain(|s| s.key == claim.stream_key);
        let Some(stream) = prepared.streams.first() else {
            return Err(WorkerError::UnknownStream {
                pipeline: claim.pipeline.clone(),
                stream_key: claim.stream_key.clone(),
            });
        };
        if matches!(stream.write, WriteDisposition::Replace) {
            return Err(WorkerError::ReplaceStream {
                stream_key: stream.key.clone(),
            });
        }
        prepared.exports.clear();
        for client in &prepared.clients {
            client.share_rate(self.rate_of(client.name()).await?);
        }
        Ok(prepared)
    }

    /// The shared limit of `provider`, its row written once per process.
    async fn rate_of(&self, provider: &str) -> Result<Arc<SharedRateRow>, WorkerError> {
        let mut rates = self.rates.lock().await;
        if let Some(rate) = rates.get(provider) {
            return Ok(rate.clone());
        }
        let limits = self
            .config
            .config
            .providers
            .get(provider)
            .map(|p| p.rate_limit.clone())
            .unwrap_or_default();
        let rate =
            Arc::new(SharedRateRow::open(self.queue.pool().clone(), provider, &limits).await?);
        rates.insert(provider.to_string(), rate.clone());
        Ok(rate)
    }

    /// Renews `claim`'s lease every third of the visibility timeout while
    /// the unit runs; stops the unit's run when another worker holds it
    /// now, or when the worker stops. Never returns: the run ends it.
    async fn renew(
        &self,
        claim: &Claim,
        fence: &UnitFence,
        unit_stop: &StopSignal,
        worker_stop: &StopSignal,
    ) -> Infallible {
        let tick = Duration::from_millis(100);
        let mut due = Instant::now() + self.settings.renew_every;
        loop {
            tokio::time::sleep(tick).await;
            if worker_stop.is_stopped() {
                unit_stop.stop();
            }
            if Instant::now() < due || fence.lost() {
                continue;
            }
            due = Instant::now() + self.settings.renew_every;
            match self.queue.renew(claim, self.settings.visibility_secs).await {
                Ok(true) => {}
                Ok(false) => {
                    fence.mark_lost();
                    unit_stop.stop();
                }
                Err(error) => tracing::warn!(%error, "the unit's lease was not renewed"),
            }
        }
    }
}

/// How a unit's run ends it: stopped by the worker's stop, back to the
/// queue; a stream that could not finish, failed (a failed resolution
/// leaves the loaded rows linked later, and does not fail the unit).
fn ending_of(report: &RunReport) -> Ending {
    if report.stopped {
        return Ending::Released;
    }
    match report
        .failures
        .iter()
        .find(|f| !f.quarantined && f.stream_key != "resolution")
    {
        Some(failure) => Ending::Failed(failure.error.to_string()),
        None => Ending::Done,
    }
}

/// Sleeps `poll`, or less once `stop` is raised.
async fn wait_or_stop(poll: Duration, stop: &StopSignal) {
    let until = Instant::now() + poll;
    while Instant::now() < until && !stop.is_stopped() {
        tokio::time::sleep((until - Instant::now()).min(Duration::from_millis(100))).await;
    }
}
