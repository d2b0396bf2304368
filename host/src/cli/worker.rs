//! `sluice worker` (take work units from the PostgreSQL queue and load
//! them) and `sluice enqueue` (queue a pipeline's streams as units).

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::LoadedConfig;
use crate::pipeline::StopSignal;
use crate::plugin::{PluginEngine, PluginRegistry, SandboxLimits};
use crate::workers::{self, UnitQueue, Worker, WorkerSettings};

/// Arguments of `sluice worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The config file.
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL (PostgreSQL), overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// Units this process runs at once (`[workers] concurrency`, 1 by
    /// default).
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
}

/// Arguments of `sluice enqueue`.
#[derive(Debug, Args)]
pub struct EnqueueArgs {
    /// The pipeline whose streams to queue, one unit each.
    pipeline: String,
    /// The config file.
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL (PostgreSQL), overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
}

/// The config and its plugin engine.
fn load(config: &std::path::Path) -> anyhow::Result<(Arc<LoadedConfig>, Arc<PluginEngine>)> {
    let config = LoadedConfig::load(config)?;
    let engine = PluginEngine::new(SandboxLimits::from(&config.config.sandbox))
        .context("cannot start the plugin runtime")?;
    Ok((Arc::new(config), Arc::new(engine)))
}

pub async fn worker(args: WorkerArgs) -> anyhow::Result<()> {
    let (config, engine) = load(&args.config)?;
    let settings = WorkerSettings::new(&config.config.workers, args.concurrency);
    let registry = {
        let (engine, dir) = (PluginEngine::clone(&engine), config.plugin_dir());
        tokio::task::spawn_blocking(move || PluginRegistry::load_dir(engine, &dir))
            .await
            .context("loading the plugins")?
    };
    let database = config.database(args.database.as_deref()).to_string();
    // Per slot: a batch's transaction, a renewal, a rate turn; and the
    // heartbeat.
    let connections = u32::try_from(settings.concurrency * 3 + 2).unwrap_or(u32::MAX);
    let (stores, pool) = workers::postgres_pool(&database, connections).await?;
    let queue = UnitQueue::open(pool).await?;
    let worker = Arc::new(Worker::new(
        config,
        Arc::new(registry),
        stores,
        queue,
        settings,
    ));
    println!(
        "worker {} taking units from {} ({} at once)",
        worker.id(),
        crate::db::without_password(&database),
        settings.concurrency
    );
    let stop = StopSignal::default();
    let stopping = stop.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!(
            "stopping: running units stop at their next request and go back to the queue"
        );
        stopping.stop();
    });
    worker.run(stop).await?;
    Ok(())
}

pub async fn enqueue(args: EnqueueArgs) -> anyhow::Result<()> {
    let (config, engine) = load(&args.config)?;
    let database = config.database(args.database.as_deref()).to_string();
    let (_stores, pool) = workers::postgres_pool(&database, 2).await?;
    let queue = UnitQueue::open(pool).await?;
    let enqueued = workers::enqueue_pipeline(&config, &engine, &args.pipeline, &queue).await?;
    for unit in &enqueued.queued {
        println!("queued   {unit}");
    }
    for unit in &enqueued.pending {
        println!("pending  {unit} (queued or running already)");
    }
    println!(
        "{} unit(s) queued, {} already pending",
        enqueued.queued.len(),
        enqueued.pending.len()
    );
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
