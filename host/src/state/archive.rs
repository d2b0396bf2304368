//! The raw archive: every response a plugin was handed, its body stored once
//! per content (sha256) and compressed with zstd. It is what `sluice replay`
//! re-runs through the current plugins, and where the response cache reads.

use super::RunId;
use crate::db::DbError;
use crate::db::row::{int, opt_text, text};
use crate::db::{Exec, Value};
use crate::extract::Validators;

/// zstd level: fast, and still several times smaller for provider JSON.
const ZSTD_LEVEL: i32 = 3;

/// Where a response handed to a plugin came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseSource {
    /// Fetched from the provider.
    Network,
    /// Served from the archive within the stream's `cache_ttl`.
    Cache,
    /// The provider answered 304 to a conditional request.
    NotModified,
}

impl ResponseSource {
    /// The value stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseSource::Network => "network",
            ResponseSource::Cache => "cache",
            ResponseSource::NotModified => "not-modified",
        }
    }
}

/// One response as archived.
#[derive(Debug, Clone)]
pub struct ArchivedResponse {
    /// The stream's parameters.
    pub params: Vec<(String, String)>,
    /// The planned path.
    pub path: String,
    /// The planned query.
    pub query: Vec<(String, String)>,
    /// The full URL (the host adds secrets in headers, never here).
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Headers, credentials removed.
    pub headers: Vec<(String, String)>,
    /// Where it came from.
    pub source: ResponseSource,
    /// When it was fetched or served.
    pub fetched_at: String,
    /// sha256 of the body.
    pub payload_hash: String,
    /// The body, when it may not be in the archive yet.
    pub body: Option<StoredBody>,
}

/// A body as the archive keeps it: compressed, with its original size.
/// Compressed by whoever produces the batch, off the committing path.
#[derive(Debug, Clone)]
pub struct StoredBody {
    /// Bytes before compression.
    pub size: usize,
    /// zstd frame.
    pub compressed: Vec<u8>,
}

impl StoredBody {
    /// Compresses `body` for the archive.
    pub fn compress(body: &[u8]) -> Result<Self, DbError> {
        Ok(StoredBody {
            size: body.len(),
            compressed: zstd::bulk::compress(body, ZSTD_LEVEL)
                .map_err(|e| DbError::Archive(e.to_string()))?,
        })
    }
}

impl ArchivedResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What identifies the batch the response belongs to.
pub struct ResponseContext<'a> {
    /// The run.
    pub run_id: RunId,
    /// Pipeline name.
    pub pipeline: &'a str,
    /// The stream and its parameters.
    pub stream_key: &'a str,
    /// Provider config name.
    pub provider: &'a str,
    /// Stream name.
    pub stream: &'a str,
    /// Plugin name.
    pub plugin: &'a str,
    /// Plugin version.
    pub plugin_version: &'a str,
}

/// Stores `response` (and its body, when new).
pub async fn store(
    db: &mut impl Exec,
    ctx: &ResponseContext<'_>,
    response: &ArchivedResponse,
) -> Result<(), DbError> {
    if let Some(body) = &response.body {
        db.execute(
            "INSERT INTO sluice_payloads (payload_hash, size, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            vec![
                response.payload_hash.as_str().into(),
                Value::Int(body.size as i64),
                body.compressed.clone().into(),
            ],
        )
        .await
        .map_err(DbError::query("archiving a response body"))?;
    }
    db.execute(
        "INSERT INTO sluice_responses (run_id, pipeline, stream_key, provider, stream, params, plugin, plugin_version, \
         path, query, url, status, headers, etag, last_modified, source, payload_hash, fetched_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            ctx.run_id.into(),
            ctx.pipeline.into(),
            ctx.stream_key.into(),
            ctx.provider.into(),
            ctx.stream.into(),
            pairs_json(&response.params).into(),
            ctx.plugin.into(),
            ctx.plugin_version.into(),
            response.path.as_str().into(),
            pairs_json(&response.query).into(),
            response.url.as_str().into(),
            Value::Int(i64::from(response.status)),
            pairs_json(&response.headers).into(),
            response.header("etag").into(),
            response.header("last-modified").into(),
            response.source.as_str().into(),
            response.payload_hash.as_str().into(),
            response.fetched_at.as_str().into(),
        ],
    )
    .await
    .map_err(DbError::query("archiving a response"))?;
    Ok(())
}

/// The newest archived response of a URL of a stream that came from the
/// provider (fetched, or confirmed by a 304).
#[derive(Debug, Clone)]
pub struct LatestResponse {
    /// When the provider last confirmed it.
    pub fetched_at: String,
    /// Its validators, for a conditional request.
    pub validators: Validators,
    /// Its status.
    pub status: u16,
    /// Its headers.
    pub headers: Vec<(String, String)>,
    /// sha256 of its body.
    pub payload_hash: String,
}

/// The newest response of `url` in `stream_key` the provider sent or
/// confirmed, with the validators of the newest one that carried them.
pub async fn latest(
    db: &mut impl Exec,
    stream_key: &str,
    url: &str,
) -> Result<Option<LatestResponse>, DbError> {
    let rows = db
        .fetch(
            "SELECT fetched_at, status, headers, payload_hash, etag, last_modified FROM sluice_responses \
             WHERE stream_key = ? AND url = ? AND source IN ('network', 'not-modified') ORDER BY id DESC LIMIT 1",
            vec![stream_key.into(), url.into()],
        )
        .await
        .map_err(DbError::query("looking up the archived response"))?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let what = "archived response";
    Ok(Some(LatestResponse {
        fetched_at: text(r, 0, what)?,
        status: u16::try_from(int(r, 1, what)?).unwrap_or(200),
        headers: pairs_from_json(&text(r, 2, what)?),
        payload_hash: text(r, 3, what)?,
        validators: Validators {
            etag: opt_text(r, 4, what)?,
            last_modified: opt_text(r, 5, what)?,
        },
    }))
}

