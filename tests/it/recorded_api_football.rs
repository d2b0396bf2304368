//! The api-football plugin against the real API-Football v3 responses
//! recorded in `../shared/data/providers/api-football/` (some of them carry
//! no licence: they are read from there, never copied): every fixture and
//! every odds quote checked against the raw JSON, a few fixtures against
//! what is known of them, the teams search, and the HTTP-200 error body.

use std::collections::HashSet;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use sluice::model::HttpResponse;
use sluice::model::{Event, EventStatus, NormalizedBatch, PlannedRequest, Record};
use sluice::plugin::NormalizerPlugin;

use crate::common::{bare_event, built_plugin};
use sluice_test_support::recordings;

/// What a recorded file is and what it must give.
enum Expect {
    /// This many items of `response`, all loaded.
    Items(usize),
    /// The call fails with this error.
    Fails(&'static str),
}

/// A recorded response: file, stream, params of the request it answers, and
/// the item count SOURCES.md gives.
struct Recorded {
    file: &'static str,
    stream: &'static str,
    params: &'static [(&'static str, &'static str)],
    expect: Expect,
}

const RECORDED: &[Recorded] = &[
    Recorded {
        file: "v3_fixtures_headtohead_33-50.json",
        stream: "fixtures",
        params: &[
            ("h2h", "33-50"),
            ("from", "2021-01-01"),
            ("to", "2023-12-31"),
        ],
        expect: Expect::Items(8),
    },
    Recorded {
        file: "v3_fixtures_ids_CL_penalty_shootouts.json",
        stream: "fixtures",
        params: &[("ids", "1149523-1149519")],
        expect: Expect::Items(2),
    },
    Recorded {
        file: "v3_fixtures_league39_season2022.json",
        stream: "fixtures",
        params: &[("league", "39"), ("season", "2022")],
        expect: Expect::Items(380),
    },
    Recorded {
        file: "v3_fixtures_league78_season2023_status_NS-PST.json",
        stream: "fixtures",
        params: &[("league", "78"), ("season", "2023"), ("status", "NS-PST")],
        expect: Expect::Items(71),
    },
    Recorded {
        file: "v3_fixtures_live_all_2023-05-13.json",
        stream: "fixtures",
        params: &[("live", "all")],
        expect: Expect::Items(195),
    },
    Recorded {
        file: "v3_teams_search_manchester.json",
        stream: "teams",
        params: &[("search", "Manchester")],
        expect: Expect::Items(16),
    },
    // An `/injuries` body, but the error envelope is the same on every
    // endpoint: any stream must fail on it.
    Recorded {
        file: "v3_injuries_error_missing_params.json",
        stream: "fixtures",
        params: &[("live", "all")],
        expect: Expect::Fails(
            "plugin api-football failed in normalize: provider error: API-Football answered with an error: required: At least one parameter is required.",
        ),
    },
    Recorded {
        file: "v3_standings_league39_season2022.json",
        stream: "standings",
        params: &[("league", "39"), ("season", "2022")],
        expect: Expect::Items(1),
    },
    Recorded {
        file: "v3_odds_fixture_1226178_league79_bet365_match_winner.json",
        stream: "odds",
        params: &[
            ("season", "2024"),
            ("bet", "1"),
            ("bookmaker", "8"),
            ("fixture", "1226178"),
            ("league", "79"),
        ],
        expect: Expect::Items(1),
    },
    // API-Football v2, whose shape v3 replaced: the odds stream reads v3
    // and refuses it whole rather than load nothing from it.
    Recorded {
        file: "v2_odds_league_525_Ligue1_2019-20_match_winner_14_bookmakers.json",
        stream: "odds",
        params: &[("league", "61"), ("season", "2019")],
        expect: Expect::Fails(
            "plugin api-football failed in normalize: malformed response: body has no `response` list, so it is not an API-Football v3 response",
        ),
    },
];

fn load() -> NormalizerPlugin {
    built_plugin("api-football")
}

fn pairs(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Plans the stream and normalizes `body` as the answer to its request.
fn run(
    plugin: &NormalizerPlugin,
    stream: &str,
    params: &[(&str, &str)],
    body: Vec<u8>,
) -> (PlannedRequest, Result<NormalizedBatch, String>) {
    let params = pairs(params);
    let requests = plugin.plan(stream, None, &params).expect("plan");
    assert_eq!(requests.len(), 1, "{stream} {params:?}");
    let request = requests[0].clone();
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body,
    };
    let result = plugin
        .normalize(stream, &params, &request, response)
        .0
        .map_err(|e| e.to_string());
    (request, result)
}

#[test]
fn every_recorded_api_football_response_normalizes_faithfully() {
    let Some(files) = recordings::responses("api-football") else {
        return;
    };
    let plugin = load();
    let mut checked = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let recorded = RECORDED
            .iter()
            .find(|r| r.file == name)
            .unwrap_or_else(|| panic!("{name}: which stream it answers is not known here"));
        let items = match recorded.expect {
            Expect::Items(n) => n,
            Expect::Fails(message) => {
                let body = std::fs::read(file).expect("read");
                let (_, result) = run(&plugin, recorded.stream, recorded.params, body);
                assert_eq!(result.err().as_deref(), Some(message), "{name}");
                checked.push(name);
                continue;
            }
        };
        let body = std::fs::read(file).expect("read");
        let raw: Value = serde_json::from_slice(&body).expect("recorded JSON");
        let raw_items = raw["response"].as_array().expect("response");
        assert_eq!(raw_items.len(), items, "{name}: items in the raw JSON");
        let (request, result) = run(&plugin, recorded.stream, recorded.params, body);
        let batch = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            batch.rejects.is_empty(),
            "{name}: real data loads whole, got {:?}",
            batch.rejects
        );
        assert!(batch.follow_ups.is_empty(), "{name}: a single page");
        if recorded.stream == "teams" {
            check_teams(name, &batch, raw_items);
        } else if recorded.stream == "standings" {
            check_standings(name, &batch, raw_items);
        } else if recorded.stream == "odds" {
            assert_eq!(request.path, "/odds", "{name}");
            check_odds(name, &batch, raw_items);
        } else {
            assert!(request.path.starts_with("/fixtures"), "{name}");
            check_fixtures(name, &batch, raw_items);
        }
        checked.push(name);
    }
    assert_eq!(checked.len(), 10, "every recording checked: {checked:?}");
}

