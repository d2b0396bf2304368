//! What a row's provenance columns point to: the run that was running
//! when it was created, the archived response its payload hash names, and
//! its link in `provider_ids`.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::db::row::{float, int, text};
use crate::db::{DbError, Exec};
use crate::state::runs::{self, RunFilter, RunRow};

/// The archived response a row's content came from.
#[derive(Debug, Clone, Serialize)]
pub struct ArchivedRequest {
    /// The URL as the plugin planned it (the host's secrets left out).
    pub url: String,
    /// When it was fetched.
    pub fetched_at: String,
    /// sha256 of the body.
    pub payload_hash: String,
    /// The HTTP status.
    pub status: i64,
    /// `network`, `cache` or `not-modified`.
    pub source: String,
    /// The config's provider.
    pub provider: String,
    /// The stream's key.
    pub stream_key: String,
    /// The pipeline.
    pub pipeline: String,
    /// The run that fetched it.
    pub run_id: i64,
    /// The normalizer that read it, and its version.
    pub plugin: String,
    /// Its version.
    pub plugin_version: String,
}

/// A link to a canonical entity.
#[derive(Debug, Clone, Serialize)]
pub struct CanonicalLink {
    /// `competition`, `team` or `event`.
    pub kind: String,
    /// The canonical id.
    pub canonical_id: String,
    /// How sure the link is, 0 to 1.
    pub confidence: f64,
    /// How it was made.
    pub method: String,
}

/// The run that was running when the row was created: the latest one
/// before the run that last changed it that started by then and had not
/// finished (canonical rows keep only the last run's id).
pub(super) async fn inserting_run(
    conn: &mut impl Exec,
    before: i64,
    created_at: &str,
) -> Result<Option<RunRow>, DbError> {
    let Ok(created) = OffsetDateTime::parse(created_at, &Rfc3339) else {
        return Ok(None);
    };
    let filter = RunFilter {
        before: Some(before),
        ..RunFilter::default()
    };
    let parse = |s: &str| OffsetDateTime::parse(s, &Rfc3339).ok();
    let candidates = runs::list(conn, &filter, 200).await?;
    Ok(candidates.into_iter().find(|run| {
        let started = parse(&run.started_at).is_some_and(|s| s <= created);
        let not_ended = run
            .finished_at
            .as_deref()
            .and_then(parse)
            .is_none_or(|f| f >= created);
        started && not_ended
    }))
}

/// The archived response with `payload_hash`, the one of run `run_id`
/// first.
pub(super) async fn archived_request(
    conn: &mut impl Exec,
    payload_hash: &str,
    run_id: i64,
) -> Result<Option<ArchivedRequest>, DbError> {
    let rows = conn
        .fetch(
            "SELECT url, fetched_at, payload_hash, status, source, provider, stream_key, \
             pipeline, run_id, plugin, plugin_version FROM sluice_responses \
             WHERE payload_hash = ? \
             ORDER BY CASE WHEN run_id = ? THEN 0 ELSE 1 END, id DESC LIMIT 1",
            vec![payload_hash.into(), run_id.into()],
        )
        .await
        .map_err(DbError::query("reading the archived response"))?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let what = "archived response";
    Ok(Some(ArchivedRequest {
        url: text(r, 0, what)?,
        fetched_at: text(r, 1, what)?,
        payload_hash: text(r, 2, what)?,
        status: int(r, 3, what)?,
        source: text(r, 4, what)?,
        provider: text(r, 5, what)?,
        stream_key: text(r, 6, what)?,
        pipeline: text(r, 7, what)?,
        run_id: int(r, 8, what)?,
        plugin: text(r, 9, what)?,
        plugin_version: text(r, 10, what)?,
    }))
}

/// The canonical entity `provider`'s `kind` `provider_id` is linked to.
pub(super) async fn canonical_link(
    conn: &mut impl Exec,
    provider: &str,
    kind: &str,
    provider_id: &str,
) -> Result<Option<CanonicalLink>, DbError> {
    let rows = conn
        .fetch(
            "SELECT canonical_id, confidence, method FROM provider_ids \
             WHERE provider = ? AND kind = ? AND provider_id = ?",
            vec![provider.into(), kind.into(), provider_id.into()],
        )
        .await
        .map_err(DbError::query("reading the canonical link"))?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(CanonicalLink {
        kind: kind.to_string(),
        canonical_id: text(r, 0, "link")?,
        confidence: float(r, 1, "link")?,
        method: text(r, 2, "link")?,
    }))
}
