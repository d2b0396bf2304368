//! API-Football's odds on API-Football's fixtures, through the replay
//! provider and the real binary: the recorded v3 `/odds` answer for fixture
//! 1226178 (read from `../shared/data/providers/api-football/` through
//! `sluice_test_support::recordings`, never copied) and a fixtures answer
//! for that fixture written here. The quotes land on the canonical event the
//! fixture resolves to, odds-maths prices them, and a second run with a
//! moved price writes one `odds_history` row.
//! On SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{ReplayServer, TestContext, assert_ok, plugin_dir};
use crate::on_both_databases;
use crate::sluice_snapshot;

/// The recorded odds: Bet365's Match Winner for fixture 1226178.
const ODDS_FILE: &str = "api-football/v3_odds_fixture_1226178_league79_bet365_match_winner.json";

const FIXTURE: &str = "1226178";

/// A `/fixtures?id=1226178` answer in API-Football's v3 shape, written for
/// this test: the fixture the recorded odds are of (its league, season and
/// kick-off as the odds item gives them), between two teams named here.
fn fixtures_body() -> String {
    r#"{"get":"fixtures","parameters":{"id":"1226178"},"errors":[],"results":1,"paging":{"current":1,"total":1},"response":[{
        "fixture":{"id":1226178,"referee":null,"timezone":"UTC","date":"2024-08-10T11:00:00+00:00","timestamp":1723287600,
            "venue":{"id":null,"name":"Test Ground","city":null},"status":{"long":"Not Started","short":"NS","elapsed":null}},
        "league":{"id":79,"name":"2. Bundesliga","country":"Germany","season":2024,"round":"Regular Season - 2"},
        "teams":{"home":{"id":9001,"name":"Home Side","logo":null},"away":{"id":9002,"name":"Away Side","logo":null}},
        "goals":{"home":null,"away":null},
        "score":{"halftime":{"home":null,"away":null},"fulltime":{"home":null,"away":null},"extratime":{"home":null,"away":null},"penalty":{"home":null,"away":null}}}]}"#
        .to_string()
}

/// The query the odds stream sends for the recorded request.
const ODDS_QUERY: &str =
    r#"fixture = "1226178", league = "79", season = "2024", bookmaker = "8", bet = "1""#;

/// A recordings folder serving the fixtures body and `odds`.
fn recordings(dir: &Path, odds: &[u8]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("fixtures.json"), fixtures_body()).expect("fixtures body");
    std::fs::write(dir.join("odds.json"), odds).expect("odds body");
    std::fs::write(
        dir.join("index.toml"),
        format!(
            "[[route]]\npath = \"/fixtures\"\nquery = {{ id = \"{FIXTURE}\" }}\nfile = \"fixtures.json\"\n\n\
             [[route]]\npath = \"/odds\"\nquery = {{ {ODDS_QUERY} }}\nfile = \"odds.json\"\n"
        ),
    )
    .expect("index");
}

/// `sluice.toml`: API-Football at `base_url`, and the pipeline `match_odds`
/// loading the fixture and its odds, the odds through odds-maths.
fn write_config(ctx: &TestContext, base_url: &str) -> PathBuf {
    let config = format!(
        r#"database = "{db}"
plugin_dir = "{plugins}"

[providers.api-football]
plugin = "api-football"
base_url = "{base_url}"

[[pipelines.match_odds.streams]]
provider = "api-football"
stream = "fixtures"
params = {{ id = "{FIXTURE}" }}

[[pipelines.match_odds.streams]]
provider = "api-football"
stream = "odds"
params = {{ {ODDS_QUERY} }}
enrich = ["odds-maths"]
"#,
        db = ctx.database_url(),
        plugins = plugin_dir().display(),
    );
    let path = ctx.path("sluice.toml");
    std::fs::write(&path, config).expect("config");
    path
}

/// Every value of every bet of the body: (selection as API-Football writes
/// it, price), in order.
fn values(body: &[u8]) -> Vec<(String, f64)> {
    let json: Value = serde_json::from_slice(body).expect("odds JSON");
    let mut out = Vec::new();
    for item in json["response"].as_array().expect("response") {
        assert_eq!(item["fixture"]["id"].to_string(), FIXTURE);
        for bookmaker in item["bookmakers"].as_array().expect("bookmakers") {
            for bet in bookmaker["bets"].as_array().expect("bets") {
                assert_eq!(bet["name"], "Match Winner", "the recording's one market");
                for value in bet["values"].as_array().expect("values") {
                    let odd = value["odd"].as_str().expect("odd");
                    out.push((
                        value["value"].as_str().expect("value").to_string(),
                        odd.parse().expect("odd is a number"),
                    ));
                }
            }
        }
    }
    out
}

