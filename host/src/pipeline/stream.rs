//! One stream of a run: plan, then for each request fetch (or serve from the
//! archive) → normalize → commit, following the plugin's follow-up requests
//! until none are left.

use sha2::{Digest, Sha256};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;
use tracing::Instrument;

use super::Stores;
use super::concurrency::{RunContext, StreamOutcome};
use super::{Failure, PreparedStream, RunError};
use crate::config::WriteDisposition;
use crate::db::{DbError, now_timestamp};
use crate::extract::{FetchError, Fetched};
use crate::internal_events::{
    BatchCommitted, BatchNormalized, BatchQuarantined, CheckpointCleared, InternalEvent,
    RecordsQuarantined, ReplaceCommitted, ReplaceIncomplete,
};
use crate::load::tables::{BatchRows, TableProducer, table_of};
use crate::load::{BatchOutcome, LoadBatch};
use crate::model::{HttpResponse, NormalizedBatch, PlannedRequest};
use crate::plugin::{NormalizerPlugin, PluginError};
use crate::quality::Verdict;
use crate::state::archive::LatestResponse;
use crate::state::{ArchivedResponse, ResponseSource, RunMode, StateStore, StoredBody};

/// Most requests one stream may make in a run: a guard against a plugin
/// whose follow-ups never end.
const MAX_REQUESTS_PER_STREAM: usize = 100_000;

/// How a stream ended without failing.
pub enum End {
    /// Every request was made.
    Finished,
    /// `--max-requests` was reached.
    RequestLimit,
}

/// Responses fetched and normalized ahead of the batch being committed:
/// the next response is fetched and normalized while the database loads the
/// last one, and memory holds at most this many batches more.
const READ_AHEAD: usize = 1;

/// Runs `stream`, adding what it loaded and what went wrong to `report`.
///
/// Two halves run side by side: one fetches and normalizes the responses in
/// order, the other commits their batches in that same order, so each
/// checkpoint still follows the rows before it. Each commit waits for the
/// run's write turn, shared with the streams running beside this one.
pub async fn run(
    stream: &PreparedStream,
    stores: &Stores,
    run: &RunContext,
    report: &mut StreamOutcome,
) -> Result<End, RunError> {
    let options = &run.options;
    let manifest = stream.plugin.manifest();
    let span = tracing::info_span!(
        "stream",
        provider = %stream.provider,
        stream = %stream.stream,
        plugin = %manifest.name,
        plugin_version = %manifest.version,
    );
    async {
        let cursor = if options.clear_checkpoints {
            if options.mode == RunMode::Run {
                // A write like a batch's: it waits for the turn, which an
                // open replace stream's transaction may hold.
                let _turn = run.write_turn().await;
                stores
                    .state
                    .clear_checkpoint(&run.pipeline, &stream.key)
                    .await?;
            }
            CheckpointCleared.emit();
            None
        } else {
            stores.state.checkpoint(&run.pipeline, &stream.key).await?
        };
        let planned = blocking(&stream.plugin, {
            let (name, params) = (stream.stream.clone(), stream.params.clone());
            move |plugin| plugin.plan(&name, cursor.as_deref(), &params)
        })
        .await?
        .map_err(RunError::Plugin)?;
        // A replace stream's one transaction holds the write turn until it
        // ends; the other streams' batches wait for it.
        let replace_turn = match stream.write {
            WriteDisposition::Replace => Some(run.write_turn().await),
            _ => None,
        };
        let mut replace = match stream.write {
            WriteDisposition::Replace => Some(stores.sink.begin_replace(options.mode).await?),
            _ => None,
        };
        let (sender, receiver) = mpsc::channel::<Produced>(READ_AHEAD);
        let ahead = Producer {
            stream,
            state: &stores.state,
            run,
        };
        let produce = ahead.produce(planned.into(), sender);
        let commit = async {
            // Owned here, so that however this half ends the receiver is
            // dropped with it and the producer's next send fails instead of
            // waiting for ever.
            let mut receiver = receiver;
            while let Some(Produced {
                batch,
                failure,
                last,
            }) = receiver.recv().await
            {
                let commit_started = std::time::Instant::now();
                let counts = match &mut replace {
                    Some(open) => stores.sink.replace_batch(open, batch).await?,
                    None => {
                        let _turn = run.write_turn().await;
                        stores
                            .sink
                            .commit_fenced_batch(
                                batch,
                                options.mode,
                                stream.write,
                                run.fence.as_deref().map(|fence| (fence, last)),
                            )
                            .await?
                    }
                };
                let total = counts.total();
                BatchCommitted {
                    pipeline: &run.pipeline,
                    inserted: total.inserted,
                    updated: total.updated,
                    unchanged: total.unchanged,
                    quarantined: counts.quarantined,
                    tables: counts
                        .tables
                        .iter()
                        .map(|(table, c)| (*table, [c.inserted, c.updated, c.unchanged, c.deleted]))
                        .collect(),
                    elapsed: commit_started.elapsed(),
                }
                .emit();
                if counts.quarantined > 0 {
                    RecordsQuarantined {
                        count: counts.quarantined,
                    }
                    .emit();
                }
                report.counts.add(&counts);
                if let Some(error) = failure {
                    let goes_on = matches!(error, RunError::QualityBatch(_));
                    report.failures.push(Failure {
                        stream_key: stream.key.clone(),
                        quarantined: !matches!(error, RunError::QualityRun(_)),
                        error,
                    });
                    if goes_on {
                        continue;
                    }
                    // Its follow-ups are unknown: the stream ends here.
                    return Ok::<bool, RunError>(false);
                }
            }
            Ok(true)
        };
        // A failed commit drops the receiver, which stops the producer at its
        // next batch; a failed fetch ends the producer, and the batches it
        // produced before still commit.
        let (produced, committed) = tokio::join!(produce, commit);
        let all_committed = committed?;
        let end = produced?;
        let complete = all_committed && matches!(end, End::Finished);
        if let Some(open) = replace {
            let deleted = stores
                .sink
                .finish_replace(open, run.run_id, complete)
                .await?;
            if complete {
                ReplaceCommitted {
                    deleted: deleted.total().deleted,
                }
                .emit();
            } else {
                ReplaceIncomplete.emit();
            }
            report.counts.add(&deleted);
        }
        drop(replace_turn);
        Ok(end)
    }
    .instrument(span)
    .await
}

