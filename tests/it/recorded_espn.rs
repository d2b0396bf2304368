//! The espn plugin against the real ESPN site v2 scoreboards recorded in
//! `../shared/data/providers/espn/` (no licence: they are read from there,
//! never copied): every event checked against the raw JSON, and a few
//! events against what is known of them.

use std::collections::HashSet;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use sluice::model::HttpResponse;
use sluice::model::{Competition, Event, EventStatus, NormalizedBatch, Record, Team};
use sluice::plugin::NormalizerPlugin;

use crate::common::{bare_event, built_plugin};
use sluice_test_support::recordings;

/// A recorded board: file, `sport` and `league` params, event count as
/// SOURCES.md gives it, the league's id, name and code, and the sport label.
struct Recorded {
    file: &'static str,
    sport: &'static str,
    league: &'static str,
    events: usize,
    league_id: &'static str,
    league_name: &'static str,
    league_code: &'static str,
    sport_label: &'static str,
}

const RECORDED: &[Recorded] = &[
    Recorded {
        file: "site_v2_football_nfl_scoreboard_live_mixed.json",
        sport: "football",
        league: "nfl",
        events: 16,
        league_id: "28",
        league_name: "National Football League",
        league_code: "NFL",
        sport_label: "American Football",
    },
    Recorded {
        file: "site_v2_soccer_usa.1_scoreboard_live_mixed.json",
        sport: "soccer",
        league: "usa.1",
        events: 11,
        league_id: "770",
        league_name: "Major League Soccer",
        league_code: "MLS",
        sport_label: "Soccer",
    },
];

#[test]
fn every_recorded_espn_scoreboard_normalizes_faithfully() {
    let Some(files) = recordings::responses("espn") else {
        return;
    };
    let plugin = built_plugin("espn");
    let mut checked = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let recorded = RECORDED
            .iter()
            .find(|r| r.file == name)
            .unwrap_or_else(|| panic!("{name}: which sport and league it is is not known here"));
        let body = std::fs::read(file).expect("read");
        let raw: Value = serde_json::from_slice(&body).expect("recorded JSON");
        let batch = run(&plugin, recorded, body);
        check(recorded, &batch, &raw);
        check_known(recorded, &batch);
        checked.push(name);
    }
    assert_eq!(
        checked,
        [RECORDED[0].file, RECORDED[1].file],
        "expected both recorded boards"
    );
}

fn run(plugin: &NormalizerPlugin, recorded: &Recorded, body: Vec<u8>) -> NormalizedBatch {
    let params: Vec<(String, String)> = [("sport", recorded.sport), ("league", recorded.league)]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let requests = plugin.plan("scoreboard", None, &params).expect("plan");
    assert_eq!(requests.len(), 1, "{}", recorded.file);
    assert_eq!(
        requests[0].path,
        format!(
            "/apis/site/v2/sports/{}/{}/scoreboard",
            recorded.sport, recorded.league
        )
    );
    assert!(requests[0].query.is_empty(), "{:?}", requests[0].query);
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body,
    };
    plugin
        .normalize("scoreboard", &params, &requests[0], response)
        .0
        .unwrap_or_else(|e| panic!("{}: {e}", recorded.file))
}

