//! `live_matches` and `live_events`: each tracked match's state (one row
//! per real match, whichever providers report it) and the outbox of what
//! changed, committed together so that a crash
//! between the commit and the publishing loses nothing and tells nothing
//! twice: listeners read the outbox by its sequence number.

use crate::db::row::{int, opt_text, text};
use crate::db::{DbError, Exec, now_timestamp};
use crate::live::{LiveEvent, ServedMatch};

/// Where a match's events are told: the key of the real match, the
/// provider serving it and its ids, as listeners filter on them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchRef {
    /// The canonical event when resolution linked the provider's match to
    /// one, else `event:PROVIDER:ID` (the id resolution would found it
    /// under).
    #[serde(rename = "match")]
    pub key: String,
    /// The data source whose id `event` is.
    pub provider: String,
    /// The provider's id of the match.
    pub event: String,
    /// The canonical competition when linked, else
    /// `competition:PROVIDER:ID`; `None` when the provider names none.
    pub competition: Option<String>,
}

impl MatchRef {
    /// The key a provider's match has before resolution links it.
    pub fn unlinked_key(provider: &str, event: &str) -> String {
        format!("event:{provider}:{event}")
    }
}

/// The canonical id of a provider's `kind` (`event`, `competition`) record
/// `id`, or the id resolution would found it under.
async fn canonical(
    db: &mut impl Exec,
    provider: &str,
    kind: &str,
    id: &str,
) -> Result<String, DbError> {
    let rows = db
        .fetch(
            "SELECT canonical_id FROM provider_ids WHERE provider = ? AND kind = ? AND provider_id = ?",
            vec![provider.into(), kind.into(), id.into()],
        )
        .await
        .map_err(DbError::query("looking up a live match's canonical id"))?;
    match rows.first() {
        Some(row) => text(row, 0, "canonical id"),
        None => Ok(format!("{kind}:{provider}:{id}")),
    }
}

/// The match `event` of `provider` (in `competition`) as the live path
/// keys it.
pub async fn match_ref(
    db: &mut impl Exec,
    provider: &str,
    event: &str,
    competition: Option<&str>,
) -> Result<MatchRef, DbError> {
    let key = canonical(db, provider, "event", event).await?;
    let competition = match competition {
        Some(id) => Some(canonical(db, provider, "competition", id).await?),
        None => None,
    };
    Ok(MatchRef {
        key,
        provider: provider.to_string(),
        event: event.to_string(),
        competition,
    })
}

/// The stored state of the match `at`: under its key, or under the
/// provider's own key when it was tracked before resolution linked it (the
/// row is then moved to the new key by the next [`commit`]).
pub async fn served(db: &mut impl Exec, at: &MatchRef) -> Result<Option<ServedMatch>, DbError> {
    let unlinked = MatchRef::unlinked_key(&at.provider, &at.event);
    let rows = db
        .fetch(
            "SELECT match_key, state FROM live_matches WHERE match_key = ? OR match_key = ?",
            vec![at.key.as_str().into(), unlinked.into()],
        )
        .await
        .map_err(DbError::query("reading a live match's state"))?;
    let mut found = None;
    for row in &rows {
        let key = text(row, 0, "live match")?;
        let state = text(row, 1, "live match")?;
        if key == at.key || found.is_none() {
            found = ServedMatch::from_json(&state).or(found);
        }
    }
    Ok(found)
}

/// Stores `served` as the match's state and appends `events` to the
/// outbox, inside the caller's transaction; returns their sequence
/// numbers, in order.
pub async fn commit(
    db: &mut crate::db::Tx,
    at: &MatchRef,
    served: &ServedMatch,
    events: &[LiveEvent],
) -> Result<Vec<i64>, DbError> {
    commit_moving(db, at, served, events, true).await
}

