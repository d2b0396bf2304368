//! The simulated matches as The Odds API v4 answers `GET
//! /v4/sports/{sport}/scores`: a list of games with `id`, `sport_key`,
//! `sport_title`, `commence_time`, `completed`, `home_team`, `away_team`,
//! `scores` (per team name, as text; null before kick-off) and
//! `last_update`, in the shape of the recorded scores payloads. No minute
//! and no incidents: only the score.

use serde_json::{Value, json};

use super::clock::Phase;
use super::{LiveSim, SimProvider, utc_seconds};

/// The response at `generation` for `sport`: games upcoming and in play,
/// and the completed ones when `days_from` is given (as the API does).
pub fn render(sim: &LiveSim, generation: u64, sport: &str, days_from: bool) -> Value {
    let clock = sim.clock();
    let now = clock.unix_at(clock.minutes_of(generation));
    let games: Vec<Value> = sim
        .matches()
        .iter()
        .filter_map(|m| {
            let phase = sim.phase_of(m, SimProvider::TheOddsApi, generation);
            let completed = phase == Phase::Finished;
            if completed && !days_from {
                return None;
            }
            let scores = if phase == Phase::NotStarted {
                Value::Null
            } else {
                let (home, away) = m.score_at(phase.play());
                json!([
                    { "name": m.home.name, "score": home.to_string() },
                    { "name": m.away.name, "score": away.to_string() },
                ])
            };
            let last_update = if phase == Phase::NotStarted {
                Value::Null
            } else {
                Value::from(format!("{}Z", utc_seconds(now)))
            };
            Some(json!({
                "id": m.odds_id,
                "sport_key": sport,
                "sport_title": "Simulated League",
                "commence_time": format!("{}Z", utc_seconds(clock.unix_at(f64::from(m.kickoff)))),
                "completed": completed,
                "home_team": m.home.name,
                "away_team": m.away.name,
                "scores": scores,
                "last_update": last_update,
            }))
        })
        .collect();
    Value::Array(games)
}
