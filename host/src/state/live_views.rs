//! The matches in play as people watch them (the dashboard's Live panel,
//! `sluice live`): score, minute and the last goals and cards of each,
//! with team and competition names, read in one snapshot together with the
//! outbox's newest sequence number, so a listener that follows
//! `/live/events` from that number misses nothing and applies nothing twice.

use serde::{Deserialize, Serialize};

use crate::db::row::{int, opt_int, opt_text, text};
use crate::db::{DbError, Exec, Pool, Tx};

/// How many of a match's latest goals and cards [`board`] lists.
pub const RECENT: i64 = 5;

/// The matches in play, and the outbox position they were read at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveBoard {
    /// The newest outbox sequence number when the matches were read: every
    /// event up to it is in `matches`, every later one is not.
    pub seq: i64,
    /// The matches, by competition (area, then name, then key), then key.
    pub matches: Vec<LiveMatch>,
}

/// One match in play (or finished a short while ago).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveMatch {
    /// The real match: the canonical event when linked, else
    /// `event:PROVIDER:ID` (what `/live/events?match=` filters on).
    pub match_key: String,
    /// The provider serving it.
    pub provider: String,
    /// That provider's id of it.
    pub event: String,
    /// Its competition as the outbox names it (canonical when linked).
    pub competition: Option<String>,
    /// The competition's name, as the serving provider has it.
    pub competition_name: Option<String>,
    /// The competition's area (country, continent).
    pub area: Option<String>,
    /// Home team: its name, else the provider's id of it.
    pub home: Option<String>,
    /// Away team: its name, else the provider's id of it.
    pub away: Option<String>,
    /// `live`, `halftime`, or where it ended.
    pub status: String,
    /// Minute of play.
    pub minute: Option<i64>,
    /// Home goals.
    pub home_score: i64,
    /// Away goals.
    pub away_score: i64,
    /// When what was told of it last changed.
    pub changed_at: String,
    /// Its latest goals and cards (and their corrections), oldest first.
    pub recent: Vec<RecentEvent>,
}

/// A goal or card of a match as [`LiveMatch::recent`] lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentEvent {
    /// Its outbox sequence number.
    pub seq: i64,
    /// `goal`, `goal_updated`, `goal_cancelled`, `card`, …
    pub kind: String,
    /// The goal or card it is about (`goal-1`).
    pub subject: String,
    /// The provider's finer kind (`own_goal`, `red_card`, …).
    pub detail: Option<String>,
    /// `home` or `away`, else the provider's team id.
    pub side: Option<String>,
    /// The scorer or the booked player.
    pub player: Option<String>,
    /// Minute of play of the goal or card.
    pub minute: Option<i64>,
    /// Stoppage time after `minute`.
    pub extra_minute: Option<i64>,
}

/// What an outbox event's JSON says, as the live views read it back; every
/// field optional, so that an event of a newer kind still reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToldEvent {
    /// Its outbox sequence number (added to the data `/live/events` sends).
    #[serde(default)]
    pub seq: Option<i64>,
    /// The real match it is about.
    #[serde(rename = "match", default)]
    pub match_key: Option<String>,
    /// The provider serving the match.
    #[serde(default)]
    pub provider: Option<String>,
    /// That provider's id of the match.
    #[serde(default)]
    pub event: Option<String>,
    /// The match's competition.
    #[serde(default)]
    pub competition: Option<String>,
    /// What happened.
    #[serde(default)]
    pub kind: String,
    /// The goal or card it is about, or `status`.
    #[serde(default)]
    pub subject: String,
    /// The goal or card as it stands now (as it was, when cancelled).
    #[serde(default)]
    pub moment: Option<ToldMoment>,
    /// The goal or card before an update.
    #[serde(default)]
    pub previous: Option<ToldMoment>,
    /// The match's status after the event.
    #[serde(default)]
    pub status: Option<String>,
    /// The minute of play after the event.
    #[serde(default)]
    pub minute: Option<i64>,
    /// The score after the event.
    #[serde(default)]
    pub home_score: Option<i64>,
    /// The score after the event.
    #[serde(default)]
    pub away_score: Option<i64>,
}

/// A goal or card inside a [`ToldEvent`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToldMoment {
    /// `own_goal`, `penalty_goal`, `yellow_card`, …
    #[serde(default)]
    pub kind: Option<String>,
    /// `home`, `away`, or the provider's team id.
    #[serde(default)]
    pub team: Option<String>,
    /// The scorer or the booked player.
    #[serde(default)]
    pub player: Option<String>,
    /// Minute of play.
    #[serde(default)]
    pub minute: Option<i64>,
    /// Stoppage time after `minute`.
    #[serde(default)]
    pub extra_minute: Option<i64>,
}

impl ToldEvent {
    /// The event of the outbox JSON `payload`; `None` when it is not one.
    pub fn parse(payload: &str) -> Option<ToldEvent> {
        serde_json::from_str(payload).ok()
    }

    /// The event as a line of [`LiveMatch::recent`].
    pub fn recent(&self, seq: i64) -> RecentEvent {
        let moment = self.moment.clone().unwrap_or_default();
        RecentEvent {
            seq,
            kind: self.kind.clone(),
            subject: self.subject.clone(),
            detail: moment.kind,
            side: moment.team,
            player: moment.player,
            minute: moment.minute.or(self.minute),
            extra_minute: moment.extra_minute,
        }
    }
}

