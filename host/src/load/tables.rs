//! The canonical tables: their content columns, and how a record becomes a
//! row of them. Shared by every sink so the schema has one definition in code.

use std::collections::HashMap;

use crate::model::Record;
use crate::state::RunId;

/// A canonical table keyed on (`provider`, `provider_id`).
#[derive(Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// Table name.
    pub name: &'static str,
    /// Columns that hold the record's content: a change in one of them is a
    /// change of the row; provenance and timestamps are not content.
    pub content: &'static [&'static str],
}

/// `competitions`.
pub const COMPETITIONS: TableSpec = TableSpec {
    name: "competitions",
    content: &["name", "code", "area", "format", "emblem_url"],
};

/// `teams`.
pub const TEAMS: TableSpec = TableSpec {
    name: "teams",
    content: &[
        "name",
        "short_name",
        "code",
        "country",
        "founded",
        "venue",
        "crest_url",
    ],
};

/// `events`.
pub const EVENTS: TableSpec = TableSpec {
    name: "events",
    content: &[
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
};

/// Every canonical table, in the order summaries list them.
pub const ALL: [&TableSpec; 3] = [&COMPETITIONS, &TEAMS, &EVENTS];

/// A column value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
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

/// A record as a row: its table, key and content values in
/// [`TableSpec::content`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Which table.
    pub table: &'static TableSpec,
    /// `provider` column.
    pub provider: String,
    /// `provider_id` column.
    pub provider_id: String,
    /// Content values.
    pub values: Vec<SqlValue>,
}

impl From<Record> for Row {
    fn from(record: Record) -> Self {
        match record {
            Record::Competition(c) => Row {
                table: &COMPETITIONS,
                provider: c.provider,
                provider_id: c.provider_id,
                values: vec![
                    SqlValue::Text(c.name),
                    c.code.into(),
                    c.area.into(),
                    c.format.into(),
                    c.emblem_url.into(),
                ],
            },
            Record::Team(t) => Row {
                table: &TEAMS,
                provider: t.provider,
                provider_id: t.provider_id,
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
                provider_id: e.provider_id,
                values: vec![
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
        }
    }
}

/// What every row of a batch records about where it came from.
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

/// Columns of every canonical table besides its content, in load order.
pub const KEY_COLUMNS: [&str; 2] = ["provider", "provider_id"];
/// Provenance columns, in load order.
pub const PROVENANCE_COLUMNS: [&str; 4] = ["plugin", "plugin_version", "run_id", "payload_hash"];

/// Every column of `table` in load order: key, content, provenance,
/// `created_at`, `updated_at`.
pub fn load_columns(table: &TableSpec) -> Vec<&'static str> {
    KEY_COLUMNS
        .iter()
        .chain(table.content)
        .chain(&PROVENANCE_COLUMNS)
        .chain(&["created_at", "updated_at"])
        .copied()
        .collect()
}

/// The conflict clause shared by both backends: update only when the
/// content differs (`distinct` is `IS NOT` on SQLite, `IS DISTINCT FROM` on
/// PostgreSQL), and return one row per insert or update, true for an insert.
pub fn on_conflict(table: &TableSpec, distinct: &str) -> String {
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
    format!(
        " ON CONFLICT (provider, provider_id) DO UPDATE SET {} WHERE ({}) {distinct} ({}) RETURNING created_at = updated_at",
        sets.join(", "),
        old.join(", "),
        new.join(", ")
    )
}

/// Groups rows by table, keeping the last of rows with the same key; returns
/// the groups in table order and how many rows were dropped as repeats.
pub fn rows_by_table(
    rows: impl Iterator<Item = Row>,
) -> (Vec<(&'static TableSpec, Vec<Row>)>, u64) {
    let mut groups: Vec<(&'static TableSpec, Vec<Row>)> = Vec::new();
    let mut index: HashMap<(&'static str, String, String), (usize, usize)> = HashMap::new();
    let mut duplicates = 0;
    for row in rows {
        let key = (
            row.table.name,
            row.provider.clone(),
            row.provider_id.clone(),
        );
        if let Some(&(g, i)) = index.get(&key) {
            groups[g].1[i] = row;
            duplicates += 1;
            continue;
        }
        let g = match groups.iter().position(|(t, _)| t.name == row.table.name) {
            Some(g) => g,
            None => {
                groups.push((row.table, Vec::new()));
                groups.len() - 1
            }
        };
        index.insert(key, (g, groups[g].1.len()));
        groups[g].1.push(row);
    }
    (groups, duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Competition, Event, EventStatus, Team};

    #[test]
    fn every_record_fills_every_content_column() {
        let competition = Record::Competition(Competition {
            provider: "p".into(),
            provider_id: "1".into(),
            name: "Cup".into(),
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
        for record in [competition, team, event] {
            let row = Row::from(record);
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
}
