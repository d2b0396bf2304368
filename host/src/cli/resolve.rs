//! `sluice resolve` and `sluice resolve review`.

use clap::{Args, Subcommand};
use std::fmt::Write;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::resolve::{self, Resolution, Scope};
use crate::state::StateStore;

/// Arguments of `sluice resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The config file (for the database, the alias file and the priorities).
    #[arg(short, long, default_value_os_t = super::default_config(), global = true)]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE", global = true)]
    database: Option<String>,
    /// Without a subcommand: link every record again, from scratch.
    #[command(subcommand)]
    command: Option<ResolveCommand>,
}

/// `sluice resolve …`.
#[derive(Debug, Subcommand)]
pub enum ResolveCommand {
    /// List the links below the threshold: each record beside the entity it
    /// probably is. An alias in the alias file settles one; then run
    /// `sluice resolve`.
    Review,
}

pub async fn execute(args: ResolveArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let settings = Resolution::from_config(&config)?;
    let database = config.database(args.database.as_deref()).to_string();
    let state = StateStore::connect(&database).await?;
    match args.command {
        None => {
            let report = resolve::resolve(state.pool(), &settings, Scope::All).await?;
            println!("{}", super::summary::resolution_line(&report));
        }
        Some(ResolveCommand::Review) => {
            let items = resolve::review(state.pool()).await?;
            if items.is_empty() {
                println!("Nothing to review: every link is above the threshold.");
                return Ok(());
            }
            let mut out = String::new();
            for item in &items {
                let _ = writeln!(
                    out,
                    "{} {}:{} \"{}\"\n    may be {} ({}), confidence {:.2}",
                    item.kind,
                    item.provider,
                    item.provider_id,
                    item.name,
                    item.candidate_id,
                    item.candidate_names,
                    item.confidence
                );
            }
            let _ = writeln!(
                out,
                "{} link{} to review. Settle one with an alias (`[teams]` or `[competitions]` \
                 of the file [resolution] aliases names), then run `sluice resolve`.",
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            );
            print!("{out}");
        }
    }
    Ok(())
}
