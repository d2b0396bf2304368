//! `plugin` quality checks: a validator component judges a batch's rows.
//! The rows it fails are exactly the ones quarantined, with its reason; one
//! that cannot judge (an error, a panic, a loop, a verdict for a row the
//! batch does not have) fails its batch whole and nothing of it loads; a
//! missing or wrong component is refused before the run starts. And
//! freshness judged by a stream's last success.
//!
//! The data: Bundesliga 2022 as recorded mid-season, 306 matches on
//! matchdays 1–34, 9 per matchday: 153 on odd matchdays.

use std::path::{Path, PathBuf};

use crate::common::{
    ReplayServer, TestContext, demo_recordings, plugin_dir, repo_root, stderr, stdout,
};

const BL1: &str = r#"
[pipelines.bl1]

[[pipelines.bl1.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "BL1", season = "2022" }
"#;

/// A plugin folder with football-data, the first-party validator and the
/// tests' probe validator.
fn plugins(ctx: &TestContext) -> PathBuf {
    let dir = ctx.path("plugins");
    std::fs::create_dir_all(&dir).expect("mkdir plugins");
    let probe = repo_root().join("target/test-plugins/validator-probe.wasm");
    assert!(
        probe.is_file(),
        "{} is missing: run `make test-plugins` first (`make test` does)",
        probe.display()
    );
    let sources: [(PathBuf, &str); 3] = [
        (plugin_dir(), "football-data"),
        (plugin_dir(), "kickoff-in-season"),
        (repo_root().join("target/test-plugins"), "validator-probe"),
    ];
    for (from, name) in sources {
        for ext in ["wasm", "toml"] {
            let file = from.join(format!("{name}.{ext}"));
            std::fs::copy(&file, dir.join(format!("{name}.{ext}"))).unwrap_or_else(|e| {
                panic!("{}: {e} (run `make plugins test-plugins`)", file.display())
            });
        }
    }
    dir
}

fn config(ctx: &TestContext, plugins: &Path, server: &ReplayServer, checks: &str) -> String {
    let path =
        ctx.write_config_with_plugins(plugins, &server.base_url(), "", &format!("{BL1}\n{checks}"));
    path.to_str().expect("utf-8 path").to_string()
}

fn probe_check(mode: &str, severity: &str) -> String {
    format!(
        r#"
[[quality.checks]]
table = "events"
name = "even_matchdays"
check = "plugin"
plugin = "validator-probe"
params = {{ mode = "{mode}", column = "matchday" }}
max_failing = "60%"
severity = "{severity}"
"#
    )
}

fn a_validator_quarantines_exactly_the_rows_it_fails(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let plugins = plugins(&ctx);
    let config = config(&ctx, &plugins, &server, &probe_check("odd", "quarantine"));
    let out = ctx.run(&config, "bl1");
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(summary.contains("quarantined: 153"), "{summary}");
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 153);
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE matchday % 2 = 1"),
        0
    );
    // Each quarantined row carries the validator's own reason, its matchday.
    let reasons = ctx.query(
        "SELECT reason, count(*) FROM sluice_quarantine \
         WHERE reason LIKE 'quality check `even_matchdays` failed: matchday %' \
         GROUP BY reason ORDER BY reason",
    );
    assert_eq!(reasons.len(), 17, "{reasons:?}");
    assert_eq!(
        reasons[0],
        [
            "quality check `even_matchdays` failed: matchday 1 is odd".to_string(),
            "9".to_string()
        ]
    );
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_quarantine"), 153);
    assert_eq!(
        ctx.query("SELECT kind, rows_checked, failing, passed FROM quality_checks"),
        [["plugin", "306", "153", "1"]]
    );
}

fn the_first_party_validator_passes_a_real_season_and_fails_a_wrong_label(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let plugins = plugins(&ctx);
    let checks = r#"
[[quality.checks]]
table = "events"
name = "kickoff_in_season"
check = "plugin"
plugin = "kickoff-in-season"
severity = "quarantine"
"#;
    let out = ctx.run(config(&ctx, &plugins, &server, checks), "bl1");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 306);
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_quarantine"), 0);
    // The same season judged as if its columns were the other way round:
    // every kickoff read as a season label fails, with the reason.
    let swapped = checks.to_string()
        + "params = { season_column = \"kickoff\", kickoff_column = \"kickoff\" }\n";
    let swapped = swapped.replace("kickoff_in_season\"", "swapped\"");
    let ctx2 = TestContext::new();
    let plugins2 = crate::quality_plugins::plugins(&ctx2);
    let out = ctx2.run(config(&ctx2, &plugins2, &server, &swapped), "bl1");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ctx2.count("SELECT count(*) FROM events"), 0);
    assert_eq!(
        ctx2.count(
            "SELECT count(*) FROM sluice_quarantine WHERE reason LIKE \
             'quality check `swapped` failed: season label `20%T%` is not a year or a pair of years'"
        ),
        306
    );
}

