//! The the-odds-api plugin against every real The Odds API v4 response
//! recorded in `../shared/data/providers/the-odds-api/`, each through the
//! stream of its endpoint, checked against the raw JSON and known results.

use std::path::Path;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use sluice::model::{Competition, Event, EventStatus, NormalizedBatch, OddsQuote, Record};
use sluice::plugin::{HttpResponse, NormalizerPlugin};

use crate::common::{built_plugin, recorded_responses};

/// Outcomes per recorded odds file; the first four as SOURCES.md counts them.
const OUTCOMES: &[(&str, usize)] = &[
    (
        "v4_sports_americanfootball_nfl_odds_spreads_totals_us_unix_2021-12.json",
        958,
    ),
    (
        "v4_sports_americanfootball_nfl_odds_spreads_totals_unix_2024-11.json",
        86,
    ),
    ("v4_sports_upcoming_odds_h2h_eu_2022-02-10.json", 138),
    (
        "v4_sports_golf_masters_tournament_winner_odds_outrights_2021-11.json",
        342,
    ),
    (
        "v4_sports_soccer_germany_bundesliga_events_EVENTID_odds_h2h_player_shots.json",
        331,
    ),
];

#[test]
fn every_recorded_the_odds_api_response_normalizes_faithfully() {
    let Some(files) = recorded_responses("the-odds-api") else {
        eprintln!(
            "SKIPPED: ../shared/data/providers is absent; the recorded The Odds API responses were not checked"
        );
        return;
    };
    let plugin = built_plugin("the-odds-api");
    let mut checked = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let raw: Value = serde_json::from_slice(&std::fs::read(file).expect("read")).expect("JSON");
        let (stream, params) = stream_of(name, &raw);
        let batch = run(&plugin, file, stream, &params);
        match stream {
            "sports" => check_sports(name, &batch, &raw),
            "odds" => check_odds(name, &batch, &raw),
            "scores" | "events" => check_games(name, stream, &batch, &raw),
            _ => unreachable!(),
        }
        checked.push(name.to_string());
    }
    assert_eq!(
        checked.len(),
        9,
        "expected the nine recorded files, checked {checked:?}"
    );
}

/// The stream and parameters of a recorded file, from the endpoint its
/// name spells (`v4_sports_{sport}_odds_…`, `…_events_EVENTID_odds_…`).
fn stream_of(name: &str, raw: &Value) -> (&'static str, Vec<(String, String)>) {
    if name.starts_with("v4_sports_list") {
        return ("sports", Vec::new());
    }
    let rest = name.strip_prefix("v4_sports_").expect("a /v4/sports file");
    let (at, endpoint) = ["_odds_", "_scores_", "_events_"]
        .iter()
        .filter_map(|e| rest.find(e).map(|at| (at, *e)))
        .min()
        .unwrap_or_else(|| panic!("{name}: no endpoint in the file name"));
    let sport = rest[..at].to_string();
    let mut params = vec![("sport".to_string(), sport)];
    let stream = match endpoint {
        "_odds_" => "odds",
        "_scores_" => "scores",
        _ if rest[at..].contains("_odds_") => {
            let id = raw["id"].as_str().expect("the event's id").to_string();
            params.push(("event".to_string(), id));
            "odds"
        }
        _ => "events",
    };
    (stream, params)
}

fn run(
    plugin: &NormalizerPlugin,
    file: &Path,
    stream: &str,
    params: &[(String, String)],
) -> NormalizedBatch {
    let requests = plugin.plan(stream, None, params).expect("plan");
    assert_eq!(requests.len(), 1, "{}", file.display());
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: std::fs::read(file).expect("read"),
    };
    plugin
        .normalize(stream, params, &requests[0], response)
        .0
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn items(raw: &Value) -> Vec<&Value> {
    match raw {
        Value::Array(list) => list.iter().collect(),
        one => vec![one],
    }
}

/// A recorded date (ISO text or unix seconds) as RFC 3339 UTC.
fn utc(value: &Value) -> Option<String> {
    let parsed = match value {
        Value::Null => return None,
        Value::Number(n) => {
            OffsetDateTime::from_unix_timestamp(n.as_i64().expect("unix seconds")).expect("date")
        }
        Value::String(s) => OffsetDateTime::parse(s, &Rfc3339).expect("ISO date"),
        other => panic!("not a date: {other}"),
    };
    Some(
        parsed
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .expect("format"),
    )
}

