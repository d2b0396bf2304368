//! Runs a pipeline: checks everything that can be checked before the first
//! request (providers, plugins, streams, parameters, secrets), then runs each
//! stream through extract → normalize → load, one committed batch per
//! response. It coordinates the stages; each stage lives in its own module.

mod concurrency;
mod lineage;
mod prepare;
mod quality_gate;
mod quarantine_replay;
mod replay;
mod stream;

pub use concurrency::StopSignal;
pub use prepare::{PluginSource, PreparedPipeline, PreparedStream, prepare};
pub use quarantine_replay::{QuarantineReplay, replay_quarantine, replay_quarantined_item};
pub use replay::replay;

use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

use concurrency::RunContext;

use crate::config::ConfigError;
use crate::db::DbError;
use crate::extract::FetchError;
use crate::internal_events::{InternalEvent, RecordsResolved, ResolutionFailed, RunFinished};
use crate::load::{BatchFence, Sink};
use crate::plugin::PluginError;
use crate::resolve::{self, ResolveError, ResolveReport, Scope};
use crate::state::{LoadCounts, RunId, RunMode, RunStatus, StateStore};

/// Why a run could not start, a stream could not finish, or a response was
/// quarantined.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The config is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A plugin could not be loaded or refused the stream.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// Linking the run's records to canonical entities failed; what the run
    /// loaded stays, and the next run or `sluice resolve` links it.
    #[error("resolution: {0}")]
    Resolve(#[from] ResolveError),
    /// The provider's token is not in the environment.
    #[error("provider {provider}: environment variable {env} (its token_env) is not set")]
    MissingToken {
        /// Provider name.
        provider: String,
        /// The variable.
        env: String,
    },
    /// The token cannot be sent the way the plugin's manifest says.
    #[error("provider {provider}: the value of {env} cannot be sent {how}")]
    InvalidToken {
        /// Provider name.
        provider: String,
        /// The variable.
        env: String,
        /// Where it was to go, and why it cannot.
        how: &'static str,
    },
    /// A request failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The plugin could not normalize a response; it was quarantined.
    #[error("{url}: {source}; the response was quarantined")]
    Normalize {
        /// The request's URL.
        url: String,
        /// What the plugin said.
        source: PluginError,
    },
    /// The database refused.
    #[error(transparent)]
    Load(#[from] DbError),
    /// A plugin kept asking for more requests.
    #[error(
        "stream {stream_key}: stopped after {limit} requests; the plugin keeps planning follow-ups"
    )]
    TooManyRequests {
        /// The stream.
        stream_key: String,
        /// The cap.
        limit: usize,
    },
    /// Some items are not accounted for by exactly one outcome.
    #[error("the run's counts do not balance: {0}")]
    Unbalanced(String),
    /// Nothing was archived for what `sluice replay` was asked.
    #[error("nothing to replay: {0}")]
    NothingToReplay(String),
    /// The quality checks could not be readied.
    #[error(transparent)]
    Quality(#[from] crate::quality::QualityError),
    /// A `fail_batch` quality check failed: the batch was quarantined.
    #[error("{0}; the batch was quarantined")]
    QualityBatch(String),
    /// A `fail_run` quality check failed, or the run's grade is below the
    /// pipeline's `min_grade`.
    #[error("{0}")]
    QualityRun(String),
    /// An export of the pipeline cannot be readied.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    /// A blocking plugin call could not be joined.
    #[error("plugin call aborted: {0}")]
    Aborted(String),
    /// A file source, or one of its files, could not be loaded.
    #[error(transparent)]
    Files(#[from] crate::files::FileError),
}

/// What a run is asked to do besides running.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Run, or dry run.
    pub mode: RunMode,
    /// Most requests to providers in the run (cache hits do not count).
    pub max_requests: Option<u64>,
    /// Forget each stream's checkpoint and plan it from the start
    /// (`--clear-checkpoint`); a dry run ignores the checkpoint instead.
    pub clear_checkpoints: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            mode: RunMode::Run,
            max_requests: None,
            clear_checkpoints: false,
        }
    }
}

