//! What a live sink (Supabase Realtime, …) reads besides the outbox and
//! what it remembers: each match's current state, and how far into the
//! outbox the sink has delivered (`live_sink_cursors`), advanced only
//! once the far side accepted, so a restart resumes after the last event
//! taken and sends nothing twice that was acknowledged.

use crate::db::row::{int, opt_int, opt_text, text};
use crate::db::{DbError, Exec, now_timestamp};

/// The sequence number of the last outbox event `sink` delivered; 0 when
/// it never delivered any (it starts from the beginning of the outbox).
pub async fn cursor(db: &mut impl Exec, sink: &str) -> Result<i64, DbError> {
    let rows = db
        .fetch(
            "SELECT seq FROM live_sink_cursors WHERE sink = ?",
            vec![sink.into()],
        )
        .await
        .map_err(DbError::query("reading a live sink's cursor"))?;
    rows.first()
        .map(|r| int(r, 0, "live sink cursor"))
        .transpose()
        .map(|seq| seq.unwrap_or(0))
}

/// Records that `sink` delivered the outbox up to `seq`.
pub async fn advance(db: &mut impl Exec, sink: &str, seq: i64) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO live_sink_cursors (sink, seq, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at",
        vec![sink.into(), seq.into(), now_timestamp().into()],
    )
    .await
    .map_err(DbError::query("advancing a live sink's cursor"))?;
    Ok(())
}

/// A match's current state, as a sink sends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchState {
    /// The real match (see [`super::live::MatchRef::key`]); not part of
    /// the state sent, whose message names the match once.
    #[serde(skip_serializing)]
    pub match_key: String,
    /// The provider serving it now.
    pub provider: String,
    /// That provider's id of it.
    pub event: String,
    /// Its competition (see [`super::live::MatchRef::competition`]).
    pub competition: Option<String>,
    /// Home team's name, as the serving provider has it.
    pub home_team: Option<String>,
    /// Away team's name.
    pub away_team: Option<String>,
    /// `scheduled`, `live`, `halftime`, `finished`, …
    pub status: String,
    /// Minute of play.
    pub minute: Option<i64>,
    /// Home goals.
    pub home_score: i64,
    /// Away goals.
    pub away_score: i64,
    /// When what was told of it last changed.
    pub changed_at: String,
}

/// The current state of each of the matches `keys` that has one.
pub async fn states(db: &mut impl Exec, keys: &[&str]) -> Result<Vec<MatchState>, DbError> {
    let mut states = Vec::with_capacity(keys.len());
    // Bound in chunks: SQLite and PostgreSQL both cap a statement's
    // parameters.
    for chunk in keys.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let rows = db
            .fetch(
                &format!(
                    "SELECT m.match_key, m.provider, m.event, m.competition, e.home_team_name, \
                     e.away_team_name, m.status, m.minute, m.home_score, m.away_score, \
                     m.changed_at FROM live_matches m LEFT JOIN events e \
                       ON e.provider = m.provider AND e.provider_id = m.event \
                     WHERE m.match_key IN ({marks})"
                ),
                chunk.iter().map(|k| (*k).into()).collect(),
            )
            .await
            .map_err(DbError::query("reading live matches' state"))?;
        let what = "live match";
        for r in &rows {
            states.push(MatchState {
                match_key: text(r, 0, what)?,
                provider: text(r, 1, what)?,
                event: text(r, 2, what)?,
                competition: opt_text(r, 3, what)?,
                home_team: opt_text(r, 4, what)?,
                away_team: opt_text(r, 5, what)?,
                status: text(r, 6, what)?,
                minute: opt_int(r, 7, what)?,
                home_score: int(r, 8, what)?,
                away_score: int(r, 9, what)?,
                changed_at: text(r, 10, what)?,
            });
        }
    }
    Ok(states)
}