/// [`commit`], told whether a row under the provider's own key may be
/// left to move (`move_unlinked`): a batch that read its matches' rows
/// knows.
pub async fn commit_moving(
    db: &mut crate::db::Tx,
    at: &MatchRef,
    served: &ServedMatch,
    events: &[LiveEvent],
    move_unlinked: bool,
) -> Result<Vec<i64>, DbError> {
    let now = now_timestamp();
    let unlinked = MatchRef::unlinked_key(&at.provider, &at.event);
    if move_unlinked && unlinked != at.key {
        db.execute(
            "DELETE FROM live_matches WHERE match_key = ?",
            vec![unlinked.into()],
        )
        .await
        .map_err(DbError::query("moving a live match to its canonical key"))?;
    }
    let accepted = served.accepted();
    let (provider, event) = served.serving().unwrap_or((&at.provider, &at.event));
    let status = accepted.map_or("scheduled".to_string(), |s| s.status.as_str().to_string());
    let changed_at = served
        .changed_at()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .map_or_else(|| now.clone(), crate::db::timestamp);
    db.execute(
        "INSERT INTO live_matches (match_key, provider, event, competition, status, minute, \
         home_score, away_score, state, changed_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (match_key) DO UPDATE SET provider = excluded.provider, \
         event = excluded.event, competition = excluded.competition, status = excluded.status, \
         minute = excluded.minute, home_score = excluded.home_score, \
         away_score = excluded.away_score, state = excluded.state, \
         changed_at = excluded.changed_at, updated_at = excluded.updated_at",
        vec![
            at.key.as_str().into(),
            provider.into(),
            event.into(),
            at.competition.clone().into(),
            status.into(),
            accepted.and_then(|s| s.minute).map(i64::from).into(),
            i64::from(accepted.map_or(0, |s| s.home_score)).into(),
            i64::from(accepted.map_or(0, |s| s.away_score)).into(),
            served.to_json().into(),
            changed_at.into(),
            now.as_str().into(),
        ],
    )
    .await
    .map_err(DbError::query("storing a live match's state"))?;
    if !events.is_empty() {
        lock_outbox(db).await?;
    }
    let mut seqs = Vec::with_capacity(events.len());
    let serving = MatchRef {
        provider: provider.to_string(),
        event: event.to_string(),
        ..at.clone()
    };
    for live in events {
        let kind = serde_json::to_value(live.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let payload = Told {
            at: &serving,
            told: live,
        };
        let payload = serde_json::to_string(&payload).unwrap_or_default();
        seqs.push(append(db, &serving, &kind, &live.subject, &payload, &now).await?);
    }
    Ok(seqs)
}

/// An event as the outbox stores it: the match it is about, then what
/// happened.
#[derive(serde::Serialize)]
struct Told<'a> {
    #[serde(flatten)]
    at: &'a MatchRef,
    #[serde(flatten)]
    told: &'a LiveEvent,
}

/// Counts, in this process, the batches that appended to the outbox and
/// committed: readers of the outbox (the SSE stream, sinks) wait on it to
/// read at once rather than at their next poll. Another process's commits
/// are seen at that poll.
static OUTBOX_COMMITS: std::sync::LazyLock<tokio::sync::watch::Sender<u64>> =
    std::sync::LazyLock::new(|| tokio::sync::watch::channel(0).0);

/// Says that a batch which appended to the outbox has committed.
pub fn outbox_committed() {
    OUTBOX_COMMITS.send_modify(|n| *n = n.wrapping_add(1));
}

/// A receiver that changes when a batch appending to the outbox commits in
/// this process (see [`outbox_committed`]).
pub fn outbox_commits() -> tokio::sync::watch::Receiver<u64> {
    OUTBOX_COMMITS.subscribe()
}

/// Makes the caller's transaction the only one appending to the outbox
/// until it ends, on PostgreSQL: its sequence numbers are then taken after
/// those of every transaction that committed before it, so a listener
/// reading after the newest number it saw never skips an event committed
/// later under a smaller one. SQLite has one writer at a time anyway.
/// Taking it again in the same transaction is free.
pub async fn lock_outbox(db: &mut crate::db::Tx) -> Result<(), DbError> {
    if let crate::db::Tx::Postgres(_) = db {
        db.execute("SELECT pg_advisory_xact_lock(?)", vec![OUTBOX_LOCK.into()])
            .await
            .map_err(DbError::query("taking the live outbox's lock"))?;
    }
    Ok(())
}

/// The advisory lock [`lock_outbox`] takes: "sluice_live" in ASCII.
const OUTBOX_LOCK: i64 = 0x736c_7569_6365_6c76;