fn check_sports(file: &str, batch: &NormalizedBatch, raw: &Value) {
    assert!(batch.rejects.is_empty(), "{file}: {:?}", batch.rejects);
    let sports = items(raw);
    assert_eq!(batch.records.len(), 60, "{file}");
    assert_eq!(sports.len(), 60, "{file}");
    let mut outrights = 0;
    for (record, sport) in batch.records.iter().zip(sports) {
        let Record::Competition(c) = record else {
            panic!("{file}: not a competition: {record:?}")
        };
        let expected_format = sport["has_outrights"].as_bool().expect("has_outrights");
        outrights += usize::from(expected_format);
        assert_eq!(
            c,
            &Competition {
                provider: c.provider.clone(),
                provider_id: sport["key"].as_str().expect("key").to_string(),
                name: sport["title"].as_str().expect("title").to_string(),
                sport: sport["group"].as_str().map(str::to_string),
                code: None,
                area: None,
                format: expected_format.then(|| "outrights".to_string()),
                emblem_url: None,
            },
            "{file}"
        );
        assert_eq!(c.provider, "the-odds-api");
    }
    assert!(outrights > 0, "{file}: the list holds outright markets");
}

fn check_odds(file: &str, batch: &NormalizedBatch, raw: &Value) {
    let quotes: Vec<&OddsQuote> = batch
        .records
        .iter()
        .map(|r| match r {
            Record::Odds(q) => q,
            other => panic!("{file}: the odds stream emits only quotes, got {other:?}"),
        })
        .collect();
    let mut expected = Vec::new();
    for event in items(raw) {
        for bookmaker in event["bookmakers"].as_array().expect("bookmakers") {
            for market in bookmaker["markets"].as_array().expect("markets") {
                let updated = match &market["last_update"] {
                    Value::Null => utc(&bookmaker["last_update"]),
                    own => utc(own),
                };
                for outcome in market["outcomes"].as_array().expect("outcomes") {
                    expected.push((event, bookmaker, market, outcome, updated.clone()));
                }
            }
        }
    }
    let known = OUTCOMES
        .iter()
        .find(|(name, _)| *name == file)
        .unwrap_or_else(|| panic!("{file}: how many outcomes it holds is not known here"));
    assert_eq!(expected.len(), known.1, "{file}: outcomes in the raw JSON");
    assert_eq!(
        quotes.len() + batch.rejects.len(),
        expected.len(),
        "{file}: every outcome is a quote or a reject"
    );
    assert!(batch.rejects.is_empty(), "{file}: {:?}", batch.rejects);
    for (quote, (event, bookmaker, market, outcome, updated)) in quotes.iter().zip(&expected) {
        let at = format!("{file}: {quote:?}");
        assert_eq!(quote.provider, "the-odds-api", "{at}");
        assert_eq!(Some(quote.event.as_str()), event["id"].as_str(), "{at}");
        assert_eq!(
            Some(quote.bookmaker.as_str()),
            bookmaker["key"].as_str(),
            "{at}"
        );
        assert_eq!(
            quote.bookmaker_name.as_deref(),
            bookmaker["title"].as_str(),
            "{at}"
        );
        assert_eq!(Some(quote.market.as_str()), market["key"].as_str(), "{at}");
        assert_eq!(
            Some(quote.selection.as_str()),
            outcome["name"].as_str(),
            "{at}"
        );
        assert_eq!(
            quote.participant.as_deref(),
            outcome["description"].as_str(),
            "{at}"
        );
        assert_eq!(quote.line, outcome["point"].as_f64(), "{at}");
        assert_eq!(Some(quote.price), outcome["price"].as_f64(), "{at}");
        assert_eq!(&quote.provider_updated_at, updated, "{at}");
        assert!(quote.provider_updated_at.is_some(), "{at}: a time");
    }
    let count = |f: &dyn Fn(&OddsQuote) -> bool| quotes.iter().filter(|q| f(q)).count();
    match file {
        f if f.contains("upcoming_odds_h2h") => {
            assert!(
                count(&|q| q.market == "h2h_lay") > 0,
                "{file}: exchange lays kept"
            );
        }
        f if f.contains("golf_masters") => {
            assert!(
                count(&|q| q.market == "outrights_lay") > 0,
                "{file}: exchange lays kept"
            );
        }
        f if f.contains("player_shots") => {
            let players = count(&|q| q.market == "player_shots");
            assert!(players > 0, "{file}");
            assert_eq!(count(&|q| q.participant.is_some()), players, "{file}");
            assert_eq!(count(&|q| q.line.is_some()), players, "{file}");
        }
        f if f.contains("spreads_totals") => {
            assert_eq!(
                count(&|q| q.line.is_some()),
                quotes.len(),
                "{file}: points kept"
            );
        }
        _ => {}
    }
}

