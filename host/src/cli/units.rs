//! `sluice units`: the work units of the queue (queued, running, done,
//! failed) with their workers and leases, and the workers alive.

use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::workers::{self, QueueView};

/// Arguments of `sluice units`.
#[derive(Debug, Args)]
pub struct UnitsArgs {
    /// The config file (for the database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL (PostgreSQL); with it, no config file is needed.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// Only units with this status.
    #[arg(long, value_parser = ["queued", "running", "done", "failed"])]
    status: Option<String>,
}

pub async fn execute(args: UnitsArgs) -> anyhow::Result<()> {
    let database = match &args.database {
        Some(url) => url.clone(),
        None => LoadedConfig::load(&args.config)?.database(None).to_string(),
    };
    let (_stores, pool) = workers::postgres_pool(&database, 2).await?;
    let view = workers::view(&pool, args.status.as_deref(), None).await?;
    print!("{}", render(&view));
    Ok(())
}

/// The units as a table, then the workers.
pub fn render(view: &QueueView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:>5} {:>7} {:>9} {:>9}  {:<28} UNIT",
        "STATUS", "EPOCH", "BATCHES", "TAKEOVERS", "LEASE", "WORKER"
    );
    for unit in &view.units {
        let lease = unit
            .lease_left_secs
            .map(|s| format!("{s:.0}s"))
            .unwrap_or_else(|| "-".to_string());
        let _ = writeln!(
            out,
            "{:<8} {:>5} {:>7} {:>9} {:>9}  {:<28} {}",
            unit.status,
            unit.epoch,
            unit.batches,
            unit.takeovers,
            lease,
            unit.worker.as_deref().unwrap_or("-"),
            unit.id
        );
        if let Some(error) = &unit.error {
            let _ = writeln!(out, "         error: {error}");
        }
    }
    let _ = writeln!(
        out,
        "{} queued, {} running, {} done, {} failed; {} message(s) in the queue; {} takeover(s)",
        view.count("queued"),
        view.count("running"),
        view.count("done"),
        view.count("failed"),
        view.depth,
        view.takeovers
    );
    for worker in &view.workers {
        let _ = writeln!(
            out,
            "worker {} runs {}/{} unit(s), heard from {:.0}s ago",
            worker.id, worker.running, worker.concurrency, worker.silent_secs
        );
    }
    out
}