fn check(recorded: &Recorded, batch: &NormalizedBatch, raw: &Value) {
    let file = recorded.file;
    assert!(
        batch.rejects.is_empty(),
        "{file}: every status is recognised, got {:?}",
        batch.rejects
    );
    let raw_events = raw["events"].as_array().expect("events");
    assert_eq!(
        raw_events.len(),
        recorded.events,
        "{file}: events in the raw JSON"
    );

    let competitions: Vec<&Competition> = batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Competition(c) => Some(c),
            _ => None,
        })
        .collect();
    let logo = raw["leagues"][0]["logos"][0]["href"]
        .as_str()
        .map(str::to_string);
    assert_eq!(
        competitions,
        [&Competition {
            provider: "espn".to_string(),
            provider_id: recorded.league_id.to_string(),
            name: recorded.league_name.to_string(),
            sport: Some(recorded.sport_label.to_string()),
            code: Some(recorded.league_code.to_string()),
            area: None,
            format: None,
            emblem_url: logo,
        }],
        "{file}: one competition, the board's league"
    );
    assert_eq!(raw["leagues"][0]["id"], recorded.league_id, "{file}");

    // One team record per distinct competitor team, as the raw JSON has it.
    let teams: Vec<&Team> = batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Team(t) => Some(t),
            _ => None,
        })
        .collect();
    let mut raw_teams = HashSet::new();
    for event in raw_events {
        for c in competitors(event) {
            let team = &c["team"];
            let id = team["id"].as_str().expect("team id");
            if !raw_teams.insert(id) {
                continue;
            }
            let record = teams
                .iter()
                .find(|t| t.provider_id == id)
                .unwrap_or_else(|| panic!("{file}: no team record for {id}"));
            assert_eq!(record.provider, "espn");
            assert_eq!(
                Some(record.name.as_str()),
                team["displayName"].as_str(),
                "{file}: team {id}"
            );
            assert_eq!(
                record.short_name.as_deref(),
                team["shortDisplayName"].as_str(),
                "{file}: team {id}"
            );
            assert_eq!(
                record.code.as_deref(),
                team["abbreviation"].as_str(),
                "{file}: team {id}"
            );
            assert_eq!(
                record.crest_url.as_deref(),
                team["logo"].as_str(),
                "{file}: team {id}"
            );
        }
    }
    assert_eq!(teams.len(), raw_teams.len(), "{file}: each team once");

    let events: Vec<&Event> = batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(
        events.len(),
        recorded.events,
        "{file}: one event per ESPN event"
    );
    let mut ids = HashSet::new();
    for (event, raw_event) in events.iter().zip(raw_events) {
        let at = format!("{file}: {}", event.provider_id);
        assert!(ids.insert(event.provider_id.as_str()), "{at}: id repeated");
        check_event(recorded, event, raw_event, &at);
    }
    assert_eq!(ids.len(), recorded.events, "{file}: every id unique");
}

fn competitors(event: &Value) -> &Vec<Value> {
    event["competitions"][0]["competitors"]
        .as_array()
        .expect("competitors")
}

