//! The parts of football-data.org v4 JSON this plugin reads.

use serde::Deserialize;
use serde_json::value::RawValue;

/// `GET /v4/competitions/{c}/matches`.
#[derive(Deserialize)]
pub struct MatchList<'a> {
    pub competition: Option<Competition>,
    #[serde(borrow)]
    pub matches: Vec<&'a RawValue>,
}

/// `GET /v4/competitions/{c}/matches` read in one pass, when every match
/// has the expected shape.
#[derive(Deserialize)]
pub struct WholeMatchList {
    pub competition: Option<Competition>,
    pub matches: Vec<Match>,
}

/// `GET /v4/competitions/{c}/standings`.
#[derive(Deserialize)]
pub struct StandingsList<'a> {
    /// The competition the tables are of.
    pub competition: Option<Competition>,
    /// Its area (`Germany`, `Europe`).
    pub area: Option<Area>,
    /// The season the tables are of.
    pub season: Option<Season>,
    /// One table per stage, group and split, kept raw so that a table that
    /// cannot be read is rejected whole with its JSON.
    #[serde(borrow)]
    pub standings: Vec<&'a RawValue>,
}

/// One table of a standings response.
#[derive(Deserialize)]
pub struct Table {
    /// `REGULAR_SEASON`, `GROUP_STAGE`, …
    pub stage: Option<String>,
    /// `TOTAL`, `HOME` or `AWAY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `GROUP_A`, …; null for a league's one table.
    pub group: Option<String>,
    /// Its rows, first place first.
    pub table: Vec<TableRow>,
}

/// One row of a standings table.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableRow {
    /// The place, from 1.
    pub position: u32,
    /// The team.
    pub team: TeamRef,
    /// Matches played.
    pub played_games: Option<u32>,
    /// The last results, newest first, comma-separated (`W,D,L`); null or
    /// empty when football-data has none.
    pub form: Option<String>,
    /// Won.
    pub won: Option<u32>,
    /// Drawn.
    pub draw: Option<u32>,
    /// Lost.
    pub lost: Option<u32>,
    /// Points.
    pub points: Option<i32>,
    /// Goals scored.
    pub goals_for: Option<u32>,
    /// Goals conceded.
    pub goals_against: Option<u32>,
}

/// `GET /v4/competitions/{c}/teams`.
#[derive(Deserialize)]
pub struct TeamList<'a> {
    #[serde(borrow)]
    pub teams: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
pub struct Competition {
    pub id: u64,
    pub name: String,
    pub code: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub emblem: Option<String>,
}

#[derive(Deserialize)]
pub struct Area {
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    pub id: u64,
    pub area: Option<Area>,
    pub competition: Option<MatchCompetition>,
    pub season: Option<Season>,
    pub utc_date: Option<String>,
    pub status: String,
    pub matchday: Option<u32>,
    pub stage: Option<String>,
    pub venue: Option<String>,
    pub last_updated: Option<String>,
    pub home_team: Option<TeamRef>,
    pub away_team: Option<TeamRef>,
    pub score: Option<Score>,
}

/// The competition as each match repeats it.
#[derive(Deserialize)]
pub struct MatchCompetition {
    pub id: u64,
    pub name: Option<String>,
    pub code: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub emblem: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Season {
    pub start_date: Option<String>,
}

#[derive(Deserialize)]
pub struct TeamRef {
    pub id: Option<u64>,
    pub name: Option<String>,
}

/// football-data's score: `fullTime` is the final score *including* extra
/// time and the shoot-out; `regularTime` is mostly null even when extra time
/// was played.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub duration: Option<String>,
    pub full_time: Option<Pair>,
    pub half_time: Option<Pair>,
    pub regular_time: Option<Pair>,
    pub extra_time: Option<Pair>,
    pub penalties: Option<Pair>,
}

#[derive(Deserialize, Clone, Copy, Default, Debug, PartialEq)]
pub struct Pair {
    pub home: Option<u32>,
    pub away: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    pub id: u64,
    pub name: String,
    pub short_name: Option<String>,
    pub tla: Option<String>,
    pub crest: Option<String>,
    pub founded: Option<i32>,
    pub venue: Option<String>,
    pub area: Option<Area>,
}
