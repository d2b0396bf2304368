//! The simulated matches as API-Football v3 answers `GET /fixtures`: the
//! envelope (`get`, `parameters`, `errors`, `results`, `paging`,
//! `response`) and per fixture `fixture` (id, date, timestamp, status
//! short/elapsed), `league`, `teams`, `goals`, `score` and `events`
//! (`time.elapsed`, `team`, `player`, `type` Goal/Card/Var, `detail`), in
//! the shape of the recorded `fixtures?live=all` payload.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::clock::Phase;
use super::script::{Side, SimMatch};
use super::{LiveSim, SimProvider, utc_seconds};

/// The league every simulated match is played in.
pub const LEAGUE_ID: u64 = 9_900;

/// The response at `generation`: with `live_only` (`live=all`) the
/// fixtures in play, as API-Football lists them; otherwise every fixture
/// of the day. `parameters` are echoed in the envelope.
pub fn render(
    sim: &LiveSim,
    generation: u64,
    live_only: bool,
    parameters: &BTreeMap<String, String>,
) -> Value {
    let response: Vec<Value> = sim
        .matches()
        .iter()
        .filter_map(|m| {
            let phase = sim.phase_of(m, SimProvider::ApiFootball, generation);
            let in_play = matches!(
                phase,
                Phase::FirstHalf(_) | Phase::HalfTime | Phase::SecondHalf(_)
            );
            (in_play || !live_only).then(|| fixture(sim, m, phase))
        })
        .collect();
    json!({
        "get": "fixtures",
        "parameters": parameters,
        "errors": [],
        "results": response.len(),
        "paging": { "current": 1, "total": 1 },
        "response": response,
    })
}

fn fixture(sim: &LiveSim, m: &SimMatch, phase: Phase) -> Value {
    let clock = sim.clock();
    let ht = f64::from(sim.spec().half_time);
    let kickoff = clock.unix_at(f64::from(m.kickoff));
    let second = clock.unix_at(f64::from(m.kickoff) + super::clock::HALF + ht);
    let (long, short) = match phase {
        Phase::NotStarted => ("Not Started", "NS"),
        Phase::FirstHalf(_) => ("First Half", "1H"),
        Phase::HalfTime => ("Halftime", "HT"),
        Phase::SecondHalf(_) => ("Second Half", "2H"),
        Phase::Finished => ("Match Finished", "FT"),
    };
    let play = phase.play();
    let started = phase != Phase::NotStarted;
    let (home, away) = m.score_at(play);
    let pair = |on: bool, (h, a): (u32, u32)| {
        if on {
            json!({ "home": h, "away": a })
        } else {
            json!({ "home": null, "away": null })
        }
    };
    let winner = |side: Side| {
        if phase != Phase::Finished {
            return Value::Null;
        }
        let (mine, theirs) = if side == Side::Home {
            (home, away)
        } else {
            (away, home)
        };
        if mine == theirs {
            Value::Null
        } else {
            Value::Bool(mine > theirs)
        }
    };
    let team = |side: Side| {
        let t = m.team(side);
        json!({ "id": t.id, "name": t.name, "logo": null, "winner": winner(side) })
    };
    json!({
        "fixture": {
            "id": m.fixture_id,
            "referee": null,
            "timezone": "UTC",
            "date": format!("{}+00:00", utc_seconds(kickoff)),
            "timestamp": kickoff,
            "periods": {
                "first": if started { Value::from(kickoff) } else { Value::Null },
                "second": if matches!(phase, Phase::SecondHalf(_) | Phase::Finished) {
                    Value::from(second)
                } else {
                    Value::Null
                },
            },
            "venue": { "id": null, "name": format!("{} Park", m.home.name), "city": null },
            "status": { "long": long, "short": short, "elapsed": phase.elapsed() },
        },
        "league": {
            "id": LEAGUE_ID,
            "name": "Simulated League",
            "country": "World",
            "logo": null,
            "flag": null,
            "season": season(kickoff),
            "round": "Regular Season - 1",
        },
        "teams": { "home": team(Side::Home), "away": team(Side::Away) },
        "goals": pair(started, (home, away)),
        "score": {
            "halftime": pair(started, m.score_at(play.min(super::clock::HALF))),
            "fulltime": pair(phase == Phase::Finished, (home, away)),
            "extratime": pair(false, (0, 0)),
            "penalty": pair(false, (0, 0)),
        },
        "events": events(m, play),
    })
}

/// The year a season starting around `unix` is named after.
fn season(unix: i64) -> i32 {
    time::OffsetDateTime::from_unix_timestamp(unix).map_or(2025, |t| t.year())
}

/// The match's events at `play` minutes of play, in order: goals that
/// stand (at their reported minute), VAR decisions that ruled goals out,
/// and cards.
fn events(m: &SimMatch, play: f64) -> Vec<Value> {
    let mut listed: Vec<(u32, Value)> = Vec::new();
    let item = |minute: u32, side: Side, player: &str, kind: &str, detail: &str| {
        let t = m.team(side);
        json!({
            "time": { "elapsed": minute, "extra": null },
            "team": { "id": t.id, "name": t.name, "logo": null },
            "player": { "id": null, "name": player },
            "assist": { "id": null, "name": null },
            "type": kind,
            "detail": detail,
            "comments": null,
        })
    };
    for g in &m.goals {
        if g.stands_at(play) {
            let minute = g.minute_at(play);
            listed.push((
                minute,
                item(minute, g.side, &g.player, "Goal", "Normal Goal"),
            ));
        } else if g.cancelled_at.is_some_and(|at| play >= at) {
            listed.push((
                g.minute,
                item(g.minute, g.side, &g.player, "Var", "Goal cancelled"),
            ));
        }
    }
    for c in m.cards.iter().filter(|c| play >= c.at) {
        let detail = if c.red { "Red Card" } else { "Yellow Card" };
        listed.push((c.minute, item(c.minute, c.side, &c.player, "Card", detail)));
    }
    listed.sort_by_key(|(minute, _)| *minute);
    listed.into_iter().map(|(_, v)| v).collect()
}
