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