/// The body stored under `payload_hash`.
pub async fn payload(db: &mut impl Exec, payload_hash: &str) -> Result<Vec<u8>, DbError> {
    let rows = db
        .fetch(
            "SELECT size, body FROM sluice_payloads WHERE payload_hash = ?",
            vec![payload_hash.into()],
        )
        .await
        .map_err(DbError::query(format!(
            "reading archived payload {payload_hash}"
        )))?;
    let missing = || DbError::Archive(format!("payload {payload_hash} is not in the archive"));
    let row = rows.into_iter().next().ok_or_else(missing)?;
    let size = row.first().and_then(Value::int).ok_or_else(missing)?;
    let body = row
        .into_iter()
        .nth(1)
        .and_then(Value::into_blob)
        .ok_or_else(missing)?;
    zstd::bulk::decompress(&body, usize::try_from(size).unwrap_or(0))
        .map_err(|e| DbError::Archive(format!("payload {payload_hash}: {e}")))
}

/// An archived response to replay.
#[derive(Debug, Clone)]
pub struct ReplayItem {
    /// Archive row id.
    pub id: i64,
    /// The run that archived it.
    pub run_id: RunId,
    /// Pipeline.
    pub pipeline: String,
    /// Stream and parameters.
    pub stream_key: String,
    /// Provider config name.
    pub provider: String,
    /// Stream name.
    pub stream: String,
    /// Parameters.
    pub params: Vec<(String, String)>,
    /// Plugin that handled it then.
    pub plugin: String,
    /// Planned path.
    pub path: String,
    /// Planned query.
    pub query: Vec<(String, String)>,
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body hash.
    pub payload_hash: String,
}

/// Which archived responses to replay.
#[derive(Debug, Clone)]
pub enum ReplaySelection {
    /// Every response of one run.
    Run(RunId),
    /// Every response fetched in `[since, until)` (RFC 3339 text).
    Between(String, String),
    /// The responses whose items are in quarantine, unresolved: of one run,
    /// or of every run.
    Quarantined(Option<RunId>),
    /// The response one quarantined item, unresolved, came from (with the
    /// other items of that response).
    QuarantinedItem(i64),
}

/// The archived responses selected, oldest first.
pub async fn select(
    db: &mut impl Exec,
    selection: &ReplaySelection,
) -> Result<Vec<ReplayItem>, DbError> {
    const COLUMNS: &str = "id, run_id, pipeline, stream_key, provider, stream, params, plugin, path, query, status, headers, payload_hash";
    let (sql, args) = match selection {
        ReplaySelection::Run(run) => (
            format!("SELECT {COLUMNS} FROM sluice_responses WHERE run_id = ? ORDER BY id"),
            vec![Value::Int(*run)],
        ),
        ReplaySelection::Between(since, until) => (
            format!(
                "SELECT {COLUMNS} FROM sluice_responses WHERE fetched_at >= ? AND fetched_at < ? ORDER BY id"
            ),
            vec![since.as_str().into(), until.as_str().into()],
        ),
        ReplaySelection::Quarantined(run) => (
            format!(
                "SELECT {COLUMNS} FROM sluice_responses WHERE id IN (SELECT max(r.id) FROM sluice_responses r \
                 JOIN sluice_quarantine q ON q.payload_hash = r.payload_hash AND q.run_id = r.run_id \
                 WHERE q.resolved_by IS NULL{} GROUP BY r.payload_hash) ORDER BY id",
                if run.is_some() {
                    " AND q.run_id = ?"
                } else {
                    ""
                }
            ),
            run.iter().map(|r| Value::Int(*r)).collect(),
        ),
        ReplaySelection::QuarantinedItem(item) => (
            format!(
                "SELECT {COLUMNS} FROM sluice_responses WHERE id IN (SELECT max(r.id) FROM sluice_responses r \
                 JOIN sluice_quarantine q ON q.payload_hash = r.payload_hash AND q.run_id = r.run_id \
                 WHERE q.id = ? AND q.resolved_by IS NULL)"
            ),
            vec![Value::Int(*item)],
        ),
    };
    let rows = db
        .fetch(&sql, args)
        .await
        .map_err(DbError::query("selecting archived responses"))?;
    let what = "archived response";
    rows.iter()
        .map(|r| {
            Ok(ReplayItem {
                id: int(r, 0, what)?,
                run_id: int(r, 1, what)?,
                pipeline: text(r, 2, what)?,
                stream_key: text(r, 3, what)?,
                provider: text(r, 4, what)?,
                stream: text(r, 5, what)?,
                params: pairs_from_json(&text(r, 6, what)?),
                plugin: text(r, 7, what)?,
                path: text(r, 8, what)?,
                query: pairs_from_json(&text(r, 9, what)?),
                status: u16::try_from(int(r, 10, what)?).unwrap_or(200),
                headers: pairs_from_json(&text(r, 11, what)?),
                payload_hash: text(r, 12, what)?,
            })
        })
        .collect()
}

fn pairs_json(pairs: &[(String, String)]) -> String {
    serde_json::to_string(pairs).unwrap_or_else(|_| "[]".to_string())
}

fn pairs_from_json(text: &str) -> Vec<(String, String)> {
    serde_json::from_str(text).unwrap_or_default()
}