/// A batch ready to commit, and the error to report once it has.
struct Produced {
    batch: LoadBatch,
    failure: Option<RunError>,
    /// No request of the stream is left after it.
    last: bool,
}

/// The fetching and normalizing half of a stream.
struct Producer<'a> {
    stream: &'a PreparedStream,
    state: &'a StateStore,
    /// The run: its id, and the requests left under `--max-requests`.
    run: &'a RunContext,
}

impl Producer<'_> {
    /// Whether a live event of a match or competition `request` names (by
    /// the parameters the manifest's `[live]` lists) was committed after
    /// `fetched_at`: a response cached before it is stale, whatever its
    /// age.
    async fn live_news_since(
        &self,
        request: &PlannedRequest,
        fetched_at: &str,
    ) -> Result<bool, RunError> {
        let Some(live) = &self.stream.plugin.manifest().live else {
            return Ok(false);
        };
        let ids = |params: &[String]| -> Vec<String> {
            request
                .query
                .iter()
                .filter(|(name, _)| params.contains(name))
                .flat_map(|(_, value)| value.split([',', '-']))
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .collect()
        };
        let (events, competitions) = (ids(&live.match_params), ids(&live.competition_params));
        if events.is_empty() && competitions.is_empty() {
            return Ok(false);
        }
        Ok(self
            .state
            .live_told_since(&self.stream.provider, &events, &competitions, fetched_at)
            .await?)
    }

    /// Fetches (or serves from the archive) and normalizes every request in
    /// order, following the plugin's follow-ups, and hands each batch to
    /// the committing half. Stops after a quarantined response, or when the
    /// committing half stopped.
    async fn produce(
        self,
        mut queue: VecDeque<PlannedRequest>,
        batches: mpsc::Sender<Produced>,
    ) -> Result<End, RunError> {
        let stream = self.stream;
        let manifest = stream.plugin.manifest();
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
            let latest = self.state.latest_response(&stream.key, &url).await?;
            let mut fresh_enough = latest
                .as_ref()
                .filter(|l| within(stream.cache_ttl, &l.fetched_at));
            if let Some(cached) = fresh_enough
                && self.live_news_since(&request, &cached.fetched_at).await?
            {
                fresh_enough = None;
            }
            let (response, source) = match fresh_enough {
                Some(cached) => (archived(self.state, cached).await?, ResponseSource::Cache),
                None => {
                    if !self.run.requests.take() {
                        return Ok(End::RequestLimit);
                    }
                    let revalidate = latest.as_ref().filter(|l| {
                        l.validators.etag.is_some() || l.validators.last_modified.is_some()
                    });
                    let fetched = stream
                        .client
                        .fetch(&request, &stream.key, revalidate.map(|l| &l.validators))
                        .await;
                    if let Err(FetchError::BreakerOpen { .. } | FetchError::QuotaExhausted { .. }) =
                        &fetched
                    {
                        // Refused before anything was sent: the request
                        // stays for a fallback or another stream.
                        self.run.requests.give_back();
                    }
                    match (fetched?, revalidate) {
                        (Fetched::Fresh(response), _) => (response, ResponseSource::Network),
                        (Fetched::NotModified, Some(known)) => (
                            archived(self.state, known).await?,
                            ResponseSource::NotModified,
                        ),
                        // The client reports 304 as such only to a conditional request.
                        (Fetched::NotModified, None) => {
                            return Err(FetchError::Status {
                                url,
                                status: 304,
                                body: String::new(),
                                attempts: 1,
                            }
                            .into());
                        }
                    }
                }
            };
            let requests = u64::from(source != ResponseSource::Cache);
            let archive_body = source == ResponseSource::Network;
            let Normalized {
                result: normalized,
                response,
                payload_hash,
                body,
            } = normalize(stream, request.clone(), response, archive_body).await?;
            let raw_failure = normalized
                .as_ref()
                .err()
                .map(|_| String::from_utf8_lossy(&response.body).into_owned());
            let archived_response = ArchivedResponse {
                params: stream.params.clone(),
                path: request.path.clone(),
                query: request.query.clone(),
                url: url.clone(),
                status: response.status,
                headers: response.headers,
                source,
                fetched_at: now_timestamp(),
                payload_hash: payload_hash.clone(),
                body,
            };
            let (outcome, failure) = match normalized {
                Ok((batch, rows)) => {
                    BatchNormalized {
                        url: &url,
                        source: source.as_str(),
                        records: rows.records(),
                        rejects: batch.rejects.len(),
                        follow_ups: batch.follow_ups.len(),
                    }
                    .emit();
                    queue.extend(batch.follow_ups);
                    let (mut rows, mut rejects) = (rows, batch.rejects);
                    let failed = |reason: String| BatchOutcome::Failed {
                        reason,
                        raw: String::from_utf8_lossy(&response.body).into_owned(),
                    };
                    match self.run.quality.check_batch(&mut rows, &mut rejects) {
                        Verdict::Load => {
                            let outcome = BatchOutcome::Loaded {
                                rows,
                                rejects,
                                cursor: batch.cursor,
                            };
                            (outcome, None)
                        }
                        Verdict::FailBatch(reason) => {
                            (failed(reason.clone()), Some(RunError::QualityBatch(reason)))
                        }
                        Verdict::FailRun(reason) => {
                            (failed(reason.clone()), Some(RunError::QualityRun(reason)))
                        }
                    }
                }
                Err(source_error) => {
                    BatchQuarantined {
                        url: &url,
                        error: &source_error,
                    }
                    .emit();
                    let outcome = BatchOutcome::Failed {
                        reason: source_error.to_string(),
                        raw: raw_failure.unwrap_or_default(),
                    };
                    (
                        outcome,
                        Some(RunError::Normalize {
                            url: url.clone(),
                            source: source_error,
                        }),
                    )
                }
            };
            // A batch a quality check failed ends nothing: its follow-ups
            // are known.
            let ends_stream = failure
                .as_ref()
                .is_some_and(|f| !matches!(f, RunError::QualityBatch(_)));
            let batch = LoadBatch {
                run_id: self.run.run_id,
                pipeline: self.run.pipeline.clone(),
                stream_key: stream.key.clone(),
                provider: stream.provider.clone(),
                stream: stream.stream.clone(),
                plugin: manifest.name.clone(),
                plugin_version: manifest.version.clone(),
                payload_hash,
                requests,
                response: Some(archived_response),
                outcome,
            };
            let last = queue.is_empty() && failure.is_none();
            let produced = Produced {
                batch,
                failure,
                last,
            };
            if batches.send(produced).await.is_err() || ends_stream {
                // The committing half stopped (its error is the stream's),
                // or the stream ends at the quarantined response.
                break;
            }
        }
        Ok(End::Finished)
    }
}