fn check_games(file: &str, stream: &str, batch: &NormalizedBatch, raw: &Value) {
    assert!(batch.rejects.is_empty(), "{file}: {:?}", batch.rejects);
    let games = items(raw);
    let events: Vec<&Event> = batch
        .records
        .iter()
        .map(|r| match r {
            Record::Event(e) => e,
            other => panic!("{file}: only events expected, got {other:?}"),
        })
        .collect();
    assert_eq!(events.len(), games.len(), "{file}");
    for (event, game) in events.iter().zip(&games) {
        let at = format!("{file}: {}", event.provider_id);
        assert_eq!(
            Some(event.provider_id.as_str()),
            game["id"].as_str(),
            "{at}"
        );
        assert_eq!(
            event.competition.as_deref(),
            game["sport_key"].as_str(),
            "{at}"
        );
        assert_eq!(
            event.home_team_name.as_deref(),
            game["home_team"].as_str(),
            "{at}"
        );
        assert_eq!(
            event.away_team_name.as_deref(),
            game["away_team"].as_str(),
            "{at}"
        );
        assert_eq!((&event.home_team, &event.away_team), (&None, &None), "{at}");
        assert_eq!(event.kickoff, utc(&game["commence_time"]), "{at}");
        assert_eq!(event.name, None, "{at}: teams, so no name of its own");
        if stream == "events" {
            assert_eq!(event.status, EventStatus::Scheduled, "{at}");
            continue;
        }
        assert_eq!(event.provider_updated_at, utc(&game["last_update"]), "{at}");
        let scores = game["scores"].as_array();
        let expected_status = match (game["completed"].as_bool(), scores) {
            (Some(true), _) => EventStatus::Finished,
            (_, Some(_)) => EventStatus::Live,
            (_, None) => EventStatus::Scheduled,
        };
        assert_eq!(event.status, expected_status, "{at}");
        let score_of = |team: &Value| {
            scores.and_then(|list| {
                list.iter().find(|s| s["name"] == *team).map(|s| {
                    s["score"]
                        .as_str()
                        .expect("score")
                        .parse::<u32>()
                        .expect("number")
                })
            })
        };
        assert_eq!(event.home_score, score_of(&game["home_team"]), "{at}");
        assert_eq!(event.away_score, score_of(&game["away_team"]), "{at}");
    }
    let by_id = |id: &str| {
        *events
            .iter()
            .find(|e| e.provider_id == id)
            .unwrap_or_else(|| panic!("{file}: no event {id}"))
    };
    let summary = |e: &Event| {
        (
            e.status,
            e.home_team_name.clone(),
            e.home_score,
            e.away_team_name.clone(),
            e.away_score,
        )
    };
    let known = |status, home: &str, home_score, away: &str, away_score| {
        (
            status,
            Some(home.to_string()),
            home_score,
            Some(away.to_string()),
            away_score,
        )
    };
    if file.contains("americanfootball_nfl_scores") {
        // The recorded list gives Washington's score first; the Eagles were
        // at home and won 26-18.
        assert_eq!(
            summary(by_id("ac99fa94b66a64304ae19873d0a7907a")),
            known(
                EventStatus::Finished,
                "Philadelphia Eagles",
                Some(26),
                "Washington Commanders",
                Some(18)
            )
        );
        let scheduled = events
            .iter()
            .filter(|e| e.status == EventStatus::Scheduled && e.home_score.is_none())
            .count();
        assert_eq!(scheduled, 26, "{file}");
    }
    if file.contains("basketball_nba_scores") {
        let statuses: Vec<_> = events.iter().map(|e| summary(e)).collect();
        assert_eq!(
            statuses,
            [
                known(
                    EventStatus::Finished,
                    "Sacramento Kings",
                    Some(113),
                    "Oklahoma City Thunder",
                    Some(103)
                ),
                known(
                    EventStatus::Live,
                    "Los Angeles Clippers",
                    Some(40),
                    "Milwaukee Bucks",
                    Some(37)
                ),
                (
                    EventStatus::Scheduled,
                    events[2].home_team_name.clone(),
                    None,
                    events[2].away_team_name.clone(),
                    None
                ),
            ],
            "{file}"
        );
    }
    if stream == "events" {
        assert_eq!(events.len(), 18, "{file}");
    }
}
