//! `GET /streams`: each stream's last success, its age and whether that is
//! older than its pipeline's `freshness`. Streams the config names that
//! never succeeded are listed too, as stale when a limit is set.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{ApiError, conn, db_error};
use crate::serve::state::AppState;
use crate::state::stream_runs;

/// One stream's freshness.
#[derive(Debug, serde::Serialize)]
pub struct StreamFreshness {
    pipeline: String,
    /// `provider/stream?params`; `None` for a configured stream that never ran.
    stream_key: Option<String>,
    provider: String,
    stream: String,
    last_success: Option<String>,
    /// Seconds since the last success.
    age_s: Option<i64>,
    /// The pipeline's `freshness`, in seconds, when set.
    freshness_s: Option<u64>,
    /// Older than `freshness` (or never succeeded while a limit is set).
    stale: bool,
}

/// Every stream's freshness, by pipeline and stream.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<StreamFreshness>>, ApiError> {
    let mut conn = conn(&state).await?;
    let last = stream_runs::freshness(&mut conn).await.map_err(db_error)?;
    let pipelines = &state.config.config.pipelines;
    let limit_of = |pipeline: &str| {
        pipelines
            .get(pipeline)
            .and_then(|p| p.freshness.as_ref())
            .map(|d| d.0.as_secs())
    };
    let now = OffsetDateTime::now_utc();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut out = Vec::with_capacity(last.len());
    for row in last {
        let age_s = OffsetDateTime::parse(&row.last_success, &Rfc3339)
            .ok()
            .map(|at| (now - at).whole_seconds().max(0));
        let freshness_s = limit_of(&row.pipeline);
        let stale = match (freshness_s, age_s) {
            (Some(limit), Some(age)) => u64::try_from(age).unwrap_or(0) > limit,
            _ => false,
        };
        seen.insert((row.pipeline.clone(), row.stream_key.clone()));
        out.push(StreamFreshness {
            pipeline: row.pipeline,
            stream_key: Some(row.stream_key),
            provider: row.provider,
            stream: row.stream,
            last_success: Some(row.last_success),
            age_s,
            freshness_s,
            stale,
        });
    }
    for (name, pipeline) in pipelines {
        for stream in &pipeline.streams {
            // A stream that never succeeded, by its own key: a fallback's
            // success counts for the stream it served.
            if seen.insert((name.clone(), stream.key())) {
                let freshness_s = limit_of(name);
                out.push(StreamFreshness {
                    pipeline: name.clone(),
                    stream_key: Some(stream.key()),
                    provider: stream.provider.clone(),
                    stream: stream.stream.clone(),
                    last_success: None,
                    age_s: None,
                    freshness_s,
                    stale: freshness_s.is_some(),
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.pipeline, &a.provider, &a.stream).cmp(&(&b.pipeline, &b.provider, &b.stream))
    });
    Ok(Json(out))
}