/// Every quote against the raw JSON, read here independently of the
/// plugin: one quote per value of each bet of each bookmaker, in order, on
/// the fixture's event, at the bookmaker's id, priced at `odd`, updated at
/// `update`.
fn check_odds(file: &str, batch: &NormalizedBatch, raw_items: &[Value]) {
    let quotes: Vec<&sluice::model::OddsQuote> = batch
        .records
        .iter()
        .map(|r| match r {
            Record::Odds(q) => q,
            other => panic!("{file}: only odds quotes expected, got {other:?}"),
        })
        .collect();
    let mut expected = Vec::new();
    for item in raw_items {
        let event = item["fixture"]["id"]
            .as_i64()
            .expect("fixture id")
            .to_string();
        let update = item["update"].as_str().expect("update");
        let updated_at = OffsetDateTime::parse(update, &Rfc3339)
            .expect("update is RFC 3339")
            .to_offset(UtcOffset::UTC)
            .format(&Rfc3339)
            .expect("format");
        for bookmaker in item["bookmakers"].as_array().expect("bookmakers") {
            for bet in bookmaker["bets"].as_array().expect("bets") {
                let name = bet["name"].as_str().expect("bet name");
                for value in bet["values"].as_array().expect("values") {
                    let selection = value["value"].as_str().expect("value");
                    // The markets the recordings hold, as the-odds-api names
                    // them; the others have unit tests and fixtures.
                    let market = match (name, selection) {
                        ("Match Winner", "Home" | "Draw" | "Away") => "h2h",
                        other => {
                            panic!("{file}: a bet the recordings were not known to hold: {other:?}")
                        }
                    };
                    let odd = value["odd"].as_str().expect("odd is a string");
                    expected.push((
                        event.clone(),
                        bookmaker["id"].as_i64().expect("bookmaker id").to_string(),
                        bookmaker["name"].as_str().map(str::to_string),
                        market,
                        selection.to_string(),
                        odd.parse::<f64>().expect("odd is a number"),
                        updated_at.clone(),
                    ));
                }
            }
        }
    }
    assert!(!expected.is_empty(), "{file}: the recording holds quotes");
    assert_eq!(quotes.len(), expected.len(), "{file}: one quote per value");
    for (quote, (event, bookmaker, name, market, selection, price, updated_at)) in
        quotes.iter().zip(&expected)
    {
        let at = format!("{file}: {event} {bookmaker} {market} {selection}");
        assert_eq!(quote.provider, "api-football", "{at}");
        assert_eq!(&quote.event, event, "{at}");
        assert_eq!(&quote.bookmaker, bookmaker, "{at}");
        assert_eq!(&quote.bookmaker_name, name, "{at}");
        assert_eq!(quote.market, *market, "{at}");
        assert_eq!(&quote.selection, selection, "{at}");
        assert_eq!(quote.participant, None, "{at}");
        assert_eq!(quote.line, None, "{at}");
        assert_eq!(quote.price, *price, "{at}");
        assert_eq!(
            quote.provider_updated_at.as_deref(),
            Some(updated_at.as_str()),
            "{at}"
        );
    }
}

