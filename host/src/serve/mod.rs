//! `sluice serve`: the long-running host. It runs each pipeline that has a
//! `schedule`, serves `/healthz` and `/plugins` over HTTP, and watches the
//! plugin folder, publishing a changed plugin only once it loaded and passed
//! its checks. A run takes the plugin versions published when it starts and
//! finishes on them.

mod http;
mod watch;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::config::LoadedConfig;
use crate::pipeline::Stores;
use crate::pipeline::{self, PluginSource, RunOptions};
use crate::plugin::PluginRegistry;
use crate::state::RunMode;

/// Why serving stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The HTTP port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The HTTP server stopped with an error.
    #[error("the HTTP server on {addr} failed: {source}")]
    Http {
        /// The address.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The plugin folder cannot be watched.
    #[error("cannot watch the plugin folder {dir}: {message}")]
    Watch {
        /// The folder.
        dir: std::path::PathBuf,
        /// What the watcher said.
        message: String,
    },
}

/// Serves until the process is stopped (Ctrl-C or SIGTERM).
pub async fn serve(
    config: Arc<LoadedConfig>,
    registry: Arc<PluginRegistry>,
    stores: Stores,
    addr: SocketAddr,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener.local_addr().unwrap_or(addr);
    tracing::info!(addr = %bound, plugins = registry.list().len(), "serving");
    let _watcher = watch::start(registry.clone())?;
    for (name, pipeline) in &config.config.pipelines {
        if let Some(every) = pipeline.schedule {
            tokio::spawn(schedule(
                config.clone(),
                registry.clone(),
                stores.clone(),
                name.clone(),
                every.0,
            ));
        }
    }
    let app = http::router(registry);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("stopping");
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServeError::Http {
            addr: bound,
            source,
        })
}

/// Runs `pipeline` every `every`, each run with the plugins published when
/// it starts; a failed run is logged and the schedule goes on.
async fn schedule(
    config: Arc<LoadedConfig>,
    registry: Arc<PluginRegistry>,
    stores: Stores,
    pipeline: String,
    every: Duration,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let prepared =
            match pipeline::prepare(&config, &pipeline, PluginSource::Registry(&registry)) {
                Ok(p) => p,
                Err(error) => {
                    tracing::error!(%pipeline, %error, "scheduled run not started");
                    continue;
                }
            };
        let options = RunOptions {
            mode: RunMode::Run,
            ..RunOptions::default()
        };
        match pipeline::run(&prepared, &stores, options).await {
            Ok(report) => tracing::info!(
                %pipeline,
                run_id = report.run_id,
                status = report.status.as_str(),
                records = report.counts.records_in(),
                "scheduled run finished"
            ),
            Err(error) => tracing::error!(%pipeline, %error, "scheduled run failed"),
        }
    }
}
