//! Every real Sportmonks recording in `../shared/data/providers/sportmonks/`
//! read through the plugin natively, each record checked against the raw
//! JSON it came from.
//!
//! Three of the four recordings carry no licence, so none is copied into
//! the repository: the tests read them where they are, through
//! `sluice_test_support::recordings`, and fail naming the file when it is
//! missing (`SLUICE_ALLOW_MISSING_RECORDINGS=1` skips them instead, for a
//! developer without the recordings). Three recordings hold `data`
//! alone (their source stripped the envelope): each is read as it is, bare,
//! and wrapped in `{"data": …}` as Sportmonks sends it, and both forms
//! must give the same batch.

use std::collections::BTreeSet;

use serde_json::Value;
use sluice_plugin_sdk::{
    Batch, Event, EventStatus, Incident, IncidentKind, Record, Standing, StandingSplit, Team,
    timestamp,
};
use sluice_test_support::recordings;

use crate::params::{FixtureSelection, ScheduleSelection, standings_request};
use crate::{fixtures, schedules, standings, status};

const CL_FINAL: &str = "v3_football_fixtures_19683241_CL_final_penalties_full_includes.json";
const MUN_VILLA: &str =
    "v3_football_fixtures_19135043_data_only_participants_scores_events_statistics.json";
const SCHEDULE: &str = "v3_football_schedules_teams_14_data_only_stages_rounds_fixtures.json";
const STANDINGS: &str = "v3_football_standings_seasons_23614_data_only.json";

/// The Sportmonks recording `name`; see `sluice_test_support::recordings`
/// for when it is missing.
fn recording(name: &str) -> Option<Vec<u8>> {
    recordings::read(&format!("sportmonks/{name}"))
}

/// A `data`-only recording inside the envelope Sportmonks sends.
fn enveloped(data: &[u8]) -> Vec<u8> {
    let mut body = b"{\"data\":".to_vec();
    body.extend_from_slice(data);
    body.push(b'}');
    body
}

/// The batch `normalize` makes of the `data`-only recording `data`, which
/// must be the same read bare and read inside its envelope.
fn bare_and_enveloped(data: &[u8], normalize: impl Fn(&[u8]) -> Batch) -> Batch {
    let bare = normalize(data);
    assert_eq!(
        bare,
        normalize(&enveloped(data)),
        "bare and enveloped differ"
    );
    bare
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

fn incidents(batch: &Batch) -> Vec<&Incident> {
    batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Incident(i) => Some(i),
            _ => None,
        })
        .collect()
}