/// A stream that did not finish, or a response that was quarantined.
#[derive(Debug)]
pub struct Failure {
    /// The stream.
    pub stream_key: String,
    /// Whether the stream went on (a quarantined response ends only its
    /// stream's page chain; a failed request ends the stream).
    pub quarantined: bool,
    /// What happened.
    pub error: RunError,
}

/// How a run went.
#[derive(Debug)]
pub struct RunReport {
    /// The run's id in `sluice_runs`.
    pub run_id: RunId,
    /// Pipeline name.
    pub pipeline: String,
    /// Run, dry run or replay.
    pub mode: RunMode,
    /// How it ended.
    pub status: RunStatus,
    /// Wall time.
    pub elapsed: Duration,
    /// What loading did, all streams together.
    pub counts: LoadCounts,
    /// What went wrong, in order.
    pub failures: Vec<Failure>,
    /// Whether `--max-requests` (or a stop) ended the run early.
    pub stopped_at_limit: bool,
    /// Whether the run ended early because it was asked to stop.
    pub stopped: bool,
    /// What resolution linked after the run, when it ran.
    pub resolution: Option<ResolveReport>,
    /// Streams whose provider was unavailable, and the fallback that served.
    pub fallbacks: Vec<FallbackServed>,
    /// The run's quality report, when the config declares checks.
    pub quality: Option<crate::quality::QualityReport>,
    /// The pipeline's exports after the run, when it succeeded.
    pub exports: Vec<crate::export::StepOutcome>,
    /// What each file source did.
    pub files: Vec<crate::files::SourceReport>,
}

/// A stream served by a fallback provider.
#[derive(Debug, Clone)]
pub struct FallbackServed {
    /// The stream whose provider was unavailable.
    pub stream_key: String,
    /// The fallback stream that ran in its place.
    pub fallback_key: String,
    /// Why the provider was unavailable.
    pub reason: String,
}

/// Whether `error` says the stream's provider cannot be asked now (its
/// breaker is open, its quota spent), which is when a fallback serves.
fn provider_unavailable(error: &RunError) -> bool {
    matches!(
        error,
        RunError::Fetch(FetchError::BreakerOpen { .. } | FetchError::QuotaExhausted { .. })
    )
}

impl RunReport {
    fn new(run_id: RunId, pipeline: &str, mode: RunMode) -> Self {
        RunReport {
            run_id,
            pipeline: pipeline.to_string(),
            mode,
            status: RunStatus::Succeeded,
            elapsed: Duration::ZERO,
            counts: LoadCounts::default(),
            failures: Vec::new(),
            stopped_at_limit: false,
            stopped: false,
            resolution: None,
            fallbacks: Vec::new(),
            quality: None,
            exports: Vec::new(),
            files: Vec::new(),
        }
    }

    /// The status the failures add up to: a stream that could not finish,
    /// or counts that do not balance, fail the run; quarantined responses
    /// make it partial.
    fn settle(&mut self) {
        if !self.counts.balances() {
            let c = &self.counts;
            self.failures.push(Failure {
                stream_key: String::new(),
                quarantined: false,
                error: RunError::Unbalanced(format!("{c:?}")),
            });
        }
        self.status = if self.failures.iter().any(|f| !f.quarantined) {
            RunStatus::Failed
        } else if self.failures.is_empty() {
            RunStatus::Succeeded
        } else {
            RunStatus::Partial
        };
    }

    /// One line for the run's `error` column and the user.
    pub fn error_line(&self) -> Option<String> {
        let first = self.failures.first()?;
        let more = match self.failures.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more; see the log)"),
        };
        Some(format!("{}{more}", first.error))
    }
}

/// The database a run writes: the host's state, and the sink its batches
/// go to, on one pool.
#[derive(Clone)]
pub struct Stores {
    /// Runs, checkpoints, archive, breakers, quarantine.
    pub state: StateStore,
    /// Where batches are written.
    pub sink: Sink,
}

