//! The openfootball plugin against the real football.json files recorded in
//! `../shared/data/providers/openfootball/`: every match checked against
//! the raw JSON, every kick-off against the local time it was given in, and
//! a few matches against their known results.

use std::collections::HashSet;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

use sluice::model::HttpResponse;
use sluice::model::{Competition, Event, EventStatus, NormalizedBatch, Record};
use sluice::plugin::NormalizerPlugin;

use crate::common::built_plugin;
use sluice_test_support::recordings;

/// A recorded file and what it is: league, season, the IANA zone of its
/// local times, that zone's standard offset in hours (both follow the EU's
/// summer time), its match count as SOURCES.md gives it, and the league's
/// name once the season is taken off.
struct Recorded {
    file: &'static str,
    league: &'static str,
    season: &'static str,
    timezone: &'static str,
    standard_offset_hours: i8,
    matches: usize,
    league_name: &'static str,
}

const RECORDED: &[Recorded] = &[
    Recorded {
        file: "2022-23_en.1.json",
        league: "en.1",
        season: "2022-23",
        timezone: "Europe/London",
        standard_offset_hours: 0,
        matches: 380,
        league_name: "English Premier League",
    },
    Recorded {
        file: "2023-24_de.1.json",
        league: "de.1",
        season: "2023-24",
        timezone: "Europe/Berlin",
        standard_offset_hours: 1,
        matches: 306,
        league_name: "Deutsche Bundesliga",
    },
    Recorded {
        file: "2024-25_en.1.json",
        league: "en.1",
        season: "2024-25",
        timezone: "Europe/London",
        standard_offset_hours: 0,
        matches: 380,
        league_name: "English Premier League",
    },
];

/// A match whose real result is known: file, home, away, kick-off in UTC,
/// full-time and half-time score.
type Known = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (u32, u32),
    (u32, u32),
);
const KNOWN: &[Known] = &[
    // The openers: 20:00 BST, 20:30 CEST and 20:00 BST.
    (
        "2022-23_en.1.json",
        "Crystal Palace FC",
        "Arsenal FC",
        "2022-08-05T19:00:00Z",
        (0, 2),
        (0, 1),
    ),
    (
        "2023-24_de.1.json",
        "SV Werder Bremen",
        "FC Bayern München",
        "2023-08-18T18:30:00Z",
        (0, 4),
        (0, 1),
    ),
    (
        "2024-25_en.1.json",
        "Manchester United FC",
        "Fulham FC",
        "2024-08-16T19:00:00Z",
        (1, 0),
        (0, 0),
    ),
    // Winter time: 18:30 CET, and 17:30 GMT on New Year's Day.
    (
        "2023-24_de.1.json",
        "FC Bayern München",
        "Borussia Dortmund",
        "2024-03-30T17:30:00Z",
        (0, 2),
        (0, 1),
    ),
    (
        "2024-25_en.1.json",
        "Brentford FC",
        "Arsenal FC",
        "2025-01-01T17:30:00Z",
        (1, 3),
        (1, 1),
    ),
];

#[test]
fn every_recorded_openfootball_file_normalizes_faithfully() {
    let Some(files) = recordings::responses("openfootball") else {
        return;
    };
    let plugin = built_plugin("openfootball");
    let mut checked = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let recorded = RECORDED.iter().find(|r| r.file == name).unwrap_or_else(|| {
            panic!("{name}: which league, season and zone it is is not known here")
        });
        let body = std::fs::read(file).expect("read");
        let raw: Value = serde_json::from_slice(&body).expect("recorded JSON");
        let batch = run(&plugin, recorded, body);
        check(recorded, &batch, &raw);
        checked.push(name);
    }
    assert_eq!(
        checked,
        [
            "2022-23_en.1.json",
            "2023-24_de.1.json",
            "2024-25_en.1.json"
        ],
        "expected every recorded file"
    );
}

