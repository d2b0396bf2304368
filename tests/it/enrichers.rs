//! Enrichers on a stream's batches: `odds-maths` adds each quote's price
//! without its bookmaker's margin and each selection's consensus across
//! bookmakers; `team-aliases` renames teams from the user's alias file
//! through a lookup table only it is granted. On SQLite and PostgreSQL.

use std::path::{Path, PathBuf};

use crate::common::{
    ReplayServer, TestContext, assert_ok, one_route_recordings, plugin_dir, repo_root,
};
use crate::odds::{bookmaker, event, odds_recordings};
use crate::on_both_databases;

pub(crate) fn odds_maths_config(ctx: &TestContext, base_url: &str) -> PathBuf {
    let config = format!(
        r#"database = "{db}"
plugin_dir = "{plugins}"

[providers.the-odds-api]
plugin = "the-odds-api"
base_url = "{base_url}"

[[pipelines.odds.streams]]
provider = "the-odds-api"
stream = "odds"
params = {{ sport = "soccer_test", regions = "eu", markets = "h2h" }}
enrich = ["odds-maths"]
"#,
        db = ctx.database_url(),
        plugins = plugin_dir().display(),
    );
    let path = ctx.path("sluice.toml");
    std::fs::write(&path, config).expect("config");
    path
}

/// Alpha prices Arsenal 2.10, Chelsea 3.40, Draw 3.30; beta 2.05, 3.50 and,
/// when `beta_draw`, 3.25.
pub(crate) fn three_way(beta_draw: bool) -> String {
    let alpha = bookmaker(
        "alpha",
        &[(
            "h2h",
            &[
                ("Arsenal", 2.1, None),
                ("Chelsea", 3.4, None),
                ("Draw", 3.3, None),
            ],
        )],
    );
    let beta_outcomes: &[(&str, f64, Option<f64>)] = if beta_draw {
        &[
            ("Arsenal", 2.05, None),
            ("Chelsea", 3.5, None),
            ("Draw", 3.25, None),
        ]
    } else {
        &[("Arsenal", 2.05, None), ("Chelsea", 3.5, None)]
    };
    let beta = bookmaker("beta", &[("h2h", beta_outcomes)]);
    format!("[{}]", event("e1", "Arsenal", "Chelsea", &[alpha, beta]))
}

fn floats(ctx: &TestContext, sql: &str) -> Vec<(String, Vec<f64>)> {
    ctx.query(sql)
        .into_iter()
        .map(|row| {
            let numbers = row[1..]
                .iter()
                .map(|v| v.parse().unwrap_or_else(|_| panic!("{v} is not a number")))
                .collect();
            (row[0].clone(), numbers)
        })
        .collect()
}

fn assert_close(found: &[(String, Vec<f64>)], expected: &[(&str, &[f64])]) {
    assert_eq!(found.len(), expected.len(), "{found:?}");
    for ((name, numbers), (want_name, want)) in found.iter().zip(expected) {
        assert_eq!(name, want_name);
        for (n, w) in numbers.iter().zip(*want) {
            assert!(
                (n - w).abs() < 1e-6,
                "{name}: {numbers:?}, expected {want:?}"
            );
        }
    }
}

