//! One poll's view of a match: its status, clock, score and the moments
//! (goals, cards) that matter to a live feed, built from the canonical
//! records a normalizer produced.

use serde::{Deserialize, Serialize};

use crate::model::{Event, EventStatus, Incident, IncidentKind};

/// What a live feed tells about: goals and cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentClass {
    /// A goal of any kind (own goals and penalties included).
    Goal,
    /// A yellow, second yellow or red card.
    Card,
}

/// A goal or a card as one poll reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    /// Goal or card.
    pub class: MomentClass,
    /// The provider's finer kind (`own_goal`, `red_card`, …).
    pub kind: IncidentKind,
    /// The side it counts for, `home` or `away`, when the incident's team
    /// is one of the match's two (so that two providers' moments compare,
    /// whatever their team ids); else the provider's team id as given.
    pub team: Option<String>,
    /// The scorer or the booked player.
    pub player: Option<String>,
    /// Minute of play.
    pub minute: Option<u32>,
    /// Stoppage time after `minute`.
    pub extra_minute: Option<u32>,
}

impl Moment {
    /// The moment's place in the match, for ordering: minute, then stoppage.
    pub fn at(&self) -> (u32, u32) {
        (
            self.minute.unwrap_or(u32::MAX),
            self.extra_minute.unwrap_or(0),
        )
    }
}

/// One poll's view of one match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchSnapshot {
    /// Where the match stands.
    pub status: EventStatus,
    /// Minute of play while live.
    pub minute: Option<u32>,
    /// Home goals.
    pub home_score: u32,
    /// Away goals.
    pub away_score: u32,
    /// Goals and cards, when the provider lists its incidents; `None` when
    /// it gives only the score (goals are then told from the score).
    pub moments: Option<Vec<Moment>>,
}

impl MatchSnapshot {
    /// The snapshot of `event` with its `incidents` (the batch's incidents
    /// of that event; `None` when the provider's response has no incident
    /// list at all).
    pub fn from_records(event: &Event, incidents: Option<&[Incident]>) -> Self {
        let moments = incidents.map(|incidents| {
            incidents
                .iter()
                .filter_map(|incident| {
                    let class = match incident.incident_type {
                        IncidentKind::Goal | IncidentKind::OwnGoal | IncidentKind::PenaltyGoal => {
                            MomentClass::Goal
                        }
                        IncidentKind::YellowCard
                        | IncidentKind::SecondYellowCard
                        | IncidentKind::RedCard => MomentClass::Card,
                        _ => return None,
                    };
                    Some(Moment {
                        class,
                        kind: incident.incident_type,
                        team: incident.team.as_deref().map(|team| side_of(event, team)),
                        player: incident.player.clone(),
                        minute: incident.minute,
                        extra_minute: incident.extra_minute,
                    })
                })
                .collect()
        });
        MatchSnapshot {
            status: event.status,
            minute: event.minute,
            home_score: event.home_score.unwrap_or(0),
            away_score: event.away_score.unwrap_or(0),
            moments,
        }
    }

    /// Where the clock stands, in tenths of a minute, for telling a clock
    /// that goes backwards: before kick-off, each minute of play,
    /// half-time between the 45th and the 46th, full time last. `None`
    /// for statuses off the clock (postponed, cancelled, suspended,
    /// abandoned), which are never held back.
    pub fn clock(&self) -> Option<u64> {
        match self.status {
            EventStatus::Scheduled => Some(0),
            EventStatus::Live => Some(10 * u64::from(self.minute.unwrap_or(0).max(1))),
            EventStatus::Halftime => Some(455),
            EventStatus::Finished => Some(u64::MAX),
            EventStatus::Postponed
            | EventStatus::Cancelled
            | EventStatus::Suspended
            | EventStatus::Abandoned => None,
        }
    }
}

/// `home` or `away` when `team` is one of `event`'s, else `team`.
fn side_of(event: &Event, team: &str) -> String {
    if event.home_team.as_deref() == Some(team) {
        "home".to_string()
    } else if event.away_team.as_deref() == Some(team) {
        "away".to_string()
    } else {
        team.to_string()
    }
}

/// One match of a batch as the live path sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSnapshot {
    /// The data source whose id space `event` belongs to.
    pub provider: String,
    /// The provider's id of the match.
    pub event: String,
    /// The provider's id of the match's competition.
    pub competition: Option<String>,
    /// The poll's view of it.
    pub snapshot: MatchSnapshot,
}

/// The snapshot of every match among `records`, each with the batch's
/// incidents of it; a match without any is told from its score (a
/// provider that lists no incidents, or none yet).
pub fn snapshots_of(records: &[crate::model::Record]) -> Vec<LiveSnapshot> {
    use crate::model::Record;
    let mut incidents: std::collections::HashMap<(&str, &str), Vec<Incident>> =
        std::collections::HashMap::new();
    for record in records {
        if let Record::Incident(incident) = record {
            incidents
                .entry((incident.provider.as_str(), incident.event.as_str()))
                .or_default()
                .push(incident.clone());
        }
    }
    records
        .iter()
        .filter_map(|record| match record {
            Record::Event(event) => Some(LiveSnapshot {
                provider: event.provider.clone(),
                event: event.provider_id.clone(),
                competition: event.competition.clone(),
                snapshot: MatchSnapshot::from_records(
                    event,
                    incidents
                        .get(&(event.provider.as_str(), event.provider_id.as_str()))
                        .map(Vec::as_slice),
                ),
            }),
            _ => None,
        })
        .collect()
}
