//! Odds through the-odds-api plugin into `odds` and `odds_history`: prices
//! that did not move write nothing, a price move is one history row, a line
//! move is one history row from the nearest old line, and a withdrawn line
//! leaves `odds`. On SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};

use crate::common::{ReplayServer, TestContext, assert_ok, stdout};
use crate::on_both_databases;
use crate::sluice_snapshot;

/// The query the plugin sends for `markets` in region `eu`.
fn odds_query(markets: &str) -> String {
    format!(
        "regions = \"eu\", markets = \"{markets}\", oddsFormat = \"decimal\", dateFormat = \"iso\""
    )
}

/// One The Odds API event with its bookmakers, in the v4 shape.
pub fn event(id: &str, home: &str, away: &str, bookmakers: &[String]) -> String {
    format!(
        r#"{{"id":"{id}","sport_key":"soccer_test","sport_title":"Test League","commence_time":"2026-01-10T15:00:00Z","home_team":"{home}","away_team":"{away}","bookmakers":[{}]}}"#,
        bookmakers.join(",")
    )
}

/// One outcome: selection, price, point.
pub type Outcome<'a> = (&'a str, f64, Option<f64>);

/// One bookmaker with its markets: `(key, [outcome])`.
pub fn bookmaker(key: &str, markets: &[(&str, &[Outcome<'_>])]) -> String {
    let markets: Vec<String> = markets
        .iter()
        .map(|(market, outcomes)| {
            let outcomes: Vec<String> = outcomes
                .iter()
                .map(|(name, price, point)| match point {
                    Some(p) => format!(r#"{{"name":"{name}","price":{price},"point":{p}}}"#),
                    None => format!(r#"{{"name":"{name}","price":{price}}}"#),
                })
                .collect();
            format!(
                r#"{{"key":"{market}","last_update":"2026-01-09T12:00:00Z","outcomes":[{}]}}"#,
                outcomes.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"key":"{key}","title":"Book {key}","last_update":"2026-01-09T12:00:00Z","markets":[{}]}}"#,
        markets.join(",")
    )
}

/// A recordings folder serving `bodies` as `/v4/sports/{sport}/odds`, and
/// optional faults (TOML) after the routes.
pub fn odds_recordings(dir: &Path, bodies: &[(&str, String)], markets: &str, faults: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut index = String::new();
    for (sport, body) in bodies {
        std::fs::write(dir.join(format!("{sport}.json")), body).expect("body");
        index.push_str(&format!(
            "[[route]]\npath = \"/v4/sports/{sport}/odds\"\nquery = {{ {} }}\nfile = \"{sport}.json\"\n\n",
            odds_query(markets)
        ));
    }
    index.push_str(faults);
    std::fs::write(dir.join("index.toml"), index).expect("index");
}

/// `sluice.toml` with one the-odds-api provider at `base_url` and the
/// pipeline `odds`: one `odds` stream over `sports`, written as `write`.
pub fn odds_config(
    ctx: &TestContext,
    base_url: &str,
    sports: &str,
    markets: &str,
    write: &str,
) -> PathBuf {
    let config = format!(
        r#"database = "{db}"
plugin_dir = "{plugins}"

[providers.the-odds-api]
plugin = "the-odds-api"
base_url = "{base_url}"

[[pipelines.odds.streams]]
provider = "the-odds-api"
stream = "odds"
params = {{ sport = "{sports}", regions = "eu", markets = "{markets}" }}
write = "{write}"
"#,
        db = ctx.database_url(),
        plugins = crate::common::plugin_dir().display(),
    );
    let path = ctx.path("sluice.toml");
    std::fs::write(&path, config).expect("config");
    path
}

const MARKETS: &str = "h2h,spreads,totals";

/// One event with two bookmakers; alpha's Arsenal h2h price and its spread
/// (Arsenal's line and price, then Chelsea's) are what the tests move.
fn book(arsenal_h2h: f64, spread: [(f64, f64); 2]) -> String {
    let [(arsenal_line, arsenal_price), (chelsea_line, chelsea_price)] = spread;
    let a = bookmaker(
        "alpha",
        &[
            (
                "h2h",
                &[
                    ("Arsenal", arsenal_h2h, None),
                    ("Chelsea", 3.4, None),
                    ("Draw", 3.3, None),
                ],
            ),
            (
                "spreads",
                &[
                    ("Arsenal", arsenal_price, Some(arsenal_line)),
                    ("Chelsea", chelsea_price, Some(chelsea_line)),
                ],
            ),
            (
                "totals",
                &[("Over", 1.85, Some(2.5)), ("Under", 2.0, Some(2.5))],
            ),
        ],
    );
    let b = bookmaker(
        "beta",
        &[(
            "h2h",
            &[
                ("Arsenal", 2.05, None),
                ("Chelsea", 3.5, None),
                ("Draw", 3.25, None),
            ],
        )],
    );
    format!("[{}]", event("e1", "Arsenal", "Chelsea", &[a, b]))
}

fn opening() -> String {
    book(2.1, [(-0.5, 1.9), (0.5, 1.95)])
}

/// Alpha's Arsenal price moves 2.10 → 2.20; alpha's spread moves from
/// ∓0.5 to ∓1.0 with new prices; everything else stays.
fn moved() -> String {
    book(2.2, [(-1.0, 2.05), (1.0, 1.8)])
}

fn price_and_line_moves_each_write_one_history_row(ctx: TestContext) {
    let first = ctx.path("first");
    odds_recordings(&first, &[("soccer_test", opening())], MARKETS, "");
    let server = ReplayServer::start(&first);
    let config = odds_config(&ctx, &server.base_url(), "soccer_test", MARKETS, "merge");
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 10);
    assert_eq!(
        ctx.count("SELECT count(*) FROM odds_history"),
        0,
        "the first sight of a price is not a move"
    );

    // The same prices again: nothing written.
    sluice_snapshot!(
        "the_same_prices_again",
        ctx.filters(),
        ctx.run(&config, "odds")
    );
    assert_eq!(ctx.count("SELECT count(*) FROM odds_history"), 0);

    let second = ctx.path("second");
    odds_recordings(&second, &[("soccer_test", moved())], MARKETS, "");
    let server = ReplayServer::start(&second);
    let config = odds_config(&ctx, &server.base_url(), "soccer_test", MARKETS, "merge");
    sluice_snapshot!(
        "moved_prices_and_lines",
        ctx.filters(),
        ctx.run(&config, "odds")
    );
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 10);
    let history = ctx.query(
        "SELECT move, bookmaker, market, selection, previous_line, line, previous_price, price \
         FROM odds_history ORDER BY market, selection",
    );
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(
        history,
        vec![
            row(&[
                "price", "alpha", "h2h", "Arsenal", "NULL", "NULL", "2.1", "2.2"
            ]),
            row(&[
                "line", "alpha", "spreads", "Arsenal", "-0.5", "-1", "1.9", "2.05"
            ]),
            row(&[
                "line", "alpha", "spreads", "Chelsea", "0.5", "1", "1.95", "1.8"
            ]),
        ]
    );
    assert_eq!(
        ctx.query("SELECT line, price FROM odds WHERE market = 'spreads' ORDER BY line"),
        vec![row(&["-1", "2.05"]), row(&["1", "1.8"])],
        "the old lines were withdrawn"
    );
    assert_eq!(
        ctx.count(
            "SELECT count(*) FROM odds WHERE bookmaker = 'beta' AND created_at <> updated_at"
        ),
        0,
        "rows whose price did not move keep their updated_at"
    );

    // The moved prices again: nothing more.
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(ctx.count("SELECT count(*) FROM odds_history"), 3);
}

on_both_databases!(price_and_line_moves_each_write_one_history_row);

#[test]
fn the_api_key_travels_in_the_query_and_is_stored_or_shown_nowhere() {
    let ctx = TestContext::new();
    let dir = ctx.path("recordings");
    odds_recordings(&dir, &[("soccer_test", opening())], MARKETS, "");
    // The route answers only when the key is in the query.
    let index = std::fs::read_to_string(dir.join("index.toml")).expect("index");
    std::fs::write(
        dir.join("index.toml"),
        index.replace(
            "dateFormat = \"iso\"",
            "dateFormat = \"iso\", apiKey = \"s3cr3t-key\"",
        ),
    )
    .expect("index");
    let server = ReplayServer::start(&dir);
    let config = odds_config(&ctx, &server.base_url(), "soccer_test", MARKETS, "merge");
    let with_key = std::fs::read_to_string(&config).expect("config").replace(
        "plugin = \"the-odds-api\"\n",
        "plugin = \"the-odds-api\"\ntoken_env = \"ODDS_KEY\"\n",
    );
    std::fs::write(&config, with_key).expect("config");
    let config = config.to_str().expect("utf-8");

    let out =
        crate::common::sluice_command(&["-v", "run", "--config", config, "--pipeline", "odds"])
            .current_dir(ctx.dir.path())
            .env("ODDS_KEY", "s3cr3t-key")
            .output()
            .expect("run");
    assert_ok(&out);
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 10);
    let everything = format!(
        "{}{}{:?}",
        stdout(&out),
        crate::common::stderr(&out),
        ctx.query("SELECT url, query, headers FROM sluice_responses")
    );
    assert!(
        everything.contains("oddsFormat"),
        "the archive holds the request"
    );
    assert!(!everything.contains("s3cr3t"), "{everything}");

    // A wrong key: the provider's error names the request, key included;
    // sluice's error line does not.
    let out = sluice_snapshot!(
        "a_wrong_key",
        ctx.filters(),
        crate::common::sluice_command(&["run", "--config", config, "--pipeline", "odds"])
            .current_dir(ctx.dir.path())
            .env("ODDS_KEY", "wrong-k3y-value")
            .output()
            .expect("run")
    );
    assert!(
        !crate::common::stderr(&out).contains("wrong-k3y"),
        "{}",
        crate::common::stderr(&out)
    );
}
