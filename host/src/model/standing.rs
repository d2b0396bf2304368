//! A team's place in a competition's table (contract 0.3.0).

use serde::Serialize;

/// Which table of a competition a standing belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StandingSplit {
    /// Every match of the season.
    Total,
    /// Home matches only.
    Home,
    /// Away matches only.
    Away,
}

impl StandingSplit {
    /// The value stored in the `split` column.
    pub fn as_str(self) -> &'static str {
        match self {
            StandingSplit::Total => "total",
            StandingSplit::Home => "home",
            StandingSplit::Away => "away",
        }
    }
}

/// One team's row of one table: the standings of a (competition, season,
/// group, split) in a batch are that table whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// The data source whose id space the ids belong to.
    pub provider: String,
    /// Provider id of the competition.
    pub competition: String,
    /// Season label, as on the competition's events.
    pub season: String,
    /// The group or conference; none for a competition with one table.
    pub group_name: Option<String>,
    /// Whole season, home or away.
    pub split: StandingSplit,
    /// Provider id of the team.
    pub team: String,
    /// The team as the provider spells it.
    pub team_name: Option<String>,
    /// Place in the table, 1 for the top.
    pub rank: u32,
    /// Matches played.
    pub played: Option<u32>,
    /// Matches won.
    pub won: Option<u32>,
    /// Matches drawn.
    pub drawn: Option<u32>,
    /// Matches lost.
    pub lost: Option<u32>,
    /// Goals scored.
    pub goals_for: Option<u32>,
    /// Goals conceded.
    pub goals_against: Option<u32>,
    /// Points; negative after a deduction.
    pub points: Option<i32>,
    /// Recent results, oldest first (`WWDLW`).
    pub form: Option<String>,
    /// What the place leads to, as the provider says.
    pub note: Option<String>,
    /// When the provider last changed the table, RFC 3339 UTC.
    pub provider_updated_at: Option<String>,
}
