//! In-play odds in the live outbox: one `odds_moved` event per price or
//! line move a live odds stream's batch wrote to `odds_history`, and
//! `odds_suspended` / `odds_resumed` when an in-play market's prices stop
//! moving for the configured time and start again. Runs in the batch's
//! transaction, after the quotes were merged, like the match events.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::db::row::{int, opt_text, text};
use crate::db::{DbError, Exec, Tx, Value, now_timestamp};

use super::live::{MatchRef, append, lock_outbox, match_ref};

/// How long after its kickoff a match still listed `scheduled` is taken
/// for in play: the provider of the odds may not report its status.
const IN_PLAY_SPAN_SECS: i64 = 3 * 3_600;

/// One bookmaker's market of one event, as a batch quoted it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct QuotedMarket {
    /// The provider of the odds.
    pub provider: String,
    /// The market's key in `odds` (one per event, bookmaker and market).
    pub market_key: [u8; 16],
}

/// The newest `odds_history` id before a batch's moves are recorded: the
/// moves it writes are those after it.
pub async fn history_mark(db: &mut impl Exec) -> Result<i64, DbError> {
    let rows = db
        .fetch("SELECT coalesce(max(id), 0) FROM odds_history", Vec::new())
        .await
        .map_err(DbError::query("reading the newest odds move"))?;
    rows.first().map_or(Ok(0), |r| int(r, 0, "odds move"))
}

/// What a batch told of its odds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OddsTold {
    /// Events appended.
    pub events: u64,
    /// The newest sequence number appended.
    pub newest: Option<i64>,
}

impl OddsTold {
    fn add(&mut self, seq: i64) {
        self.events += 1;
        self.newest = Some(seq);
    }
}

/// Tells the moves the batch (`run_id`, `payload_hash`) wrote after
/// `mark`, and the suspension changes of the `markets` it quoted: a market
/// of a match in play whose prices have not moved for `suspended_after`
/// seconds is suspended (once); a suspended market that moved again is
/// resumed.
pub async fn tell(
    tx: &mut Tx,
    mark: i64,
    run_id: i64,
    payload_hash: &str,
    markets: &BTreeSet<QuotedMarket>,
    suspended_after: i64,
) -> Result<OddsTold, DbError> {
    let now = now_timestamp();
    let mut told = OddsTold::default();
    let mut refs = MatchRefs::default();
    let moves = tx
        .fetch(
            "SELECT provider, event_id, bookmaker, market, selection, participant, move, line, \
             price, previous_line, previous_price FROM odds_history \
             WHERE id > ? AND run_id = ? AND payload_hash = ? ORDER BY id",
            vec![mark.into(), run_id.into(), payload_hash.into()],
        )
        .await
        .map_err(DbError::query("reading the batch's odds moves"))?;
    if !moves.is_empty() {
        lock_outbox(tx).await?;
    }
    for row in &moves {
        let what = "odds move";
        let provider = text(row, 0, what)?;
        let event = text(row, 1, what)?;
        let bookmaker = text(row, 2, what)?;
        let market = text(row, 3, what)?;
        let selection = text(row, 4, what)?;
        let at = refs.get(tx, &provider, &event).await?;
        let payload = serde_json::json!({
            "match": at.key,
            "provider": at.provider,
            "event": at.event,
            "competition": at.competition,
            "kind": "odds_moved",
            "bookmaker": bookmaker,
            "market": market,
            "selection": selection,
            "participant": opt_text(row, 5, what)?,
            "move": text(row, 6, what)?,
            "line": float(row, 7),
            "price": float(row, 8),
            "previous_line": float(row, 9),
            "previous_price": float(row, 10),
        });
        let subject = format!("{bookmaker}/{market}/{selection}");
        told.add(append(tx, &at, "odds_moved", &subject, &payload.to_string(), &now).await?);
    }
    for change in suspension_changes(tx, markets, suspended_after).await? {
        let at = refs.get(tx, &change.provider, &change.event).await?;
        lock_outbox(tx).await?;
        let args = vec![
            change.provider.as_str().into(),
            change.event.as_str().into(),
            change.bookmaker.as_str().into(),
            change.market.as_str().into(),
        ];
        let (kind, sql) = if change.suspend {
            (
                "odds_suspended",
                "INSERT INTO live_odds_suspensions (provider, event_id, bookmaker, market, \
                 suspended_at) VALUES (?, ?, ?, ?, ?)",
            )
        } else {
            (
                "odds_resumed",
                "DELETE FROM live_odds_suspensions WHERE provider = ? AND event_id = ? \
                 AND bookmaker = ? AND market = ?",
            )
        };
        let mut args = args;
        if change.suspend {
            args.push(now.as_str().into());
        }
        tx.execute(sql, args)
            .await
            .map_err(DbError::query("marking a suspended market"))?;
        let payload = serde_json::json!({
            "match": at.key,
            "provider": at.provider,
            "event": at.event,
            "competition": at.competition,
            "kind": kind,
            "bookmaker": change.bookmaker,
            "market": change.market,
            "unchanged_secs": change.unchanged_secs,
        });
        let subject = format!("{}/{}", change.bookmaker, change.market);
        told.add(append(tx, &at, kind, &subject, &payload.to_string(), &now).await?);
    }
    Ok(told)
}