/// Appends one event about the match `at` to the outbox, inside the
/// caller's transaction (which holds [`lock_outbox`]); returns its
/// sequence number.
pub async fn append(
    db: &mut impl Exec,
    at: &MatchRef,
    kind: &str,
    subject: &str,
    payload: &str,
    now: &str,
) -> Result<i64, DbError> {
    let rows = db
        .fetch(
            "INSERT INTO live_events (match_key, competition, provider, event, kind, subject, \
             payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
            vec![
                at.key.as_str().into(),
                at.competition.clone().into(),
                at.provider.as_str().into(),
                at.event.as_str().into(),
                kind.into(),
                subject.into(),
                payload.into(),
                now.into(),
            ],
        )
        .await
        .map_err(DbError::query("appending to the live outbox"))?;
    rows.first()
        .map(|r| int(r, 0, "live event"))
        .transpose()?
        .ok_or_else(|| DbError::Unexpected("the outbox returned no sequence number".into()))
}

/// One event of the outbox.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxEvent {
    /// Its place in the outbox: what a listener resumes after.
    pub seq: i64,
    /// The real match it is about (see [`MatchRef::key`]).
    pub match_key: String,
    /// The match's competition (see [`MatchRef::competition`]).
    pub competition: Option<String>,
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
            "SELECT seq, provider, event, kind, subject, payload, created_at, match_key, \
             competition FROM live_events WHERE seq > ? ORDER BY seq LIMIT ?",
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
                match_key: text(r, 7, what)?,
                competition: opt_text(r, 8, what)?,
            })
        })
        .collect()
}

/// How many matches in play want a live stream's fallback polled: those
/// the stream's id space `space` serves and has left unchanged while live
/// since before `cutoff`, and those a fallback (`fallbacks`, id spaces)
/// serves already.
pub async fn needing_fallback(
    db: &mut impl Exec,
    space: &str,
    fallbacks: &[String],
    cutoff: &str,
) -> Result<u64, DbError> {
    if fallbacks.is_empty() {
        return Ok(0);
    }
    let marks = vec!["?"; fallbacks.len()].join(", ");
    let mut args: Vec<crate::db::Value> = vec![space.into(), cutoff.into()];
    args.extend(fallbacks.iter().map(|f| f.as_str().into()));
    let rows = db
        .fetch(
            &format!(
                "SELECT count(*) FROM live_matches WHERE \
                 (provider = ? AND status = 'live' AND changed_at < ?) OR \
                 (status IN ('live', 'halftime') AND provider IN ({marks}))"
            ),
            args,
        )
        .await
        .map_err(DbError::query("looking for stale live matches"))?;
    Ok(rows
        .first()
        .map(|r| int(r, 0, "stale live matches"))
        .transpose()?
        .map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// Whether an event of one of `provider`'s matches `events`, or of one of
/// its competitions `competitions` (the provider's ids), was committed to
/// the outbox after `since` (a stored timestamp): a response cached
/// before it no longer says how those matches stand.
pub async fn told_since(
    db: &mut impl Exec,
    provider: &str,
    events: &[String],
    competitions: &[String],
    since: &str,
) -> Result<bool, DbError> {
    if events.is_empty() && competitions.is_empty() {
        return Ok(false);
    }
    let mut matches = Vec::with_capacity(events.len());
    for event in events {
        matches.push(canonical(db, provider, "event", event).await?);
    }
    let mut leagues = Vec::with_capacity(competitions.len());
    for competition in competitions {
        leagues.push(canonical(db, provider, "competition", competition).await?);
    }
    let marks = |n: usize| vec!["?"; n.max(1)].join(", ");
    let mut args: Vec<crate::db::Value> = vec![since.into()];
    // An empty list matches nothing: NULL is in no IN list.
    let list = |values: Vec<String>, args: &mut Vec<crate::db::Value>| {
        if values.is_empty() {
            args.push(crate::db::Value::Null);
        } else {
            args.extend(values.into_iter().map(crate::db::Value::from));
        }
    };
    let (n_matches, n_leagues) = (matches.len(), leagues.len());
    list(matches, &mut args);
    list(leagues, &mut args);
    let rows = db
        .fetch(
            &format!(
                "SELECT 1 FROM live_events WHERE created_at > ? AND \
                 (match_key IN ({}) OR competition IN ({})) LIMIT 1",
                marks(n_matches),
                marks(n_leagues)
            ),
            args,
        )
        .await
        .map_err(DbError::query(
            "looking for live events since a cached response",
        ))?;
    Ok(!rows.is_empty())
}
