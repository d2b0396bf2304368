//! The plugin against the real TheSportsDB responses recorded in
//! `../shared/data/providers/thesportsdb/`. They are under a non-commercial
//! licence, so they are read from there at test time, through
//! `sluice_test_support::recordings`, and never copied into the repository;
//! a missing recording fails the test with its path
//! (`SLUICE_ALLOW_MISSING_RECORDINGS=1` skips it instead, for a developer
//! without the recordings).
//!
//! Every item is checked against its raw JSON, read here independently of
//! the plugin, and a few items against what is known of them (live at half
//! time and in the second half, time to be defined, races without sides).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;
use sluice_plugin_sdk::{
    Batch, Competition, Event, EventStatus, HttpResponse, Params, Participant, Record, Source, Team,
};
use sluice_test_support::recordings;

use crate::TheSportsDb;

/// A recording one of the streams asks for: file, stream, parameters, and
/// the item count SOURCES.md gives.
struct Recorded {
    file: &'static str,
    stream: &'static str,
    params: &'static [(&'static str, &'static str)],
    items: usize,
}

const RECORDED: &[Recorded] = &[
    Recorded {
        file: "v1_eventsseason_4407_MotoGP_2024.json",
        stream: "events",
        params: &[("league", "4407"), ("season", "2024")],
        items: 20,
    },
    Recorded {
        file: "v1_eventsseason_4429_FIFA_World_Cup_2024-2025_qualifiers_TBD.json",
        stream: "events",
        params: &[("league", "4429"), ("season", "2024-2025")],
        items: 100,
    },
    Recorded {
        file: "v1_eventsseason_4490_UEFA_Nations_League_2024-2025_live_HT_2H.json",
        stream: "events",
        params: &[("league", "4490"), ("season", "2024-2025")],
        items: 100,
    },
];

/// The results of the 2024 Singapore Grand Prix (`event_results`), checked
/// by its own test.
const RESULTS: &str = "v1_eventresults_1963827_F1.json";

/// Recordings no stream asks for, and why.
const NOT_A_STREAM: &[(&str, &str)] = &[(
    "v2_schedule_league_4370_2024_F1.json",
    "a v2 response (another base URL, the key in a header, a `schedule` list without statuses); this plugin reads the v1 API",
)];

#[test]
fn every_recorded_response_normalizes_faithfully() {
    let Some(paths) = recordings::responses("thesportsdb") else {
        return;
    };
    let files: Vec<(String, &PathBuf)> = paths
        .iter()
        .filter_map(|path| Some((path.file_name()?.to_str()?.to_string(), path)))
        .collect();
    let mut checked = Vec::new();
    for (name, path) in &files {
        if let Some((_, why)) = NOT_A_STREAM.iter().find(|(file, _)| file == name) {
            eprintln!("not checked: {name}: {why}");
            continue;
        }
        if name == RESULTS {
            continue;
        }
        let recorded = RECORDED
            .iter()
            .find(|r| r.file == name)
            .unwrap_or_else(|| panic!("{name}: which stream reads it is not known here"));
        let body = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let raw: Value = serde_json::from_slice(&body).expect("recorded JSON");
        let batch = run(recorded, body);
        check(recorded, &batch, &raw);
        check_known(recorded, &batch);
        checked.push(name.as_str());
    }
    let expected: Vec<&str> = RECORDED.iter().map(|r| r.file).collect();
    assert_eq!(checked, expected, "every recording a stream reads");
}

fn run(recorded: &Recorded, body: Vec<u8>) -> Batch {
    let params: Params = recorded
        .params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let requests = TheSportsDb::plan(recorded.stream.to_string(), None, params.clone())
        .unwrap_or_else(|e| panic!("{}: plan: {e:?}", recorded.file));
    assert_eq!(requests.len(), 1, "{}", recorded.file);
    assert_eq!(requests[0].path, "/eventsseason.php", "{}", recorded.file);
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body,
    };
    TheSportsDb::normalize(
        recorded.stream.to_string(),
        params,
        requests[0].clone(),
        response,
    )
    .unwrap_or_else(|e| panic!("{}: normalize: {e:?}", recorded.file))
}