/// A market to suspend or resume.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SuspensionChange {
    provider: String,
    event: String,
    bookmaker: String,
    market: String,
    /// Suspend (else resume).
    suspend: bool,
    /// Seconds since its prices last moved.
    unchanged_secs: i64,
}

/// The quoted markets whose suspension changes now: those of matches in
/// play unchanged for `suspended_after` seconds and not yet suspended, and
/// the suspended ones that moved since.
async fn suspension_changes(
    tx: &mut Tx,
    markets: &BTreeSet<QuotedMarket>,
    suspended_after: i64,
) -> Result<Vec<SuspensionChange>, DbError> {
    let mut by_provider: BTreeMap<&str, Vec<[u8; 16]>> = BTreeMap::new();
    for market in markets {
        by_provider
            .entry(market.provider.as_str())
            .or_default()
            .push(market.market_key);
    }
    let postgres = matches!(tx, Tx::Postgres(_));
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut changes = Vec::new();
    for (provider, keys) in by_provider {
        for chunk in keys.chunks(500) {
            let marks =
                vec![if postgres { "CAST(? AS uuid)" } else { "?" }; chunk.len()].join(", ");
            let mut args: Vec<Value> = vec![provider.into()];
            args.extend(chunk.iter().map(|k| Value::Key(*k)));
            // A quote is rewritten only when it changes: the newest
            // `updated_at` of a market is when its prices last moved.
            let quoted = tx
                .fetch(
                    &format!(
                        "SELECT event_id, bookmaker, market, max(updated_at) FROM odds \
                         WHERE provider = ? AND market_key IN ({marks}) \
                         GROUP BY event_id, bookmaker, market"
                    ),
                    args,
                )
                .await
                .map_err(DbError::query("reading when the quoted markets last moved"))?;
            let mut last_moved = BTreeMap::new();
            for row in &quoted {
                let what = "quoted market";
                let at = unix(&text(row, 3, what)?);
                last_moved.insert(
                    (
                        text(row, 0, what)?,
                        text(row, 1, what)?,
                        text(row, 2, what)?,
                    ),
                    at,
                );
            }
            let events: BTreeSet<&String> = last_moved.keys().map(|(e, _, _)| e).collect();
            let in_play = in_play_events(tx, provider, &events, now).await?;
            let suspended = suspended_markets(tx, provider, &events).await?;
            for ((event, bookmaker, market), at) in &last_moved {
                let Some(at) = at else { continue };
                let unchanged_secs = now.saturating_sub(*at);
                let key = (event.clone(), bookmaker.clone(), market.clone());
                let is_suspended = suspended.contains(&key);
                let resume = is_suspended && unchanged_secs < suspended_after;
                let suspend =
                    !is_suspended && in_play.contains(event) && unchanged_secs >= suspended_after;
                if suspend || resume {
                    changes.push(SuspensionChange {
                        provider: provider.to_string(),
                        event: event.clone(),
                        bookmaker: bookmaker.clone(),
                        market: market.clone(),
                        suspend,
                        unchanged_secs,
                    });
                }
            }
        }
    }
    Ok(changes)
}

