//! The canonical tables: their content columns, and how a record becomes a
//! row of them. Shared by every sink so the schema has one definition in code.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::HashTable;

use sha2::{Digest, Sha256};

use crate::model::Record;
use crate::state::RunId;

/// A canonical table: its key (the uniqueness an upsert conflicts on, with
/// `provider`) and its content columns.
#[derive(Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// Table name.
    pub name: &'static str,
    /// Key columns after `provider`.
    pub key: &'static [&'static str],
    /// Columns that hold the record's content: a change in one of them is a
    /// change of the row; provenance and timestamps are not content.
    pub content: &'static [&'static str],
    /// Key columns naming a group whose rows a batch sends whole (a
    /// table's standings, an event's incidents): a row of a group the batch
    /// sent that the batch no longer holds is deleted. Empty: no groups.
    pub group: &'static [&'static str],
}

/// `competitions`.
pub const COMPETITIONS: TableSpec = TableSpec {
    name: "competitions",
    key: &["provider_id"],
    content: &["name", "sport", "code", "area", "format", "emblem_url"],
    group: &[],
};

/// `teams`.
pub const TEAMS: TableSpec = TableSpec {
    name: "teams",
    key: &["provider_id"],
    content: &[
        "name",
        "short_name",
        "code",
        "country",
        "founded",
        "venue",
        "crest_url",
    ],
    group: &[],
};

/// `events`.
pub const EVENTS: TableSpec = TableSpec {
    name: "events",
    key: &["provider_id"],
    content: &[
        "name",
        "competition",
        "season",
        "stage",
        "matchday",
        "home_team",
        "away_team",
        "home_team_name",
        "away_team_name",
        "kickoff",
        "status",
        "minute",
        "home_score",
        "away_score",
        "home_score_half_time",
        "away_score_half_time",
        "home_score_extra_time",
        "away_score_extra_time",
        "home_score_penalties",
        "away_score_penalties",
        "venue",
        "provider_updated_at",
    ],
    group: &[],
};

/// `odds`: the current price per event, bookmaker, market, selection,
/// participant and line, keyed on its market and that identity: one index
/// finds a quote and a market's whole book.
pub const ODDS: TableSpec = TableSpec {
    name: "odds",
    key: &["market_key", "quote_key"],
    // The identity's parts never differ for one quote_key; they are content
    // only so that they are written.
    content: &[
        "event_id",
        "bookmaker",
        "market",
        "selection",
        "participant",
        "line",
        "selection_key",
        "price",
        "bookmaker_name",
        "provider_updated_at",
    ],
    group: &[],
};

/// `standings`: one row per team of each (competition, season, group,
/// split) table; a batch's table is whole.
pub const STANDINGS: TableSpec = TableSpec {
    name: "standings",
    key: &["competition", "season", "group_name", "split", "team"],
    content: &[
        "team_name",
        "rank",
        "played",
        "won",
        "drawn",
        "lost",
        "goals_for",
        "goals_against",
        "points",
        "form",
        "note",
        "provider_updated_at",
    ],
    group: &["competition", "season", "group_name", "split"],
};

/// `participants`: an event's field; a batch's field of an event is whole.
pub const PARTICIPANTS: TableSpec = TableSpec {
    name: "participants",
    key: &["event_id", "name"],
    content: &[
        "participant_id",
        "team_name",
        "position",
        "result",
        "points",
    ],
    group: &["event_id"],
};

/// `incidents`: an event's incidents in order; a batch's are all so far.
pub const INCIDENTS: TableSpec = TableSpec {
    name: "incidents",
    key: &["event_id", "seq"],
    content: &[
        "incident_type",
        "minute",
        "extra_minute",
        "team",
        "player",
        "related_player",
        "detail",
    ],
    group: &["event_id"],
};