/// A field as the plugin reads it: a non-blank string, or none.
fn text(value: &Value) -> Option<String> {
    value
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

fn check(recorded: &Recorded, batch: &Batch, raw: &Value) {
    let file = recorded.file;
    let items = raw["events"].as_array().expect("events");
    assert_eq!(items.len(), recorded.items, "{file}: items in the raw JSON");
    assert!(
        batch.rejects.is_empty(),
        "{file}: every recorded status is known, got {:?}",
        batch.rejects.iter().map(|r| &r.reason).collect::<Vec<_>>()
    );

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
        items.len() - batch.rejects.len(),
        "{file}: one event per item not rejected"
    );
    for (event, item) in events.iter().zip(items) {
        check_event(event, item, &format!("{file}: {}", event.provider_id));
    }
    let ids: BTreeSet<&str> = events.iter().map(|e| e.provider_id.as_str()).collect();
    assert_eq!(ids.len(), events.len(), "{file}: every id once");

    // One competition per league, as the items name it.
    let competitions: Vec<&Competition> = batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Competition(c) => Some(c),
            _ => None,
        })
        .collect();
    let mut leagues = BTreeMap::new();
    for item in items {
        let id = text(&item["idLeague"]).expect("idLeague");
        leagues.entry(id.clone()).or_insert(Competition {
            provider_id: id,
            name: text(&item["strLeague"]).expect("strLeague"),
            sport: text(&item["strSport"]),
            code: None,
            area: None,
            format: None,
            emblem_url: text(&item["strLeagueBadge"]),
        });
    }
    let expected: Vec<&Competition> = leagues.values().collect();
    assert_eq!(competitions, expected, "{file}: the league once");

    // One team per distinct team an item names, with its name and badge.
    let teams: BTreeMap<&str, &Team> = batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Team(t) => Some((t.provider_id.as_str(), t)),
            _ => None,
        })
        .collect();
    let mut named = BTreeSet::new();
    for item in items {
        for side in ["Home", "Away"] {
            let Some(id) = text(&item[format!("id{side}Team")]) else {
                continue;
            };
            let team = teams
                .get(id.as_str())
                .unwrap_or_else(|| panic!("{file}: no team record for {id}"));
            assert_eq!(
                Some(team.name.clone()),
                text(&item[format!("str{side}Team")]),
                "{file}: team {id}"
            );
            assert_eq!(
                team.crest_url,
                text(&item[format!("str{side}TeamBadge")]),
                "{file}: team {id}"
            );
            named.insert(id);
        }
    }
    let team_count = batch
        .records
        .iter()
        .filter(|r| matches!(r, Record::Team(_)))
        .count();
    assert_eq!(team_count, named.len(), "{file}: each team once");
}