impl Stores {
    /// Opens the database at `url`, bringing its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = crate::db::Pool::connect(url).await?;
        Ok(Stores {
            state: StateStore::new(pool.clone()),
            sink: Sink::new(pool),
        })
    }
}

/// Runs the streams of `prepared` into `stores`, up to the pipeline's
/// `concurrency` at once. A stream that fails is recorded and the others
/// still run; the report lists streams in config order whatever order they
/// finished in, and the run is recorded with its status.
pub async fn run(
    prepared: &PreparedPipeline,
    stores: &Stores,
    options: RunOptions,
) -> Result<RunReport, RunError> {
    run_until(prepared, stores, options, StopSignal::default()).await
}

/// [`run`], ending early once `stop` is raised: no stream sends another
/// request, the batches being loaded commit, and the run is recorded as
/// stopped, each stream's checkpoint where its last batch left it.
pub async fn run_until(
    prepared: &PreparedPipeline,
    stores: &Stores,
    options: RunOptions,
    stop: StopSignal,
) -> Result<RunReport, RunError> {
    run_with_fence(prepared, stores, options, stop, None).await
}

/// [`run_until`], with `fence` sealed in every batch's transaction: a
/// worker's lease on its work unit, checked where the batch commits.
pub async fn run_fenced(
    prepared: &PreparedPipeline,
    stores: &Stores,
    options: RunOptions,
    stop: StopSignal,
    fence: Arc<dyn BatchFence>,
) -> Result<RunReport, RunError> {
    run_with_fence(prepared, stores, options, stop, Some(fence)).await
}

