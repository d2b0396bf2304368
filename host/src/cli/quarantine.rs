//! `sluice quarantine list|show|replay`.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::fmt::Write;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::pipeline;
use crate::plugin::{PluginEngine, SandboxLimits};

/// Arguments of `sluice quarantine`.
#[derive(Debug, Args)]
pub struct QuarantineArgs {
    /// The config file (for the database and the plugin directory).
    #[arg(short, long, default_value_os_t = super::default_config(), global = true)]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE", global = true)]
    database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    command: QuarantineCommand,
}

/// `sluice quarantine …`.
#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List quarantined items that no replay has loaded yet.
    List {
        /// Only those of this run.
        #[arg(long)]
        run: Option<i64>,
        /// Resolved ones too.
        #[arg(long)]
        all: bool,
    },
    /// Show one item: why it was quarantined, and its raw JSON.
    Show {
        /// The item's id (from `list`).
        id: i64,
    },
    /// Run the responses of quarantined items through the current plugins
    /// and load what they now produce; loaded items leave quarantine.
    Replay {
        /// Only those of this run.
        #[arg(long)]
        run: Option<i64>,
    },
}

pub async fn execute(args: QuarantineArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let database = config.database(args.database.as_deref()).to_string();
    let stores = pipeline::Stores::connect(&database).await?;
    match args.command {
        QuarantineCommand::List { run, all } => {
            let items = stores.state.quarantined(run, all).await?;
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{:>6} {:>5} {:<16} {:<10} {:<7} {:<12} reason",
                "id", "run", "provider", "stream", "kind", "item"
            );
            for i in &items {
                let reason: String = i.reason.chars().take(100).collect();
                let _ = writeln!(
                    out,
                    "{:>6} {:>5} {:<16} {:<10} {:<7} {:<12} {reason}{}",
                    i.id,
                    i.run_id,
                    i.provider,
                    i.stream,
                    i.kind,
                    i.provider_id.as_deref().unwrap_or("-"),
                    match i.resolved_by {
                        Some(run) => format!(" (resolved by run {run})"),
                        None => String::new(),
                    }
                );
            }
            let _ = writeln!(
                out,
                "{} item{}",
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            );
            print!("{out}");
            Ok(())
        }
        QuarantineCommand::Show { id } => {
            let item = stores
                .state
                .quarantined_item(id)
                .await?
                .with_context(|| format!("no quarantined item {id}"))?;
            println!(
                "item {} of run {} ({} stream {}, {}), {}",
                item.id, item.run_id, item.provider, item.stream, item.plugin, item.created_at
            );
            println!(
                "kind: {}; provider id: {}",
                item.kind,
                item.provider_id.as_deref().unwrap_or("-")
            );
            println!("reason: {}", item.reason);
            println!("response: {}", item.payload_hash);
            if let Some(run) = item.resolved_by {
                println!("resolved by run {run}");
            }
            println!("raw:\n{}", item.raw);
            Ok(())
        }
        QuarantineCommand::Replay { run } => {
            let engine = PluginEngine::new(SandboxLimits::from(&config.config.sandbox))
                .context("cannot start the plugin runtime")?;
            let replayed = pipeline::replay_quarantine(&config, &engine, &stores, run).await?;
            print!("{}", super::summary::render(&replayed.report, &database));
            let left = replayed.left;
            println!(
                "{left} item{} still in quarantine",
                if left == 1 { "" } else { "s" }
            );
            super::run::outcome(&replayed.report)
        }
    }
}
