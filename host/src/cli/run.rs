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
    /// Fetch, normalize and run the quality checks; load nothing, move no
    /// checkpoint, print the quality report, and fail below the pipeline's
    /// min_grade.
    #[arg(long, conflicts_with = "dry_run")]
    validate_only: bool,
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
        mode: if args.dry_run || args.validate_only {
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
    if args.validate_only {
        return validated(&report);
    }
    print!("{}", super::summary::render(&report, database));
    let (exports, failed_export) = super::export::render_exports(&report.exports);
    print!("{exports}");
    outcome(&report)?;
    match failed_export {
        Some(line) => Err(anyhow::anyhow!(
            "{} succeeded, but {line}",
            super::summary::title(&report)
        )),
        None => Ok(()),
    }
}

/// `--validate-only`: the quality report, and whether the run's data would
/// pass.
fn validated(report: &RunReport) -> anyhow::Result<()> {
    match &report.quality {
        Some(quality) => print!("{}", quality.render()),
        None => println!("quality: no checks are configured ([quality] in the config)"),
    }
    println!("validate only: nothing was loaded and no checkpoint moved");
    match report.failures.iter().find(|f| !f.quarantined) {
        Some(failure) => Err(anyhow::anyhow!(
            "validation of pipeline `{}` failed: {}",
            report.pipeline,
            failure.error
        )),
        None => Ok(()),
    }
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