/// `fair_prices`: a quote without its margin, keyed as in `odds`; a
/// market's book in a batch is whole.
pub const FAIR_PRICES: TableSpec = TableSpec {
    name: "fair_prices",
    key: &["market_key", "quote_key"],
    content: &[
        "event_id",
        "bookmaker",
        "market",
        "selection",
        "participant",
        "line",
        "price",
        "implied_probability",
        "overround",
        "fair_probability",
        "fair_price",
    ],
    group: &["market_key"],
};

/// `market_consensus`: a selection across bookmakers; an event's market in a
/// batch is whole.
pub const MARKET_CONSENSUS: TableSpec = TableSpec {
    name: "market_consensus",
    key: &["event_id", "market", "selection_key"],
    content: &[
        "selection",
        "participant",
        "line",
        "best_price",
        "best_bookmaker",
        "consensus_probability",
        "consensus_price",
        "bookmakers",
    ],
    group: &["event_id", "market"],
};

/// The keys of a quote: its market (event, bookmaker, market), its
/// selection (the market's parts, selection, participant) and the quote
/// itself (the selection's parts, line), as 128 bits (a `uuid` on
/// PostgreSQL, 32 hex digits on SQLite). Each is 64 bits of a SHA-256 of its event
/// followed by 64 bits of a SHA-256 of its parts: narrow fixed-width keys
/// keep `odds` and its index small, and the event prefix keeps an event's
/// quotes together in the index, so a batch's inserts touch few pages.
pub fn odds_keys(o: &crate::model::OddsQuote) -> ([u8; 16], [u8; 16], [u8; 16]) {
    quote_keys(
        &o.event,
        &o.bookmaker,
        &o.market,
        &o.selection,
        o.participant.as_deref(),
        o.line,
    )
}

/// [`odds_keys`] of a quote given by its parts.
pub fn quote_keys(
    event: &str,
    bookmaker: &str,
    market_name: &str,
    selection_name: &str,
    participant: Option<&str>,
    line: Option<f64>,
) -> ([u8; 16], [u8; 16], [u8; 16]) {
    let mut market = Sha256::new();
    digest_part(&mut market, Some(event.as_bytes()));
    let event = market.clone().finalize();
    for part in [bookmaker, market_name] {
        digest_part(&mut market, Some(part.as_bytes()));
    }
    let mut selection = market.clone();
    digest_part(&mut selection, Some(selection_name.as_bytes()));
    digest_part(&mut selection, participant.map(str::as_bytes));
    let mut quote = selection.clone();
    // -0 and 0 are one line.
    let line = line.map(|l| (l + 0.0).to_bits().to_le_bytes());
    digest_part(&mut quote, line.as_ref().map(|l| l.as_slice()));
    let key = |hasher: Sha256| {
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&event[..8]);
        key[8..].copy_from_slice(&hasher.finalize()[..8]);
        key
    };
    (key(market), key(selection), key(quote))
}

/// Feeds one key part, absent or present and length-prefixed, so that no
/// two different lists of parts feed the same bytes.
fn digest_part(hasher: &mut Sha256, part: Option<&[u8]>) {
    match part {
        None => hasher.update([0]),
        Some(bytes) => {
            hasher.update([1]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
    }
}

/// Every canonical table, in the order summaries list them.
pub const ALL: [&TableSpec; 9] = [
    &COMPETITIONS,
    &TEAMS,
    &EVENTS,
    &ODDS,
    &STANDINGS,
    &PARTICIPANTS,
    &INCIDENTS,
    &FAIR_PRICES,
    &MARKET_CONSENSUS,
];

/// A column value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Text(String),
    /// A 128-bit key: a `uuid` on PostgreSQL, 32 hex digits on SQLite.
    Key([u8; 16]),
}

impl SqlValue {
    /// A [`SqlValue::Key`] as SQLite stores it and a `uuid` reads as text.
    pub fn key_hex(key: &[u8; 16]) -> String {
        hex::encode(key)
    }
}

impl From<Option<String>> for SqlValue {
    fn from(v: Option<String>) -> Self {
        v.map_or(SqlValue::Null, SqlValue::Text)
    }
}

impl From<Option<u32>> for SqlValue {
    fn from(v: Option<u32>) -> Self {
        v.map_or(SqlValue::Null, |i| SqlValue::Int(i64::from(i)))
    }
}

impl From<Option<i32>> for SqlValue {
    fn from(v: Option<i32>) -> Self {
        v.map_or(SqlValue::Null, |i| SqlValue::Int(i64::from(i)))
    }
}

impl From<Option<f64>> for SqlValue {
    fn from(v: Option<f64>) -> Self {
        v.map_or(SqlValue::Null, SqlValue::Float)
    }
}

/// A record as a row: its table, key values in [`TableSpec::key`] order and
/// content values in [`TableSpec::content`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Which table.
    pub table: &'static TableSpec,
    /// `provider` column.
    pub provider: String,
    /// Key values after `provider`.
    pub key: Vec<SqlValue>,
    /// Content values.
    pub values: Vec<SqlValue>,
}

