//! `write = "merge" | "append" | "replace"` per stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::{ReplayServer, TestContext, assert_ok, demo_recordings};
use crate::odds::{bookmaker, event, odds_config, odds_recordings};
use crate::on_both_databases;

fn teams_pipeline(write: &str) -> String {
    format!(
        "[[pipelines.teams.streams]]\nprovider = \"football-data\"\nstream = \"teams\"\nparams = {{ competition = \"CL\", season = \"2022\" }}\nwrite = \"{write}\"\n"
    )
}

fn append_adds_every_record_of_every_run_to_the_log_table(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", &teams_pipeline("append"));
    assert_ok(&ctx.run(&config, "teams"));
    let teams = ctx.count("SELECT count(*) FROM teams_log");
    assert!(teams > 30, "{teams}");
    crate::sluice_snapshot!("append_again", ctx.filters(), ctx.run(&config, "teams"));
    assert_eq!(ctx.count("SELECT count(*) FROM teams_log"), 2 * teams);
    assert_eq!(
        ctx.count("SELECT count(DISTINCT run_id) FROM teams_log"),
        2,
        "each run's snapshot is told apart by its run id"
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM teams"),
        0,
        "append leaves the merged table alone"
    );
}

fn replace_deletes_the_providers_rows_the_run_did_not_produce(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", &teams_pipeline("merge"));
    assert_ok(&ctx.run(&config, "teams"));
    let teams = ctx.count("SELECT count(*) FROM teams");
    // A team the provider no longer lists, and one of another provider.
    for (provider, id) in [("football-data", "999999"), ("another", "1")] {
        ctx.query(&format!(
            "INSERT INTO teams (provider, provider_id, name, plugin, plugin_version, run_id, \
             payload_hash, created_at, updated_at) VALUES ('{provider}', '{id}', 'Gone FC', 'x', \
             '0', 1, 'x', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z') RETURNING provider"
        ));
    }
    let config = ctx.write_config(&server.base_url(), "", &teams_pipeline("replace"));
    let out = ctx.run(&config, "teams");
    assert_ok(&out);
    assert_eq!(
        ctx.count("SELECT count(*) FROM teams WHERE provider = 'football-data'"),
        teams
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM teams WHERE provider_id = '999999'"),
        0,
        "the team the run did not produce is gone"
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM teams WHERE provider = 'another'"),
        1,
        "other providers' rows are not the stream's to replace"
    );
    assert_eq!(
        ctx.count("SELECT deleted FROM sluice_runs ORDER BY id DESC LIMIT 1"),
        1
    );
}

on_both_databases!(
    append_adds_every_record_of_every_run_to_the_log_table,
    replace_deletes_the_providers_rows_the_run_did_not_produce,
);

fn book(prices: [f64; 3]) -> String {
    bookmaker(
        "alpha",
        &[(
            "h2h",
            &[
                ("Home", prices[0], None),
                ("Away", prices[1], None),
                ("Draw", prices[2], None),
            ],
        )],
    )
}

/// A replace stream of two responses, the second one slow: a reader polling
/// the table throughout sees the old rows or the new ones, never an empty or
/// half-replaced table.
#[test]
fn replace_never_shows_readers_an_empty_or_partial_table() {
    let ctx = TestContext::postgres();
    let before = ctx.path("before");
    odds_recordings(
        &before,
        &[
            (
                "league_a",
                format!(
                    "[{},{}]",
                    event("a1", "Home", "Away", &[book([2.0, 3.0, 3.2])]),
                    event("old", "Home", "Away", &[book([2.0, 3.0, 3.2])])
                ),
            ),
            (
                "league_b",
                format!(
                    "[{}]",
                    event("b1", "Home", "Away", &[book([2.0, 3.0, 3.2])])
                ),
            ),
        ],
        "h2h",
        "",
    );
    let server = ReplayServer::start(&before);
    let config = odds_config(
        &ctx,
        &server.base_url(),
        "league_a,league_b",
        "h2h",
        "merge",
    );
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 9);

    let after = ctx.path("after");
    odds_recordings(
        &after,
        &[
            (
                "league_a",
                format!(
                    "[{}]",
                    event("a1", "Home", "Away", &[book([2.1, 3.0, 3.2])])
                ),
            ),
            (
                "league_b",
                format!(
                    "[{}]",
                    event("b1", "Home", "Away", &[book([2.0, 3.1, 3.2])])
                ),
            ),
        ],
        "h2h",
        "[[fault]]\npath = \"/v4/sports/league_b/odds\"\nkind = \"delay\"\nms = 1500\n",
    );
    let server = ReplayServer::start(&after);
    let config = odds_config(
        &ctx,
        &server.base_url(),
        "league_a,league_b",
        "h2h",
        "replace",
    );

    let done = Arc::new(AtomicBool::new(false));
    let url = ctx.database_url();
    let reader = std::thread::spawn({
        let done = done.clone();
        move || {
            let mut seen = Vec::new();
            while !done.load(Ordering::SeqCst) {
                let rows = crate::common::query(
                    &url,
                    "SELECT count(*), count(*) FILTER (WHERE event_id = 'old'), \
                     count(*) FILTER (WHERE price IN (2.1, 3.1)) FROM odds",
                );
                seen.push(rows[0].clone());
            }
            seen
        }
    });
    let out = ctx.run(&config, "odds");
    done.store(true, Ordering::SeqCst);
    let seen = reader.join().expect("reader");
    assert_ok(&out);
    // (rows, rows of the event the replace drops, rows at the new prices)
    let old_state = vec!["9".to_string(), "3".to_string(), "0".to_string()];
    let new_state = vec!["6".to_string(), "0".to_string(), "2".to_string()];
    assert!(
        seen.len() > 5,
        "the reader polled throughout: {}",
        seen.len()
    );
    assert!(
        seen.iter().all(|s| *s == old_state || *s == new_state),
        "a reader saw a state between the old and the new table: {:?}",
        seen.iter().find(|s| **s != old_state && **s != new_state)
    );
    assert!(
        seen.contains(&old_state),
        "the reader saw the old rows while the run loaded"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 6);
}