fn run(plugin: &NormalizerPlugin, recorded: &Recorded, body: Vec<u8>) -> NormalizedBatch {
    let params: Vec<(String, String)> = [
        ("league", recorded.league),
        ("season", recorded.season),
        ("timezone", recorded.timezone),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let requests = plugin.plan("matches", None, &params).expect("plan");
    assert_eq!(requests.len(), 1, "{}", recorded.file);
    assert_eq!(
        requests[0].path,
        format!("/{}/{}.json", recorded.season, recorded.league)
    );
    assert!(requests[0].query.is_empty(), "{:?}", requests[0].query);
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body,
    };
    plugin
        .normalize("matches", &params, &requests[0], response)
        .0
        .unwrap_or_else(|e| panic!("{}: {e}", recorded.file))
}

fn check(recorded: &Recorded, batch: &NormalizedBatch, raw: &Value) {
    let file = recorded.file;
    assert!(batch.rejects.is_empty(), "{file}: {:?}", batch.rejects);
    let matches = raw["matches"].as_array().expect("matches");
    assert_eq!(
        matches.len(),
        recorded.matches,
        "{file}: matches in the raw JSON"
    );
    assert_eq!(
        batch.records.len(),
        recorded.matches + 1,
        "{file}: one competition and one event per match"
    );
    let Record::Competition(competition) = &batch.records[0] else {
        panic!(
            "{file}: the competition comes first, got {:?}",
            batch.records[0]
        )
    };
    let raw_name = raw["name"].as_str().expect("name");
    assert!(
        raw_name.starts_with(recorded.league_name),
        "{file}: {raw_name}"
    );
    assert_eq!(
        competition,
        &Competition {
            provider: "openfootball".to_string(),
            provider_id: recorded.league.to_string(),
            name: recorded.league_name.to_string(),
            sport: Some("Soccer".to_string()),
            code: None,
            area: None,
            format: None,
            emblem_url: None,
        },
        "{file}"
    );
    let events: Vec<&Event> = batch.records[1..]
        .iter()
        .map(|r| match r {
            Record::Event(e) => e,
            other => panic!("{file}: only events after the competition, got {other:?}"),
        })
        .collect();
    let mut ids = HashSet::new();
    for (event, game) in events.iter().zip(matches) {
        let at = format!("{file}: {}", event.provider_id);
        assert!(ids.insert(event.provider_id.as_str()), "{at}: id repeated");
        check_event(recorded, event, game, &at);
    }
    assert_eq!(ids.len(), recorded.matches, "{file}: every id unique");
    let finished = events
        .iter()
        .filter(|e| e.status == EventStatus::Finished)
        .count();
    assert_eq!(finished, recorded.matches, "{file}: every match was played");
    for (known_file, home, away, kickoff, ft, ht) in KNOWN.iter().filter(|k| k.0 == file) {
        let event = events
            .iter()
            .find(|e| {
                e.home_team.as_deref() == Some(*home) && e.away_team.as_deref() == Some(*away)
            })
            .unwrap_or_else(|| panic!("{known_file}: no {home} v {away}"));
        assert_eq!(
            (
                event.kickoff.as_deref(),
                event.status,
                (event.home_score, event.away_score),
                (event.home_score_half_time, event.away_score_half_time),
            ),
            (
                Some(*kickoff),
                EventStatus::Finished,
                (Some(ft.0), Some(ft.1)),
                (Some(ht.0), Some(ht.1)),
            ),
            "{known_file}: {home} v {away}"
        );
        assert_eq!(
            event.provider_id,
            format!("{}/{}/{home}/{away}", recorded.league, recorded.season)
        );
    }
}

