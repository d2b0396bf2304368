//! Runs a pipeline: checks everything that can be checked before the first
//! request (providers, plugins, streams, parameters, secrets), then runs each
//! stream through extract → normalize → load, one committed batch per
//! response. It coordinates the stages; each stage lives in its own module.

mod prepare;
mod stream;

pub use prepare::{PreparedPipeline, PreparedStream, prepare};

use std::time::{Duration, Instant};
use tracing::Instrument;

use crate::config::ConfigError;
use crate::extract::FetchError;
use crate::load::{LoadCounts, LoadError, Sink};
use crate::plugin::PluginError;
use crate::state::RunId;

/// Why a run could not start or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The config is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A plugin could not be loaded or refused the stream.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The provider's token is not in the environment.
    #[error("provider {provider}: environment variable {env} (its token_env) is not set")]
    MissingToken {
        /// Provider name.
        provider: String,
        /// The variable.
        env: String,
    },
    /// The token cannot be sent in a header.
    #[error("provider {provider}: the value of {env} cannot be sent in an HTTP header")]
    InvalidToken {
        /// Provider name.
        provider: String,
        /// The variable.
        env: String,
    },
    /// A request failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The plugin could not normalize a response.
    #[error("{url}: {source}")]
    Normalize {
        /// The request's URL.
        url: String,
        /// What the plugin said.
        source: PluginError,
    },
    /// The database refused.
    #[error(transparent)]
    Load(#[from] LoadError),
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
    /// A blocking plugin call could not be joined.
    #[error("plugin call aborted: {0}")]
    Aborted(String),
}

/// How a run went.
#[derive(Debug)]
pub struct RunReport {
    /// The run's id in `sluice_runs`.
    pub run_id: RunId,
    /// Pipeline name.
    pub pipeline: String,
    /// Wall time.
    pub elapsed: Duration,
    /// Requests made.
    pub requests: u64,
    /// What loading did, all streams together.
    pub counts: LoadCounts,
    /// Why the run failed, if it did; batches committed before that stay.
    pub error: Option<RunError>,
}

/// Runs every stream of `prepared` in order into `sink`. The first failing
/// stream ends the run; the run is recorded as failed with its error.
pub async fn run(prepared: &PreparedPipeline, sink: &Sink) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let run_id = sink.start_run(&prepared.name).await?;
    let span = tracing::info_span!("run", run_id, pipeline = %prepared.name);
    let mut report = RunReport {
        run_id,
        pipeline: prepared.name.clone(),
        elapsed: Duration::ZERO,
        requests: 0,
        counts: LoadCounts::default(),
        error: None,
    };
    for stream in &prepared.streams {
        let outcome = stream::run(stream, sink, run_id, &prepared.name, &mut report)
            .instrument(span.clone())
            .await;
        if let Err(err) = outcome {
            tracing::error!(parent: &span, error = %err, stream = %stream.key, "stream failed");
            report.error = Some(err);
            break;
        }
    }
    let error_text = report.error.as_ref().map(ToString::to_string);
    sink.finish_run(run_id, error_text.as_deref()).await?;
    report.elapsed = started.elapsed();
    Ok(report)
}
