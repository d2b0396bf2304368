//! The the-odds-api plugin against every real The Odds API v4 response
//! recorded in `../shared/data/providers/the-odds-api/`, each through the
//! stream of its endpoint, checked against the raw JSON and known results.
//!
//! The plugin reads prices in the `oddsFormat` of the request that produced
//! the response. The recordings do not say what their requests asked for
//! (SOURCES.md gives no `oddsFormat`), so each odds file's format is told
//! here from its prices alone, and the request it is normalized with asks for
//! that format: American odds are whole numbers of at least 100 or at most
//! -100, and a response is in one format, so one negative price makes it
//! American and one price under 100 or with a fraction makes it decimal. All
//! five recorded odds files are decimal, the 18 US books of the 2021 NFL file
//! too (1.8 to 2.05, no negative price); as no recording holds American
//! odds, the last test writes that file's prices the way The Odds API sends
//! them with `oddsFormat=american` and checks the conversion on all 958.

use std::path::Path;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use sluice::model::HttpResponse;
use sluice::model::{Competition, Event, EventStatus, NormalizedBatch, OddsQuote, Record};
use sluice::plugin::NormalizerPlugin;

use crate::common::built_plugin;
use sluice_test_support::recordings;

/// The odds format of a response's prices, which its request asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Decimal,
    American,
}

impl Format {
    /// The value of `oddsFormat` that asks for this format.
    fn param(self) -> &'static str {
        match self {
            Format::Decimal => "decimal",
            Format::American => "american",
        }
    }
}

const US_NFL_2021: &str = "v4_sports_americanfootball_nfl_odds_spreads_totals_us_unix_2021-12.json";

/// Outcomes per recorded odds file, the first four as SOURCES.md counts
/// them, and the format its prices are in.
const OUTCOMES: &[(&str, usize, Format)] = &[
    (US_NFL_2021, 958, Format::Decimal),
    (
        "v4_sports_americanfootball_nfl_odds_spreads_totals_unix_2024-11.json",
        86,
        Format::Decimal,
    ),
    (
        "v4_sports_upcoming_odds_h2h_eu_2022-02-10.json",
        138,
        Format::Decimal,
    ),
    (
        "v4_sports_golf_masters_tournament_winner_odds_outrights_2021-11.json",
        342,
        Format::Decimal,
    ),
    (
        "v4_sports_soccer_germany_bundesliga_events_EVENTID_odds_h2h_player_shots.json",
        331,
        Format::Decimal,
    ),
];

/// Every price of an odds body, as written.
fn prices(raw: &Value) -> Vec<f64> {
    items(raw)
        .into_iter()
        .flat_map(|event| event["bookmakers"].as_array().expect("bookmakers"))
        .flat_map(|bookmaker| bookmaker["markets"].as_array().expect("markets"))
        .flat_map(|market| market["outcomes"].as_array().expect("outcomes"))
        .map(|outcome| outcome["price"].as_f64().expect("a numeric price"))
        .collect()
}

/// The format of an odds body, told from its prices: American when one of
/// them is negative and all are whole numbers of at least 100 or at most
/// -100, decimal when all are above 1 and one of them cannot be American.
fn format_of(file: &str, raw: &Value) -> Format {
    let prices = prices(raw);
    let american_shaped = |p: &f64| p.fract() == 0.0 && p.abs() >= 100.0;
    if prices.iter().all(american_shaped) && prices.iter().any(|p| *p < 0.0) {
        Format::American
    } else if prices.iter().all(|p| *p > 1.0) && !prices.iter().all(american_shaped) {
        Format::Decimal
    } else {
        panic!("{file}: the prices tell no one odds format")
    }
}

/// The decimal odds of American odds `p`, from their definition: a stake of
/// 1 returns 1 + p/100 on `+p`, 1 + 100/p on `-p`.
fn american_as_decimal(p: f64) -> f64 {
    if p > 0.0 {
        1.0 + p / 100.0
    } else {
        1.0 + 100.0 / -p
    }
}

/// Whether `price` is `expected` up to the last bit or two of a double: the
/// plugin divides once, the formula above divides and adds.
fn same_odds(price: f64, expected: f64) -> bool {
    (price - expected).abs() <= 2.0 * f64::EPSILON * expected
}

