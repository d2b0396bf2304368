//! `sluice replay` and `sluice replay-provider`.

use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::LoadedConfig;
use crate::pipeline;
use crate::plugin::{PluginEngine, SandboxLimits};
use crate::replay_provider::live_sim::{self, LiveSim, LiveSimSpec};
use crate::replay_provider::{self, Recordings};
use crate::state::ReplaySelection;

/// Arguments of `sluice replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The config file (for the database and the plugin directory).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// Replay every response archived by this run.
    #[arg(long, conflicts_with = "since", required_unless_present = "since")]
    run: Option<i64>,
    /// Replay every response archived from this time (RFC 3339, UTC).
    #[arg(long, requires = "until")]
    since: Option<String>,
    /// … until this time, excluded.
    #[arg(long)]
    until: Option<String>,
}

pub async fn execute(args: ReplayArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let engine = PluginEngine::new(SandboxLimits::from(&config.config.sandbox))
        .context("cannot start the plugin runtime")?;
    let database = config.database(args.database.as_deref());
    let stores = pipeline::Stores::connect(database).await?;
    super::logging::attach_database(stores.state.pool(), config.config.serve.log_lines_per_run);
    let selection = match (args.run, args.since, args.until) {
        (Some(run), _, _) => ReplaySelection::Run(run),
        (None, Some(since), Some(until)) => ReplaySelection::Between(since, until),
        _ => anyhow::bail!("give --run ID, or --since and --until"),
    };
    let report = pipeline::replay(&config, &engine, &stores, &selection).await?;
    print!("{}", super::summary::render(&report, database));
    super::run::outcome(&report)
}

/// Arguments of `sluice replay-provider`.
#[derive(Debug, Args)]
pub struct ProviderArgs {
    /// Folder with the recorded responses and their `index.toml`.
    #[arg(
        long,
        required_unless_present = "live_sim",
        conflicts_with = "live_sim"
    )]
    dir: Option<PathBuf>,
    /// Play a simulated live match day instead of recordings:
    /// `matches=500,seed=7,speed=60,refresh=2s,half_time=15,stagger=0`,
    /// plus faults `freeze=api-football@60` (the feed stops at that minute
    /// of play) and `fail=the-odds-api@70` (HTTP 500 from then on). Serves
    /// `/fixtures`, `/v4/sports/{sport}/scores` and `/_sim/truth`.
    #[arg(long)]
    live_sim: Option<LiveSimSpec>,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:18321")]
    addr: SocketAddr,
}

pub async fn serve_recordings(args: ProviderArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let served = match (args.live_sim, args.dir) {
        (Some(spec), _) => {
            println!(
                "simulating {} live matches (seed {}, {}x) on http://{addr}",
                spec.matches, spec.seed, spec.speed
            );
            let sim = Arc::new(LiveSim::start(spec));
            futures_util::future::Either::Left(live_sim::serve(listener, sim))
        }
        (None, Some(dir)) => {
            let recordings = Arc::new(Recordings::load(&dir)?);
            println!("replaying {} on http://{addr}", dir.display());
            futures_util::future::Either::Right(replay_provider::serve(listener, recordings))
        }
        (None, None) => anyhow::bail!("give --dir or --live-sim"),
    };
    tokio::select! {
        served = served => served.context("replay provider stopped")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