/// How many incidents of `kind` count for `team`.
fn tally(list: &[&Incident], kind: IncidentKind, team: &str) -> usize {
    list.iter()
        .filter(|i| i.kind == kind && i.team.as_deref() == Some(team))
        .count()
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
    let Some(files) = recordings::responses("sportmonks") else {
        return;
    };
    let known = [CL_FINAL, MUN_VILLA, SCHEDULE, STANDINGS];
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
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
    assert_eq!(
        batch.records.len(),
        3 + 30,
        "two teams, the event, 30 incidents"
    );
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
    let batch = bare_and_enveloped(&data, |body| {
        fixtures::normalize(&selection, request, body).expect("batch")
    });
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
    let batch = bare_and_enveloped(&data, |body| {
        schedules::normalize(&selection, &selection.plan(), body).expect("batch")
    });
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
fn the_champions_league_final_has_its_incidents_in_order_and_its_shoot_out() {
    let Some(body) = recording(CL_FINAL) else {
        return;
    };
    let selection = FixtureSelection::Ids(vec![19683241]);
    let batch = fixtures::normalize(&selection, &selection.plan(None)[0], &body).expect("batch");
    let raw = json(&body);
    let list = incidents(&batch);
    let sent = raw["data"]["events"].as_array().expect("events");
    // None rescinded: every event is an incident.
    assert!(sent.iter().all(|e| e["rescinded"] != true));
    assert_eq!(list.len(), sent.len());
    assert!(list.iter().all(|i| i.event == "19683241"));
    // 1-1 in play: Havertz for Arsenal (19), Dembélé's penalty for Paris (591).
    let (paris, arsenal) = ("591", "19");
    assert_eq!(
        (
            tally(&list, IncidentKind::Goal, arsenal),
            tally(&list, IncidentKind::PenaltyGoal, paris)
        ),
        (1, 1)
    );
    // 4-3 on penalties, as the PENALTY_SHOOTOUT score.
    assert_eq!(
        (
            tally(&list, IncidentKind::ShootoutGoal, paris),
            tally(&list, IncidentKind::ShootoutGoal, arsenal)
        ),
        (4, 3)
    );
    assert_eq!(
        (
            tally(&list, IncidentKind::ShootoutMiss, paris),
            tally(&list, IncidentKind::ShootoutMiss, arsenal)
        ),
        (1, 2)
    );
    let first = list[0];
    assert_eq!(
        (
            first.kind,
            first.minute,
            first.player.as_deref(),
            first.related_player.as_deref()
        ),
        (
            IncidentKind::Goal,
            Some(6),
            Some("Kai Havertz"),
            Some("Leandro Trossard")
        )
    );
    // In play by minute; the kicks last, in the order taken, no minute.
    let played: Vec<(Option<u32>, Option<u32>)> = list[..20]
        .iter()
        .map(|i| (i.minute, i.extra_minute))
        .collect();
    let mut sorted = played.clone();
    sorted.sort();
    assert_eq!(played, sorted);
    let kicks: Vec<&str> = list[20..]
        .iter()
        .map(|i| {
            assert!(i.minute.is_none() && i.extra_minute.is_none());
            i.player.as_deref().unwrap_or_default()
        })
        .collect();
    assert_eq!(
        kicks,
        [
            "Gonçalo Ramos",
            "Viktor Gyökeres",
            "Désiré Doué",
            "Eberechi Eze",
            "Nuno Mendes",
            "Declan Rice",
            "Achraf Hakimi",
            "Gabriel Martinelli",
            "Lucas Beraldo",
            "Gabriel"
        ]
    );
    // Coming on first: Gyökeres replaced Ødegaard, and took a kick later.
    let sub = list
        .iter()
        .find(|i| i.kind == IncidentKind::Substitution)
        .expect("a substitution");
    assert_eq!(
        (sub.player.as_deref(), sub.related_player.as_deref()),
        (Some("Viktor Gyökeres"), Some("Martin Ødegaard"))
    );
    // Stoppage time is kept apart from the minute.
    assert!(
        list.iter().any(|i| i.kind == IncidentKind::YellowCard
            && (i.minute, i.extra_minute) == (Some(90), Some(6)))
    );
}

#[test]
fn a_data_only_fixture_has_its_red_card_goal_and_penalty() {
    let Some(data) = recording(MUN_VILLA) else {
        return;
    };
    let selection = FixtureSelection::Ids(vec![19135043]);
    let batch = bare_and_enveloped(&data, |body| {
        fixtures::normalize(&selection, &selection.plan(None)[0], body).expect("batch")
    });
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    let list = incidents(&batch);
    // Every event with its `type` include, whose names match the ids.
    assert_eq!(list.len(), 17);
    // Martínez sent off in first-half stoppage time, after the 20th-minute
    // substitution.
    let red = list[1];
    assert_eq!(
        (red.kind, red.minute, red.extra_minute, red.team.as_deref()),
        (IncidentKind::RedCard, Some(45), Some(1), Some("15"))
    );
    assert_eq!(red.detail.as_deref(), Some("Professional foul last man"));
    // 2-0: Amad's header, Eriksen's penalty.
    let goals: Vec<(IncidentKind, Option<&str>, Option<&str>)> = list
        .iter()
        .filter(|i| matches!(i.kind, IncidentKind::Goal | IncidentKind::PenaltyGoal))
        .map(|i| (i.kind, i.player.as_deref(), i.related_player.as_deref()))
        .collect();
    assert_eq!(
        goals,
        [
            (IncidentKind::Goal, Some("Amad"), Some("Bruno Fernandes")),
            (IncidentKind::PenaltyGoal, Some("Christian Eriksen"), None),
        ]
    );
    // Dalot came on for Mazraoui at 20 and went off for Mainoo at 46.
    let dalot: Vec<(Option<u32>, Option<&str>, Option<&str>)> = list
        .iter()
        .filter(|i| i.kind == IncidentKind::Substitution)
        .filter(|i| {
            [&i.player, &i.related_player]
                .iter()
                .any(|p| p.as_deref() == Some("Diogo Dalot"))
        })
        .map(|i| (i.minute, i.player.as_deref(), i.related_player.as_deref()))
        .collect();
    assert_eq!(
        dalot,
        [
            (Some(20), Some("Diogo Dalot"), Some("Noussair Mazraoui")),
            (Some(46), Some("Kobbie Mainoo"), Some("Diogo Dalot")),
        ]
    );
}

#[test]
fn the_standings_are_the_premier_league_table_overall_at_home_and_away() {
    let Some(data) = recording(STANDINGS) else {
        return;
    };
    let batch = bare_and_enveloped(&data, |body| {
        standings::normalize(23614, &standings_request(23614), body).expect("batch")
    });
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    let raw = json(&data);
    let rows = raw.as_array().expect("rows");
    assert_eq!(rows.len(), 20);
    match &batch.records[0] {
        Record::Competition(c) => {
            assert_eq!(
                (c.provider_id.as_str(), c.name.as_str()),
                ("8", "Premier League")
            )
        }
        other => panic!("expected the competition first, got {other:?}"),
    }
    // Then every row's `participant` include as a team, in the rows' order,
    // before any standing.
    let teams: Vec<&Team> = batch.records[1..=20]
        .iter()
        .filter_map(|r| match r {
            Record::Team(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(teams.len(), 20);
    for (team, raw) in teams.iter().zip(rows) {
        let p = &raw["participant"];
        assert_eq!(team.provider_id, p["id"].to_string());
        assert_eq!(Some(team.name.as_str()), p["name"].as_str());
        assert_eq!(team.code.as_deref(), p["short_code"].as_str());
        assert_eq!(team.crest_url.as_deref(), p["image_path"].as_str());
        assert_eq!(team.founded.map(i64::from), p["founded"].as_i64());
        // Country and venue are ids in the include: left to `teams`.
        assert_eq!(
            (team.country.as_deref(), team.venue.as_deref()),
            (None, None)
        );
    }
    assert!(matches!(batch.records[21], Record::Standing(_)));
    let table = |split: StandingSplit| -> Vec<&Standing> {
        batch
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Standing(s) if s.split == split => Some(s),
                _ => None,
            })
            .collect()
    };
    let total = table(StandingSplit::Total);
    assert_eq!(total.len(), 20);
    for (split, prefix, points) in [
        (StandingSplit::Total, "OVERALL", "TOTAL_POINTS"),
        (StandingSplit::Home, "HOME", "HOME_POINTS"),
        (StandingSplit::Away, "AWAY", "AWAY_POINTS"),
    ] {
        let standings = table(split);
        assert_eq!(standings.len(), 20, "{split:?}");
        let mut places: Vec<u32> = standings.iter().map(|s| s.rank).collect();
        places.sort_unstable();
        assert_eq!(places, (1..=20).collect::<Vec<_>>(), "{split:?}");
        for (s, raw) in standings.iter().zip(rows) {
            let figure = |name: &str| {
                raw["details"]
                    .as_array()
                    .and_then(|ds| ds.iter().find(|d| d["type"]["developer_name"] == name))
                    .and_then(|d| d["value"].as_i64())
            };
            let count = |name: &str| figure(name).and_then(|v| u32::try_from(v).ok());
            let at = format!("{split:?} {}", s.team);
            assert_eq!(s.team, raw["participant_id"].to_string(), "{at}");
            assert_eq!(
                s.team_name.as_deref(),
                raw["participant"]["name"].as_str(),
                "{at}"
            );
            assert_eq!(
                (
                    s.competition.as_str(),
                    s.season.as_str(),
                    s.group.as_deref()
                ),
                ("8", "23614", None)
            );
            assert_eq!(s.played, count(&format!("{prefix}_MATCHES")), "{at}");
            assert_eq!(s.won, count(&format!("{prefix}_WINS")), "{at}");
            assert_eq!(s.drawn, count(&format!("{prefix}_DRAWS")), "{at}");
            assert_eq!(s.lost, count(&format!("{prefix}_LOST")), "{at}");
            assert_eq!(s.goals_for, count(&format!("{prefix}_SCORED")), "{at}");
            assert_eq!(
                s.goals_against,
                count(&format!("{prefix}_CONCEDED")),
                "{at}"
            );
            assert_eq!(s.points.map(i64::from), figure(points), "{at}");
        }
        // Ranked by points, best first.
        let mut ranked = standings.clone();
        ranked.sort_by_key(|s| s.rank);
        assert!(
            ranked.windows(2).all(|w| w[0].points >= w[1].points),
            "{split:?}"
        );
    }
    for (s, raw) in total.iter().zip(rows) {
        assert_eq!(
            Some(s.rank),
            raw["position"].as_u64().and_then(|p| u32::try_from(p).ok())
        );
        assert_eq!(s.form.as_ref().map(String::len), Some(38), "{}", s.team);
        assert_eq!(
            s.note.as_deref(),
            raw["rule"]["type"]["name"].as_str(),
            "{}",
            s.team
        );
    }
    let first = total[0];
    assert_eq!(first.team_name.as_deref(), Some("Liverpool"));
    assert_eq!(
        (
            first.played,
            first.won,
            first.drawn,
            first.lost,
            first.points
        ),
        (Some(38), Some(25), Some(9), Some(4), Some(84))
    );
    // The last five matches, oldest first: 5-1 against Spurs, the loss at
    // Chelsea, the draw with Arsenal, the loss at Brighton, the draw with
    // Crystal Palace.
    assert!(first.form.as_deref().is_some_and(|f| f.ends_with("WLDLD")));
    assert_eq!(first.note.as_deref(), Some("UEFA Champions League"));
    // Eighth place leads nowhere: no rule, no note.
    assert_eq!(total[7].note, None);
    assert_eq!(total[19].team_name.as_deref(), Some("Southampton"));
    assert_eq!(
        total[19].note.as_deref(),
        raw[19]["rule"]["type"]["name"].as_str()
    );
}
