//! The parts of ESPN's site v2 scoreboard JSON this plugin reads.
//!
//! A board is `{"leagues": [...], "season": {...}, "events": [...]}`; an
//! event carries its `status` and one `competitions[0]` with the venue and
//! two `competitors` (`homeAway`, `team`, `score` as a string,
//! `linescores` per period, `shootoutScore` after a shoot-out).

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// A scoreboard, its events kept raw so that one bad event is rejected with
/// its own JSON while the others load.
#[derive(Deserialize)]
pub struct Board<'a> {
    /// The league the board is of (one, for a league's scoreboard).
    #[serde(default)]
    pub leagues: Vec<League>,
    /// The board's season, used when an event carries none.
    pub season: Option<Season>,
    /// The events, each still raw JSON.
    #[serde(borrow)]
    pub events: Vec<&'a RawValue>,
}

/// A league as the board describes it.
#[derive(Deserialize)]
pub struct League {
    /// ESPN's league id, e.g. `770` for MLS.
    pub id: String,
    /// e.g. `Major League Soccer`.
    pub name: String,
    /// e.g. `MLS`.
    pub abbreviation: Option<String>,
    /// Logos, the default first.
    #[serde(default)]
    pub logos: Vec<Logo>,
}

/// An image and what it is for (`default`, `dark`, …).
#[derive(Deserialize)]
pub struct Logo {
    /// The image's URL.
    pub href: String,
    /// Its uses.
    #[serde(default)]
    pub rel: Vec<String>,
}

/// A season: ESPN names it by the year it starts in.
#[derive(Deserialize)]
pub struct Season {
    /// e.g. `2022`.
    pub year: Option<i32>,
}

/// One event of the board.
#[derive(Deserialize)]
pub struct Event {
    /// ESPN's event id.
    pub id: String,
    /// Kick-off, RFC 3339 in UTC, often without seconds (`2022-09-17T17:00Z`).
    pub date: Option<String>,
    /// e.g. `New York Red Bulls at New York City FC`.
    pub name: Option<String>,
    /// The event's season.
    pub season: Option<Season>,
    /// Where the event stands; also repeated in the competition.
    pub status: Option<Status>,
    /// The match itself; a scoreboard event has one.
    #[serde(default)]
    pub competitions: Vec<Competition>,
}

/// The match of an event.
#[derive(Deserialize)]
pub struct Competition {
    /// The ground.
    pub venue: Option<Venue>,
    /// Home and away.
    #[serde(default)]
    pub competitors: Vec<Competitor>,
    /// Where the match stands, when the event does not say.
    pub status: Option<Status>,
}

/// A ground; a team's venue carries only its id.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Venue {
    /// e.g. `Yankee Stadium`.
    pub full_name: Option<String>,
}

/// A side of a match.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Competitor {
    /// `home` or `away`.
    pub home_away: String,
    /// The team.
    pub team: Team,
    /// Points or goals so far, a string (`"2"`); `"0"` even before kick-off.
    pub score: Option<Value>,
    /// Points or goals per period, when ESPN gives them.
    pub linescores: Option<Vec<LineScore>>,
    /// Goals of a penalty shoot-out.
    pub shootout_score: Option<Value>,
}

/// Points or goals of one period.
#[derive(Deserialize)]
pub struct LineScore {
    /// A number (`7`, sometimes `7.0`).
    pub value: Option<Value>,
}

/// A team as a competitor carries it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    /// ESPN's team id.
    pub id: String,
    /// e.g. `New York City FC`, `Atlanta Falcons`.
    pub display_name: Option<String>,
    /// e.g. `NYCFC`, `Falcons`.
    pub short_display_name: Option<String>,
    /// e.g. `NYC`, `ATL`.
    pub abbreviation: Option<String>,
    /// The crest's URL.
    pub logo: Option<String>,
    /// The home ground, often its id only.
    pub venue: Option<Venue>,
}

/// Where an event stands.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Soccer: `67'`, `90'+3'`; American football: `0:48` left in the quarter.
    pub display_clock: Option<String>,
    /// The half or quarter (3 and 4 in soccer's extra time, 5 in overtime).
    pub period: Option<u32>,
    /// The status proper.
    #[serde(rename = "type")]
    pub kind: StatusType,
}

/// ESPN's status code.
#[derive(Deserialize)]
pub struct StatusType {
    /// e.g. `STATUS_SCHEDULED`, `STATUS_SECOND_HALF`, `STATUS_FINAL`.
    pub name: String,
    /// `pre`, `in` or `post`.
    pub state: Option<String>,
}
