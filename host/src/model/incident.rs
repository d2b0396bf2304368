//! What happens inside an event: its incidents (goals, cards,
//! substitutions) and, for events without two teams, its participants
//! (contract 0.3.0).

use serde::{Deserialize, Serialize};

/// What happened in an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// A goal from open play or a set piece.
    Goal,
    /// A goal into one's own net.
    OwnGoal,
    /// A penalty scored during play.
    PenaltyGoal,
    /// A penalty missed or saved during play.
    MissedPenalty,
    /// A caution.
    YellowCard,
    /// A second caution, and so a sending-off.
    SecondYellowCard,
    /// A straight sending-off.
    RedCard,
    /// A player on for another.
    Substitution,
    /// A video review's decision.
    VarDecision,
    /// A shoot-out kick that scored.
    ShootoutGoal,
    /// A shoot-out kick that did not.
    ShootoutMiss,
    /// Anything else the provider reports.
    Other,
}

impl IncidentKind {
    /// The value stored in the `incident_type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Goal => "goal",
            IncidentKind::OwnGoal => "own_goal",
            IncidentKind::PenaltyGoal => "penalty_goal",
            IncidentKind::MissedPenalty => "missed_penalty",
            IncidentKind::YellowCard => "yellow_card",
            IncidentKind::SecondYellowCard => "second_yellow_card",
            IncidentKind::RedCard => "red_card",
            IncidentKind::Substitution => "substitution",
            IncidentKind::VarDecision => "var_decision",
            IncidentKind::ShootoutGoal => "shootout_goal",
            IncidentKind::ShootoutMiss => "shootout_miss",
            IncidentKind::Other => "other",
        }
    }
}

/// Something that happened during a match. The incidents of one event in a
/// batch are all of them so far, in order; `seq` is the place in that order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// The data source whose id space the ids belong to.
    pub provider: String,
    /// Provider id of the event.
    pub event: String,
    /// Place among the event's incidents, from 1 (set by the host).
    pub seq: u32,
    /// What happened (not `kind`, which names the record's kind in
    /// `sluice plugin run`'s output).
    pub incident_type: IncidentKind,
    /// Minute of play.
    pub minute: Option<u32>,
    /// Stoppage time after `minute`.
    pub extra_minute: Option<u32>,
    /// Provider id of the team it counts for.
    pub team: Option<String>,
    /// The scorer, the booked player, the one coming on.
    pub player: Option<String>,
    /// The assisting player, or the one going off.
    pub related_player: Option<String>,
    /// The provider's own words.
    pub detail: Option<String>,
}

/// Who took part in an event without two teams (a race, a tournament) and
/// how they finished. The participants of one event in a batch are its
/// whole field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    /// The data source whose id space the ids belong to.
    pub provider: String,
    /// Provider id of the event.
    pub event: String,
    /// The provider's id of the participant.
    pub participant_id: Option<String>,
    /// The participant's name.
    pub name: String,
    /// Their team or constructor.
    pub team_name: Option<String>,
    /// Finishing or current position.
    pub position: Option<u32>,
    /// The result as the provider states it (a time, a gap, `DNF`).
    pub result: Option<String>,
    /// Championship points earned.
    pub points: Option<f64>,
}