/// One event against its raw JSON, read here independently of the plugin:
/// the status from ESPN's `state` (and halftime from its name), the scores
/// as ESPN's strings, none before kick-off.
fn check_event(recorded: &Recorded, event: &Event, raw: &Value, at: &str) {
    assert_eq!(event.provider, "espn", "{at}");
    assert_eq!(Some(event.provider_id.as_str()), raw["id"].as_str(), "{at}");
    assert_eq!(event.name.as_deref(), raw["name"].as_str(), "{at}");
    assert_eq!(
        event.competition.as_deref(),
        Some(recorded.league_id),
        "{at}"
    );
    let season = raw["season"]["year"].as_i64().expect("season year");
    assert_eq!(event.season, Some(season.to_string()), "{at}");

    let side = |which: &str| {
        let found: Vec<&Value> = competitors(raw)
            .iter()
            .filter(|c| c["homeAway"] == which)
            .collect();
        assert_eq!(found.len(), 1, "{at}: one {which} competitor");
        found[0]
    };
    let (home, away) = (side("home"), side("away"));
    assert_eq!(
        event.home_team.as_deref(),
        home["team"]["id"].as_str(),
        "{at}"
    );
    assert_eq!(
        event.away_team.as_deref(),
        away["team"]["id"].as_str(),
        "{at}"
    );
    assert_eq!(
        event.home_team_name.as_deref(),
        home["team"]["displayName"].as_str(),
        "{at}"
    );
    assert_eq!(
        event.away_team_name.as_deref(),
        away["team"]["displayName"].as_str(),
        "{at}"
    );
    assert_eq!(
        event.venue.as_deref(),
        raw["competitions"][0]["venue"]["fullName"].as_str(),
        "{at}"
    );

    let state = raw["status"]["type"]["state"].as_str().expect("state");
    let name = raw["status"]["type"]["name"].as_str().expect("status name");
    let expected_status = match (state, name) {
        ("pre", _) => EventStatus::Scheduled,
        ("in", "STATUS_HALFTIME") => EventStatus::Halftime,
        ("in", _) => EventStatus::Live,
        ("post", _) => EventStatus::Finished,
        other => panic!("{at}: a state the recorded boards were not known to hold: {other:?}"),
    };
    assert_eq!(event.status, expected_status, "{at}: {state} {name}");

    // The recorded boards hold no overtime or extra time: `score` is the
    // regular-time score once play has begun.
    let period = raw["status"]["period"].as_u64().expect("period");
    let regular_periods = if recorded.sport == "soccer" { 2 } else { 4 };
    assert!(period <= regular_periods, "{at}: period {period}");
    let score = |c: &Value| -> Option<u32> {
        (state != "pre").then(|| {
            c["score"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{at}: score {}", c["score"]))
        })
    };
    assert_eq!(
        (event.home_score, event.away_score),
        (score(home), score(away)),
        "{at}"
    );
    assert_eq!(
        (event.home_score_extra_time, event.away_score_extra_time),
        (None, None),
        "{at}"
    );
    assert_eq!(
        (event.home_score_penalties, event.away_score_penalties),
        (None, None),
        "{at}"
    );

    // The live minute: soccer's clock (`58'`) while live, never in American
    // football.
    let clock = raw["status"]["displayClock"].as_str().expect("clock");
    let minute = (recorded.sport == "soccer" && expected_status == EventStatus::Live).then(|| {
        let digits: String = clock.chars().take_while(char::is_ascii_digit).collect();
        digits
            .parse::<u32>()
            .unwrap_or_else(|_| panic!("{at}: clock {clock}"))
    });
    assert_eq!(event.minute, minute, "{at}: clock {clock}");

    // The kick-off: canonical RFC 3339 UTC, the instant ESPN wrote.
    let kickoff = event
        .kickoff
        .as_deref()
        .expect("every recorded event has a date");
    let utc = OffsetDateTime::parse(kickoff, &Rfc3339)
        .unwrap_or_else(|e| panic!("{at}: kickoff `{kickoff}` is not RFC 3339: {e}"));
    assert_eq!(utc.offset(), UtcOffset::UTC, "{at}: {kickoff}");
    assert_eq!(
        utc.format(&Rfc3339).expect("format"),
        kickoff,
        "{at}: canonical form"
    );
    let date = raw["date"].as_str().expect("date");
    assert_eq!(
        format!("{}Z", &kickoff[..16]),
        date,
        "{at}: {kickoff} is not ESPN's {date}"
    );
    assert!(kickoff.ends_with(":00Z"), "{at}: {kickoff}");
}

/// Events whose every field is known, checked whole.
fn check_known(recorded: &Recorded, batch: &NormalizedBatch) {
    let event = |id: &str| {
        batch
            .records
            .iter()
            .find_map(|r| match r {
                Record::Event(e) if e.provider_id == id => Some(e.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{}: no event {id}", recorded.file))
    };
    let base = |id: &str, name: &str, competition: &str| Event {
        name: Some(name.to_string()),
        competition: Some(competition.to_string()),
        season: Some("2022".to_string()),
        ..bare_event("espn", id)
    };
    if recorded.league == "usa.1" {
        // Orlando 3-0 up on Toronto in the 57th minute.
        assert_eq!(
            event("623600"),
            Event {
                home_team: Some("12011".to_string()),
                away_team: Some("7318".to_string()),
                home_team_name: Some("Orlando City SC".to_string()),
                away_team_name: Some("Toronto FC".to_string()),
                kickoff: Some("2022-09-17T23:30:00Z".to_string()),
                status: EventStatus::Live,
                minute: Some(57),
                home_score: Some(3),
                away_score: Some(0),
                venue: Some("Exploria Stadium".to_string()),
                ..base("623600", "Toronto FC at Orlando City SC", "770")
            }
        );
        // Full time after 90'+5': finished, no minute.
        assert_eq!(
            event("623597"),
            Event {
                home_team: Some("17606".to_string()),
                away_team: Some("190".to_string()),
                home_team_name: Some("New York City FC".to_string()),
                away_team_name: Some("New York Red Bulls".to_string()),
                kickoff: Some("2022-09-17T17:00:00Z".to_string()),
                status: EventStatus::Finished,
                home_score: Some(2),
                away_score: Some(0),
                venue: Some("Yankee Stadium".to_string()),
                ..base("623597", "New York Red Bulls at New York City FC", "770")
            }
        );
    } else {
        // Miami 20-7 New England, 17-0 at half time (3+14 and 0+0).
        assert_eq!(
            event("401437630"),
            Event {
                home_team: Some("15".to_string()),
                away_team: Some("17".to_string()),
                home_team_name: Some("Miami Dolphins".to_string()),
                away_team_name: Some("New England Patriots".to_string()),
                kickoff: Some("2022-09-11T17:00:00Z".to_string()),
                status: EventStatus::Finished,
                home_score: Some(20),
                away_score: Some(7),
                home_score_half_time: Some(17),
                away_score_half_time: Some(0),
                venue: Some("Hard Rock Stadium".to_string()),
                ..base("401437630", "New England Patriots at Miami Dolphins", "28")
            }
        );
        // Not yet kicked off: ESPN writes "0" for both, the event has no score.
        let scheduled = event("401437644");
        assert_eq!(scheduled.status, EventStatus::Scheduled);
        assert_eq!(scheduled.kickoff.as_deref(), Some("2022-09-12T00:20:00Z"));
        assert_eq!((scheduled.home_score, scheduled.away_score), (None, None));
    }
}
