//! Every real Sportmonks recording in `../shared/data/providers/sportmonks/`
//! read through the plugin natively, each record checked against the raw
//! JSON it came from.
//!
//! Three of the four recordings carry no licence, so none is copied into
//! the repository: the tests read them where they are, and a test whose
//! file is absent says `SKIPPED` and passes. Three recordings hold `data`
//! alone (their source stripped the envelope); they are wrapped in
//! `{"data": …}`, as Sportmonks sends them, before they are read.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use sluice_plugin_sdk::{Batch, Event, EventStatus, Record, timestamp};

use crate::params::{FixtureSelection, ScheduleSelection};
use crate::standings::StandingRow;
use crate::{fixtures, schedules, status};

const CL_FINAL: &str = "v3_football_fixtures_19683241_CL_final_penalties_full_includes.json";
const MUN_VILLA: &str =
    "v3_football_fixtures_19135043_data_only_participants_scores_events_statistics.json";
const SCHEDULE: &str = "v3_football_schedules_teams_14_data_only_stages_rounds_fixtures.json";
const STANDINGS: &str = "v3_football_standings_seasons_23614_data_only.json";

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/providers/sportmonks")
}

/// The recording `name`, or none (said on stderr) when it is absent.
fn recording(name: &str) -> Option<Vec<u8>> {
    let path = folder().join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!(
                "SKIPPED: the recording {} is absent ({e}); it was not checked",
                path.display()
            );
            None
        }
    }
}

/// A `data`-only recording inside the envelope Sportmonks sends.
fn enveloped(data: &[u8]) -> Vec<u8> {
    let mut body = b"{\"data\":".to_vec();
    body.extend_from_slice(data);
    body.push(b'}');
    body
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("a recording is JSON")
}

fn events(batch: &Batch) -> Vec<&Event> {
    batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn team_ids(batch: &Batch) -> BTreeSet<String> {
    batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Team(t) => Some(t.provider_id.clone()),
            _ => None,
        })
        .collect()
}

/// The goals of `side` in period `description` of a raw fixture.
fn goals(raw: &Value, description: &str, side: &str) -> Option<u32> {
    raw["scores"]
        .as_array()?
        .iter()
        .find(|s| s["description"] == description && s["score"]["participant"] == side)
        .and_then(|s| s["score"]["goals"].as_u64())
        .and_then(|g| u32::try_from(g).ok())
}

/// The participant of a raw fixture at `location`.
fn participant<'a>(raw: &'a Value, location: &str) -> &'a Value {
    raw["participants"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["meta"]["location"] == location))
        .unwrap_or(&Value::Null)
}

/// Checks `event` against the raw fixture it came from: ids, names, teams
/// by location, kick-off, status, and every score by its description.
fn check(event: &Event, raw: &Value) {
    let id = raw["id"].to_string();
    let at = |what: &str| format!("fixture {id}: {what}");
    assert_eq!(event.provider_id, id);
    assert_eq!(
        event.name.as_deref(),
        raw["name"].as_str(),
        "{}",
        at("name")
    );
    assert_eq!(
        event.competition,
        Some(raw["league_id"].to_string()),
        "{}",
        at("league")
    );
    assert_eq!(
        event.season,
        Some(raw["season_id"].to_string()),
        "{}",
        at("season")
    );
    for (location, team, name) in [
        ("home", &event.home_team, &event.home_team_name),
        ("away", &event.away_team, &event.away_team_name),
    ] {
        let p = participant(raw, location);
        assert_eq!(team.clone(), Some(p["id"].to_string()), "{}", at(location));
        assert_eq!(name.as_deref(), p["name"].as_str(), "{}", at(location));
    }
    let unix = raw["starting_at_timestamp"].as_i64().expect("timestamp");
    assert_eq!(
        event.kickoff,
        timestamp::from_unix(unix).ok(),
        "{}",
        at("kickoff")
    );
    let state_id = raw["state_id"].as_u64().and_then(|s| u32::try_from(s).ok());
    let expected_status = state_id.and_then(|s| status::by_id(s).ok()).map(|(s, _)| s);
    assert_eq!(Some(event.status), expected_status, "{}", at("status"));
    let pair = |d: &str| (goals(raw, d, "home"), goals(raw, d, "away"));
    let none = (None, None);
    let (regular, half, extra, penalties) = match state_id {
        Some(1) => (none, none, none, none),
        Some(5) => (pair("CURRENT"), pair("1ST_HALF"), none, none),
        Some(8) => (
            pair("2ND_HALF"),
            pair("1ST_HALF"),
            pair("ET"),
            pair("PENALTY_SHOOTOUT"),
        ),
        other => panic!(
            "{}",
            at(&format!("state {other:?} has no expectation here"))
        ),
    };
    assert_eq!(
        (event.home_score, event.away_score),
        regular,
        "{}",
        at("score")
    );
    assert_eq!(
        (event.home_score_half_time, event.away_score_half_time),
        half,
        "{}",
        at("half time")
    );
    assert_eq!(
        (event.home_score_extra_time, event.away_score_extra_time),
        extra,
        "{}",
        at("extra time")
    );
    assert_eq!(
        (event.home_score_penalties, event.away_score_penalties),
        penalties,
        "{}",
        at("penalties")
    );
    if state_id == Some(5) {
        // At full time the regular-time score is both `CURRENT` and `2ND_HALF`.
        assert_eq!(regular, pair("2ND_HALF"), "{}", at("2ND_HALF"));
    }
}