/// The body with the away price moved up by 0.15 and a later `update`.
fn moved(body: &[u8]) -> (Vec<u8>, f64, f64) {
    let mut json: Value = serde_json::from_slice(body).expect("odds JSON");
    let item = &mut json["response"][0];
    item["update"] = Value::from("2024-08-09T06:00:00+00:00");
    let away = item["bookmakers"][0]["bets"][0]["values"]
        .as_array_mut()
        .expect("values")
        .iter_mut()
        .find(|v| v["value"] == "Away")
        .expect("an away price");
    let before: f64 = away["odd"].as_str().expect("odd").parse().expect("number");
    let after = before + 0.15;
    away["odd"] = Value::from(format!("{after:.2}"));
    (
        serde_json::to_vec(&json).expect("JSON"),
        before,
        format!("{after:.2}").parse().expect("number"),
    )
}

fn number(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("{cell} is not a number"))
}

fn odds_land_on_the_fixtures_canonical_event_and_a_moved_price_is_history(ctx: TestContext) {
    let Some(recorded) = sluice_test_support::recordings::read(ODDS_FILE) else {
        return;
    };
    let first = ctx.path("first");
    recordings(&first, &recorded);
    let server = ReplayServer::start(&first);
    let config = write_config(&ctx, &server.base_url());
    assert_ok(&ctx.run(&config, "match_odds"));

    // One quote per recorded value, as API-Football priced it.
    let mut expected = values(&recorded);
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!expected.is_empty());
    let loaded: Vec<(String, f64)> = ctx
        .query(
            "SELECT selection, price FROM odds \
             WHERE provider = 'api-football' AND market = 'h2h' AND bookmaker = '8' \
             ORDER BY selection",
        )
        .into_iter()
        .map(|row| (row[0].clone(), number(&row[1])))
        .collect();
    assert_eq!(loaded, expected);
    assert_eq!(
        ctx.count("SELECT count(*) FROM odds"),
        expected.len() as i64
    );

    // Every quote's event is the fixture's, linked to one canonical event
    // whose teams are the fixture's.
    let canonical = ctx.query(&format!(
        "SELECT canonical_id FROM provider_ids \
         WHERE provider = 'api-football' AND kind = 'event' AND provider_id = '{FIXTURE}'"
    ));
    assert_eq!(canonical.len(), 1, "the fixture's event is resolved");
    let canonical = &canonical[0][0];
    let on_events = ctx.query(
        "SELECT DISTINCT c.canonical_id, c.home_team_name, c.away_team_name, c.providers \
         FROM odds o \
         JOIN provider_ids l ON l.provider = o.provider AND l.kind = 'event' \
          AND l.provider_id = o.event_id \
         JOIN canonical_events c ON c.canonical_id = l.canonical_id",
    );
    assert_eq!(
        on_events,
        vec![vec![
            canonical.clone(),
            "Home Side".to_string(),
            "Away Side".to_string(),
            "1".to_string(),
        ]],
        "every quote lands on the fixture's canonical event"
    );
    assert_eq!(
        ctx.count(&format!(
            "SELECT count(*) FROM odds WHERE event_id <> '{FIXTURE}'"
        )),
        0
    );

    // odds-maths made one book of the three-way market: a fair price per
    // quote, their probabilities adding up to 1, and a consensus per
    // selection.
    let fair: Vec<f64> = ctx
        .query(&format!(
            "SELECT fair_probability FROM fair_prices \
             WHERE provider = 'api-football' AND event_id = '{FIXTURE}' AND market = 'h2h'"
        ))
        .iter()
        .map(|row| number(&row[0]))
        .collect();
    assert_eq!(fair.len(), expected.len());
    assert!((fair.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{fair:?}");
    assert_eq!(
        ctx.count(&format!(
            "SELECT count(*) FROM market_consensus \
             WHERE provider = 'api-football' AND event_id = '{FIXTURE}' AND market = 'h2h' \
               AND best_bookmaker = '8' AND bookmakers = 1"
        )),
        expected.len() as i64
    );
    assert_eq!(ctx.count("SELECT count(*) FROM odds_history"), 0);

    // The away price moves: one history row, from the recorded price.
    let (body, before, after) = moved(&recorded);
    let second = ctx.path("second");
    recordings(&second, &body);
    let server = ReplayServer::start(&second);
    let config = write_config(&ctx, &server.base_url());
    sluice_snapshot!(
        "the_away_price_moved",
        ctx.filters(),
        ctx.run(&config, "match_odds")
    );
    let history = ctx.query(
        "SELECT provider, event_id, bookmaker, market, selection, move, previous_price, price, \
                provider_updated_at FROM odds_history",
    );
    assert_eq!(history.len(), 1, "{history:?}");
    let row = &history[0];
    assert_eq!(
        row[..6],
        ["api-football", FIXTURE, "8", "h2h", "Away", "price"].map(String::from)
    );
    assert_eq!((number(&row[6]), number(&row[7])), (before, after));
    assert!(row[8].starts_with("2024-08-09"), "{}", row[8]);
    assert_eq!(
        number(&ctx.query("SELECT price FROM odds WHERE selection = 'Away'")[0][0]),
        after
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM odds"),
        expected.len() as i64
    );
}

on_both_databases!(odds_land_on_the_fixtures_canonical_event_and_a_moved_price_is_history);