/// One event against its item, the expectations read from the raw JSON.
fn check_event(event: &Event, item: &Value, at: &str) {
    assert_eq!(
        Some(event.provider_id.clone()),
        text(&item["idEvent"]),
        "{at}"
    );
    assert_eq!(event.name, text(&item["strEvent"]), "{at}: name");
    assert!(event.name.is_some(), "{at}: every event keeps its name");
    assert_eq!(event.competition, text(&item["idLeague"]), "{at}");
    assert_eq!(event.season, text(&item["strSeason"]), "{at}");
    assert_eq!(event.home_team, text(&item["idHomeTeam"]), "{at}");
    assert_eq!(event.away_team, text(&item["idAwayTeam"]), "{at}");
    assert_eq!(event.home_team_name, text(&item["strHomeTeam"]), "{at}");
    assert_eq!(event.away_team_name, text(&item["strAwayTeam"]), "{at}");
    assert_eq!(event.venue, text(&item["strVenue"]), "{at}");

    let score = |field: &str| {
        text(&item[field]).map(|s| {
            s.parse::<u32>()
                .unwrap_or_else(|_| panic!("{at}: {field} `{s}`"))
        })
    };
    let scores = score("intHomeScore").zip(score("intAwayScore"));
    let status_text = text(&item["strStatus"]);
    let expected_status = match status_text.as_deref() {
        Some("Match Finished") => EventStatus::Finished,
        Some("Not Started" | "Time to be defined") => EventStatus::Scheduled,
        Some("HT") => EventStatus::Halftime,
        Some("2H") => EventStatus::Live,
        // No status: finished once it has a score or a result text.
        None if scores.is_some() || text(&item["strResult"]).is_some() => EventStatus::Finished,
        None => EventStatus::Scheduled,
        Some(other) => panic!("{at}: a status the recordings were not known to hold: {other}"),
    };
    assert_eq!(event.status, expected_status, "{at}: {status_text:?}");
    assert_eq!(item["strPostponed"], "no", "{at}");

    // Regular time only in the recordings: the scores are the regular-time
    // (or running) score once play has begun.
    let expected_scores = scores.filter(|_| expected_status != EventStatus::Scheduled);
    assert_eq!(
        event.home_score.zip(event.away_score),
        expected_scores,
        "{at}: scores"
    );
    assert_eq!(event.minute, None, "{at}: season lists carry no minute");
    for period in [
        event.home_score_half_time,
        event.away_score_half_time,
        event.home_score_extra_time,
        event.away_score_extra_time,
        event.home_score_penalties,
        event.away_score_penalties,
    ] {
        assert_eq!(period, None, "{at}: TheSportsDB gives no periods");
    }

    // The kick-off: `strTimestamp` in UTC, unless the time is not known
    // (to be defined, or a midnight without a local time).
    let stamp = text(&item["strTimestamp"]).expect("strTimestamp");
    let date_and_time = format!(
        "{}T{}",
        text(&item["dateEvent"]).expect("dateEvent"),
        text(&item["strTime"]).expect("strTime")
    );
    assert_eq!(
        stamp, date_and_time,
        "{at}: the timestamp is the date and time"
    );
    let unknown_time = status_text.as_deref() == Some("Time to be defined")
        || (stamp.ends_with("T00:00:00") && text(&item["strTimeLocal"]).is_none());
    let expected_kickoff = (!unknown_time).then(|| format!("{stamp}Z"));
    assert_eq!(event.kickoff, expected_kickoff, "{at}: kickoff");

    let round: u32 = text(&item["intRound"])
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("{at}: intRound {}", item["intRound"]));
    let expected_matchday = (1..100).contains(&round).then_some(round);
    assert_eq!(event.matchday, expected_matchday, "{at}: round {round}");
}

