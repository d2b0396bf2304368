//! The parts of Sportmonks Football v3 JSON this plugin reads. Everything
//! else (statistics, lineups, timeline, comments, …) is skipped unread.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// One fixture, with whatever includes the request asked for.
#[derive(Deserialize)]
pub struct Fixture {
    /// The fixture id.
    pub id: u64,
    /// The league it is played in.
    pub league_id: Option<u64>,
    /// The Sportmonks season id.
    pub season_id: Option<u64>,
    /// The state id (`5` = FT), always present, even without `state`.
    pub state_id: Option<u32>,
    /// `Home vs Away`.
    pub name: Option<String>,
    /// Kick-off, `YYYY-MM-DD HH:MM:SS` in the response's time zone.
    pub starting_at: Option<String>,
    /// Kick-off as unix seconds.
    pub starting_at_timestamp: Option<i64>,
    /// When Sportmonks last processed the fixture, like `starting_at`.
    pub last_processed_at: Option<String>,
    /// Include `participants`: the two teams.
    pub participants: Option<Vec<Participant>>,
    /// Include `scores`: one entry per period and side.
    pub scores: Option<Vec<ScoreEntry>>,
    /// Include `state`.
    pub state: Option<State>,
    /// Include `league`.
    pub league: Option<League>,
    /// Include `venue`.
    pub venue: Option<Named>,
    /// Include `stage`.
    pub stage: Option<Named>,
    /// Include `round`.
    pub round: Option<Named>,
    /// Include `periods`: the clock of each period played.
    pub periods: Option<Vec<Period>>,
    /// Include `events`: goals, cards, substitutions, …, as raw JSON, read
    /// into incidents; absent (or null) without the include.
    pub events: Option<Box<RawValue>>,
}

/// A team as a fixture's `participants` include gives it.
#[derive(Deserialize, Clone)]
pub struct Participant {
    /// The team id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Three-letter code (`ARS`).
    pub short_code: Option<String>,
    /// Its crest.
    pub image_path: Option<String>,
    /// The year it was founded.
    pub founded: Option<i32>,
    /// A stand-in such as "Winner QF 1", not a real team yet.
    #[serde(default)]
    pub placeholder: bool,
    /// This fixture's view of the team: home or away.
    pub meta: Option<ParticipantMeta>,
}

/// `participants[].meta`.
#[derive(Deserialize, Clone)]
pub struct ParticipantMeta {
    /// `home` or `away`.
    pub location: Option<String>,
}

/// One item of the `scores` include.
#[derive(Deserialize)]
pub struct ScoreEntry {
    /// The team the goals belong to.
    pub participant_id: Option<u64>,
    /// The goals and the side.
    pub score: ScoreValue,
    /// The period: `CURRENT`, `1ST_HALF`, `2ND_HALF`, `ET`, …
    pub description: String,
}

/// `scores[].score`.
#[derive(Deserialize)]
pub struct ScoreValue {
    /// Goals in that period.
    pub goals: Option<u32>,
    /// `home` or `away`.
    pub participant: Option<String>,
}

/// The `state` include.
#[derive(Deserialize)]
pub struct State {
    /// The state id, as `state_id`.
    pub id: Option<u32>,
    /// The stable code (`FT_PEN`); the one this plugin maps.
    pub developer_name: Option<String>,
    /// The short code; differs from `developer_name` for one state
    /// (`INPLAY_ET_2ND_HALF` vs `INPLAY_ET_SECOND_HALF`).
    pub state: Option<String>,
}

/// The `league` include.
#[derive(Deserialize)]
pub struct League {
    /// The league id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Sportmonks' short code (`UK PL`).
    pub short_code: Option<String>,
    /// Its logo.
    pub image_path: Option<String>,
    /// `league`, `cup`, … as Sportmonks classifies it.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Anything of which only the name is kept: a venue, a stage, a round,
/// a country.
#[derive(Deserialize)]
pub struct Named {
    /// Its name.
    pub name: Option<String>,
}

/// One item of the `periods` include.
#[derive(Deserialize)]
pub struct Period {
    /// Whether this period's clock is running now.
    #[serde(default)]
    pub ticking: bool,
    /// The match minute the clock shows.
    pub minutes: Option<u32>,
}

/// One item of a fixture's `events` include.
#[derive(Deserialize)]
pub struct EventItem {
    /// The event id.
    pub id: u64,
    /// The team it counts for.
    pub participant_id: Option<u64>,
    /// What happened: `14` a goal, `18` a substitution, … (see
    /// `incidents`).
    pub type_id: Option<u32>,
    /// Include `events.type`: the type's name.
    #[serde(rename = "type")]
    pub kind: Option<EventType>,
    /// The scorer, the booked player, the one coming on.
    pub player_name: Option<String>,
    /// The assisting player, or the one going off.
    pub related_player_name: Option<String>,
    /// How (`Header`, `Foul`, `Goal cancelled`).
    pub info: Option<String>,
    /// Sportmonks' count or outcome (`1st Goal`, `OffTarget`).
    pub addition: Option<String>,
    /// The minute of play; on a shoot-out kick, the kick's number.
    pub minute: Option<u32>,
    /// Stoppage time.
    pub extra_minute: Option<u32>,
    /// Whether the event was cancelled afterwards.
    pub rescinded: Option<bool>,
}

/// `events[].type`.
#[derive(Deserialize)]
pub struct EventType {
    /// `GOAL`, `YELLOWCARD`, …
    pub developer_name: Option<String>,
}

/// One stage of a schedule (`/schedules/...`), with its rounds and the
/// fixtures that belong to no round (cup ties).
#[derive(Deserialize)]
pub struct ScheduleStage<'a> {
    /// `Regular Season`, `Final`, …
    pub name: Option<String>,
    /// Its rounds (league-format stages).
    #[serde(borrow)]
    pub rounds: Option<Vec<ScheduleRound<'a>>>,
    /// Its fixtures outside any round, as raw JSON.
    #[serde(borrow)]
    pub fixtures: Option<Vec<&'a RawValue>>,
}

