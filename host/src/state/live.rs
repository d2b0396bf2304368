//! `live_matches` and `live_events`: each tracked match's accepted state
//! and the outbox of what changed, committed together so that a crash
//! between the commit and the publishing loses nothing and tells nothing
//! twice: listeners read the outbox by its sequence number.

use crate::db::row::{int, text};
use crate::db::{DbError, Exec, now_timestamp};
use crate::live::{LiveEvent, MatchTracker};

/// The stored tracker of a match, if it was tracked before (and its state
/// is one this version reads).
pub async fn tracker(
    db: &mut impl Exec,
    provider: &str,
    event: &str,
) -> Result<Option<MatchTracker>, DbError> {
    let rows = db
        .fetch(
            "SELECT state FROM live_matches WHERE provider = ? AND event = ?",
            vec![provider.into(), event.into()],
        )
        .await
        .map_err(DbError::query("reading a live match's state"))?;
    Ok(rows
        .first()
        .map(|r| text(r, 0, "live match"))
        .transpose()?
        .and_then(|state| MatchTracker::from_json(&state)))
}

/// Stores `tracker` as the match's state and appends `events` to the
/// outbox, inside the caller's transaction; returns their sequence
/// numbers, in order.
pub async fn commit(
    db: &mut impl Exec,
    provider: &str,
    event: &str,
    tracker: &MatchTracker,
    events: &[LiveEvent],
) -> Result<Vec<i64>, DbError> {
    let now = now_timestamp();
    db.execute(
        "INSERT INTO live_matches (provider, event, state, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (provider, event) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        vec![provider.into(), event.into(), tracker.to_json().into(), now.as_str().into()],
    )
    .await
    .map_err(DbError::query("storing a live match's state"))?;
    let mut seqs = Vec::with_capacity(events.len());
    for live in events {
        let payload = serde_json::to_string(live).unwrap_or_default();
        let kind = serde_json::to_value(live.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let rows = db
            .fetch(
                "INSERT INTO live_events (provider, event, kind, subject, payload, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
                vec![
                    provider.into(),
                    event.into(),
                    kind.into(),
                    live.subject.as_str().into(),
                    payload.into(),
                    now.as_str().into(),
                ],
            )
            .await
            .map_err(DbError::query("appending to the live outbox"))?;
        let seq = rows
            .first()
            .map(|r| int(r, 0, "live event"))
            .transpose()?
            .ok_or_else(|| DbError::Unexpected("the outbox returned no sequence number".into()))?;
        seqs.push(seq);
    }
    Ok(seqs)
}

/// One event of the outbox.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxEvent {
    /// Its place in the outbox: what a listener resumes after.
    pub seq: i64,
    /// The data source of the match.
    pub provider: String,
    /// The provider's id of the match.
    pub event: String,
    /// What happened (`goal`, `goal_cancelled`, …).
    pub kind: String,
    /// The goal or card it is about, or `status`.
    pub subject: String,
    /// The event as JSON.
    pub payload: String,
    /// When it was committed.
    pub created_at: String,
}

/// The outbox after `seq`, oldest first, at most `limit`.
pub async fn after(db: &mut impl Exec, seq: i64, limit: i64) -> Result<Vec<OutboxEvent>, DbError> {
    let rows = db
        .fetch(
            "SELECT seq, provider, event, kind, subject, payload, created_at FROM live_events \
             WHERE seq > ? ORDER BY seq LIMIT ?",
            vec![seq.into(), limit.into()],
        )
        .await
        .map_err(DbError::query("reading the live outbox"))?;
    let what = "live event";
    rows.iter()
        .map(|r| {
            Ok(OutboxEvent {
                seq: int(r, 0, what)?,
                provider: text(r, 1, what)?,
                event: text(r, 2, what)?,
                kind: text(r, 3, what)?,
                subject: text(r, 4, what)?,
                payload: text(r, 5, what)?,
                created_at: text(r, 6, what)?,
            })
        })
        .collect()
}