/// The events among `events` of `provider` in play at `now`: live or at
/// half-time, or listed `scheduled` with a kickoff in the last hours.
async fn in_play_events(
    tx: &mut Tx,
    provider: &str,
    events: &BTreeSet<&String>,
    now: i64,
) -> Result<BTreeSet<String>, DbError> {
    let mut found = BTreeSet::new();
    let rows = of_events(
        tx,
        "SELECT provider_id, status, kickoff FROM events WHERE provider = ? AND provider_id",
        provider,
        events,
        "reading which quoted matches are in play",
    )
    .await?;
    for row in &rows {
        let what = "quoted match";
        let status = text(row, 1, what)?;
        let kicked_off = opt_text(row, 2, what)?
            .and_then(|k| unix(&k))
            .is_some_and(|k| k <= now && now - k < IN_PLAY_SPAN_SECS);
        if matches!(status.as_str(), "live" | "halftime") || (status == "scheduled" && kicked_off) {
            found.insert(text(row, 0, what)?);
        }
    }
    Ok(found)
}

/// The suspended markets of `events` of `provider`.
async fn suspended_markets(
    tx: &mut Tx,
    provider: &str,
    events: &BTreeSet<&String>,
) -> Result<BTreeSet<(String, String, String)>, DbError> {
    let mut found = BTreeSet::new();
    let rows = of_events(
        tx,
        "SELECT event_id, bookmaker, market FROM live_odds_suspensions \
         WHERE provider = ? AND event_id",
        provider,
        events,
        "reading the suspended markets",
    )
    .await?;
    for row in &rows {
        let what = "suspended market";
        found.insert((
            text(row, 0, what)?,
            text(row, 1, what)?,
            text(row, 2, what)?,
        ));
    }
    Ok(found)
}

/// The rows of `select` (ending in the event column compared) for
/// `provider`'s `events`; none when there are none.
async fn of_events(
    tx: &mut Tx,
    select: &str,
    provider: &str,
    events: &BTreeSet<&String>,
    doing: &'static str,
) -> Result<Vec<Vec<Value>>, DbError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; events.len()].join(", ");
    let mut args: Vec<Value> = vec![provider.into()];
    args.extend(events.iter().map(|e| Value::from(e.as_str())));
    tx.fetch(&format!("{select} IN ({marks})"), args)
        .await
        .map_err(DbError::query(doing))
}

/// Each odds event's match, looked up once per batch.
#[derive(Default)]
struct MatchRefs(BTreeMap<(String, String), MatchRef>);

impl MatchRefs {
    async fn get(&mut self, tx: &mut Tx, provider: &str, event: &str) -> Result<MatchRef, DbError> {
        let key = (provider.to_string(), event.to_string());
        if let Some(at) = self.0.get(&key) {
            return Ok(at.clone());
        }
        let competition = competition_of(tx, provider, event).await?;
        let at = match_ref(tx, provider, event, competition.as_deref()).await?;
        self.0.insert(key, at.clone());
        Ok(at)
    }
}

/// The provider's competition of its event, when its fixtures are loaded.
async fn competition_of(
    tx: &mut Tx,
    provider: &str,
    event: &str,
) -> Result<Option<String>, DbError> {
    let rows = tx
        .fetch(
            "SELECT competition FROM events WHERE provider = ? AND provider_id = ?",
            vec![provider.into(), event.into()],
        )
        .await
        .map_err(DbError::query("reading an odds event's competition"))?;
    match rows.first() {
        Some(row) => opt_text(row, 0, "odds event"),
        None => Ok(None),
    }
}

/// A float column, or none when NULL.
fn float(row: &[Value], i: usize) -> Option<f64> {
    match row.get(i) {
        Some(Value::Float(f)) => Some(*f),
        Some(Value::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// A stored timestamp as unix seconds.
fn unix(stored: &str) -> Option<i64> {
    OffsetDateTime::parse(stored, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}
