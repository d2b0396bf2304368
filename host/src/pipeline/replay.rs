//! `sluice replay`: archived responses through the current plugins, loaded
//! again with no request to any provider. This is how a fixed normalizer
//! repairs history. The config's row-level quality checks judge the
//! replayed rows as they judged the run's: a row a `quarantine` check
//! failed stays in quarantine until it passes, and a batch a `fail_batch`
//! check failed stays whole. Replays are not graded.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::Stores;
use super::stream::blocking;
use super::{Failure, RunError, RunReport};
use crate::config::LoadedConfig;
use crate::config::WriteDisposition;
use crate::load::{BatchOutcome, LoadBatch};
use crate::model::{HttpResponse, PlannedRequest};
use crate::plugin::{EnricherPlugin, NormalizerPlugin, PluginEngine};
use crate::state::{ReplaySelection, RunMode};

/// Replays the archived responses `selection` names into `stores`, as a new
/// run of mode `replay`. Checkpoints do not move.
pub async fn replay(
    config: &LoadedConfig,
    engine: &PluginEngine,
    stores: &Stores,
    selection: &ReplaySelection,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let items = stores.state.replay_items(selection).await?;
    let Some(first) = items.first() else {
        return Err(RunError::NothingToReplay(match selection {
            ReplaySelection::Run(run) => format!("run {run} archived no responses"),
            ReplaySelection::Between(since, until) => {
                format!("no response was archived between {since} and {until}")
            }
            ReplaySelection::Quarantined(Some(run)) => {
                format!("run {run} has nothing unresolved in quarantine")
            }
            ReplaySelection::Quarantined(None) => "nothing unresolved is in quarantine".to_string(),
            ReplaySelection::QuarantinedItem(item) => {
                format!(
                    "quarantined item {item} is loaded already, or its response was not archived"
                )
            }
        }));
    };
    let replay_of = match selection {
        ReplaySelection::Run(run) | ReplaySelection::Quarantined(Some(run)) => Some(*run),
        ReplaySelection::QuarantinedItem(_) => Some(first.run_id),
        ReplaySelection::Between(..) | ReplaySelection::Quarantined(None) => None,
    };
    let mode = RunMode::Replay(replay_of);
    let run_id = stores.state.start_run(&first.pipeline, mode).await?;
    let mut report = RunReport::new(run_id, &first.pipeline, mode);
    let quality = crate::quality::RunQuality::new(Arc::new(
        crate::quality::QualityPlan::new(&config.config.quality, None)?
            .with_validators(engine, &config.plugin_dir())?,
    ));
    let mut plugins: HashMap<String, Arc<NormalizerPlugin>> = HashMap::new();
    let mut enrichers: HashMap<String, HashMap<String, Vec<Arc<EnricherPlugin>>>> = HashMap::new();
    for item in items {
        if !enrichers.contains_key(&item.pipeline) {
            let of_pipeline = super::prepare::enrichers_by_stream(config, &item.pipeline, engine)?;
            enrichers.insert(item.pipeline.clone(), of_pipeline);
        }
        let stream_enrichers = enrichers
            .get(&item.pipeline)
            .and_then(|by_stream| by_stream.get(&item.stream_key))
            .cloned()
            .unwrap_or_default();
        let plugin = match plugins.get(&item.plugin) {
            Some(p) => p.clone(),
            None => {
                let wasm = config.plugin_dir().join(format!("{}.wasm", item.plugin));
                let plugin = Arc::new(NormalizerPlugin::load(engine, &wasm)?);
                plugins.insert(item.plugin.clone(), plugin.clone());
                plugin
            }
        };
        let body = stores.state.payload(&item.payload_hash).await?;
        let request = PlannedRequest {
            path: item.path.clone(),
            query: item.query.clone(),
        };
        let response = HttpResponse {
            status: item.status,
            headers: item.headers.clone(),
            body,
        };
        let (stream, params) = (item.stream.clone(), item.params.clone());
        let (result, response) = blocking(&plugin, move |p| {
            let (result, response) = p.normalize(&stream, &params, &request, response);
            let provider = &p.manifest().provider;
            let result = result.and_then(|batch| {
                super::stream::enrich_into_rows(
                    batch,
                    &stream_enrichers,
                    &stream,
                    &params,
                    provider,
                    // Replayed history is not news: no live events.
                    None,
                )
            });
            (result, response)
        })
        .await?;
        let result = result.map(|(mut batch, mut rows)| {
            let verdict = quality.check_batch(&mut rows, &mut batch.rejects);
            (batch, rows, verdict)
        });
        let still_rejected: Vec<Option<String>> = match &result {
            Ok((batch, _, _)) => batch
                .rejects
                .iter()
                .map(|r| r.provider_id.clone())
                .collect(),
            Err(_) => Vec::new(),
        };
        let raw = || String::from_utf8_lossy(&response.body).into_owned();
        let (outcome, failure) = match result {
            Ok((batch, rows, crate::quality::Verdict::Load)) => (
                BatchOutcome::Loaded {
                    rows,
                    rejects: batch.rejects,
                    cursor: batch.cursor,
                },
                None,
            ),
            Ok((_, _, crate::quality::Verdict::FailBatch(reason)))
            | Ok((_, _, crate::quality::Verdict::FailRun(reason))) => (
                BatchOutcome::Failed {
                    reason: reason.clone(),
                    raw: raw(),
                },
                Some(RunError::QualityBatch(reason)),
            ),
            Err(source) => (
                BatchOutcome::Failed {
                    reason: source.to_string(),
                    raw: raw(),
                },
                Some(RunError::Normalize {
                    url: format!("archived response {}", item.id),
                    source,
                }),
            ),
        };
        let counts = stores
            .sink
            .commit_batch(
                LoadBatch {
                    run_id,
                    pipeline: item.pipeline.clone(),
                    stream_key: item.stream_key.clone(),
                    provider: item.provider.clone(),
                    stream: item.stream.clone(),
                    plugin: plugin.manifest().name.clone(),
                    plugin_version: plugin.manifest().version.clone(),
                    payload_hash: item.payload_hash.clone(),
                    requests: 0,
                    response: None,
                    outcome,
                },
                mode,
                // A replay merges what was archived, whatever the stream's
                // disposition was.
                WriteDisposition::Merge,
            )
            .await?;
        report.counts.add(&counts);
        // What this replay loaded leaves quarantine. (Outside the batch's
        // transaction: a crash in between leaves items unresolved, and the
        // next replay resolves them.)
        stores
            .state
            .resolve_quarantine(
                &item.payload_hash,
                run_id,
                failure.is_some(),
                &still_rejected,
            )
            .await?;
        if let Some(error) = failure {
            report.failures.push(Failure {
                stream_key: item.stream_key.clone(),
                quarantined: true,
                error,
            });
        }
    }
    report.settle();
    stores
        .state
        .finish_run(run_id, report.status, report.error_line().as_deref(), None)
        .await?;
    report.elapsed = started.elapsed();
    Ok(report)
}