impl Row {
    /// Feeds the row's identity within its table (table, provider, key) to
    /// `state`, consistently with [`Row::same_identity`].
    fn hash_identity(&self, state: &mut impl Hasher) {
        self.table.name.hash(state);
        self.provider.hash(state);
        for part in &self.key {
            match part {
                SqlValue::Null => state.write_u8(0),
                SqlValue::Int(i) => i.hash(state),
                SqlValue::Float(f) => float_identity(*f).hash(state),
                SqlValue::Text(t) => t.hash(state),
                SqlValue::Key(k) => k.hash(state),
            }
        }
    }

    /// Whether two rows are the same row of one table, for finding repeats
    /// in a batch: -0 and 0 are one line to the database, and so is any NaN.
    fn same_identity(&self, other: &Row) -> bool {
        self.table.name == other.table.name
            && self.provider == other.provider
            && self.key.len() == other.key.len()
            && self.key.iter().zip(&other.key).all(|pair| match pair {
                (SqlValue::Float(a), SqlValue::Float(b)) => {
                    float_identity(*a) == float_identity(*b)
                }
                (a, b) => a == b,
            })
    }
}

/// The bits a float key part is told apart by: -0 and 0 are one, NaNs are one.
fn float_identity(f: f64) -> u64 {
    if f.is_nan() {
        f64::NAN.to_bits()
    } else {
        (f + 0.0).to_bits()
    }
}