#[test]
fn every_recording_in_the_folder_is_checked_here() {
    let Ok(entries) = std::fs::read_dir(folder()) else {
        eprintln!(
            "SKIPPED: {} is absent; the Sportmonks recordings were not checked",
            folder().display()
        );
        return;
    };
    let known = [CL_FINAL, MUN_VILLA, SCHEDULE, STANDINGS];
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            known.contains(&name.as_str()),
            "{name} is a new Sportmonks recording: add a check for it to recorded.rs"
        );
    }
}

#[test]
fn the_champions_league_final_keeps_regular_time_extra_time_and_the_shoot_out_apart() {
    let Some(body) = recording(CL_FINAL) else {
        return;
    };
    let selection = FixtureSelection::Ids(vec![19683241]);
    let request = &selection.plan(None)[0];
    let batch = fixtures::normalize(&selection, request, &body).expect("batch");
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    assert!(batch.follow_ups.is_empty() && batch.cursor.is_none());
    let raw = json(&body);
    let events = events(&batch);
    assert_eq!(events.len(), 1);
    check(events[0], &raw["data"]);
    let e = events[0];
    // Paris Saint Germain 1-1 Arsenal (0-1 at half time), 0-0 in extra
    // time, 4-3 on penalties; Paris listed second but at home.
    assert_eq!(e.home_team.as_deref(), Some("591"));
    assert_eq!(e.away_team.as_deref(), Some("19"));
    assert_eq!(e.status, EventStatus::Finished);
    assert_eq!((e.home_score, e.away_score), (Some(1), Some(1)));
    assert_eq!(
        (e.home_score_half_time, e.away_score_half_time),
        (Some(0), Some(1))
    );
    assert_eq!(
        (e.home_score_extra_time, e.away_score_extra_time),
        (Some(0), Some(0))
    );
    assert_eq!(
        (e.home_score_penalties, e.away_score_penalties),
        (Some(4), Some(3))
    );
    assert_eq!(e.kickoff.as_deref(), Some("2026-05-30T16:00:00Z"));
    assert_eq!(
        (e.competition.as_deref(), e.season.as_deref()),
        (Some("2"), Some("25580"))
    );
    assert_eq!(
        (e.minute, e.venue.as_deref(), e.stage.as_deref()),
        (None, None, None)
    );
    // No `league` include: no competition record; both teams once.
    assert_eq!(
        team_ids(&batch),
        BTreeSet::from(["19".into(), "591".into()])
    );
    assert_eq!(batch.records.len(), 3);
    let arsenal = batch.records.iter().find_map(|r| match r {
        Record::Team(t) if t.provider_id == "19" => Some(t),
        _ => None,
    });
    assert_eq!(arsenal.and_then(|t| t.code.as_deref()), Some("ARS"));
    assert_eq!(arsenal.and_then(|t| t.founded), Some(1886));
    assert_eq!(
        arsenal.and_then(|t| t.crest_url.as_deref()),
        raw["data"]["participants"][0]["image_path"].as_str()
    );
}

#[test]
fn a_data_only_fixture_with_league_and_venue_includes() {
    let Some(data) = recording(MUN_VILLA) else {
        return;
    };
    let selection = FixtureSelection::Ids(vec![19135043]);
    let request = &selection.plan(None)[0];
    let batch = fixtures::normalize(&selection, request, &enveloped(&data)).expect("batch");
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    let raw = json(&data);
    let events = events(&batch);
    assert_eq!(events.len(), 1);
    check(events[0], &raw);
    let e = events[0];
    assert_eq!((e.home_score, e.away_score), (Some(2), Some(0)));
    assert_eq!(
        (e.home_score_half_time, e.away_score_half_time),
        (Some(0), Some(0))
    );
    assert_eq!(e.venue.as_deref(), Some("Old Trafford"));
    match &batch.records[0] {
        Record::Competition(c) => {
            assert_eq!(
                (c.provider_id.as_str(), c.name.as_str()),
                ("8", "Premier League")
            );
            assert_eq!(c.code.as_deref(), Some("UK PL"));
            assert_eq!(c.format.as_deref(), Some("league"));
            assert_eq!(
                c.emblem_url.as_deref(),
                raw["league"]["image_path"].as_str()
            );
        }
        other => panic!("expected the competition first, got {other:?}"),
    }
    assert_eq!(team_ids(&batch), BTreeSet::from(["14".into(), "15".into()]));
}