fn a_validator_that_cannot_judge_fails_its_batch_whole(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let plugins = plugins(&ctx);
    for (mode, says) in [
        ("error", "invalid parameters: the probe was told to fail"),
        ("beyond", "a verdict for row 311 of a batch of 306 rows"),
        ("panic", "the probe was told to panic"),
        ("loop", "exceeded its time limit of 500 ms in validate"),
    ] {
        let config = config(&ctx, &plugins, &server, &probe_check(mode, "warn"));
        let out = ctx.run(&config, "bl1");
        assert!(!out.status.success(), "{mode}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("quality check `even_matchdays` on events: the validator could not judge the batch: "),
            "{mode}: {err}"
        );
        assert!(err.contains("validator-probe"), "{mode}: {err}");
        assert!(err.contains(says), "{mode}: {err}");
        assert_eq!(ctx.count("SELECT count(*) FROM events"), 0, "{mode}");
    }
    // Each run quarantined its one batch whole; nothing was lost.
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_quarantine WHERE kind = 'batch'"),
        4
    );
    assert_eq!(
        ctx.query("SELECT DISTINCT status FROM sluice_runs"),
        [["partial".to_string()]]
    );
}

crate::on_both_databases!(
    a_validator_quarantines_exactly_the_rows_it_fails,
    a_validator_that_cannot_judge_fails_its_batch_whole,
);

#[test]
fn the_first_party_validator_on_sqlite() {
    the_first_party_validator_passes_a_real_season_and_fails_a_wrong_label(TestContext::new());
}

#[test]
fn a_missing_or_wrong_validator_is_refused_before_the_run() {
    let ctx = TestContext::new();
    let server = ReplayServer::start(&demo_recordings());
    let plugins = plugins(&ctx);
    let check = |plugin: &str| {
        format!(
            "[[quality.checks]]\ntable = \"events\"\nname = \"v\"\ncheck = \"plugin\"\nplugin = \"{plugin}\"\n"
        )
    };
    let out = ctx.run(
        config(&ctx, &plugins, &server, &check("no-such-validator")),
        "bl1",
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("quality check v: "), "{err}");
    assert!(err.contains("no-such-validator"), "{err}");
    // A normalizer named as a validator: its manifest says what it is.
    let out = ctx.run(
        config(&ctx, &plugins, &server, &check("football-data")),
        "bl1",
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("quality check v: "), "{err}");
    assert!(err.contains("kind"), "{err}");
    // A path is no plugin name; and only `plugin` checks take `params`.
    let out = ctx.run(config(&ctx, &plugins, &server, &check("../evil")), "bl1");
    assert!(
        stderr(&out).contains("quality.checks[0].plugin: `../evil` is not a plugin name"),
        "{}",
        stderr(&out)
    );
    let bad = "[[quality.checks]]\ntable = \"events\"\nname = \"v\"\ncheck = \"not_null\"\ncolumn = \"kickoff\"\nparams = { a = \"b\" }\n";
    let out = ctx.run(config(&ctx, &plugins, &server, bad), "bl1");
    assert!(
        stderr(&out).contains("quality.checks[0].params: only a `plugin` check takes `params`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'success'"),
        0
    );
}

fn freshness_by_a_streams_last_success(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let plugins = plugins(&ctx);
    let checks = r#"
[[quality.checks]]
table = "events"
name = "fed"
check = "freshness"
stream = "football-data/matches"
max_age = "1h"

[[quality.checks]]
table = "events"
name = "other_fed"
check = "freshness"
stream = "football-data/teams"
max_age = "1h"
"#;
    let config = config(&ctx, &plugins, &server, checks);
    let out = ctx.run(&config, "bl1");
    let summary = stdout(&out);
    // The run's own stream succeeded a moment ago; the other never did,
    // which is a hard gate: grade F whatever the score.
    assert!(
        summary.contains("last success of football-data/matches "),
        "{summary}"
    );
    assert!(
        summary.contains("football-data/teams never succeeded"),
        "{summary}"
    );
    assert!(summary.contains("quality: grade F"), "{summary}");
    let stored = ctx.query("SELECT name, passed FROM quality_checks ORDER BY name");
    assert_eq!(stored, [["fed", "1"], ["other_fed", "0"]]);
}

crate::on_both_databases!(freshness_by_a_streams_last_success);