/// One event against its raw match.
fn check_event(recorded: &Recorded, event: &Event, game: &Value, at: &str) {
    let text = |key: &str| game[key].as_str().map(str::to_string);
    let pair = |period: &str| match game["score"][period].as_array() {
        Some(pair) => {
            assert_eq!(pair.len(), 2, "{at}: {period}");
            let goals = |v: &Value| v.as_u64().and_then(|g| u32::try_from(g).ok());
            (goals(&pair[0]), goals(&pair[1]))
        }
        None => (None, None),
    };
    let round = text("round").expect("round");
    let matchday = round
        .strip_prefix("Matchday ")
        .map(|n| n.parse::<u32>().expect("a matchday number"));
    assert_eq!(
        event,
        &Event {
            provider: "openfootball".to_string(),
            provider_id: event.provider_id.clone(),
            name: None,
            competition: Some(recorded.league.to_string()),
            season: Some(recorded.season.to_string()),
            stage: Some(round),
            matchday,
            home_team: text("team1"),
            away_team: text("team2"),
            home_team_name: text("team1"),
            away_team_name: text("team2"),
            kickoff: event.kickoff.clone(),
            status: EventStatus::Finished,
            minute: None,
            home_score: pair("ft").0,
            away_score: pair("ft").1,
            home_score_half_time: pair("ht").0,
            away_score_half_time: pair("ht").1,
            home_score_extra_time: None,
            away_score_extra_time: None,
            home_score_penalties: None,
            away_score_penalties: None,
            venue: None,
            provider_updated_at: None,
        },
        "{at}"
    );
    assert!(
        pair("ft").0.is_some(),
        "{at}: every recorded match has a score"
    );
    let kickoff = event
        .kickoff
        .as_deref()
        .expect("every recorded match has a time");
    let utc = OffsetDateTime::parse(kickoff, &Rfc3339)
        .unwrap_or_else(|e| panic!("{at}: kickoff `{kickoff}` is not RFC 3339: {e}"));
    assert_eq!(utc.offset(), UtcOffset::UTC, "{at}: {kickoff}");
    assert_eq!(
        utc.format(&Rfc3339).expect("format"),
        kickoff,
        "{at}: canonical form"
    );
    // The kick-off, moved by the offset of European summer or standard time
    // at that instant, is the local date and time the file gives.
    let local = local_time(&text("date").expect("date"), &text("time").expect("time"));
    let hours = recorded.standard_offset_hours + i8::from(is_eu_summer_time(utc));
    let offset = UtcOffset::from_hms(hours, 0, 0).expect("offset");
    assert_eq!(
        utc.to_offset(offset).date(),
        local.date(),
        "{at}: {kickoff} is not {local} at UTC+{hours}"
    );
    assert_eq!(
        utc.to_offset(offset).time(),
        local.time(),
        "{at}: {kickoff} is not {local} at UTC+{hours}"
    );
}

/// A recorded `YYYY-MM-DD` date and `HH:MM` time.
fn local_time(date: &str, time: &str) -> PrimitiveDateTime {
    let number = |s: &str| s.parse::<u8>().expect("a number");
    let year: i32 = date[0..4].parse().expect("year");
    let month = Month::try_from(number(&date[5..7])).expect("month");
    let day = Date::from_calendar_date(year, month, number(&date[8..10])).expect("date");
    let clock = Time::from_hms(number(&time[0..2]), number(&time[3..5]), 0).expect("time");
    PrimitiveDateTime::new(day, clock)
}

/// Whether `instant` falls in European summer time: from 01:00 UTC on the
/// last Sunday of March to 01:00 UTC on the last Sunday of October.
fn is_eu_summer_time(instant: OffsetDateTime) -> bool {
    let switch = |month: Month| {
        let mut day = Date::from_calendar_date(instant.year(), month, 31).expect("the 31st");
        while day.weekday() != Weekday::Sunday {
            day = day.previous_day().expect("a day");
        }
        PrimitiveDateTime::new(day, Time::from_hms(1, 0, 0).expect("01:00")).assume_utc()
    };
    switch(Month::March) <= instant && instant < switch(Month::October)
}