async fn run_with_fence(
    prepared: &PreparedPipeline,
    stores: &Stores,
    options: RunOptions,
    stop: StopSignal,
    fence: Option<Arc<dyn BatchFence>>,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    for client in &prepared.clients {
        if let Some(snapshot) = stores.state.load_breaker(client.name()).await? {
            client.breaker().restore(snapshot);
        }
    }
    let run_id = stores.state.start_run(&prepared.name, options.mode).await?;
    let span =
        tracing::info_span!("run", run_id, pipeline = %prepared.name, mode = options.mode.as_str());
    let mut report = RunReport::new(run_id, &prepared.name, options.mode);
    lineage::started(prepared, stores, run_id, options.mode).await;
    let context = RunContext::new(
        run_id,
        &prepared.name,
        options,
        stop.clone(),
        prepared.quality.clone(),
        fence,
    );
    let outcomes =
        concurrency::run_streams(&prepared.streams, stores, &context, prepared.concurrency)
            .instrument(span.clone())
            .await;
    let reads = lineage::ReadStreams::ran(prepared, &outcomes);
    for outcome in outcomes {
        report.counts.add(&outcome.counts);
        report.failures.extend(outcome.failures);
        report.fallbacks.extend(outcome.fallbacks);
        report.stopped_at_limit |= outcome.stopped_at_limit;
    }
    if !prepared.sources.is_empty() && matches!(options.mode, RunMode::Run | RunMode::DryRun) {
        let file_options = crate::files::SourceOptions {
            dry_run: options.mode == RunMode::DryRun,
            clear_checkpoints: options.clear_checkpoints,
        };
        let files =
            crate::files::run_sources(&prepared.sources, stores.state.pool(), run_id, file_options)
                .instrument(span.clone())
                .await;
        report.counts.add(&files.counts);
        report.files = files.reports;
        report
            .failures
            .extend(files.failures.into_iter().map(|f| Failure {
                stream_key: f.source_key,
                quarantined: f.error.is_bad_input(),
                error: f.error.into(),
            }));
    }
    for client in &prepared.clients {
        let saved = async {
            stores
                .state
                .save_breaker(client.name(), &client.breaker().snapshot())
                .await?;
            stores
                .state
                .save_quotas(client.name(), &client.quota_reports())
                .await
        };
        if let Err(error) = saved.await {
            // The run's batches are committed; it is recorded as failed,
            // never left `running`.
            let failed = Failed {
                prepared,
                stores,
                run_id,
                mode: options.mode,
                reads: &reads,
                counts: &report.counts,
            };
            return Err(failed.record(error.into()).await);
        }
    }
    if !prepared.quality.is_empty() {
        let graded = quality_gate::grade(
            stores,
            &prepared.quality,
            &prepared.sources,
            &context,
            &mut report,
        )
        .instrument(span.clone())
        .await;
        if let Err(error) = graded {
            let failed = Failed {
                prepared,
                stores,
                run_id,
                mode: options.mode,
                reads: &reads,
                counts: &report.counts,
            };
            return Err(failed.record(error.into()).await);
        }
    }
    if prepared.resolution.enabled && options.mode != RunMode::DryRun {
        let resolved = resolve::resolve(stores.state.pool(), &prepared.resolution, Scope::Unlinked)
            .instrument(span.clone())
            .await;
        match resolved {
            Ok(resolution) => {
                span.in_scope(|| {
                    RecordsResolved {
                        linked: resolution.linked(),
                        review: resolution.review(),
                    }
                    .emit()
                });
                report.resolution = Some(resolution);
            }
            Err(error) => {
                span.in_scope(|| ResolutionFailed { error: &error }.emit());
                report.failures.push(Failure {
                    stream_key: "resolution".to_string(),
                    quarantined: false,
                    error: error.into(),
                });
            }
        }
    }
    report.settle();
    report.stopped = stop.is_stopped() && report.stopped_at_limit;
    let note = if report.stopped {
        Some(
            "stopped: sluice serve was shutting down; the next run goes on from the checkpoints"
                .to_string(),
        )
    } else {
        report.stopped_at_limit.then(|| {
            format!(
                "stopped at --max-requests {}",
                options.max_requests.unwrap_or_default()
            )
        })
    };
    let recorded = stores
        .state
        .finish_run(
            run_id,
            report.status,
            report.error_line().as_deref(),
            note.as_deref(),
        )
        .await;
    report.elapsed = started.elapsed();
    match recorded {
        Ok(true) => RunFinished {
            pipeline: &prepared.name,
            mode: options.mode.as_str(),
            status: report.status.as_str(),
            elapsed: report.elapsed,
        }
        .emit(),
        // Marked `abandoned` meanwhile (a grace period ran out): it stays
        // so, and was counted then.
        Ok(false) => report.status = RunStatus::Abandoned,
        Err(error) => {
            let failed = Failed {
                prepared,
                stores,
                run_id,
                mode: options.mode,
                reads: &reads,
                counts: &report.counts,
            };
            return Err(failed.record(error.into()).await);
        }
    }
    lineage::ended(prepared, stores, &report, &reads).await;
    if report.status == RunStatus::Succeeded
        && options.mode == RunMode::Run
        && !prepared.exports.is_empty()
    {
        report.exports = crate::export::after_run(stores.state.pool(), &prepared.exports, run_id)
            .instrument(span.clone())
            .await;
    }
    Ok(report)
}

/// Records run `run_id` as failed with `error`, as far as the database
/// lets it, and gives the error back.
/// A run ending in an error once it started reading: recorded as failed,
/// and told FAIL to the lineage server.
struct Failed<'a> {
    prepared: &'a PreparedPipeline,
    stores: &'a Stores,
    run_id: RunId,
    mode: RunMode,
    reads: &'a lineage::ReadStreams,
    counts: &'a crate::state::LoadCounts,
}

impl Failed<'_> {
    async fn record(self, error: RunError) -> RunError {
        let error = fail_run(self.stores, self.run_id, error).await;
        lineage::failed(
            self.prepared,
            self.stores,
            self.run_id,
            self.mode,
            self.reads,
            self.counts,
        )
        .await;
        error
    }
}

async fn fail_run(stores: &Stores, run_id: RunId, error: RunError) -> RunError {
    let line = error.to_string();
    if let Err(not_recorded) = stores
        .state
        .finish_run(run_id, RunStatus::Failed, Some(&line), None)
        .await
    {
        tracing::error!(run_id, error = %not_recorded, "could not record the run as failed");
    }
    error
}
