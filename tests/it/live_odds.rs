//! In-play odds in the live outbox: a live odds stream tells one
//! `odds_moved` event per `odds_history` row its batch wrote, a market of
//! a match in play whose prices stop moving is told `odds_suspended` once,
//! and `odds_resumed` when it moves again. On SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};

use crate::common::{ReplayServer, TestContext, assert_ok};
use crate::odds::{Outcome, bookmaker};
use crate::on_both_databases;

const MARKETS: &str = "h2h,totals";

/// The match `e1`, kicked off ten minutes ago, as The Odds API lists it,
/// with `bookmakers` when given (an `/odds` body) or without (an
/// `/events` body).
fn event(bookmakers: Option<&[String]>) -> String {
    let kickoff = time::OffsetDateTime::now_utc() - time::Duration::minutes(10);
    let kickoff = kickoff
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time");
    let books = match bookmakers {
        Some(b) => format!(r#","bookmakers":[{}]"#, b.join(",")),
        None => String::new(),
    };
    format!(
        r#"[{{"id":"e1","sport_key":"soccer_test","sport_title":"Test League","commence_time":"{kickoff}","home_team":"Arsenal","away_team":"Chelsea"{books}}}]"#
    )
}

/// Alpha's h2h with Arsenal at `arsenal`, and its totals; beta's h2h.
fn books(arsenal: f64) -> Vec<String> {
    let h2h: &[Outcome<'_>] = &[
        ("Arsenal", arsenal, None),
        ("Chelsea", 3.4, None),
        ("Draw", 3.3, None),
    ];
    let totals: &[Outcome<'_>] = &[("Over", 1.85, Some(2.5)), ("Under", 2.0, Some(2.5))];
    let beta: &[Outcome<'_>] = &[
        ("Arsenal", 2.05, None),
        ("Chelsea", 3.5, None),
        ("Draw", 3.25, None),
    ];
    vec![
        bookmaker("alpha", &[("h2h", h2h), ("totals", totals)]),
        bookmaker("beta", &[("h2h", beta)]),
    ]
}

/// A recordings folder with the match's events and its odds with
/// Arsenal's alpha price at `arsenal`.
fn recordings(dir: &Path, arsenal: f64) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("odds.json"), event(Some(&books(arsenal)))).expect("odds");
    std::fs::write(dir.join("events.json"), event(None)).expect("events");
    std::fs::write(
        dir.join("index.toml"),
        format!(
            "[[route]]\npath = \"/v4/sports/soccer_test/odds\"\n\
             query = {{ regions = \"eu\", markets = \"{MARKETS}\", oddsFormat = \"decimal\", dateFormat = \"iso\" }}\n\
             file = \"odds.json\"\n\n\
             [[route]]\npath = \"/v4/sports/soccer_test/events\"\n\
             query = {{ dateFormat = \"iso\" }}\nfile = \"events.json\"\n"
        ),
    )
    .expect("index");
}

/// The pipeline `odds`: the match list, then its odds in live mode, told
/// suspended after `suspended_after`.
fn config(ctx: &TestContext, base_url: &str, suspended_after: &str) -> PathBuf {
    let text = format!(
        r#"database = "{db}"
plugin_dir = "{plugins}"

[providers.the-odds-api]
plugin = "the-odds-api"
base_url = "{base_url}"

[[pipelines.odds.streams]]
provider = "the-odds-api"
stream = "events"
params = {{ sport = "soccer_test" }}

[[pipelines.odds.streams]]
provider = "the-odds-api"
stream = "odds"
params = {{ sport = "soccer_test", regions = "eu", markets = "{MARKETS}" }}
live = true
odds_suspended_after = "{suspended_after}"
"#,
        db = ctx.database_url(),
        plugins = crate::common::plugin_dir().display(),
    );
    let path = ctx.path("live-odds.toml");
    std::fs::write(&path, text).expect("config");
    path
}

