//! The football-data plugin against every real football-data.org v4
//! response recorded in `../shared/data/providers/football-data/`, checked
//! against the raw JSON and against known results.

use serde_json::Value;

use sluice::model::HttpResponse;
use sluice::model::{Event, EventStatus, Record};
use sluice::plugin::{NormalizerPlugin, PluginEngine, SandboxLimits};

use crate::common::football_data_wasm;
use sluice_test_support::recordings;

/// Finished matches whose real result is known: id, then the score after
/// regular time, in extra time, and in the shoot-out.
type Known = (
    &'static str,
    (u32, u32),
    Option<(u32, u32)>,
    Option<(u32, u32)>,
);
const KNOWN_RESULTS: &[Known] = &[
    // FK RFS 2-1 HJK, 0-0 a.e.t., HJK won 5-4 on penalties (CL Q1 2022).
    ("418518", (2, 1), Some((0, 0)), Some((4, 5))),
    // PSV 2-2 Monaco after 90 minutes, PSV won 3-2 after extra time.
    ("425249", (2, 2), Some((1, 0)), None),
    // Dinamo Zagreb 2-1 Bodø/Glimt after 90, 4-1 after extra time.
    ("426169", (2, 1), Some((2, 0)), None),
];

#[test]
fn every_recorded_football_data_response_normalizes_faithfully() {
    let Some(files) = recordings::responses("football-data") else {
        return;
    };
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    let plugin = NormalizerPlugin::load(&engine, &football_data_wasm()).expect("plugin");
    let mut checked = 0;
    let mut known_seen = 0;
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let body = std::fs::read(file).expect("read");
        let raw: Value = serde_json::from_slice(&body).expect("recorded JSON");
        let (stream, params): (&str, &[(&str, &str)]) = if raw.get("matches").is_some() {
            ("matches", &[("competition", "CL")])
        } else if raw.get("teams").is_some() {
            ("teams", &[("competition", "CL")])
        } else if raw.get("homeTeam").is_some() {
            ("match", &[("id", "1")])
        } else if raw.get("standings").is_some() {
            ("standings", &[("competition", "CL")])
        } else {
            panic!("{name}: which stream it answers is not known here");
        };
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let request = plugin.plan(stream, None, &params).expect("plan")[0].clone();
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body,
        };
        let batch = plugin
            .normalize(stream, &params, &request, response)
            .0
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(batch.rejects.is_empty(), "{name}: {:?}", batch.rejects);
        match stream {
            "teams" => {
                let ids: Vec<String> = raw["teams"]
                    .as_array()
                    .expect("teams")
                    .iter()
                    .map(|t| t["id"].to_string())
                    .collect();
                let got: Vec<&str> = batch.records.iter().map(Record::provider_id).collect();
                assert_eq!(got, ids, "{name}");
            }
            "standings" => {
                // Every row of every table, with football-data's own place
                // and points.
                let rows: Vec<(String, i64, i64)> = raw["standings"]
                    .as_array()
                    .expect("standings")
                    .iter()
                    .flat_map(|t| t["table"].as_array().expect("table"))
                    .map(|r| {
                        let n = |k: &str| r[k].as_i64().expect("a number");
                        (r["team"]["id"].to_string(), n("position"), n("points"))
                    })
                    .collect();
                let got: Vec<(String, i64, i64)> = batch
                    .records
                    .iter()
                    .filter_map(|r| match r {
                        Record::Standing(s) => Some((
                            s.team.clone(),
                            i64::from(s.rank),
                            s.points.map_or(-1, i64::from),
                        )),
                        _ => None,
                    })
                    .collect();
                assert_eq!(got, rows, "{name}");
            }
            _ => {
                let matches: Vec<&Value> = match raw.get("matches") {
                    Some(list) => list.as_array().expect("matches").iter().collect(),
                    None => vec![&raw],
                };
                let events: Vec<&Event> = batch
                    .records
                    .iter()
                    .filter_map(|r| {
                        if let Record::Event(e) = r {
                            Some(e)
                        } else {
                            None
                        }
                    })
                    .collect();
                assert_eq!(events.len(), matches.len(), "{name}");
                for (event, m) in events.iter().zip(matches) {
                    check_event(name, event, m);
                    if let Some(known) = KNOWN_RESULTS.iter().find(|k| k.0 == event.provider_id) {
                        known_seen += 1;
                        assert_eq!(
                            (event.home_score, event.away_score),
                            (Some(known.1.0), Some(known.1.1)),
                            "{name} {}",
                            known.0
                        );
                        assert_eq!(
                            event.home_score_extra_time.zip(event.away_score_extra_time),
                            known.2,
                            "{name} {}",
                            known.0
                        );
                        assert_eq!(
                            event.home_score_penalties.zip(event.away_score_penalties),
                            known.3,
                            "{name} {}",
                            known.0
                        );
                    }
                }
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 9,
        "expected the recorded matches, teams and standings files, checked {checked}"
    );
    assert_eq!(known_seen, KNOWN_RESULTS.len());
}

/// The event agrees with the raw match: ids, kickoff, status, and scores
/// that add up to football-data's all-inclusive `fullTime`.
fn check_event(file: &str, event: &Event, m: &Value) {
    let id = m["id"].to_string();
    assert_eq!(event.provider_id, id, "{file}");
    assert_eq!(
        event.kickoff.as_deref(),
        m["utcDate"].as_str(),
        "{file} {id}"
    );
    assert_eq!(
        event.home_team,
        Some(m["homeTeam"]["id"].to_string()).filter(|s| s != "null"),
        "{file} {id}"
    );
    let expected_status = match m["status"].as_str().expect("status") {
        "FINISHED" => EventStatus::Finished,
        "TIMED" | "SCHEDULED" => EventStatus::Scheduled,
        other => panic!("{file} {id}: a status this test does not know: {other}"),
    };
    assert_eq!(event.status, expected_status, "{file} {id}");
    let full = &m["score"]["fullTime"];
    if full["home"].is_null() {
        assert_eq!(
            (event.home_score, event.away_score),
            (None, None),
            "{file} {id}: not played, no score"
        );
        return;
    }
    let total = |regular: Option<u32>, extra: Option<u32>, pens: Option<u32>| {
        regular.expect("played") + extra.unwrap_or(0) + pens.unwrap_or(0)
    };
    assert_eq!(
        u64::from(total(
            event.home_score,
            event.home_score_extra_time,
            event.home_score_penalties
        )),
        full["home"].as_u64().expect("home"),
        "{file} {id}"
    );
    assert_eq!(
        u64::from(total(
            event.away_score,
            event.away_score_extra_time,
            event.away_score_penalties
        )),
        full["away"].as_u64().expect("away"),
        "{file} {id}"
    );
    let duration = m["score"]["duration"].as_str().unwrap_or("REGULAR");
    assert_eq!(
        event.home_score_extra_time.is_some(),
        duration != "REGULAR",
        "{file} {id}"
    );
    assert_eq!(
        event.home_score_penalties.is_some(),
        duration == "PENALTY_SHOOTOUT",
        "{file} {id}"
    );
}