/// Items whose state is known, checked one by one.
fn check_known(recorded: &Recorded, batch: &Batch) {
    let event = |id: &str| -> &Event {
        batch
            .records
            .iter()
            .find_map(|r| match r {
                Record::Event(e) if e.provider_id == id => Some(e),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{}: no event {id}", recorded.file))
    };
    let standing = |id: &str| {
        let e = event(id);
        (e.status, e.home_score, e.away_score)
    };
    let count = |status: EventStatus| {
        batch
            .records
            .iter()
            .filter(|r| matches!(r, Record::Event(e) if e.status == status))
            .count()
    };
    match recorded.params[0].1 {
        "4490" => {
            // Three matches at half time, five in the second half.
            assert_eq!(count(EventStatus::Halftime), 3);
            assert_eq!(count(EventStatus::Live), 5);
            assert_eq!(
                standing("1958725"),
                (EventStatus::Halftime, Some(0), Some(0))
            );
            assert_eq!(
                standing("1958727"),
                (EventStatus::Halftime, Some(1), Some(0))
            );
            assert_eq!(standing("1958722"), (EventStatus::Live, Some(1), Some(3)));
            assert_eq!(
                standing("1958648"),
                (EventStatus::Finished, Some(1), Some(3))
            );
            assert_eq!(standing("1958741"), (EventStatus::Scheduled, None, None));
            assert_eq!(
                event("1958725").kickoff.as_deref(),
                Some("2024-10-13T18:45:00Z")
            );
            assert_eq!(event("1958725").matchday, Some(4));
        }
        "4429" => {
            // Time to be defined: no kick-off, though a midnight is written.
            let tbd = event("1874994");
            assert_eq!(tbd.status, EventStatus::Scheduled);
            assert_eq!(tbd.kickoff, None);
            // A null status without scores, with a real time.
            let null_status = event("2165947");
            assert_eq!(null_status.status, EventStatus::Scheduled);
            assert_eq!(null_status.kickoff.as_deref(), Some("2024-11-15T03:00:00Z"));
            // An empty status at a placeholder midnight.
            assert_eq!(event("1890407").status, EventStatus::Scheduled);
            assert_eq!(event("1890407").kickoff, None);
            // A real midnight kick-off (21:00 local) is kept.
            assert_eq!(
                event("1874975").kickoff.as_deref(),
                Some("2024-09-06T00:00:00Z")
            );
            assert_eq!(standing("2150805"), (EventStatus::Live, Some(0), Some(1)));
            // Round 400 is a stage code, not a matchday.
            assert_eq!(event("2118516").matchday, None);
            assert_eq!(event("1874973").matchday, Some(7));
        }
        "4407" => {
            // Races: named, without sides, no teams at all.
            assert!(
                !batch.records.iter().any(|r| matches!(r, Record::Team(_))),
                "no team records for races"
            );
            for record in &batch.records {
                if let Record::Event(e) = record {
                    assert!(e.name.is_some(), "{}: a race has a name", e.provider_id);
                    assert_eq!((&e.home_team, &e.away_team), (&None, &None));
                    assert_eq!((&e.home_team_name, &e.away_team_name), (&None, &None));
                }
            }
            assert_eq!(
                event("1921053").name.as_deref(),
                Some("Grand Prix of Qatar")
            );
            // Empty status with a result text: run.
            assert_eq!(event("1921053").status, EventStatus::Finished);
            // `Not Started` is taken at its word, result text or not.
            assert_eq!(event("1921054").status, EventStatus::Scheduled);
            // Empty status, no result yet.
            assert_eq!(event("1921071").status, EventStatus::Scheduled);
            // A placeholder midnight without a local time.
            assert_eq!(event("1921059").kickoff, None);
            assert_eq!(
                event("1921053").kickoff.as_deref(),
                Some("2024-03-10T17:00:00Z")
            );
        }
        other => panic!("no known items for league {other}"),
    }
}

#[test]
fn the_recorded_race_results_are_its_field() {
    let Some(body) = recordings::read(&format!("thesportsdb/{RESULTS}")) else {
        return;
    };
    let raw: Value = serde_json::from_slice(&body).expect("recorded JSON");
    let items = raw["results"].as_array().expect("results");
    assert_eq!(items.len(), 19);
    let params: Params = vec![("event".to_string(), "1963827".to_string())];
    let request = TheSportsDb::plan("event_results".to_string(), None, params.clone())
        .expect("plan")
        .remove(0);
    assert_eq!(request.path, "/eventresults.php");
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body,
    };
    let batch = TheSportsDb::normalize("event_results".to_string(), params, request, response)
        .expect("normalize");
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    let field: Vec<&Participant> = batch
        .records
        .iter()
        .map(|r| match r {
            Record::Participant(p) => p,
            other => panic!("only participants, got {other:?}"),
        })
        .collect();
    assert_eq!(field.len(), items.len());
    for (p, item) in field.iter().zip(items) {
        let at = text(&item["strPlayer"]).unwrap_or_default();
        assert_eq!(p.event, "1963827", "{at}");
        assert_eq!(p.provider_id, text(&item["idPlayer"]), "{at}");
        assert_eq!(Some(p.name.clone()), text(&item["strPlayer"]), "{at}");
        assert_eq!(p.result, text(&item["strDetail"]), "{at}");
        // No team names in the recording, only `idTeam`.
        assert_eq!(p.team_name, None, "{at}");
        let points = text(&item["intPoints"]).and_then(|v| v.parse::<f64>().ok());
        assert_eq!(p.points, points, "{at}");
        let position = text(&item["intPosition"]).and_then(|v| v.parse::<u32>().ok());
        if p.result.as_deref() == Some("DNF") {
            assert_eq!(p.position, None, "{at}: a retirement is not classified");
        } else {
            assert_eq!(p.position, position, "{at}");
        }
    }
    // Norris won by 20.945 s; from 11th on the finishers scored nothing;
    // Magnussen retired, listed 19th.
    assert_eq!(
        (field[0].name.as_str(), field[0].position, field[0].points),
        ("Lando Norris", Some(1), Some(25.0))
    );
    assert_eq!(field[1].result.as_deref(), Some("+20.945s"));
    assert_eq!(
        (field[10].position, field[10].points),
        (Some(11), Some(0.0))
    );
    assert_eq!(
        (
            field[18].name.as_str(),
            field[18].position,
            field[18].result.as_deref()
        ),
        ("Kevin Magnussen", None, Some("DNF"))
    );
}