/// The outbox's odds events, oldest first: kind and subject.
fn told(ctx: &TestContext) -> Vec<(String, String)> {
    ctx.query("SELECT kind, subject FROM live_events WHERE kind LIKE 'odds_%' ORDER BY seq")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

fn each_price_move_is_one_odds_moved_event(ctx: TestContext) {
    let first = ctx.path("first");
    recordings(&first, 2.1);
    let server = ReplayServer::start(&first);
    // Long enough that nothing is suspended in this test.
    assert_ok(&ctx.run(config(&ctx, &server.base_url(), "1h"), "odds"));
    assert_eq!(
        told(&ctx),
        Vec::new(),
        "the first sight of a price is no move"
    );

    let second = ctx.path("second");
    recordings(&second, 2.2);
    let server = ReplayServer::start(&second);
    let config = config(&ctx, &server.base_url(), "1h");
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(ctx.count("SELECT count(*) FROM odds_history"), 1);
    assert_eq!(
        told(&ctx),
        vec![("odds_moved".to_string(), "alpha/h2h/Arsenal".to_string())]
    );
    let payload: serde_json::Value = serde_json::from_str(
        &ctx.query("SELECT payload FROM live_events WHERE kind = 'odds_moved'")[0][0],
    )
    .expect("JSON");
    assert_eq!(payload["kind"], "odds_moved");
    assert_eq!(payload["event"], "e1");
    assert_eq!(payload["provider"], "the-odds-api");
    assert_eq!(payload["price"], 2.2);
    assert_eq!(payload["previous_price"], 2.1);
    assert_eq!(payload["move"], "price");
    assert!(
        payload["match"].as_str().is_some_and(|m| !m.is_empty()),
        "{payload}"
    );

    // The same prices again: no move, no event.
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(told(&ctx).len(), 1);
}

on_both_databases!(each_price_move_is_one_odds_moved_event);

fn an_unmoving_market_in_play_is_suspended_once_and_resumed_when_it_moves(ctx: TestContext) {
    let first = ctx.path("first");
    recordings(&first, 2.1);
    let server = ReplayServer::start(&first);
    let config = config(&ctx, &server.base_url(), "2s");
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(told(&ctx), Vec::new(), "just quoted: nothing suspended");

    // Three markets unmoved for two seconds while the match is in play.
    std::thread::sleep(std::time::Duration::from_millis(2_200));
    assert_ok(&ctx.run(&config, "odds"));
    let suspended = |list: &[&str]| -> Vec<(String, String)> {
        list.iter()
            .map(|s| ("odds_suspended".to_string(), s.to_string()))
            .collect()
    };
    let mut now = told(&ctx);
    now.sort();
    assert_eq!(now, suspended(&["alpha/h2h", "alpha/totals", "beta/h2h"]));
    assert_eq!(ctx.count("SELECT count(*) FROM live_odds_suspensions"), 3);
    // Still unmoved: told once, not again.
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(told(&ctx).len(), 3);

    // Alpha's h2h moves: one move, and that market alone resumes.
    let second = ctx.path("second");
    recordings(&second, 2.3);
    let server = ReplayServer::start(&second);
    let config = self::config(&ctx, &server.base_url(), "2s");
    assert_ok(&ctx.run(&config, "odds"));
    let all = told(&ctx);
    assert_eq!(
        all[3..].to_vec(),
        vec![
            ("odds_moved".to_string(), "alpha/h2h/Arsenal".to_string()),
            ("odds_resumed".to_string(), "alpha/h2h".to_string()),
        ]
    );
    assert_eq!(
        ctx.query("SELECT bookmaker, market FROM live_odds_suspensions ORDER BY bookmaker, market"),
        vec![
            vec!["alpha".to_string(), "totals".to_string()],
            vec!["beta".to_string(), "h2h".to_string()],
        ]
    );
}

on_both_databases!(an_unmoving_market_in_play_is_suspended_once_and_resumed_when_it_moves);