/// Every row of every table against the raw JSON: its overall place,
/// points and record, and a home and an away row beside it.
fn check_standings(file: &str, batch: &NormalizedBatch, raw_items: &[Value]) {
    let standings: Vec<&sluice::model::Standing> = batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Standing(s) => Some(s),
            _ => None,
        })
        .collect();
    let rows: Vec<&Value> = raw_items
        .iter()
        .flat_map(|i| i["league"]["standings"].as_array().expect("tables"))
        .flat_map(|t| t.as_array().expect("rows"))
        .collect();
    assert_eq!(standings.len(), rows.len() * 3, "{file}: total, home, away");
    for row in rows {
        let team = row["team"]["id"].to_string();
        let mine: Vec<_> = standings.iter().filter(|s| s.team == team).collect();
        let splits: Vec<&str> = mine.iter().map(|s| s.split.as_str()).collect();
        assert_eq!(splits, ["total", "home", "away"], "{file}: team {team}");
        let total = mine[0];
        assert_eq!(i64::from(total.rank), row["rank"].as_i64().expect("rank"));
        assert_eq!(total.points.map(i64::from), row["points"].as_i64());
        for (split, block) in [(0, "all"), (1, "home"), (2, "away")] {
            let s = mine[split];
            assert_eq!(
                s.played.map(i64::from),
                row[block]["played"].as_i64(),
                "{file}: {team} {block}"
            );
            assert_eq!(s.won.map(i64::from), row[block]["win"].as_i64());
            assert_eq!(
                s.goals_for.map(i64::from),
                row[block]["goals"]["for"].as_i64()
            );
        }
    }
}

