//! The canonical records as the host holds them, whatever plugin produced
//! them. Their field names are the column names of the tables users query and
//! the keys of `sluice plugin run`'s NDJSON, so they are part of the interface.

mod exchange;
mod incident;
mod pricing;
pub mod quality;
mod standing;

pub use exchange::{HttpResponse, PlannedRequest, QuotaSource, QuotaSpec};
pub use incident::{Incident, IncidentKind, Participant};
pub use pricing::{FairPrice, MarketConsensus};
pub use standing::{Standing, StandingSplit};

use serde::{Deserialize, Serialize};

/// Where a match stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Not started.
    Scheduled,
    /// In play.
    Live,
    /// At half-time.
    Halftime,
    /// Over.
    Finished,
    /// Moved to a later date.
    Postponed,
    /// Will not be played.
    Cancelled,
    /// Interrupted, to be resumed.
    Suspended,
    /// Interrupted for good.
    Abandoned,
}

impl EventStatus {
    /// The value stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "scheduled",
            EventStatus::Live => "live",
            EventStatus::Halftime => "halftime",
            EventStatus::Finished => "finished",
            EventStatus::Postponed => "postponed",
            EventStatus::Cancelled => "cancelled",
            EventStatus::Suspended => "suspended",
            EventStatus::Abandoned => "abandoned",
        }
    }
}

/// A league, cup or tournament.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Competition {
    /// The data source whose id space `provider_id` belongs to.
    pub provider: String,
    /// The provider's id.
    pub provider_id: String,
    /// Display name.
    pub name: String,
    /// The sport, e.g. `Soccer`.
    pub sport: Option<String>,
    /// Short code, e.g. `CL`.
    pub code: Option<String>,
    /// Country or region.
    pub area: Option<String>,
    /// `league`, `cup`, … as the provider classifies it.
    pub format: Option<String>,
    /// Emblem image URL.
    pub emblem_url: Option<String>,
}

/// A club or national team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Team {
    /// The data source whose id space `provider_id` belongs to.
    pub provider: String,
    /// The provider's id.
    pub provider_id: String,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Three-letter code.
    pub code: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Year founded.
    pub founded: Option<i32>,
    /// Home ground.
    pub venue: Option<String>,
    /// Crest image URL.
    pub crest_url: Option<String>,
}

/// A match between two teams; scores split by period (see the WIT contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The data source whose id space `provider_id` belongs to.
    pub provider: String,
    /// The provider's id.
    pub provider_id: String,
    /// The event's own name (a tournament, race or outright market).
    pub name: Option<String>,
    /// Provider id of the competition.
    pub competition: Option<String>,
    /// Season label.
    pub season: Option<String>,
    /// Stage or round.
    pub stage: Option<String>,
    /// Matchday number.
    pub matchday: Option<u32>,
    /// Provider id of the home team.
    pub home_team: Option<String>,
    /// Provider id of the away team.
    pub away_team: Option<String>,
    /// Home team as the provider spells it.
    pub home_team_name: Option<String>,
    /// Away team as the provider spells it.
    pub away_team_name: Option<String>,
    /// Kick-off, RFC 3339 UTC.
    pub kickoff: Option<String>,
    /// Where the match stands.
    pub status: EventStatus,
    /// Minute of play while live.
    pub minute: Option<u32>,
    /// Home goals at the end of regular time.
    pub home_score: Option<u32>,
    /// Away goals at the end of regular time.
    pub away_score: Option<u32>,
    /// Home goals at half-time.
    pub home_score_half_time: Option<u32>,
    /// Away goals at half-time.
    pub away_score_half_time: Option<u32>,
    /// Home goals scored in extra time only.
    pub home_score_extra_time: Option<u32>,
    /// Away goals scored in extra time only.
    pub away_score_extra_time: Option<u32>,
    /// Home penalties scored in the shoot-out.
    pub home_score_penalties: Option<u32>,
    /// Away penalties scored in the shoot-out.
    pub away_score_penalties: Option<u32>,
    /// Venue.
    pub venue: Option<String>,
    /// When the provider last changed the match.
    pub provider_updated_at: Option<String>,
}

/// One price of one selection in one market at one bookmaker, decimal odds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OddsQuote {
    /// The data source whose id space `event` belongs to.
    pub provider: String,
    /// Provider id of the event.
    pub event: String,
    /// Bookmaker key.
    pub bookmaker: String,
    /// Bookmaker display name.
    pub bookmaker_name: Option<String>,
    /// Market key (`h2h`, `spreads`, `totals`, `outrights`, `h2h_lay`, …).
    pub market: String,
    /// The outcome priced.
    pub selection: String,
    /// Whom the selection is about in a player market.
    pub participant: Option<String>,
    /// Handicap or total.
    pub line: Option<f64>,
    /// Decimal odds.
    pub price: f64,
    /// When the bookmaker last changed the market.
    pub provider_updated_at: Option<String>,
}

/// One canonical record, tagged with its `kind` when serialized.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A competition.
    Competition(Competition),
    /// A team.
    Team(Team),
    /// A match.
    Event(Event),
    /// A price.
    Odds(OddsQuote),
    /// A team's place in a table.
    Standing(Standing),
    /// Who took part in an event without two teams.
    Participant(Participant),
    /// A goal, card or substitution.
    Incident(Incident),
    /// A price without its bookmaker's margin.
    FairPrice(FairPrice),
    /// A selection across bookmakers.
    MarketConsensus(MarketConsensus),
}

impl Record {
    /// The provider's id of the record.
    pub fn provider_id(&self) -> &str {
        match self {
            Record::Competition(c) => &c.provider_id,
            Record::Team(t) => &t.provider_id,
            Record::Event(e) => &e.provider_id,
            Record::Odds(o) => &o.event,
            Record::Standing(s) => &s.team,
            Record::Participant(p) => &p.event,
            Record::Incident(i) => &i.event,
            Record::FairPrice(f) => &f.event,
            Record::MarketConsensus(m) => &m.event,
        }
    }
}

/// Part of a response the plugin could not turn into a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reject {
    /// The provider's id of the item, when known.
    pub provider_id: Option<String>,
    /// Why, for a person.
    pub reason: String,
    /// The item's raw JSON.
    pub raw: String,
}

/// What one response turned into.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NormalizedBatch {
    /// Canonical records.
    pub records: Vec<Record>,
    /// Items the plugin rejected.
    pub rejects: Vec<Reject>,
    /// The stream's position after this batch.
    pub cursor: Option<String>,
    /// Requests to perform next.
    pub follow_ups: Vec<PlannedRequest>,
}
