//! The parts of API-Football v3 JSON this plugin reads; the rest (lineups,
//! statistics, players) is skipped.

use serde::Deserialize;
use serde_json::value::RawValue;

/// One item of `GET /fixtures` or `/fixtures/headtohead`.
#[derive(Deserialize)]
pub struct Fixture {
    /// The fixture itself: id, date, venue, status.
    pub fixture: FixtureInfo,
    /// Its league and season.
    pub league: League,
    /// Home and away team.
    pub teams: Sides,
    /// The score now, extra time included.
    pub goals: Option<Pair>,
    /// The scores by period.
    pub score: Option<Score>,
    /// What happened in the match, as raw JSON: sent when fixtures are
    /// asked for by id (and on the live board), absent (or null) otherwise.
    pub events: Option<Box<RawValue>>,
}

/// `fixture`.
#[derive(Deserialize)]
pub struct FixtureInfo {
    /// The fixture id.
    pub id: u64,
    /// Kick-off, ISO 8601 with an offset (`2024-03-13T20:00:00+00:00`).
    pub date: Option<String>,
    /// Kick-off as unix seconds.
    pub timestamp: Option<i64>,
    /// Where it is played.
    pub venue: Option<Venue>,
    /// Where it stands.
    pub status: Status,
}

/// A venue; only its name is kept.
#[derive(Deserialize)]
pub struct Venue {
    /// The venue's name.
    pub name: Option<String>,
}

/// `fixture.status`.
#[derive(Deserialize)]
pub struct Status {
    /// The status code (`NS`, `1H`, `FT`, …).
    pub short: String,
    /// Minutes played.
    pub elapsed: Option<u32>,
}

/// `league`: the competition and season of a fixture.
#[derive(Deserialize)]
pub struct League {
    /// The league id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its country (`World` for international competitions).
    pub country: Option<String>,
    /// Its logo.
    pub logo: Option<String>,
    /// The season's starting year.
    pub season: Option<u32>,
    /// The round (`Regular Season - 27`, `Round of 16`).
    pub round: Option<String>,
}

/// `teams` of a fixture.
#[derive(Deserialize)]
pub struct Sides {
    /// The home team.
    pub home: TeamRef,
    /// The away team.
    pub away: TeamRef,
}

/// A team as a fixture names it.
#[derive(Deserialize)]
pub struct TeamRef {
    /// The team id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its logo.
    pub logo: Option<String>,
}

/// `score`: the scores by period.
#[derive(Deserialize, Default)]
pub struct Score {
    /// At half time.
    pub halftime: Option<Pair>,
    /// At the end of regular time.
    pub fulltime: Option<Pair>,
    /// Goals of extra time only.
    pub extratime: Option<Pair>,
    /// The shoot-out.
    pub penalty: Option<Pair>,
}

/// A home and away score, either possibly null.
#[derive(Deserialize, Clone, Copy, Default, Debug, PartialEq)]
pub struct Pair {
    /// Home goals.
    pub home: Option<u32>,
    /// Away goals.
    pub away: Option<u32>,
}

/// One item of `GET /teams`.
#[derive(Deserialize)]
pub struct TeamItem {
    /// The team.
    pub team: TeamInfo,
    /// Its home venue.
    pub venue: Option<Venue>,
}

/// `team` of a `/teams` item.
#[derive(Deserialize)]
pub struct TeamInfo {
    /// The team id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Three-letter code.
    pub code: Option<String>,
    /// Its country.
    pub country: Option<String>,
    /// The year it was founded.
    pub founded: Option<i32>,
    /// Its logo.
    pub logo: Option<String>,
}

/// One item of a fixture's `events`: a goal, card, substitution or VAR
/// decision.
#[derive(Deserialize)]
pub struct MatchEvent {
    /// When it happened.
    pub time: EventTime,
    /// The team it counts for (for an own goal, the team credited).
    pub team: Option<IdName>,
    /// The scorer, the booked player, the one going off.
    pub player: Option<IdName>,
    /// The assisting player, or the one coming on.
    pub assist: Option<IdName>,
    /// `Goal`, `Card`, `subst` or `Var`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `Normal Goal`, `Yellow Card`, `Substitution 2`, `Goal cancelled`, …
    pub detail: Option<String>,
    /// A card's reason (`Foul`), or `Penalty Shootout` on a shoot-out kick.
    pub comments: Option<String>,
}

/// `events[].time`.
#[derive(Deserialize)]
pub struct EventTime {
    /// The minute of play; 120 for every shoot-out kick.
    pub elapsed: Option<u32>,
    /// Stoppage time; on a shoot-out kick, the kick's number in the
    /// shoot-out.
    pub extra: Option<u32>,
}