#[test]
fn a_team_schedule_gives_every_fixture_of_every_stage_and_round() {
    let Some(data) = recording(SCHEDULE) else {
        return;
    };
    let selection = ScheduleSelection::Team(14);
    let batch =
        schedules::normalize(&selection, &selection.plan(), &enveloped(&data)).expect("batch");
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    let events = events(&batch);
    let raw = json(&data);
    // Walk the raw stages: fixtures sit in rounds, or in the stage itself.
    let mut expected = Vec::new();
    for stage in raw.as_array().expect("stages") {
        for round in stage["rounds"].as_array().into_iter().flatten() {
            for fixture in round["fixtures"].as_array().into_iter().flatten() {
                expected.push((fixture, &stage["name"], Some(&round["name"])));
            }
        }
        for fixture in stage["fixtures"].as_array().into_iter().flatten() {
            expected.push((fixture, &stage["name"], None));
        }
    }
    let in_rounds = expected.iter().filter(|(_, _, r)| r.is_some()).count();
    assert_eq!((in_rounds, expected.len() - in_rounds), (49, 12));
    assert_eq!(events.len(), expected.len());
    for (event, (fixture, stage, round)) in events.iter().zip(&expected) {
        check(event, fixture);
        assert_eq!(event.stage.as_deref(), stage.as_str());
        let matchday = round.and_then(|r| r.as_str()).and_then(|r| r.parse().ok());
        assert_eq!(event.matchday, matchday, "fixture {}", event.provider_id);
        assert!(
            event.home_team.as_deref() == Some("14") || event.away_team.as_deref() == Some("14"),
            "fixture {} is in team 14's schedule without team 14",
            event.provider_id
        );
    }
    let count = |status| events.iter().filter(|e| e.status == status).count();
    assert_eq!(
        (count(EventStatus::Finished), count(EventStatus::Scheduled)),
        (56, 5)
    );
    let by_id = |id: &str| events.iter().find(|e| e.provider_id == id).copied();
    // The 2024 Community Shield went to penalties straight after regular time.
    let shield = by_id("19127230").expect("Community Shield");
    assert_eq!((shield.home_score, shield.away_score), (Some(1), Some(1)));
    assert_eq!(shield.home_score_extra_time, None);
    assert_eq!(
        (shield.home_score_penalties, shield.away_score_penalties),
        (Some(7), Some(6))
    );
    // Fulham's FA Cup win at Old Trafford: the away team is listed first.
    let fulham = by_id("19385059").expect("FA Cup fifth round");
    assert_eq!(
        (fulham.home_team.as_deref(), fulham.away_team.as_deref()),
        (Some("14"), Some("11"))
    );
    assert_eq!(
        (fulham.home_score_extra_time, fulham.away_score_extra_time),
        (Some(0), Some(0))
    );
    assert_eq!(
        (fulham.home_score_penalties, fulham.away_score_penalties),
        (Some(3), Some(4))
    );
    assert_eq!(fulham.stage.as_deref(), Some("5th Round"));
    let teams = team_ids(&batch);
    assert!(teams.contains("14") && teams.len() > 30, "{teams:?}");
}

#[test]
fn the_standings_rows_read_as_a_league_table() {
    let Some(data) = recording(STANDINGS) else {
        return;
    };
    let rows: Vec<StandingRow> = serde_json::from_slice(&data).expect("standings rows");
    let raw = json(&data);
    assert_eq!(rows.len(), 20);
    let table: Vec<_> = rows
        .iter()
        .map(|r| r.table_row().expect("a table row"))
        .collect();
    let positions: Vec<u32> = table.iter().map(|r| r.position).collect();
    assert_eq!(positions, (1..=20).collect::<Vec<_>>());
    for (row, raw) in table.iter().zip(raw.as_array().expect("rows")) {
        let figure = |name: &str| {
            raw["details"]
                .as_array()
                .and_then(|ds| ds.iter().find(|d| d["type"]["developer_name"] == name))
                .and_then(|d| d["value"].as_u64())
                .and_then(|v| u32::try_from(v).ok())
        };
        assert_eq!(row.team, raw["participant_id"].to_string());
        assert_eq!(
            row.team_name.as_deref(),
            raw["participant"]["name"].as_str()
        );
        assert_eq!(Some(row.played), figure("OVERALL_MATCHES"));
        assert_eq!(Some(row.won), figure("OVERALL_WINS"));
        assert_eq!(Some(row.drawn), figure("OVERALL_DRAWS"));
        assert_eq!(Some(row.lost), figure("OVERALL_LOST"));
        assert_eq!(Some(row.goals_for), figure("OVERALL_SCORED"));
        assert_eq!(Some(row.goals_against), figure("OVERALL_CONCEDED"));
        assert_eq!(i64::from(row.points), raw["points"].as_i64().unwrap_or(-1));
        assert_eq!(row.form.len(), 38, "{}", row.team);
    }
    let first = &table[0];
    assert_eq!(first.team_name.as_deref(), Some("Liverpool"));
    assert_eq!(
        (
            first.played,
            first.won,
            first.drawn,
            first.lost,
            first.points
        ),
        (38, 25, 9, 4, 84)
    );
    assert_eq!((first.goals_for, first.goals_against), (86, 41));
    assert_eq!(table[19].team_name.as_deref(), Some("Southampton"));
}
