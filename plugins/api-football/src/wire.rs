//! The parts of API-Football v3 JSON this plugin reads; the rest (events,
//! lineups, statistics, players) is skipped.

use serde::Deserialize;

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