impl From<Record> for Row {
    fn from(record: Record) -> Self {
        match record {
            Record::Competition(c) => Row {
                table: &COMPETITIONS,
                provider: c.provider,
                key: vec![SqlValue::Text(c.provider_id)],
                values: vec![
                    SqlValue::Text(c.name),
                    c.sport.into(),
                    c.code.into(),
                    c.area.into(),
                    c.format.into(),
                    c.emblem_url.into(),
                ],
            },
            Record::Team(t) => Row {
                table: &TEAMS,
                provider: t.provider,
                key: vec![SqlValue::Text(t.provider_id)],
                values: vec![
                    SqlValue::Text(t.name),
                    t.short_name.into(),
                    t.code.into(),
                    t.country.into(),
                    t.founded.into(),
                    t.venue.into(),
                    t.crest_url.into(),
                ],
            },
            Record::Event(e) => Row {
                table: &EVENTS,
                provider: e.provider,
                key: vec![SqlValue::Text(e.provider_id)],
                values: vec![
                    e.name.into(),
                    e.competition.into(),
                    e.season.into(),
                    e.stage.into(),
                    e.matchday.into(),
                    e.home_team.into(),
                    e.away_team.into(),
                    e.home_team_name.into(),
                    e.away_team_name.into(),
                    e.kickoff.into(),
                    SqlValue::Text(e.status.as_str().to_string()),
                    e.minute.into(),
                    e.home_score.into(),
                    e.away_score.into(),
                    e.home_score_half_time.into(),
                    e.away_score_half_time.into(),
                    e.home_score_extra_time.into(),
                    e.away_score_extra_time.into(),
                    e.home_score_penalties.into(),
                    e.away_score_penalties.into(),
                    e.venue.into(),
                    e.provider_updated_at.into(),
                ],
            },
            Record::Odds(o) => {
                let (market_key, selection_key, quote_key) = odds_keys(&o);
                Row {
                    table: &ODDS,
                    provider: o.provider,
                    key: vec![SqlValue::Key(market_key), SqlValue::Key(quote_key)],
                    values: vec![
                        SqlValue::Text(o.event),
                        SqlValue::Text(o.bookmaker),
                        SqlValue::Text(o.market),
                        SqlValue::Text(o.selection),
                        o.participant.into(),
                        o.line.into(),
                        SqlValue::Key(selection_key),
                        SqlValue::Float(o.price),
                        o.bookmaker_name.into(),
                        o.provider_updated_at.into(),
                    ],
                }
            }
            Record::Standing(t) => Row {
                table: &STANDINGS,
                provider: t.provider,
                key: vec![
                    SqlValue::Text(t.competition),
                    SqlValue::Text(t.season),
                    SqlValue::Text(t.group_name.unwrap_or_default()),
                    SqlValue::Text(t.split.as_str().to_string()),
                    SqlValue::Text(t.team),
                ],
                values: vec![
                    t.team_name.into(),
                    Some(t.rank).into(),
                    t.played.into(),
                    t.won.into(),
                    t.drawn.into(),
                    t.lost.into(),
                    t.goals_for.into(),
                    t.goals_against.into(),
                    t.points.into(),
                    t.form.into(),
                    t.note.into(),
                    t.provider_updated_at.into(),
                ],
            },
            Record::Participant(p) => Row {
                table: &PARTICIPANTS,
                provider: p.provider,
                key: vec![SqlValue::Text(p.event), SqlValue::Text(p.name)],
                values: vec![
                    p.participant_id.into(),
                    p.team_name.into(),
                    p.position.into(),
                    p.result.into(),
                    p.points.into(),
                ],
            },
            Record::Incident(i) => Row {
                table: &INCIDENTS,
                provider: i.provider,
                key: vec![SqlValue::Text(i.event), Some(i.seq).into()],
                values: vec![
                    SqlValue::Text(i.incident_type.as_str().to_string()),
                    i.minute.into(),
                    i.extra_minute.into(),
                    i.team.into(),
                    i.player.into(),
                    i.related_player.into(),
                    i.detail.into(),
                ],
            },
            Record::FairPrice(f) => {
                let (market_key, _, quote_key) = quote_keys(
                    &f.event,
                    &f.bookmaker,
                    &f.market,
                    &f.selection,
                    f.participant.as_deref(),
                    f.line,
                );
                Row {
                    table: &FAIR_PRICES,
                    provider: f.provider,
                    key: vec![SqlValue::Key(market_key), SqlValue::Key(quote_key)],
                    values: vec![
                        SqlValue::Text(f.event),
                        SqlValue::Text(f.bookmaker),
                        SqlValue::Text(f.market),
                        SqlValue::Text(f.selection),
                        f.participant.into(),
                        f.line.into(),
                        SqlValue::Float(f.price),
                        SqlValue::Float(f.implied_probability),
                        SqlValue::Float(f.overround),
                        SqlValue::Float(f.fair_probability),
                        SqlValue::Float(f.fair_price),
                    ],
                }
            }
            Record::MarketConsensus(m) => {
                // The quote's key with no bookmaker: one per selection and
                // line of the event's market, whoever prices it.
                let (_, _, selection_key) = quote_keys(
                    &m.event,
                    "",
                    &m.market,
                    &m.selection,
                    m.participant.as_deref(),
                    m.line,
                );
                Row {
                    table: &MARKET_CONSENSUS,
                    provider: m.provider,
                    key: vec![
                        SqlValue::Text(m.event),
                        SqlValue::Text(m.market),
                        SqlValue::Key(selection_key),
                    ],
                    values: vec![
                        SqlValue::Text(m.selection),
                        m.participant.into(),
                        m.line.into(),
                        SqlValue::Float(m.best_price),
                        SqlValue::Text(m.best_bookmaker),
                        SqlValue::Float(m.consensus_probability),
                        SqlValue::Float(m.consensus_price),
                        Some(m.bookmakers).into(),
                    ],
                }
            }
        }
    }
}