/// Every event against its raw fixture, read here independently of the
/// plugin.
fn check_fixtures(file: &str, batch: &NormalizedBatch, raw_items: &[Value]) {
    let events: Vec<&Event> = batch
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), raw_items.len(), "{file}: one event per item");
    // One incident per item of a fixture's `events`, when it has them.
    for item in raw_items {
        let id = item["fixture"]["id"].to_string();
        let incidents = batch
            .records
            .iter()
            .filter(|r| matches!(r, Record::Incident(i) if i.event == id))
            .count();
        let sent = item["events"].as_array().map_or(0, Vec::len);
        assert_eq!(incidents, sent, "{file}: fixture {id}'s incidents");
    }
    let ids: HashSet<&str> = events.iter().map(|e| e.provider_id.as_str()).collect();
    assert_eq!(ids.len(), events.len(), "{file}: every id unique");

    let leagues: HashSet<i64> = raw_items
        .iter()
        .map(|i| i["league"]["id"].as_i64().expect("league id"))
        .collect();
    let teams: HashSet<i64> = raw_items
        .iter()
        .flat_map(|i| ["home", "away"].map(|s| i["teams"][s]["id"].as_i64().expect("team id")))
        .collect();
    let competitions = batch
        .records
        .iter()
        .filter(|r| matches!(r, Record::Competition(_)))
        .count();
    let team_records = batch
        .records
        .iter()
        .filter(|r| matches!(r, Record::Team(_)))
        .count();
    assert_eq!(
        competitions,
        leagues.len(),
        "{file}: one competition per league"
    );
    assert_eq!(
        team_records,
        teams.len(),
        "{file}: one team record per team"
    );

    for (event, raw) in events.iter().zip(raw_items) {
        let at = format!("{file}: {}", event.provider_id);
        let fixture = &raw["fixture"];
        assert_eq!(event.provider, "api-football", "{at}");
        assert_eq!(
            Some(event.provider_id.clone()),
            fixture["id"].as_i64().map(|i| i.to_string()),
            "{at}"
        );
        assert_eq!(
            event.competition,
            raw["league"]["id"].as_i64().map(|i| i.to_string()),
            "{at}"
        );
        assert_eq!(
            event.season,
            raw["league"]["season"].as_i64().map(|i| i.to_string()),
            "{at}"
        );
        assert_eq!(
            event.stage.as_deref(),
            raw["league"]["round"].as_str(),
            "{at}"
        );
        assert_eq!(
            event.home_team,
            raw["teams"]["home"]["id"].as_i64().map(|i| i.to_string()),
            "{at}"
        );
        assert_eq!(
            event.away_team_name.as_deref(),
            raw["teams"]["away"]["name"].as_str(),
            "{at}"
        );
        assert_eq!(
            event.venue.as_deref(),
            fixture["venue"]["name"].as_str(),
            "{at}"
        );

        // The kick-off: canonical RFC 3339 UTC, the instant of `fixture.date`.
        let kickoff = event.kickoff.as_deref().expect("every fixture has a date");
        let utc = OffsetDateTime::parse(kickoff, &Rfc3339)
            .unwrap_or_else(|e| panic!("{at}: kickoff `{kickoff}` is not RFC 3339: {e}"));
        assert_eq!(utc.offset(), UtcOffset::UTC, "{at}: {kickoff}");
        assert_eq!(
            utc.format(&Rfc3339).expect("format"),
            kickoff,
            "{at}: canonical form"
        );
        assert!(kickoff.ends_with('Z'), "{at}: {kickoff}");
        let date = fixture["date"].as_str().expect("date");
        let raw_instant = OffsetDateTime::parse(date, &Rfc3339).expect("raw date");
        assert_eq!(utc, raw_instant, "{at}: {kickoff} is not {date}");
        assert_eq!(
            utc.unix_timestamp(),
            fixture["timestamp"].as_i64().expect("timestamp"),
            "{at}"
        );

        // The status, as `status.short` says; the recordings hold these.
        let short = fixture["status"]["short"].as_str().expect("short");
        let expected = match short {
            "NS" => EventStatus::Scheduled,
            "1H" | "2H" => EventStatus::Live,
            "HT" => EventStatus::Halftime,
            "FT" | "PEN" => EventStatus::Finished,
            other => panic!("{at}: a status the recordings were not known to hold: {other}"),
        };
        assert_eq!(event.status, expected, "{at}: {short}");
        let elapsed = fixture["status"]["elapsed"].as_u64().map(|m| m as u32);
        let live = expected == EventStatus::Live;
        assert_eq!(event.minute, if live { elapsed } else { None }, "{at}");

        // Scores: full time once played, the running `goals` while live,
        // none before kick-off; half time once the first half is over.
        let pair = |v: &Value| {
            (
                v["home"].as_u64().map(|g| g as u32),
                v["away"].as_u64().map(|g| g as u32),
            )
        };
        let score = &raw["score"];
        let regular = match short {
            "NS" => (None, None),
            "1H" | "2H" | "HT" => pair(&raw["goals"]),
            _ => pair(&score["fulltime"]),
        };
        assert_eq!((event.home_score, event.away_score), regular, "{at}");
        if matches!(short, "FT" | "PEN") {
            assert!(
                regular.0.is_some() && regular.1.is_some(),
                "{at}: finished without a score"
            );
        }
        let half_time = match short {
            "NS" | "1H" => (None, None),
            _ => pair(&score["halftime"]),
        };
        assert_eq!(
            (event.home_score_half_time, event.away_score_half_time),
            half_time,
            "{at}"
        );
        let (extra, penalties) = if short == "PEN" {
            (pair(&score["extratime"]), pair(&score["penalty"]))
        } else {
            ((None, None), (None, None))
        };
        assert_eq!(
            (event.home_score_extra_time, event.away_score_extra_time),
            extra,
            "{at}"
        );
        assert_eq!(
            (event.home_score_penalties, event.away_score_penalties),
            penalties,
            "{at}"
        );
    }
    check_known(file, &events);
}

