//! `sluice status` (the providers' breakers and the latest runs) and
//! `sluice runs` (the run history).

use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::LoadedConfig;
use crate::state::StateStore;
use crate::state::runs::RunRow;

/// Where the database is: `--database`, or the config's.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// The config file (for the database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL; with it, no config file is needed.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
}

impl DatabaseArgs {
    async fn state(&self) -> anyhow::Result<StateStore> {
        let database = match &self.database {
            Some(url) => url.clone(),
            None => LoadedConfig::load(&self.config)?.database(None).to_string(),
        };
        Ok(StateStore::connect(&database).await?)
    }
}

/// Arguments of `sluice status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many runs to list.
    #[arg(long, default_value_t = 5)]
    runs: i64,
}

/// Arguments of `sluice runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many runs to list.
    #[arg(long, default_value_t = 20)]
    limit: i64,
}

pub async fn execute(args: StatusArgs) -> anyhow::Result<()> {
    let state = args.database.state().await?;
    let (runs, providers) = state.status(args.runs).await?;
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
    let _ = writeln!(out, "\nlatest runs");
    render_runs(&mut out, &runs);
    print!("{out}");
    Ok(())
}

pub async fn runs(args: RunsArgs) -> anyhow::Result<()> {
    let state = args.database.state().await?;
    let (runs, _) = state.status(args.limit).await?;
    let mut out = String::new();
    render_runs(&mut out, &runs);
    print!("{out}");
    Ok(())
}

fn render_runs(out: &mut String, runs: &[RunRow]) {
    let _ = writeln!(
        out,
        "  {:>4} {:<12} {:<8} {:<10} {:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}",
        "id",
        "pipeline",
        "mode",
        "status",
        "started",
        "duration",
        "fetched",
        "records",
        "inserted",
        "updated",
        "unchanged",
        "quar."
    );
    for r in runs {
        let _ = writeln!(
            out,
            "  {:>4} {:<12} {:<8} {:<10} {:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}",
            r.id,
            r.pipeline,
            r.mode,
            r.status,
            r.started_at.get(..19).unwrap_or(&r.started_at),
            duration(&r.started_at, r.finished_at.as_deref()),
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
}

fn duration(started: &str, finished: Option<&str>) -> String {
    let parse = |t: &str| OffsetDateTime::parse(t, &Rfc3339).ok();
    match (parse(started), finished.and_then(parse)) {
        (Some(a), Some(b)) => format!("{:.2} s", (b - a).as_seconds_f64()),
        _ => "-".to_string(),
    }
}
