//! `/metrics`: the Prometheus recorder every `metrics::` call of the host
//! writes to, rendered in the text format with the process's own metrics.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::config::LoadedConfig;
use crate::db::{DbError, Exec};
use crate::plugin::PluginRegistry;

/// Buckets for request, call and commit durations, in seconds.
const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// Installs the recorder for the whole process; the handle renders it.
/// Installing twice (tests serving twice in one process) reuses the first.
pub fn install() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(DURATION_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed: render an empty one.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

/// The text `/metrics` answers: the process metrics collected now, then
/// everything recorded.
pub fn render(handle: &PrometheusHandle) -> String {
    static PROCESS: std::sync::OnceLock<metrics_process::Collector> = std::sync::OnceLock::new();
    let process = PROCESS.get_or_init(|| {
        let collector = metrics_process::Collector::default();
        collector.describe();
        collector
    });
    process.collect();
    handle.render()
}

/// Sets what is known at start: each pipeline's freshness limit, and every
/// outcome counter at 0, so that a pipeline's first failed run or a
/// plugin's first trap is an increase Prometheus can see (a counter that
/// first appears at 1 has no increase).
pub fn describe_start(config: &LoadedConfig, registry: &PluginRegistry) {
    for (pipeline, spec) in &config.config.pipelines {
        if let Some(limit) = spec.freshness {
            metrics::gauge!("sluice_stream_freshness_limit_seconds", "pipeline" => pipeline.clone())
                .set(limit.0.as_secs_f64());
        }
        for outcome in ["succeeded", "partial", "failed", "abandoned"] {
            metrics::counter!("sluice_runs_total", "pipeline" => pipeline.clone(), "outcome" => outcome)
                .increment(0);
        }
        metrics::counter!("sluice_schedule_skipped_total", "pipeline" => pipeline.clone())
            .increment(0);
        metrics::gauge!("sluice_runs_running", "pipeline" => pipeline.clone()).set(0.0);
    }
    for plugin in registry.list() {
        for reason in ["deadline", "memory", "trap"] {
            metrics::counter!("sluice_plugin_traps_total", "plugin" => plugin.name.clone(), "reason" => reason)
                .increment(0);
        }
        for result in ["published", "refused"] {
            metrics::counter!("sluice_plugin_reloads_total", "plugin" => plugin.name.clone(), "result" => result)
                .increment(0);
        }
    }
}

/// Sets what the database remembers from before this process: each
/// provider's breaker and quota windows, and each stream's last success,
/// so that freshness and breaker panels do not start empty after a
/// restart.
pub async fn describe_stored(config: &LoadedConfig, db: &mut impl Exec) -> Result<(), DbError> {
    let breakers = crate::state::providers::all(db).await?;
    for provider in config.config.providers.keys() {
        let state = breakers
            .iter()
            .find(|b| &b.provider == provider)
            .map_or(0.0, |b| match b.breaker_state.as_str() {
                "open" => 2.0,
                "half-open" => 1.0,
                _ => 0.0,
            });
        metrics::gauge!("sluice_provider_breaker_state", "provider" => provider.clone()).set(state);
    }
    for quota in crate::state::quotas::all(db).await? {
        let labels = [
            ("provider", quota.provider),
            ("quota", quota.quota),
            ("scope", quota.scope),
        ];
        metrics::gauge!("sluice_provider_quota_remaining", &labels).set(quota.remaining as f64);
        if let Some(limit) = quota.quota_limit {
            metrics::gauge!("sluice_provider_quota_limit", &labels).set(limit as f64);
        }
    }
    for stream in crate::state::stream_runs::freshness(db).await? {
        let Ok(at) = time::OffsetDateTime::parse(
            &stream.last_success,
            &time::format_description::well_known::Rfc3339,
        ) else {
            continue;
        };
        metrics::gauge!(
            "sluice_stream_last_success_timestamp_seconds",
            "pipeline" => stream.pipeline,
            "provider" => stream.provider,
            "stream" => stream.stream,
            "stream_key" => stream.stream_key
        )
        .set(at.unix_timestamp_nanos() as f64 / 1e9);
    }
    Ok(())
}

/// Sets the queue's gauges from the database, when it is PostgreSQL: units
/// by status, messages in the queue, takeovers so far, and workers heard
/// from within a minute.
pub async fn describe_workers(pool: &crate::db::Pool) {
    let crate::db::Pool::Postgres(pool) = pool else {
        return;
    };
    let view = match crate::workers::view(pool, None, Some(0)).await {
        Ok(view) => view,
        Err(error) => {
            tracing::warn!(%error, "the queue's gauges were not read");
            return;
        }
    };
    for status in ["queued", "running", "done", "failed"] {
        metrics::gauge!("sluice_units", "status" => status).set(view.count(status) as f64);
    }
    metrics::gauge!("sluice_queue_depth").set(view.depth as f64);
    metrics::gauge!("sluice_unit_takeovers").set(view.takeovers as f64);
    let alive = view.workers.iter().filter(|w| w.silent_secs < 60.0).count();
    metrics::gauge!("sluice_workers").set(alive as f64);
}