/// The table a record is loaded into.
pub fn table_of(record: &Record) -> &'static TableSpec {
    match record {
        Record::Competition(_) => &COMPETITIONS,
        Record::Team(_) => &TEAMS,
        Record::Event(_) => &EVENTS,
        Record::Odds(_) => &ODDS,
        Record::Standing(_) => &STANDINGS,
        Record::Participant(_) => &PARTICIPANTS,
        Record::Incident(_) => &INCIDENTS,
        Record::FairPrice(_) => &FAIR_PRICES,
        Record::MarketConsensus(_) => &MARKET_CONSENSUS,
    }
}

/// The plugin that produced a table's rows of a batch when that is not the
/// batch's normalizer: the enricher that added rows of a table the records
/// before it did not have (`odds-maths` adds `fair_prices`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProducer {
    /// The table.
    pub table: &'static str,
    /// The enricher's name.
    pub plugin: String,
    /// The enricher's version.
    pub plugin_version: String,
}

/// What every row of a batch records about where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// Plugin name.
    pub plugin: &'a str,
    /// Plugin version.
    pub plugin_version: &'a str,
    /// The run.
    pub run_id: RunId,
    /// sha256 of the response body.
    pub payload_hash: &'a str,
    /// The batch's timestamp, for `created_at` and `updated_at`.
    pub now: &'a str,
}

/// Provenance columns, in load order.
pub const PROVENANCE_COLUMNS: [&str; 4] = ["plugin", "plugin_version", "run_id", "payload_hash"];

/// Every column of `table` in load order: `provider`, key, content,
/// provenance, `created_at`, `updated_at`.
pub fn load_columns(table: &TableSpec) -> Vec<&'static str> {
    ["provider"]
        .iter()
        .chain(table.key)
        .chain(table.content)
        .chain(&PROVENANCE_COLUMNS)
        .chain(&["created_at", "updated_at"])
        .copied()
        .collect()
}

/// The SQL a backend differs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The key columns of `table`, `provider` first.
pub fn key_columns(table: &TableSpec) -> Vec<&'static str> {
    std::iter::once("provider")
        .chain(table.key.iter().copied())
        .collect()
}