/// Whether a response fetched at `fetched_at` is still within `ttl`.
fn within(ttl: Option<Duration>, fetched_at: &str) -> bool {
    let (Some(ttl), Ok(at)) = (ttl, OffsetDateTime::parse(fetched_at, &Rfc3339)) else {
        return false;
    };
    let age = OffsetDateTime::now_utc() - at;
    age.is_positive() && age < ttl
}

async fn archived(state: &StateStore, latest: &LatestResponse) -> Result<HttpResponse, RunError> {
    Ok(HttpResponse {
        status: latest.status,
        headers: latest.headers.clone(),
        body: state.payload(&latest.payload_hash).await?,
    })
}

/// What the blocking pool makes of one response.
struct Normalized {
    /// The plugin's batch (its records taken) with the records as rows.
    result: Result<(NormalizedBatch, BatchRows), PluginError>,
    /// The response, handed back.
    response: HttpResponse,
    /// sha256 of the body.
    payload_hash: String,
    /// The body compressed for the archive, when asked for.
    body: Option<StoredBody>,
}

/// Hashes, normalizes, turns the records into rows and compresses the body
/// for the archive, all on the blocking pool: the committing half, which
/// runs beside this, is left only the database's work.
async fn normalize(
    stream: &PreparedStream,
    request: PlannedRequest,
    response: HttpResponse,
    archive_body: bool,
) -> Result<Normalized, RunError> {
    let (name, params) = (stream.stream.clone(), stream.params.clone());
    let enrichers = stream.enrichers.clone();
    let live = stream.live;
    blocking(&stream.plugin, move |plugin| {
        let payload_hash = hex::encode(Sha256::digest(&response.body));
        let (result, response) = plugin.normalize(&name, &params, &request, response);
        let provider = &plugin.manifest().provider;
        let result = result
            .and_then(|batch| enrich_into_rows(batch, &enrichers, &name, &params, provider, live));
        let body = archive_body
            .then(|| StoredBody::compress(&response.body))
            .transpose()?;
        Ok::<_, DbError>(Normalized {
            result,
            response,
            payload_hash,
            body,
        })
    })
    .await?
    .map_err(RunError::from)
}