/// A team or player an event names: an id and a name, either possibly null.
#[derive(Deserialize)]
pub struct IdName {
    /// The id.
    pub id: Option<u64>,
    /// The name.
    pub name: Option<String>,
}

/// One item of `GET /standings`: a league and its tables.
#[derive(Deserialize)]
pub struct StandingsItem {
    /// The league, its season and its tables.
    pub league: StandingsLeague,
}

/// `league` of a `/standings` item.
#[derive(Deserialize)]
pub struct StandingsLeague {
    /// The league id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its country (`World` for international competitions).
    pub country: Option<String>,
    /// Its logo.
    pub logo: Option<String>,
    /// The season's starting year.
    pub season: u32,
    /// One table per group, each a list of rows kept raw, so that a table
    /// that cannot be read is rejected whole with its JSON.
    pub standings: Vec<Box<RawValue>>,
}

/// One row of a standings table.
#[derive(Deserialize)]
pub struct StandingRow {
    /// The place in the table, from 1.
    pub rank: u32,
    /// The team.
    pub team: TeamRef,
    /// Points, after any deduction.
    pub points: Option<i32>,
    /// The group the table is of; the league's name when it has one table.
    pub group: Option<String>,
    /// The last results, newest first (`LDWWW`).
    pub form: Option<String>,
    /// What the place leads to (`Promotion - Champions League (Group
    /// Stage: )`, `Relegation - Championship`).
    pub description: Option<String>,
    /// Every match of the season.
    pub all: MatchRecord,
    /// Home matches.
    pub home: Option<MatchRecord>,
    /// Away matches.
    pub away: Option<MatchRecord>,
    /// When API-Football last updated the row, ISO 8601 with an offset.
    pub update: Option<String>,
}

/// `all`, `home` or `away` of a standings row: the matches' record.
#[derive(Deserialize, Clone, Copy)]
pub struct MatchRecord {
    /// Matches played.
    pub played: Option<u32>,
    /// Won.
    pub win: Option<u32>,
    /// Drawn.
    pub draw: Option<u32>,
    /// Lost.
    pub lose: Option<u32>,
    /// Goals scored and conceded.
    pub goals: Option<Goals>,
}

/// `goals` of a standings record.
#[derive(Deserialize, Clone, Copy)]
pub struct Goals {
    /// Scored.
    #[serde(rename = "for")]
    pub scored: Option<u32>,
    /// Conceded.
    pub against: Option<u32>,
}

/// One item of `GET /odds`: one fixture's pre-match odds at every
/// bookmaker. Its bookmakers are kept raw, so that one that cannot be read
/// is rejected alone with its JSON.
#[derive(Deserialize)]
pub struct OddsItem<'a> {
    /// The fixture the odds are of; its id is the event's.
    pub fixture: OddsFixture,
    /// When API-Football last updated these odds, ISO 8601 with an offset.
    pub update: Option<String>,
    /// The bookmakers, as raw JSON.
    #[serde(borrow)]
    pub bookmakers: Option<Vec<&'a RawValue>>,
}

/// `fixture` of an odds item; the rest of it (date, timezone) is the
/// `fixtures` stream's to load.
#[derive(Deserialize)]
pub struct OddsFixture {
    /// The fixture id.
    pub id: u64,
}

/// `bookmakers[]` of an odds item.
#[derive(Deserialize)]
pub struct Bookmaker<'a> {
    /// API-Football's bookmaker id (8 is Bet365).
    pub id: u64,
    /// Its name.
    pub name: Option<String>,
    /// Its markets, as raw JSON.
    #[serde(borrow)]
    pub bets: Option<Vec<&'a RawValue>>,
}

/// `bets[]` of a bookmaker: one market.
#[derive(Deserialize)]
pub struct Bet<'a> {
    /// The market's name (`Match Winner`, `Goals Over/Under`).
    pub name: String,
    /// Its selections and prices, as raw JSON: each is read on its own.
    #[serde(borrow)]
    pub values: Option<Vec<&'a RawValue>>,
}

/// `values[]` of a bet, read loosely so that what is wrong with it can be
/// said.
#[derive(Deserialize)]
pub struct BetValue<'a> {
    /// The selection (`Home`, `Over 2.5`, `Away +0.25`), a string.
    #[serde(borrow)]
    pub value: Option<&'a RawValue>,
    /// The decimal price, a string such as `"3.10"`.
    #[serde(borrow)]
    pub odd: Option<&'a RawValue>,
}
