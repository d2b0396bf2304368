//! One stream of a run: plan, then for each request fetch → normalize →
//! commit, following the plugin's follow-up requests until none are left.

use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::Arc;
use tracing::Instrument;

use super::{PreparedStream, RunError, RunReport};
use crate::load::{LoadBatch, Sink};
use crate::model::{NormalizedBatch, PlannedRequest};
use crate::plugin::{HttpResponse, NormalizerPlugin, PluginError};
use crate::state::RunId;

/// Most requests one stream may make in a run: a guard against a plugin
/// whose follow-ups never end.
const MAX_REQUESTS_PER_STREAM: usize = 100_000;

/// Runs `stream`, adding what it loaded to `report`.
pub async fn run(
    stream: &PreparedStream,
    sink: &Sink,
    run_id: RunId,
    pipeline: &str,
    report: &mut RunReport,
) -> Result<(), RunError> {
    let manifest = stream.plugin.manifest();
    let span = tracing::info_span!(
        "stream",
        provider = %stream.provider,
        stream = %stream.stream,
        plugin = %manifest.name,
        plugin_version = %manifest.version,
    );
    async {
        let cursor = sink.checkpoint(pipeline, &stream.key).await?;
        let planned = blocking(&stream.plugin, {
            let (name, params) = (stream.stream.clone(), stream.params.clone());
            move |plugin| plugin.plan(&name, cursor.as_deref(), &params)
        })
        .await?
        .map_err(RunError::Plugin)?;
        let mut queue: VecDeque<PlannedRequest> = planned.into();
        let mut made = 0;
        while let Some(request) = queue.pop_front() {
            made += 1;
            if made > MAX_REQUESTS_PER_STREAM {
                return Err(RunError::TooManyRequests {
                    stream_key: stream.key.clone(),
                    limit: MAX_REQUESTS_PER_STREAM,
                });
            }
            let url = stream.client.url(&request)?.to_string();
            let response = stream.client.get(&request).await?;
            report.requests += 1;
            let payload_hash = hex::encode(Sha256::digest(&response.body));
            let batch = normalize(stream, request, response)
                .await?
                .map_err(|source| RunError::Normalize {
                    url: url.clone(),
                    source,
                })?;
            tracing::info!(
                url = %url,
                records = batch.records.len(),
                rejects = batch.rejects.len(),
                follow_ups = batch.follow_ups.len(),
                "batch normalized"
            );
            queue.extend(batch.follow_ups);
            let counts = sink
                .commit_batch(LoadBatch {
                    run_id,
                    pipeline: pipeline.to_string(),
                    stream_key: stream.key.clone(),
                    provider: stream.provider.clone(),
                    stream: stream.stream.clone(),
                    plugin: manifest.name.clone(),
                    plugin_version: manifest.version.clone(),
                    payload_hash,
                    records: batch.records,
                    rejects: batch.rejects,
                    cursor: batch.cursor,
                })
                .await?;
            let total = counts.total();
            tracing::info!(
                inserted = total.inserted,
                updated = total.updated,
                unchanged = total.unchanged,
                quarantined = counts.quarantined,
                "batch committed"
            );
            report.counts.add(&counts);
        }
        Ok(())
    }
    .instrument(span)
    .await
}

async fn normalize(
    stream: &PreparedStream,
    request: PlannedRequest,
    response: HttpResponse,
) -> Result<Result<NormalizedBatch, PluginError>, RunError> {
    let (name, params) = (stream.stream.clone(), stream.params.clone());
    blocking(&stream.plugin, move |plugin| {
        plugin.normalize(&name, &params, &request, &response)
    })
    .await
}

/// Plugin calls run on the blocking pool: a call may take up to its deadline.
async fn blocking<R: Send + 'static>(
    plugin: &Arc<NormalizerPlugin>,
    f: impl FnOnce(&NormalizerPlugin) -> R + Send + 'static,
) -> Result<R, RunError> {
    let plugin = plugin.clone();
    tokio::task::spawn_blocking(move || f(&plugin))
        .await
        .map_err(|e| RunError::Aborted(e.to_string()))
}
