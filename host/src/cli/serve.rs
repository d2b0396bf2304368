//! `sluice serve`.

use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::LoadedConfig;
use crate::plugin::{PluginEngine, PluginRegistry, SandboxLimits};

/// Arguments of `sluice serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The config file.
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// Where the dashboard, `/metrics` and the API are served; overrides
    /// `[serve] listen` (default 127.0.0.1:8001, this machine only).
    #[arg(long)]
    addr: Option<SocketAddr>,
}

pub async fn execute(args: ServeArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let engine = PluginEngine::new(SandboxLimits::from(&config.config.sandbox))
        .context("cannot start the plugin runtime")?;
    let dir = config.plugin_dir();
    let registry = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || PluginRegistry::load_dir(engine, &dir))
            .await
            .context("loading the plugins")?
    };
    let stores =
        crate::pipeline::Stores::connect(config.database(args.database.as_deref())).await?;
    super::logging::attach_database(stores.state.pool(), config.config.serve.log_lines_per_run);
    let addr = match (args.addr, config.config.serve.listen) {
        (Some(addr), _) | (None, Some(addr)) => addr,
        (None, None) => crate::config::DEFAULT_LISTEN
            .parse()
            .context("the default listen address")?,
    };
    crate::serve::serve(Arc::new(config), Arc::new(registry), stores, addr).await?;
    Ok(())
}
