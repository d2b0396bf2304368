//! `sluice run`.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::pipeline::{self, RunOptions, RunReport};
use crate::plugin::{PluginEngine, SandboxLimits};
use crate::state::{RunMode, RunStatus};

/// Arguments of `sluice run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The config file.
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// The pipeline to run (a key of [pipelines] in the config).
    #[arg(short, long)]
    pipeline: String,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// Fetch and normalize, load nothing, and print what would have changed.
    #[arg(long)]
    dry_run: bool,
    /// Stop after this many requests to providers (responses served from the
    /// archive's cache do not count).
    #[arg(long, value_name = "N")]
    max_requests: Option<u64>,
    /// Start every stream of the pipeline over: its stored checkpoint is
    /// deleted and it is planned from the beginning (a backfill from its
    /// first chunk, an incremental stream from its first page).
    #[arg(long)]
    clear_checkpoint: bool,
}

pub async fn execute(args: RunArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let engine = PluginEngine::new(SandboxLimits::from(&config.config.sandbox))
        .context("cannot start the plugin runtime")?;
    let prepared = pipeline::prepare(
        &config,
        &args.pipeline,
        pipeline::PluginSource::Dir(&engine),
    )?;
    let database = config.database(args.database.as_deref());
    let stores = pipeline::Stores::connect(database).await?;
    super::logging::attach_database(stores.state.pool(), config.config.serve.log_lines_per_run);
    let options = RunOptions {
        mode: if args.dry_run {
            RunMode::DryRun
        } else {
            RunMode::Run
        },
        max_requests: args.max_requests,
        clear_checkpoints: args.clear_checkpoint,
    };
    let report = pipeline::run(&prepared, &stores, options).await;
    super::logging::end_progress();
    let report = report?;
    print!("{}", super::summary::render(&report, database));
    outcome(&report)
}

/// Success, or the run's one error line.
pub(super) fn outcome(report: &RunReport) -> anyhow::Result<()> {
    let what = super::summary::title(report);
    match (report.status, report.error_line()) {
        (RunStatus::Succeeded, _) => Ok(()),
        (RunStatus::Partial, Some(line)) => Err(anyhow::anyhow!(
            "{what} finished, but not everything loaded: {line}"
        )),
        (_, line) => Err(anyhow::anyhow!(
            "{what} failed: {}",
            line.unwrap_or_default()
        )),
    }
}
