//! The records resolution reads: each provider's competitions, teams and
//! events with only what linking needs, and what every kind has in common.

/// A competition as the resolver sees it.
#[derive(Debug, Clone)]
pub struct CompetitionRecord {
    /// Provider.
    pub provider: String,
    /// Its id.
    pub provider_id: String,
    /// Its name.
    pub name: String,
    /// Country or region.
    pub area: Option<String>,
}

/// A team as the resolver sees it.
#[derive(Debug, Clone)]
pub struct TeamRecord {
    /// Provider.
    pub provider: String,
    /// Its id.
    pub provider_id: String,
    /// Its name.
    pub name: String,
    /// Its country, when known.
    pub country: Option<String>,
}

/// An event as the resolver sees it.
#[derive(Debug, Clone)]
pub struct EventRecord {
    /// Provider.
    pub provider: String,
    /// Its id.
    pub provider_id: String,
    /// Its own name (races, tournaments).
    pub name: Option<String>,
    /// Provider id of its competition.
    pub competition: Option<String>,
    /// Season label.
    pub season: Option<String>,
    /// Provider ids of the teams.
    pub home_team: Option<String>,
    /// Provider ids of the teams.
    pub away_team: Option<String>,
    /// The teams' names as spelled.
    pub home_team_name: Option<String>,
    /// The teams' names as spelled.
    pub away_team_name: Option<String>,
    /// Kickoff, seconds since the epoch.
    pub kickoff: Option<i64>,
}

impl EventRecord {
    /// "Home v Away", else its own name, else its id.
    pub fn label(&self) -> String {
        match (&self.home_team_name, &self.away_team_name, &self.name) {
            (Some(home), Some(away), _) => format!("{home} v {away}"),
            (_, _, Some(name)) => name.clone(),
            _ => self.provider_id.clone(),
        }
    }
}

/// Everything there is to resolve.
#[derive(Debug, Default)]
pub struct Records {
    /// Competitions.
    pub competitions: Vec<CompetitionRecord>,
    /// Teams, including those only named by events.
    pub teams: Vec<TeamRecord>,
    /// Events.
    pub events: Vec<EventRecord>,
}

/// A record of any kind, by its provider and the provider's id.
pub(super) trait Identified {
    /// The provider.
    fn provider(&self) -> &str;
    /// Its id there.
    fn provider_id(&self) -> &str;
}

macro_rules! identified {
    ($($record:ty),+) => {
        $(impl Identified for $record {
            fn provider(&self) -> &str {
                &self.provider
            }
            fn provider_id(&self) -> &str {
                &self.provider_id
            }
        })+
    };
}

identified!(TeamRecord, CompetitionRecord, EventRecord);