/// Which live matches are shown: in play (`live`, `halftime`), or ended
/// (any status but `scheduled`) with their last change at or after `?`.
const SHOWN: &str =
    "(m.status IN ('live', 'halftime') OR (m.status <> 'scheduled' AND m.changed_at >= ?))";

/// The matches in play and those whose last change (their end, for a
/// finished one) is at or after `ended_since` (a stored timestamp), with
/// the outbox's newest sequence number, in one snapshot: two queries in one
/// read-only transaction (repeatable read on PostgreSQL).
pub async fn board(pool: &Pool, ended_since: &str) -> Result<LiveBoard, DbError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(DbError::query("starting to read the live matches"))?;
    if matches!(tx, Tx::Postgres(_)) {
        tx.execute(
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            Vec::new(),
        )
        .await
        .map_err(DbError::query("starting to read the live matches"))?;
    }
    let read = read_board(&mut tx, ended_since).await;
    // Nothing was written: ending the transaction either way is the same.
    let _ = tx.rollback().await;
    read
}

/// [`board`]'s two queries, on `db`.
async fn read_board(db: &mut impl Exec, ended_since: &str) -> Result<LiveBoard, DbError> {
    let rows = db
        .fetch(
            &format!(
                "SELECT s.seq, m.match_key, m.provider, m.event, m.competition, c.name, c.area, \
                 COALESCE(e.home_team_name, th.name, e.home_team), \
                 COALESCE(e.away_team_name, ta.name, e.away_team), \
                 m.status, m.minute, m.home_score, m.away_score, m.changed_at \
                 FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM live_events) s \
                 LEFT JOIN live_matches m ON {SHOWN} \
                 LEFT JOIN events e ON e.provider = m.provider AND e.provider_id = m.event \
                 LEFT JOIN competitions c \
                   ON c.provider = e.provider AND c.provider_id = e.competition \
                 LEFT JOIN teams th ON th.provider = e.provider AND th.provider_id = e.home_team \
                 LEFT JOIN teams ta ON ta.provider = e.provider AND ta.provider_id = e.away_team \
                 ORDER BY COALESCE(c.area, ''), COALESCE(c.name, m.competition, ''), \
                 COALESCE(m.competition, ''), m.match_key"
            ),
            vec![ended_since.into()],
        )
        .await
        .map_err(DbError::query("reading the live matches"))?;
    let what = "live match";
    let mut seq = 0;
    let mut matches = Vec::with_capacity(rows.len());
    for r in &rows {
        seq = int(r, 0, what)?;
        // The one row of an empty board has no match.
        let Some(match_key) = opt_text(r, 1, what)? else {
            continue;
        };
        matches.push(LiveMatch {
            match_key,
            provider: text(r, 2, what)?,
            event: text(r, 3, what)?,
            competition: opt_text(r, 4, what)?,
            competition_name: opt_text(r, 5, what)?,
            area: opt_text(r, 6, what)?,
            home: opt_text(r, 7, what)?,
            away: opt_text(r, 8, what)?,
            status: text(r, 9, what)?,
            minute: opt_int(r, 10, what)?,
            home_score: int(r, 11, what)?,
            away_score: int(r, 12, what)?,
            changed_at: text(r, 13, what)?,
            recent: Vec::new(),
        });
    }
    if matches.is_empty() {
        return Ok(LiveBoard { seq, matches });
    }
    // A match's events before resolution linked it carry its provider's
    // key: both keys are its own.
    let rows = db
        .fetch(
            &format!(
                "SELECT match_key, seq, kind, subject, payload FROM ( \
                   SELECT m.match_key, r.seq, r.kind, r.subject, r.payload, \
                     ROW_NUMBER() OVER (PARTITION BY m.match_key ORDER BY r.seq DESC) AS n \
                   FROM live_matches m JOIN live_events r \
                     ON r.match_key IN (m.match_key, 'event:' || m.provider || ':' || m.event) \
                   WHERE {SHOWN} AND r.seq <= ? AND r.kind <> 'status_changed' \
                 ) recent WHERE n <= ? ORDER BY match_key, seq"
            ),
            vec![ended_since.into(), seq.into(), RECENT.into()],
        )
        .await
        .map_err(DbError::query("reading the live matches' latest events"))?;
    let what = "live match event";
    let mut by_key: std::collections::HashMap<String, Vec<RecentEvent>> = Default::default();
    for r in &rows {
        let key = text(r, 0, what)?;
        let seq = int(r, 1, what)?;
        let told = ToldEvent::parse(&text(r, 4, what)?).unwrap_or_else(|| ToldEvent {
            kind: text(r, 2, what).unwrap_or_default(),
            subject: text(r, 3, what).unwrap_or_default(),
            ..ToldEvent::default()
        });
        by_key.entry(key).or_default().push(told.recent(seq));
    }
    for m in &mut matches {
        if let Some(recent) = by_key.remove(&m.match_key) {
            m.recent = recent;
        }
    }
    Ok(LiveBoard { seq, matches })
}