/// Fixtures whose every field is known, checked whole.
fn check_known(file: &str, events: &[&Event]) {
    let event = |id: &str| -> Event {
        events
            .iter()
            .find(|e| e.provider_id == id)
            .map(|e| (*e).clone())
            .unwrap_or_else(|| panic!("{file}: no event {id}"))
    };
    let base = |id: &str| bare_event("api-football", id);
    let cl = |id: &str| Event {
        competition: Some("2".to_string()),
        season: Some("2023".to_string()),
        stage: Some("Round of 16".to_string()),
        status: EventStatus::Finished,
        ..base(id)
    };
    match file {
        "v3_fixtures_ids_CL_penalty_shootouts.json" => {
            // Atletico Madrid 2-1 Inter after 90', 0-0 in extra time, 3-2 on penalties.
            assert_eq!(
                event("1149519"),
                Event {
                    home_team: Some("530".to_string()),
                    away_team: Some("505".to_string()),
                    home_team_name: Some("Atletico Madrid".to_string()),
                    away_team_name: Some("Inter".to_string()),
                    kickoff: Some("2024-03-13T20:00:00Z".to_string()),
                    home_score: Some(2),
                    away_score: Some(1),
                    home_score_half_time: Some(1),
                    away_score_half_time: Some(1),
                    home_score_extra_time: Some(0),
                    away_score_extra_time: Some(0),
                    home_score_penalties: Some(3),
                    away_score_penalties: Some(2),
                    venue: Some("Estádio Cívitas Metropolitano".to_string()),
                    ..cl("1149519")
                }
            );
            // Arsenal 1-0 Porto, 0-0 in extra time, 4-2 on penalties.
            assert_eq!(
                event("1149523"),
                Event {
                    home_team: Some("42".to_string()),
                    away_team: Some("212".to_string()),
                    home_team_name: Some("Arsenal".to_string()),
                    away_team_name: Some("FC Porto".to_string()),
                    kickoff: Some("2024-03-12T20:00:00Z".to_string()),
                    home_score: Some(1),
                    away_score: Some(0),
                    home_score_half_time: Some(1),
                    away_score_half_time: Some(0),
                    home_score_extra_time: Some(0),
                    away_score_extra_time: Some(0),
                    home_score_penalties: Some(4),
                    away_score_penalties: Some(2),
                    venue: Some("Emirates Stadium".to_string()),
                    ..cl("1149523")
                }
            );
        }
        "v3_fixtures_live_all_2023-05-13.json" => {
            // Slask Wroclaw 0-1 Wisla Plock in the 36th minute: live, no
            // half-time score yet though API-Football fills `halftime`.
            let e = event("865368");
            assert_eq!(e.status, EventStatus::Live);
            assert_eq!(e.minute, Some(36));
            assert_eq!((e.home_score, e.away_score), (Some(0), Some(1)));
            assert_eq!(
                (e.home_score_half_time, e.away_score_half_time),
                (None, None)
            );
            assert_eq!(e.matchday, Some(32));
            assert_eq!(e.kickoff.as_deref(), Some("2023-05-13T13:00:00Z"));
        }
        "v3_fixtures_league78_season2023_status_NS-PST.json" => {
            assert_eq!(
                event("1049115"),
                Event {
                    competition: Some("78".to_string()),
                    season: Some("2023".to_string()),
                    stage: Some("Regular Season - 27".to_string()),
                    matchday: Some(27),
                    home_team: Some("157".to_string()),
                    away_team: Some("165".to_string()),
                    home_team_name: Some("Bayern Munich".to_string()),
                    away_team_name: Some("Borussia Dortmund".to_string()),
                    kickoff: Some("2024-03-30T17:30:00Z".to_string()),
                    venue: Some("Allianz Arena".to_string()),
                    ..base("1049115")
                }
            );
        }
        _ => {}
    }
}

/// Every team against its raw item.
fn check_teams(file: &str, batch: &NormalizedBatch, raw_items: &[Value]) {
    let teams: Vec<_> = batch
        .records
        .iter()
        .map(|r| match r {
            Record::Team(t) => t,
            other => panic!("{file}: only teams expected, got {other:?}"),
        })
        .collect();
    assert_eq!(teams.len(), raw_items.len(), "{file}: one record per team");
    let ids: HashSet<&str> = teams.iter().map(|t| t.provider_id.as_str()).collect();
    assert_eq!(ids.len(), teams.len(), "{file}: every id unique");
    for (team, raw) in teams.iter().zip(raw_items) {
        let at = format!("{file}: {}", team.provider_id);
        let t = &raw["team"];
        assert_eq!(
            Some(team.provider_id.clone()),
            t["id"].as_i64().map(|i| i.to_string()),
            "{at}"
        );
        assert_eq!(Some(team.name.as_str()), t["name"].as_str(), "{at}");
        assert_eq!(team.code.as_deref(), t["code"].as_str(), "{at}");
        assert_eq!(team.country.as_deref(), t["country"].as_str(), "{at}");
        assert_eq!(team.founded.map(i64::from), t["founded"].as_i64(), "{at}");
        assert_eq!(team.venue.as_deref(), raw["venue"]["name"].as_str(), "{at}");
        assert_eq!(team.crest_url.as_deref(), t["logo"].as_str(), "{at}");
    }
    let united = teams
        .iter()
        .find(|t| t.provider_id == "33")
        .expect("Manchester United");
    assert_eq!(
        (
            united.code.as_deref(),
            united.founded,
            united.venue.as_deref()
        ),
        (Some("MUN"), Some(1878), Some("Old Trafford"))
    );
}
