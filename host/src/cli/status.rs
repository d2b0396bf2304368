//! `sluice status`: the providers' breakers and the latest runs.

use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::load::Sink;

/// Arguments of `sluice status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The config file (for the database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL; with it, no config file is needed.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// How many runs to list.
    #[arg(long, default_value_t = 10)]
    runs: i64,
}

pub async fn execute(args: StatusArgs) -> anyhow::Result<()> {
    let database = match args.database {
        Some(url) => url,
        None => LoadedConfig::load(&args.config)?.database(None).to_string(),
    };
    let sink = Sink::connect(&database).await?;
    let (runs, providers) = sink.status(args.runs).await?;
    let mut out = String::new();
    let _ = writeln!(out, "providers");
    if providers.is_empty() {
        let _ = writeln!(out, "  (none has run yet)");
    }
    for p in &providers {
        let _ = write!(
            out,
            "  {:<20} breaker {:<9} {} failures in a row",
            p.provider, p.breaker_state, p.consecutive_failures
        );
        if let Some(opened) = &p.opened_at {
            let _ = write!(out, ", last opened {opened}");
        }
        if let Some(error) = &p.last_error {
            let _ = write!(out, ", last error: {error}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "\nruns");
    let _ = writeln!(
        out,
        "  {:>4} {:<12} {:<8} {:<10} {:<27} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}",
        "id",
        "pipeline",
        "mode",
        "status",
        "started",
        "requests",
        "records",
        "inserted",
        "updated",
        "unchanged",
        "quar."
    );
    for r in &runs {
        let _ = writeln!(
            out,
            "  {:>4} {:<12} {:<8} {:<10} {:<27} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}",
            r.id,
            r.pipeline,
            r.mode,
            r.status,
            r.started_at,
            r.requests,
            r.records_in,
            r.inserted,
            r.updated,
            r.unchanged,
            r.quarantined + r.failed_batches
        );
        if let Some(error) = &r.error {
            let _ = writeln!(out, "       {error}");
        }
    }
    print!("{out}");
    Ok(())
}
