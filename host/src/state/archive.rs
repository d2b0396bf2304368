//! The raw archive: every response a plugin was handed, its body stored once
//! per content (sha256) and compressed with zstd. It is what `sluice replay`
//! re-runs through the current plugins, and where the response cache reads.

use sqlx::SqliteConnection;

use super::RunId;
use crate::extract::Validators;
use crate::load::LoadError;

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
    pub body: Option<Vec<u8>>,
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
    conn: &mut SqliteConnection,
    ctx: &ResponseContext<'_>,
    response: &ArchivedResponse,
) -> Result<(), LoadError> {
    if let Some(body) = &response.body {
        let compressed = zstd::bulk::compress(body, ZSTD_LEVEL)
            .map_err(|e| LoadError::Archive(e.to_string()))?;
        sqlx::query("INSERT INTO sluice_payloads (payload_hash, size, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(&response.payload_hash)
            .bind(body.len() as i64)
            .bind(compressed)
            .execute(&mut *conn)
            .await
            .map_err(LoadError::query("archiving a response body"))?;
    }
    sqlx::query(
        "INSERT INTO sluice_responses (run_id, pipeline, stream_key, provider, stream, params, plugin, plugin_version, \
         path, query, url, status, headers, etag, last_modified, source, payload_hash, fetched_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(ctx.run_id)
    .bind(ctx.pipeline)
    .bind(ctx.stream_key)
    .bind(ctx.provider)
    .bind(ctx.stream)
    .bind(pairs_json(&response.params))
    .bind(ctx.plugin)
    .bind(ctx.plugin_version)
    .bind(&response.path)
    .bind(pairs_json(&response.query))
    .bind(&response.url)
    .bind(i64::from(response.status))
    .bind(pairs_json(&response.headers))
    .bind(response.header("etag"))
    .bind(response.header("last-modified"))
    .bind(response.source.as_str())
    .bind(&response.payload_hash)
    .bind(&response.fetched_at)
    .execute(&mut *conn)
    .await
    .map_err(LoadError::query("archiving a response"))?;
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
    conn: &mut SqliteConnection,
    stream_key: &str,
    url: &str,
) -> Result<Option<LatestResponse>, LoadError> {
    #[derive(sqlx::FromRow)]
    struct Latest {
        fetched_at: String,
        status: i64,
        headers: String,
        payload_hash: String,
        etag: Option<String>,
        last_modified: Option<String>,
    }
    let row: Option<Latest> = sqlx::query_as(
        "SELECT fetched_at, status, headers, payload_hash, etag, last_modified FROM sluice_responses \
         WHERE stream_key = ? AND url = ? AND source IN ('network', 'not-modified') ORDER BY id DESC LIMIT 1",
    )
    .bind(stream_key)
    .bind(url)
    .fetch_optional(&mut *conn)
    .await
    .map_err(LoadError::query("looking up the archived response"))?;
    Ok(row.map(|r| LatestResponse {
        fetched_at: r.fetched_at,
        validators: Validators {
            etag: r.etag,
            last_modified: r.last_modified,
        },
        status: u16::try_from(r.status).unwrap_or(200),
        headers: pairs_from_json(&r.headers),
        payload_hash: r.payload_hash,
    }))
}

/// The body stored under `payload_hash`.
pub async fn payload(
    conn: &mut SqliteConnection,
    payload_hash: &str,
) -> Result<Vec<u8>, LoadError> {
    let (size, body): (i64, Vec<u8>) =
        sqlx::query_as("SELECT size, body FROM sluice_payloads WHERE payload_hash = ?")
            .bind(payload_hash)
            .fetch_one(conn)
            .await
            .map_err(LoadError::query(format!(
                "reading archived payload {payload_hash}"
            )))?;
    zstd::bulk::decompress(&body, usize::try_from(size).unwrap_or(0))
        .map_err(|e| LoadError::Archive(format!("payload {payload_hash}: {e}")))
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
}

/// The archived responses selected, oldest first.
pub async fn select(
    conn: &mut SqliteConnection,
    selection: &ReplaySelection,
) -> Result<Vec<ReplayItem>, LoadError> {
    type Row = (
        i64,
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        String,
        String,
    );
    const COLUMNS: &str = "id, run_id, pipeline, stream_key, provider, stream, params, plugin, path, query, status, headers, payload_hash";
    let sql = match selection {
        ReplaySelection::Run(_) => {
            format!("SELECT {COLUMNS} FROM sluice_responses WHERE run_id = ? ORDER BY id")
        }
        ReplaySelection::Between(..) => {
            format!(
                "SELECT {COLUMNS} FROM sluice_responses WHERE fetched_at >= ? AND fetched_at < ? ORDER BY id"
            )
        }
    };
    let query = sqlx::query_as::<_, Row>(&sql);
    let query = match selection {
        ReplaySelection::Run(run) => query.bind(*run),
        ReplaySelection::Between(since, until) => query.bind(since.as_str()).bind(until.as_str()),
    };
    let rows = query
        .fetch_all(conn)
        .await
        .map_err(LoadError::query("selecting archived responses"))?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                run_id,
                pipeline,
                stream_key,
                provider,
                stream,
                params,
                plugin,
                path,
                query,
                status,
                headers,
                payload_hash,
            )| ReplayItem {
                id,
                run_id,
                pipeline,
                stream_key,
                provider,
                stream,
                params: pairs_from_json(&params),
                plugin,
                path,
                query: pairs_from_json(&query),
                status: u16::try_from(status).unwrap_or(200),
                headers: pairs_from_json(&headers),
                payload_hash,
            },
        )
        .collect())
}

fn pairs_json(pairs: &[(String, String)]) -> String {
    serde_json::to_string(pairs).unwrap_or_else(|_| "[]".to_string())
}

fn pairs_from_json(text: &str) -> Vec<(String, String)> {
    serde_json::from_str(text).unwrap_or_default()
}
