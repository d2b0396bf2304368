//! The ground truth of a simulated day as events in order of time: what a
//! listener of the live feed should have been told, and from which served
//! state on.

use serde::Serialize;

use super::clock::{Phase, SimClock};
use super::script::{Side, SimMatch};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TruthKind {
    /// A goal was scored.
    Goal,
    /// A goal's minute was corrected.
    GoalRetimed,
    /// A goal was ruled out by VAR.
    GoalCancelled,
    /// A player was booked.
    Card,
}

/// One thing that happened in one match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthEvent {
    /// API-Football's fixture id of the match.
    pub fixture_id: u64,
    /// The Odds API's id of the match.
    pub odds_id: String,
    /// What happened.
    pub kind: TruthKind,
    /// The goal it is about (its number in the match), for goals and their
    /// corrections.
    pub goal: Option<u32>,
    /// The side.
    pub side: Side,
    /// The scorer or the player booked.
    pub player: String,
    /// The minute reported (for a correction, the new one).
    pub minute: u32,
    /// For a correction, the minute reported before.
    pub previous_minute: Option<u32>,
    /// When, in minutes of play.
    pub play: f64,
    /// When, in simulated minutes since the simulation started.
    pub sim_minute: f64,
    /// The first served state that shows it.
    pub generation: u64,
}

/// The truth so far, as `GET /_sim/truth` serves it.
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    /// The served state it goes up to.
    pub generation: u64,
    /// Simulated minutes since the start.
    pub minutes: f64,
    /// Whether every match is over.
    pub over: bool,
    /// What happened so far, in order of time.
    pub events: Vec<TruthEvent>,
}

/// Every event of `matches`, in order of simulated time.
pub fn events_of(matches: &[SimMatch], clock: &SimClock, half_time: f64) -> Vec<TruthEvent> {
    let mut events = Vec::new();
    for m in matches {
        let event = |kind, goal, side, player: &str, minute, previous_minute, play: f64| {
            let sim_minute = f64::from(m.kickoff) + Phase::since_for_play(play, half_time);
            TruthEvent {
                fixture_id: m.fixture_id,
                odds_id: m.odds_id.clone(),
                kind,
                goal,
                side,
                player: player.to_string(),
                minute,
                previous_minute,
                play,
                sim_minute,
                generation: clock.generation_of(sim_minute),
            }
        };
        for g in &m.goals {
            let number = Some(g.number);
            events.push(event(
                TruthKind::Goal,
                number,
                g.side,
                &g.player,
                g.minute,
                None,
                g.at,
            ));
            if let Some((at, minute)) = g.retimed {
                events.push(event(
                    TruthKind::GoalRetimed,
                    number,
                    g.side,
                    &g.player,
                    minute,
                    Some(g.minute),
                    at,
                ));
            }
            if let Some(at) = g.cancelled_at {
                events.push(event(
                    TruthKind::GoalCancelled,
                    number,
                    g.side,
                    &g.player,
                    g.minute,
                    None,
                    at,
                ));
            }
        }
        for c in &m.cards {
            events.push(event(
                TruthKind::Card,
                None,
                c.side,
                &c.player,
                c.minute,
                None,
                c.at,
            ));
        }
    }
    events.sort_by(|a, b| {
        a.sim_minute
            .total_cmp(&b.sim_minute)
            .then(a.fixture_id.cmp(&b.fixture_id))
    });
    events
}