fn odds_maths_adds_fair_prices_and_consensus(ctx: TestContext) {
    let first = ctx.path("first");
    odds_recordings(&first, &[("soccer_test", three_way(true))], "h2h", "");
    let server = ReplayServer::start(&first);
    let config = odds_maths_config(&ctx, &server.base_url());
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 6);
    // Alpha's book: 1/2.1 + 1/3.4 + 1/3.3 = 1.0733384, a 7.33% margin;
    // Arsenal's fair probability 0.4761905 / 1.0733384 = 0.4436536 is a
    // fair price of 2.1 × 1.0733384 = 2.2540107.
    assert_close(
        &floats(
            &ctx,
            "SELECT selection, implied_probability, overround, fair_probability, fair_price \
             FROM fair_prices WHERE bookmaker = 'alpha' ORDER BY selection",
        ),
        &[
            ("Arsenal", &[0.4761905, 0.0733384, 0.4436536, 2.2540107]),
            ("Chelsea", &[0.2941176, 0.0733384, 0.2740214, 3.6493506]),
            ("Draw", &[0.3030303, 0.0733384, 0.2823250, 3.5420168]),
        ],
    );
    // Across both: the best price, and the mean of the two fair
    // probabilities (Arsenal: (0.4436536 + 0.4511651) / 2 = 0.4474094).
    assert_close(
        &floats(
            &ctx,
            "SELECT selection || ' ' || best_bookmaker, best_price, consensus_probability, \
             consensus_price, bookmakers FROM market_consensus ORDER BY selection",
        ),
        &[
            ("Arsenal alpha", &[2.1, 0.4474094, 2.2350896, 2.0]),
            ("Chelsea beta", &[3.5, 0.2691376, 3.7155716, 2.0]),
            ("Draw alpha", &[3.3, 0.2834530, 3.5279212, 2.0]),
        ],
    );

    // Beta no longer offers the draw: its book is two selections now, its
    // draw's fair price goes, and the draw's consensus is alpha's alone.
    let second = ctx.path("second");
    odds_recordings(&second, &[("soccer_test", three_way(false))], "h2h", "");
    let server = ReplayServer::start(&second);
    let config = odds_maths_config(&ctx, &server.base_url());
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(
        ctx.count("SELECT count(*) FROM fair_prices WHERE bookmaker = 'beta'"),
        2
    );
    assert_close(
        &floats(
            &ctx,
            "SELECT selection, overround FROM fair_prices WHERE bookmaker = 'beta' ORDER BY selection",
        ),
        &[
            ("Arsenal", &[1.0 / 2.05 + 1.0 / 3.5 - 1.0]),
            ("Chelsea", &[1.0 / 2.05 + 1.0 / 3.5 - 1.0]),
        ],
    );
    assert_close(
        &floats(
            &ctx,
            "SELECT best_bookmaker, bookmakers, consensus_probability FROM market_consensus \
             WHERE selection = 'Draw'",
        ),
        &[("alpha", &[1.0, 0.2823250])],
    );
    assert_produced_by_odds_maths(&ctx);
}

on_both_databases!(odds_maths_adds_fair_prices_and_consensus);

/// The rows odds-maths added carry its name and version; the quotes it was
/// given stay the normalizer's.
fn assert_produced_by_odds_maths(ctx: &TestContext) {
    for (table, plugin) in [
        ("odds", "the-odds-api"),
        ("fair_prices", "odds-maths"),
        ("market_consensus", "odds-maths"),
    ] {
        assert_eq!(
            ctx.query(&format!(
                "SELECT DISTINCT plugin, plugin_version FROM {table}"
            )),
            vec![vec![plugin.to_string(), "0.1.0".to_string()]],
            "{table}"
        );
    }
}

/// A user adds `odds-maths` to a stream after it ran: `sluice replay` of the
/// earlier run passes the archived batches through it, as a run would, and
/// the fair prices of that history appear with no request to the provider.
fn a_replay_passes_archived_batches_through_the_streams_enrichers(ctx: TestContext) {
    let dir = ctx.path("recordings");
    odds_recordings(&dir, &[("soccer_test", three_way(true))], "h2h", "");
    let server = ReplayServer::start(&dir);
    let config = odds_maths_config(&ctx, &server.base_url());
    let with_enricher = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        with_enricher.replace("enrich = [\"odds-maths\"]\n", ""),
    )
    .expect("config without the enricher");
    assert_ok(&ctx.run(&config, "odds"));
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 6);
    assert_eq!(ctx.count("SELECT count(*) FROM fair_prices"), 0);
    let requests = server.recordings.requests();

    std::fs::write(&config, &with_enricher).expect("config with the enricher");
    let config = config.to_str().expect("utf-8");
    assert_ok(&ctx.sluice(&["replay", "--config", config, "--run", "1"]));
    assert_eq!(
        server.recordings.requests(),
        requests,
        "a replay asks nothing"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM fair_prices"), 6);
    assert_close(
        &floats(
            &ctx,
            "SELECT selection, fair_price FROM fair_prices WHERE bookmaker = 'alpha' \
             ORDER BY selection",
        ),
        &[
            ("Arsenal", &[2.2540107]),
            ("Chelsea", &[3.6493506]),
            ("Draw", &[3.5420168]),
        ],
    );
    assert_eq!(ctx.count("SELECT count(*) FROM market_consensus"), 3);
    assert_produced_by_odds_maths(&ctx);
}