/// A condition that rows `a` and `b` of `table` have the same key.
pub fn same_key(table: &TableSpec, a: &str, b: &str) -> String {
    key_columns(table)
        .iter()
        .map(|c| format!("{a}.{c} = {b}.{c}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Deletes the rows of every group the staged rows belong to that the
/// stage does not hold; none for a table without groups.
pub fn delete_outside_stage_sql(table: &TableSpec) -> Option<String> {
    if table.group.is_empty() {
        return None;
    }
    let group: Vec<&str> = std::iter::once("provider")
        .chain(table.group.iter().copied())
        .collect();
    let group = group.join(", ");
    Some(format!(
        "DELETE FROM {t} WHERE ({group}) IN (SELECT DISTINCT {group} FROM {stage}) \
         AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {same})",
        t = table.name,
        stage = stage_name(table),
        same = same_key(table, "s", table.name),
    ))
}

/// The staging table a batch's rows of `table` go through.
pub fn stage_name(table: &TableSpec) -> String {
    format!("sluice_stage_{}", table.name)
}

/// The merge of the staged rows into `table`, the same on both backends:
/// new keys are inserted, changed content is updated with its provenance
/// and `updated_at`, identical content is left untouched. Returns one row
/// per insert or update, true for an insert.
pub fn merge_sql(table: &TableSpec, dialect: Dialect) -> String {
    let columns = load_columns(table).join(", ");
    let sets: Vec<String> = table
        .content
        .iter()
        .chain(&PROVENANCE_COLUMNS)
        .chain(&["updated_at"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let old: Vec<String> = table
        .content
        .iter()
        .map(|c| format!("{}.{c}", table.name))
        .collect();
    let new: Vec<String> = table
        .content
        .iter()
        .map(|c| format!("excluded.{c}"))
        .collect();
    let target = key_columns(table).join(", ");
    let distinct = match dialect {
        Dialect::Sqlite => "IS NOT",
        Dialect::Postgres => "IS DISTINCT FROM",
    };
    // `WHERE true` keeps SQLite from reading ON CONFLICT as a join clause.
    format!(
        "INSERT INTO {t} ({columns}) SELECT {columns} FROM {stage} WHERE true \
         ON CONFLICT ({target}) DO UPDATE SET {sets} WHERE ({old}) {distinct} ({new}) \
         RETURNING created_at = updated_at",
        t = table.name,
        stage = stage_name(table),
        sets = sets.join(", "),
        old = old.join(", "),
        new = new.join(", "),
    )
}

/// A batch's records as rows grouped by table, repeats dropped: made by
/// whoever produces the batch, so the hashing and grouping happen off the
/// committing path.
#[derive(Debug, Clone, Default)]
pub struct BatchRows {
    /// Rows per table, tables in the order their first record came.
    pub tables: Vec<(&'static TableSpec, Vec<Row>)>,
    /// Records that repeated an earlier record of the batch (the last wins).
    pub duplicates: u64,
    /// Tables whose rows an enricher produced; the others are the
    /// normalizer's.
    pub producers: Vec<TableProducer>,
}

impl BatchRows {
    /// Records the batch had, repeats included.
    pub fn records(&self) -> u64 {
        self.tables
            .iter()
            .map(|(_, rows)| rows.len() as u64)
            .sum::<u64>()
            + self.duplicates
    }
}

impl From<Vec<Record>> for BatchRows {
    fn from(records: Vec<Record>) -> Self {
        let (tables, duplicates) = rows_by_table(records.into_iter().map(Row::from));
        BatchRows {
            tables,
            duplicates,
            producers: Vec::new(),
        }
    }
}

/// Groups rows by table, keeping the last of rows with the same key; returns
/// the groups in table order and how many rows were dropped as repeats.
/// Rows are looked up by a hash of their identity and compared in place,
/// so finding repeats allocates nothing per row.
pub fn rows_by_table(
    rows: impl ExactSizeIterator<Item = Row>,
) -> (Vec<(&'static TableSpec, Vec<Row>)>, u64) {
    let hasher = hashbrown::DefaultHashBuilder::default();
    let hash = |row: &Row| {
        let mut state = hasher.build_hasher();
        row.hash_identity(&mut state);
        state.finish()
    };
    let total = rows.len();
    let mut groups: Vec<(&'static TableSpec, Vec<Row>)> = Vec::new();
    let mut index: HashTable<(usize, usize)> = HashTable::with_capacity(total);
    let mut duplicates = 0;
    for row in rows {
        let hashed = hash(&row);
        let found = index
            .find(hashed, |&(g, i)| groups[g].1[i].same_identity(&row))
            .copied();
        if let Some((g, i)) = found {
            groups[g].1[i] = row;
            duplicates += 1;
            continue;
        }
        let g = match groups.iter().position(|(t, _)| t.name == row.table.name) {
            Some(g) => g,
            None => {
                // Most batches hold one table: room for every row at once.
                let room = if groups.is_empty() { total } else { 0 };
                groups.push((row.table, Vec::with_capacity(room)));
                groups.len() - 1
            }
        };
        let at = (g, groups[g].1.len());
        groups[g].1.push(row);
        index.insert_unique(hashed, at, |&(g, i)| hash(&groups[g].1[i]));
    }
    (groups, duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Competition, Event, EventStatus, OddsQuote, Team};

    #[test]
    fn every_record_fills_every_content_column() {
        let competition = Record::Competition(Competition {
            provider: "p".into(),
            provider_id: "1".into(),
            name: "Cup".into(),
            sport: None,
            code: None,
            area: None,
            format: None,
            emblem_url: None,
        });
        let team = Record::Team(Team {
            provider: "p".into(),
            provider_id: "2".into(),
            name: "FC".into(),
            short_name: None,
            code: None,
            country: None,
            founded: Some(1904),
            venue: None,
            crest_url: None,
        });
        let event = Record::Event(Event {
            provider: "p".into(),
            provider_id: "3".into(),
            name: None,
            competition: None,
            season: None,
            stage: None,
            matchday: None,
            home_team: None,
            away_team: None,
            home_team_name: None,
            away_team_name: None,
            kickoff: None,
            status: EventStatus::Postponed,
            minute: None,
            home_score: Some(2),
            away_score: None,
            home_score_half_time: None,
            away_score_half_time: None,
            home_score_extra_time: None,
            away_score_extra_time: None,
            home_score_penalties: None,
            away_score_penalties: None,
            venue: None,
            provider_updated_at: None,
        });
        let odds = Record::Odds(OddsQuote {
            provider: "p".into(),
            event: "3".into(),
            bookmaker: "b".into(),
            bookmaker_name: None,
            market: "spreads".into(),
            selection: "FC".into(),
            participant: None,
            line: Some(-1.5),
            price: 1.91,
            provider_updated_at: None,
        });
        let participant = Record::Participant(crate::model::Participant {
            provider: "p".into(),
            event: "race".into(),
            participant_id: None,
            name: "A. Rider".into(),
            team_name: None,
            position: Some(1),
            result: Some("1:38:02".into()),
            points: Some(25.0),
        });
        let incident = Record::Incident(crate::model::Incident {
            provider: "p".into(),
            event: "1".into(),
            seq: 1,
            incident_type: crate::model::IncidentKind::Goal,
            minute: Some(33),
            extra_minute: None,
            team: None,
            player: None,
            related_player: None,
            detail: None,
        });
        let standing = Record::Standing(crate::model::Standing {
            provider: "p".into(),
            competition: "39".into(),
            season: "2022".into(),
            group_name: None,
            split: crate::model::StandingSplit::Home,
            team: "50".into(),
            team_name: None,
            rank: 1,
            played: None,
            won: None,
            drawn: None,
            lost: None,
            goals_for: None,
            goals_against: None,
            points: Some(-3),
            form: None,
            note: None,
            provider_updated_at: None,
        });
        for record in [
            competition,
            team,
            event,
            odds,
            participant,
            incident,
            standing,
        ] {
            let row = Row::from(record);
            assert_eq!(row.key.len(), row.table.key.len(), "{}", row.table.name);
            assert_eq!(
                row.values.len(),
                row.table.content.len(),
                "{}",
                row.table.name
            );
            let status = row.table.content.iter().position(|c| *c == "status");
            if let Some(i) = status {
                assert_eq!(row.values[i], SqlValue::Text("postponed".into()));
            }
        }
    }

    fn quote(line: Option<f64>, price: f64) -> Row {
        Row::from(Record::Odds(OddsQuote {
            provider: "p".into(),
            event: "e".into(),
            bookmaker: "b".into(),
            bookmaker_name: None,
            market: "totals".into(),
            selection: "Over".into(),
            participant: None,
            line,
            price,
            provider_updated_at: None,
        }))
    }

    #[test]
    fn odds_keys_tell_apart_what_joined_text_would_not() {
        let base = OddsQuote {
            provider: "p".into(),
            event: "e".into(),
            bookmaker: "ab".into(),
            bookmaker_name: None,
            market: "c".into(),
            selection: "Over".into(),
            participant: None,
            line: Some(2.5),
            price: 1.9,
            provider_updated_at: None,
        };
        let shifted = OddsQuote {
            bookmaker: "a".into(),
            market: "bc".into(),
            ..base.clone()
        };
        let empty_participant = OddsQuote {
            participant: Some(String::new()),
            ..base.clone()
        };
        let no_line = OddsQuote {
            line: None,
            ..base.clone()
        };
        let repriced = OddsQuote {
            price: 2.1,
            provider_updated_at: Some("2026-01-01T00:00:00Z".into()),
            ..base.clone()
        };
        let (market, selection, quote) = odds_keys(&base);
        assert_eq!(
            quote[..8],
            market[..8],
            "one event's keys share their first 64 bits"
        );
        assert_ne!(odds_keys(&shifted).0, market);
        let (m, s, q) = odds_keys(&empty_participant);
        assert_eq!(m, market);
        assert_ne!(s, selection);
        assert_ne!(q, quote);
        let (m, s, q) = odds_keys(&no_line);
        assert_eq!((m, s), (market, selection));
        assert_ne!(q, quote);
        assert_eq!(odds_keys(&repriced), (market, selection, quote));
    }

    #[test]
    fn repeated_quotes_keep_the_last_and_lines_tell_quotes_apart() {
        let rows = vec![
            quote(Some(2.5), 1.8),
            quote(Some(0.0), 1.5),
            quote(Some(-0.0), 1.6),
            quote(None, 2.0),
            quote(Some(2.5), 1.9),
            quote(Some(3.5), 2.2),
        ];
        let (groups, duplicates) = rows_by_table(rows.into_iter());
        assert_eq!(duplicates, 2, "2.5 repeated, and -0 is 0");
        let prices: Vec<_> = groups[0].1.iter().map(|r| r.values[7].clone()).collect();
        assert_eq!(
            prices,
            [1.9, 1.6, 2.0, 2.2].map(SqlValue::Float).to_vec(),
            "last price per line, in first-seen order"
        );
    }

    #[test]
    fn repeats_are_found_per_table_and_provider_whatever_the_key_holds() {
        let row = |table: &'static TableSpec, provider: &str, key: Vec<SqlValue>, n: i64| Row {
            table,
            provider: provider.to_string(),
            key,
            values: vec![SqlValue::Int(n)],
        };
        let text = |t: &str| SqlValue::Text(t.to_string());
        let rows = vec![
            row(&TEAMS, "a", vec![text("1")], 1),
            row(&EVENTS, "a", vec![text("1")], 2),
            row(&TEAMS, "b", vec![text("1")], 3),
            row(
                &STANDINGS,
                "a",
                vec![SqlValue::Float(-0.0), SqlValue::Null],
                4,
            ),
            row(
                &STANDINGS,
                "a",
                vec![SqlValue::Float(0.0), SqlValue::Null],
                5,
            ),
            row(
                &STANDINGS,
                "a",
                vec![SqlValue::Float(f64::NAN), SqlValue::Null],
                6,
            ),
            row(
                &STANDINGS,
                "a",
                vec![SqlValue::Float(-f64::NAN), SqlValue::Null],
                7,
            ),
            row(&STANDINGS, "a", vec![SqlValue::Float(0.0), text("")], 8),
            row(&TEAMS, "a", vec![text("1")], 9),
            row(&TEAMS, "a", vec![text("10")], 10),
        ];
        let (groups, duplicates) = rows_by_table(rows.into_iter());
        assert_eq!(duplicates, 3, "team 1 of a, the zero line and the NaN line");
        let kept: Vec<(&str, Vec<SqlValue>)> = groups
            .iter()
            .map(|(t, rows)| (t.name, rows.iter().map(|r| r.values[0].clone()).collect()))
            .collect();
        let ints = |v: &[i64]| v.iter().copied().map(SqlValue::Int).collect::<Vec<_>>();
        assert_eq!(
            kept,
            vec![
                ("teams", ints(&[9, 3, 10])),
                ("events", ints(&[2])),
                ("standings", ints(&[5, 7, 8])),
            ]
        );
    }
}