/// `batch` through the host's quality gate, then through `enrichers` in
/// order, each output through the gate again, as rows; the rows of a table an enricher added (one the
/// records before it did not have) carry that enricher's name and version.
/// Shared by runs and replays, so a replay loads what the run would have.
pub(super) fn enrich_into_rows(
    mut batch: NormalizedBatch,
    enrichers: &[Arc<crate::plugin::EnricherPlugin>],
    stream: &str,
    params: &[(String, String)],
    provider: &str,
    live: Option<crate::live::LiveSettings>,
) -> Result<(NormalizedBatch, BatchRows), PluginError> {
    // The host's checks come first: what the normalizer returned that the
    // tables cannot hold goes to quarantine before any enricher sees it.
    crate::model::quality::gate(&mut batch);
    let mut producers: Vec<TableProducer> = Vec::new();
    for enricher in enrichers {
        let before: HashSet<&'static str> =
            batch.records.iter().map(|r| table_of(r).name).collect();
        batch.records = enricher.enrich(stream, params, provider, &batch.records)?;
        crate::model::quality::gate(&mut batch);
        for record in &batch.records {
            let table = table_of(record).name;
            if !before.contains(table) && !producers.iter().any(|p| p.table == table) {
                producers.push(TableProducer {
                    table,
                    plugin: enricher.manifest().name.clone(),
                    plugin_version: enricher.manifest().version.clone(),
                });
            }
        }
    }
    let snapshots = match live {
        Some(_) => crate::live::snapshots_of(&batch.records),
        None => Vec::new(),
    };
    let mut rows = BatchRows::from(std::mem::take(&mut batch.records));
    rows.producers = producers;
    rows.live = snapshots;
    rows.live_settings = live;
    Ok((batch, rows))
}

/// Plugin calls run on the blocking pool: a call may take up to its deadline.
pub(super) async fn blocking<R: Send + 'static>(
    plugin: &Arc<NormalizerPlugin>,
    f: impl FnOnce(&NormalizerPlugin) -> R + Send + 'static,
) -> Result<R, RunError> {
    let plugin = plugin.clone();
    tokio::task::spawn_blocking(move || f(&plugin))
        .await
        .map_err(|e| RunError::Aborted(e.to_string()))
}
