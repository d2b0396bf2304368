//! `sluice serve`: the long-running host. It runs pipelines on their
//! schedules and on demand, serves health, metrics, the run history, live
//! events and the dashboard over HTTP, and watches the plugin folder,
//! publishing a changed plugin only once it loaded and passed its checks. A
//! run takes the plugin versions published when it starts and finishes on
//! them. On SIGTERM or Ctrl-C it starts no new run, lets the running ones
//! commit and end within the grace period, and exits.

mod auth;
pub mod budget;
mod dashboard;
mod events;
mod http;
mod in_play;
mod live;
mod metrics;
mod scheduler;
mod state;
mod watch;

pub use events::ServeEvent;
pub use scheduler::{Scheduler, StartError};
pub use state::{AppState, ReloadRecord, Reloads};

use std::net::SocketAddr;
use std::sync::Arc;

use crate::alerts::Alerter;
use crate::config::LoadedConfig;
use crate::internal_events::{InternalEvent, RunsAbandoned};
use crate::pipeline::Stores;
use crate::plugin::PluginRegistry;

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
    /// `[serve] admin_token_env` names a variable that is not set.
    #[error("[serve] admin_token_env: environment variable {0} is not set (or is empty)")]
    MissingAdminToken(String),
    /// Alerts could not start (a channel's secret missing).
    #[error("alerts: {0}")]
    Alerts(#[from] crate::alerts::AlertsError),
    /// The database could not be read at start.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// The live pipelines would spend more than a provider's plan allows.
    #[error(transparent)]
    Budget(#[from] budget::BudgetError),
}

/// Why runs found `running` at start are marked abandoned.
const ABANDONED_AT_START: &str =
    "abandoned: the process running it stopped before it finished (found at the next start)";
/// Why runs still going when the grace period ran out are marked abandoned.
const ABANDONED_AT_STOP: &str =
    "abandoned: still running when sluice serve's grace period ran out; its committed batches stay";

/// How long open HTTP connections may take to close at shutdown.
const CONNECTIONS_AT_STOP: std::time::Duration = std::time::Duration::from_secs(2);

/// How long queued alert messages may take to go out at shutdown.
const ALERTS_AT_STOP: std::time::Duration = std::time::Duration::from_secs(5);

/// Tells the dashboard when an evaluation changed what fires.
fn forward_alert_changes(alerter: &Alerter, events: tokio::sync::broadcast::Sender<ServeEvent>) {
    let mut changes = alerter.subscribe();
    tokio::spawn(async move {
        while changes.changed().await.is_ok() {
            let _ = events.send(ServeEvent::Changed {
                what: "alerts".to_string(),
            });
        }
    });
}

/// Serves until the process is stopped (Ctrl-C or SIGTERM).
pub async fn serve(
    config: Arc<LoadedConfig>,
    registry: Arc<PluginRegistry>,
    stores: Stores,
    addr: SocketAddr,
) -> Result<(), ServeError> {
    let admin_token = match &config.config.serve.admin_token_env {
        None => None,
        Some(var) => match std::env::var(var) {
            Ok(token) if !token.is_empty() => Some(Arc::<str>::from(token)),
            _ => return Err(ServeError::MissingAdminToken(var.clone())),
        },
    };
    let metrics = metrics::install();
    metrics::describe_start(&config, &registry);
    let mut conn = stores
        .state
        .pool()
        .acquire()
        .await
        .map_err(crate::db::DbError::query("acquiring a connection"))?;
    // Refused before anything is polled: a day of live polling that the
    // providers' plans cannot pay for.
    for spend in budget::check(
        &config,
        &registry,
        &mut conn,
        time::OffsetDateTime::now_utc(),
    )
    .await?
    {
        tracing::info!(
            provider = %spend.provider,
            credits = spend.credits,
            allowed = ?spend.allowed,
            "the day's live polling, by the fixtures loaded"
        );
    }
    let abandoned =
        crate::state::runs::abandon_running(&mut conn, ABANDONED_AT_START, None).await?;
    metrics::describe_stored(&config, &mut conn).await?;
    drop(conn);
    RunsAbandoned {
        runs: &abandoned,
        why: ABANDONED_AT_START,
    }
    .emit();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener.local_addr().unwrap_or(addr);
    tracing::info!(addr = %bound, plugins = registry.list().len(), "serving");
    let (events, _) = tokio::sync::broadcast::channel(256);
    let alerter = Alerter::start(config.clone(), stores.state.pool().clone())?;
    for plugin in registry.list() {
        alerter.report_plugin_loaded(&plugin.name);
    }
    forward_alert_changes(&alerter, events.clone());
    let reloads = state::Reloads::default();
    let _watcher = watch::start(
        registry.clone(),
        events.clone(),
        reloads.clone(),
        alerter.clone(),
    )?;
    let scheduler = Scheduler::new(
        config.clone(),
        registry.clone(),
        stores.clone(),
        events.clone(),
        Some(alerter.clone()),
    );
    scheduler.spawn_schedules();
    tokio::spawn(prune_run_logs(
        stores.clone(),
        config.config.serve.keep_run_logs.0,
    ));
    let state = AppState {
        config: config.clone(),
        registry,
        stores: stores.clone(),
        scheduler: scheduler.clone(),
        events,
        metrics,
        admin_token,
        reloads,
    };
    let app = http::router(state);
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let grace = config.config.serve.grace_period.0;
    let stopping = {
        let scheduler = scheduler.clone();
        let stores = stores.clone();
        async move {
            shutdown_signal().await;
            tracing::info!(
                grace_s = grace.as_secs_f64(),
                "stopping: no new runs; waiting for running batches to commit"
            );
            let left = scheduler.shutdown(grace).await;
            for pipeline in &left {
                if let Ok(mut conn) = stores.state.pool().acquire().await
                    && let Ok(runs) = crate::state::runs::abandon_running(
                        &mut conn,
                        ABANDONED_AT_STOP,
                        Some(pipeline),
                    )
                    .await
                {
                    RunsAbandoned {
                        runs: &runs,
                        why: ABANDONED_AT_STOP,
                    }
                    .emit();
                }
            }
            // Messages already queued get what is left of a short wait;
            // a channel that is down does not hold the exit.
            let _ = tokio::time::timeout(ALERTS_AT_STOP, alerter.settled()).await;
            let _ = stopped_tx.send(());
        }
    };
    tokio::spawn(stopping);
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async {
        let _ = stopped_rx.await;
        let _ = closed_tx.send(());
    });
    // Connections still open once the runs have stopped (a client holding
    // a request) get a moment, then the process exits anyway.
    let lingering = async {
        if closed_rx.await.is_ok() {
            tokio::time::sleep(CONNECTIONS_AT_STOP).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = server => served.map_err(|source| ServeError::Http {
            addr: bound,
            source,
        }),
        _ = lingering => Ok(()),
    }
}

/// Every hour, deletes the log lines of runs older than `keep`.
async fn prune_run_logs(stores: Stores, keep: std::time::Duration) {
    let mut hours = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        hours.tick().await;
        let Some(before) = time::Duration::try_from(keep)
            .ok()
            .and_then(|keep| time::OffsetDateTime::now_utc().checked_sub(keep))
            .and_then(|at| {
                at.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
        else {
            continue;
        };
        let pruned = match stores.state.pool().acquire().await {
            Ok(mut conn) => crate::state::run_logs::prune(&mut conn, &before).await,
            Err(e) => Err(crate::db::DbError::query("acquiring a connection")(e)),
        };
        if let Err(error) = pruned {
            tracing::warn!(%error, "old run logs not deleted; trying again in an hour");
        }
    }
}

/// Ctrl-C or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
