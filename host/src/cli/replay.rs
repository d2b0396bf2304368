//! `sluice replay-provider`.

use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::replay_provider::{self, Recordings};

/// Arguments of `sluice replay-provider`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Folder with the recorded responses and their `index.toml`.
    #[arg(long)]
    dir: PathBuf,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:18321")]
    addr: SocketAddr,
}

pub async fn execute(args: ReplayArgs) -> anyhow::Result<()> {
    let recordings = Arc::new(Recordings::load(&args.dir)?);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("replaying {} on http://{addr}", args.dir.display());
    tokio::select! {
        served = replay_provider::serve(listener, recordings) => served.context("replay provider stopped")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