on_both_databases!(a_replay_passes_archived_batches_through_the_streams_enrichers);

/// A plugin folder with the test plugin `legacy-v0-1` (teams from
/// `/v1/teams`, built for contract 0.1.0) and the `team-aliases` enricher.
fn legacy_and_team_aliases(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let test_plugins = repo_root().join("target/test-plugins");
    for (from, name) in [
        (test_plugins.as_path(), "legacy-v0-1"),
        (plugin_dir().as_path(), "team-aliases"),
    ] {
        for ext in ["wasm", "toml"] {
            let file = format!("{name}.{ext}");
            std::fs::copy(from.join(&file), dir.join(&file)).unwrap_or_else(|e| {
                panic!("{}: {e} (run `make test`)", from.join(&file).display())
            });
        }
    }
    dir.to_path_buf()
}

fn aliases_config(ctx: &TestContext, base_url: &str, aliases: Option<&str>) -> PathBuf {
    let plugins = legacy_and_team_aliases(&ctx.path("plugins"));
    let resolution = match aliases {
        Some(text) => {
            std::fs::write(ctx.path("aliases.toml"), text).expect("aliases");
            "[resolution]\naliases = \"aliases.toml\"\n"
        }
        None => "",
    };
    let config = format!(
        "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n{resolution}\n[providers.legacy]\nplugin = \"legacy-v0-1\"\nbase_url = \"{base_url}\"\n\n[[pipelines.teams.streams]]\nprovider = \"legacy\"\nstream = \"teams\"\nenrich = [\"team-aliases\"]\n",
        db = ctx.database_url(),
        plugins = plugins.display(),
    );
    let path = ctx.path("sluice.toml");
    std::fs::write(&path, config).expect("config");
    path
}

fn team_aliases_renames_teams_from_the_alias_file(ctx: TestContext) {
    one_route_recordings(
        &ctx.path("recordings"),
        "/v1/teams",
        "",
        200,
        br#"[{"id": "7", "name": "Villa"}, {"id": "8", "name": "Brentford"}]"#,
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let config = aliases_config(
        &ctx,
        &server.base_url(),
        Some("[teams]\n\"Aston Villa FC\" = [\"Aston Villa\", \"villa\"]\n"),
    );
    assert_ok(&ctx.run(&config, "teams"));
    assert_eq!(
        ctx.query("SELECT provider_id, name FROM teams ORDER BY provider_id"),
        vec![
            vec!["7".to_string(), "Aston Villa FC".to_string()],
            vec!["8".to_string(), "Brentford".to_string()],
        ]
    );
}

on_both_databases!(team_aliases_renames_teams_from_the_alias_file);

#[test]
fn an_enricher_whose_lookup_table_has_no_source_is_refused_before_any_request() {
    let ctx = TestContext::new();
    let config = aliases_config(&ctx, "http://127.0.0.1:9", None);
    crate::sluice_snapshot!(
        "a_lookup_table_without_a_source",
        ctx.filters(),
        ctx.run(&config, "teams")
    );
}

#[test]
fn a_stream_naming_a_missing_enricher_is_refused() {
    let ctx = TestContext::new();
    let config = odds_maths_config(&ctx, "http://127.0.0.1:9");
    let text = std::fs::read_to_string(&config)
        .expect("config")
        .replace("\"odds-maths\"", "\"no-such-enricher\"");
    std::fs::write(&config, text).expect("config");
    crate::sluice_snapshot!(
        "a_missing_enricher",
        ctx.filters(),
        ctx.run(&config, "odds")
    );
}