/// One round of a schedule stage.
#[derive(Deserialize)]
pub struct ScheduleRound<'a> {
    /// The round's name: its number in a league (`"2"`).
    pub name: Option<String>,
    /// Its fixtures, as raw JSON.
    #[serde(borrow)]
    pub fixtures: Option<Vec<&'a RawValue>>,
}

/// A team as Sportmonks sends it: an item of `/teams/...`, or a standings
/// row's `participant` include.
#[derive(Deserialize)]
pub struct TeamItem {
    /// The team id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Three-letter code.
    pub short_code: Option<String>,
    /// Its crest.
    pub image_path: Option<String>,
    /// The year it was founded.
    pub founded: Option<i32>,
    /// Include `country`.
    pub country: Option<Named>,
    /// Include `venue`.
    pub venue: Option<Named>,
    /// A stand-in such as "Winner QF 1", not a real team yet.
    #[serde(default)]
    pub placeholder: bool,
}

/// The includes of a team that nest fixtures, unread: read apart from
/// [`TeamItem`], so that one that cannot be read leaves the team loading.
/// Sportmonks v3 documents these two for teams; it has no `fixtures`
/// include on a team.
#[derive(Deserialize)]
pub struct FixtureIncludes<'a> {
    /// Include `latest`: the team's most recent fixtures.
    #[serde(borrow)]
    pub latest: Option<&'a RawValue>,
    /// Include `upcoming`: the team's next fixtures.
    #[serde(borrow)]
    pub upcoming: Option<&'a RawValue>,
}

/// One row of a standings response (`GET /standings/seasons/{id}` with the
/// `participant`, `details.type`, `form`, `stage`, `group`, `rule.type` and
/// `league` includes); `figures` reads its figures.
#[derive(Deserialize)]
pub struct StandingRow {
    /// The row id.
    pub id: u64,
    /// The team.
    pub participant_id: u64,
    /// The league.
    pub league_id: Option<u64>,
    /// The Sportmonks season id.
    pub season_id: Option<u64>,
    /// The stage the table belongs to.
    pub stage_id: Option<u64>,
    /// The group, in a group stage.
    pub group_id: Option<u64>,
    /// The place in the table, from 1.
    pub position: u32,
    /// Points (negative after a large enough deduction).
    pub points: i32,
    /// Include `participant`: the team, loaded as a team too.
    pub participant: Option<TeamItem>,
    /// Include `details`: played, won, goals, … one entry each.
    #[serde(default)]
    pub details: Vec<Detail>,
    /// Include `form`: one result per match played.
    #[serde(default)]
    pub form: Vec<FormEntry>,
    /// Include `stage`.
    pub stage: Option<Named>,
    /// Include `group`.
    pub group: Option<Named>,
    /// Include `rule` (with `rule.type`): what the place leads to.
    pub rule: Option<Rule>,
    /// Include `league`.
    pub league: Option<League>,
}

/// `rule` of a row.
#[derive(Deserialize)]
pub struct Rule {
    /// Include `rule.type`: `UEFA Champions League`, `Relegation`, …
    #[serde(rename = "type")]
    pub kind: Option<Named>,
}

/// One figure of a row.
#[derive(Deserialize)]
pub struct Detail {
    /// What the figure is (`129` = matches played overall).
    pub type_id: u32,
    /// The figure.
    pub value: Value,
    /// Include `details.type`: the figure's name.
    #[serde(rename = "type")]
    pub kind: Option<DetailType>,
}

/// `details[].type`.
#[derive(Deserialize)]
pub struct DetailType {
    /// `OVERALL_MATCHES`, `TOTAL_POINTS`, …
    pub developer_name: Option<String>,
}

/// One match of a row's form.
#[derive(Deserialize)]
pub struct FormEntry {
    /// `W`, `D` or `L`.
    pub form: String,
    /// Its place in the sequence, oldest first.
    pub sort_order: u32,
}
