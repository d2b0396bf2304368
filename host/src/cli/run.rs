//! `sluice run`.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::load::Sink;
use crate::pipeline;
use crate::plugin::{PluginEngine, SandboxLimits};

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
}

pub async fn execute(args: RunArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let engine =
        PluginEngine::new(SandboxLimits::default()).context("cannot start the plugin runtime")?;
    let prepared = pipeline::prepare(&config, &args.pipeline, &engine)?;
    let database = config.database(args.database.as_deref());
    let sink = Sink::connect(database).await?;
    let report = pipeline::run(&prepared, &sink).await?;
    print!("{}", super::summary::render(&report, database));
    match report.error {
        Some(err) => Err(anyhow::Error::new(err).context(format!(
            "run {} of pipeline `{}` failed",
            report.run_id, report.pipeline
        ))),
        None => Ok(()),
    }
}