#[test]
fn every_recorded_the_odds_api_response_normalizes_faithfully() {
    let Some(files) = recordings::responses("the-odds-api") else {
        return;
    };
    let plugin = built_plugin("the-odds-api");
    let mut checked = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let raw: Value = serde_json::from_slice(&std::fs::read(file).expect("read")).expect("JSON");
        let (stream, mut params) = stream_of(name, &raw);
        let format = (stream == "odds").then(|| format_of(name, &raw));
        if let Some(format) = format {
            let known = OUTCOMES.iter().find(|(file, ..)| *file == name);
            assert_eq!(
                known.map(|(.., f)| *f),
                Some(format),
                "{name}: the format its prices are in"
            );
            params.push(("oddsFormat".to_string(), format.param().to_string()));
        }
        let body = std::fs::read(file).expect("read");
        let batch = run(&plugin, file, stream, &params, body).unwrap_or_else(|e| panic!("{e}"));
        match (stream, format) {
            ("sports", _) => check_sports(name, &batch, &raw),
            ("odds", Some(format)) => check_odds(name, &batch, &raw, format),
            ("scores" | "events", _) => check_games(name, stream, &batch, &raw),
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

/// `body` normalized with the one request the plugin plans from `params`,
/// which must carry the `oddsFormat` of `params` for odds; the plugin's
/// error as text.
fn run(
    plugin: &NormalizerPlugin,
    file: &Path,
    stream: &str,
    params: &[(String, String)],
    body: Vec<u8>,
) -> Result<NormalizedBatch, String> {
    let requests = plugin.plan(stream, None, params).expect("plan");
    assert_eq!(requests.len(), 1, "{}", file.display());
    let format = |query: &[(String, String)]| {
        query
            .iter()
            .find(|(k, _)| k == "oddsFormat")
            .map(|(_, v)| v.clone())
    };
    if stream == "odds" {
        assert_eq!(
            format(&requests[0].query),
            format(params),
            "{}: the request asks for the format of the recording",
            file.display()
        );
    }
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body,
    };
    plugin
        .normalize(stream, params, &requests[0], response)
        .0
        .map_err(|e| format!("{}: {e}", file.display()))
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

fn check_odds(file: &str, batch: &NormalizedBatch, raw: &Value, format: Format) {
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
        .find(|(name, ..)| *name == file)
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
        let price = outcome["price"].as_f64().expect("a numeric price");
        match format {
            Format::Decimal => assert_eq!(quote.price, price, "{at}"),
            Format::American => assert!(
                same_odds(quote.price, american_as_decimal(price)),
                "{at}: American {price}"
            ),
        }
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

/// No recording holds American odds, so the 958 prices of the US books'
/// 2021 NFL file are written the way The Odds API sends them with
/// `oddsFormat=american` (whole numbers: 1.91 is -110, 2.05 is +105), then
/// normalized with a request that asks for American odds: every outcome is
/// a quote whose decimal odds are those of its American price, within the
/// rounding of that price of the recorded decimal odds. With a request for
/// decimal odds, the same body fails whole.
#[test]
fn the_us_nfl_recording_in_american_odds_converts_exactly() {
    let Some(body) = recordings::read(&format!("the-odds-api/{US_NFL_2021}")) else {
        return;
    };
    let recorded: Value = serde_json::from_slice(&body).expect("JSON");
    let mut american = recorded.clone();
    for event in american.as_array_mut().expect("a list") {
        for bookmaker in event["bookmakers"].as_array_mut().expect("bookmakers") {
            for market in bookmaker["markets"].as_array_mut().expect("markets") {
                for outcome in market["outcomes"].as_array_mut().expect("outcomes") {
                    let decimal = outcome["price"].as_f64().expect("a numeric price");
                    let whole = if decimal >= 2.0 {
                        ((decimal - 1.0) * 100.0).round()
                    } else {
                        -(100.0 / (decimal - 1.0)).round()
                    };
                    outcome["price"] = Value::from(whole as i64);
                }
            }
        }
    }
    assert_eq!(format_of(US_NFL_2021, &american), Format::American);
    let american_prices = prices(&american);
    let recorded_prices = prices(&recorded);
    assert_eq!(american_prices.len(), 958);
    assert!(american_prices.iter().any(|p| *p > 0.0), "some underdogs");

    let plugin = built_plugin("the-odds-api");
    let body = serde_json::to_vec(&american).expect("JSON");
    let params = |format: Format| {
        vec![
            ("sport".to_string(), "americanfootball_nfl".to_string()),
            ("oddsFormat".to_string(), format.param().to_string()),
        ]
    };
    let file = Path::new(US_NFL_2021);
    let batch = run(
        &plugin,
        file,
        "odds",
        &params(Format::American),
        body.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
    check_odds(US_NFL_2021, &batch, &american, Format::American);
    for ((record, whole), decimal) in batch
        .records
        .iter()
        .zip(&american_prices)
        .zip(&recorded_prices)
    {
        let Record::Odds(quote) = record else {
            panic!("not a quote: {record:?}")
        };
        assert!(
            (quote.price - decimal).abs() <= 0.005 + 1e-9,
            "American {whole} gives {}, recorded as {decimal}",
            quote.price
        );
    }

    let err = run(&plugin, file, "odds", &params(Format::Decimal), body)
        .expect_err("American odds under a request for decimal odds fail the call");
    assert!(
        err.contains("the response holds American odds (price -"),
        "{err}"
    );
}
