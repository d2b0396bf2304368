//! Quality checks declared per table: rows quarantined by a `quarantine`
//! check are exactly the failing ones, `fail_batch` and `fail_run` fail
//! what they say, a seeded dataset's grade comes out as the README's
//! formula says, `--validate-only` loads nothing, `min_grade` fails a run,
//! and `sluice check --table` grades what is loaded.
//!
//! The data: Bundesliga 2022 as recorded mid-season, 306 matches of which
//! 36 are on matchdays 31–34, 54 are finished and 252 have no score yet.

use crate::common::{ReplayServer, TestContext, demo_recordings, stderr, stdout};

const BL1: &str = r#"
[[pipelines.bl1.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "BL1", season = "2022" }
"#;

/// A config with the BL1 pipeline (with `pipeline_keys` in its table) and
/// `checks` as `[quality]`.
fn config(ctx: &TestContext, server: &ReplayServer, pipeline_keys: &str, checks: &str) -> String {
    let pipelines = format!("[pipelines.bl1]\n{pipeline_keys}\n{BL1}\n{checks}");
    let path = ctx.write_config(&server.base_url(), "", &pipelines);
    path.to_str().expect("utf-8 path").to_string()
}

const LATE_MATCHDAYS_QUARANTINED: &str = r#"
[[quality.checks]]
table = "events"
name = "early_matchdays"
check = "range"
column = "matchday"
max = 30
max_failing = "15%"
severity = "quarantine"
"#;

fn a_quarantine_check_quarantines_exactly_the_failing_rows(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = config(&ctx, &server, "", LATE_MATCHDAYS_QUARANTINED);
    let out = ctx.run(&config, "bl1");
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(summary.contains("quarantined: 36"), "{summary}");
    assert!(
        summary.contains("quality: grade B (score 0.843)"),
        "{summary}"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 270);
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE matchday > 30"),
        0
    );
    let quarantined =
        ctx.query("SELECT reason, count(*) FROM sluice_quarantine GROUP BY reason ORDER BY reason");
    assert_eq!(
        quarantined,
        [[
            "quality check `early_matchdays` failed".to_string(),
            "36".to_string()
        ]]
    );
    // Every quarantined row is one of matchdays 31 to 34, and each once.
    assert_eq!(
        ctx.count(
            "SELECT count(DISTINCT provider_id) FROM sluice_quarantine \
             WHERE raw LIKE '%\"matchday\":31%' OR raw LIKE '%\"matchday\":32%' \
             OR raw LIKE '%\"matchday\":33%' OR raw LIKE '%\"matchday\":34%'"
        ),
        36
    );
    let stored =
        ctx.query("SELECT name, rows_checked, failing, passed FROM quality_checks ORDER BY name");
    assert_eq!(stored, [["early_matchdays", "306", "36", "1"]]);
}

fn a_fail_batch_check_quarantines_the_batch(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let checks = r#"
[[quality.checks]]
table = "events"
name = "scores_present"
check = "not_null"
column = "home_score"
max_failing = "50%"
severity = "fail_batch"
"#;
    let config = config(&ctx, &server, "", checks);
    let out = ctx.run(&config, "bl1");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("quality check `scores_present` on events: 252 of 306 rows failed (max 50%); the batch was quarantined"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_quarantine WHERE kind = 'batch'"),
        1
    );
    assert_eq!(
        ctx.query("SELECT status FROM sluice_runs"),
        [["partial".to_string()]]
    );
}

fn a_fail_run_check_fails_the_run_and_a_warning_does_not(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    // Table-level: judged in the database after the load.
    let checks = r#"
[[quality.checks]]
table = "events"
name = "first_30_matchdays"
check = "sql"
expression = "matchday <= 30"
severity = "fail_run"

[[quality.checks]]
table = "events"
name = "all_finished"
check = "allowed"
column = "status"
values = ["finished"]
"#;
    let config = config(&ctx, &server, "", checks);
    let out = ctx.run(&config, "bl1");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("quality checks that fail the run failed: events.first_30_matchdays"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        ctx.query("SELECT status FROM sluice_runs"),
        [["failed".to_string()]]
    );
    // The data is loaded: a table-level check judges it after the load.
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 306);
    assert_eq!(
        ctx.query("SELECT name, failing, passed FROM quality_checks ORDER BY name"),
        [
            ["all_finished", "252", "0"],
            ["first_30_matchdays", "36", "0"]
        ]
    );
}

/// Four checks with known outcomes; the grade is the README's formula:
/// unit = 1 − 0.2·r within the allowance (r = failing / allowed), 0
/// beyond it, weighted warn 1, quarantine 2, fail_batch 3, fail_run 4.
const SEEDED: &str = r#"
[[quality.checks]]
table = "events"
name = "early_matchdays"
check = "range"
column = "matchday"
max = 30
max_failing = "15%"

[[quality.checks]]
table = "events"
name = "scores_present"
check = "not_null"
column = "home_score"
max_failing = "90%"
severity = "fail_batch"

[[quality.checks]]
table = "events"
name = "all_finished"
check = "allowed"
column = "status"
values = ["finished"]

[[quality.checks]]
table = "events"
name = "scores_not_negative"
check = "sql"
expression = "home_score IS NULL OR home_score >= 0"
severity = "fail_run"
"#;

fn a_seeded_dataset_is_graded_as_documented(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = config(&ctx, &server, "", SEEDED);
    let out = ctx.run(&config, "bl1");
    assert!(out.status.success(), "{}", stderr(&out));
    let early: f64 = 1.0 - 0.2 * (36.0 / (0.15 * 306.0));
    let scores: f64 = 1.0 - 0.2 * (252.0 / (0.90 * 306.0));
    let expected: f64 = (early * 1.0 + scores * 3.0 + 0.0 * 1.0 + 1.0 * 4.0) / 9.0;
    assert!((expected - 0.810457).abs() < 1e-6, "{expected}");
    let stored =
        ctx.query("SELECT table_name, score, grade FROM quality_reports ORDER BY table_name");
    assert_eq!(stored.len(), 2, "{stored:?}");
    for row in &stored {
        let score: f64 = row[1].parse().expect("a score");
        assert!((score - expected).abs() < 1e-9, "{row:?}");
        assert_eq!(row[2], "B");
    }
    let summary = stdout(&out);
    assert!(
        summary.contains("quality: grade B (score 0.810)"),
        "{summary}"
    );
    let units = ctx.query("SELECT name, failing, unit_score FROM quality_checks ORDER BY name");
    let unit = |name: &str| -> f64 {
        units
            .iter()
            .find(|r| r[0] == name)
            .map(|r| r[2].parse().expect("a number"))
            .expect("the check")
    };
    assert!((unit("early_matchdays") - early).abs() < 1e-9);
    assert!((unit("scores_present") - scores).abs() < 1e-9);
    assert_eq!(unit("all_finished"), 0.0);
    assert_eq!(unit("scores_not_negative"), 1.0);

    // `sluice runs show` prints the stored report.
    let shown = ctx.sluice(&["runs", "show", "--config", &config, "1"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let shown = stdout(&shown);
    assert!(shown.contains("quality: grade B (score 0.810)"), "{shown}");
    assert!(shown.contains("FAIL all_finished"), "{shown}");
}

fn min_grade_fails_a_run_below_it(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = config(&ctx, &server, "min_grade = \"A\"", SEEDED);
    let out = ctx.run(&config, "bl1");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("quality grade B (score 0.810) is below the pipeline's min_grade A"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        ctx.query("SELECT status FROM sluice_runs"),
        [["failed".to_string()]]
    );
}

fn validate_only_loads_nothing_and_moves_no_checkpoint(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = config(&ctx, &server, "min_grade = \"B\"", SEEDED);
    let out = ctx.sluice(&[
        "run",
        "--config",
        &config,
        "--pipeline",
        "bl1",
        "--validate-only",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(printed.contains("scores_present"), "{printed}");
    assert!(
        printed.contains("validate only: nothing was loaded and no checkpoint moved"),
        "{printed}"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_checkpoints"), 0);
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_quarantine"), 0);
    assert_eq!(ctx.count("SELECT count(*) FROM quality_reports"), 0);

    // Below min_grade it exits non-zero, still loading nothing.
    let strict = config_with_min_grade(&ctx, &server, "A");
    let out = ctx.sluice(&[
        "run",
        "--config",
        &strict,
        "--pipeline",
        "bl1",
        "--validate-only",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("below the pipeline's min_grade A"));
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);
}

fn config_with_min_grade(ctx: &TestContext, server: &ReplayServer, grade: &str) -> String {
    // Only the in-memory checks: the table-level one sees an empty table.
    let in_memory = SEEDED
        .split("[[quality.checks]]")
        .filter(|c| !c.contains("check = \"sql\""))
        .collect::<Vec<_>>()
        .join("[[quality.checks]]");
    config(ctx, server, &format!("min_grade = \"{grade}\""), &in_memory)
}

fn sluice_check_grades_what_is_loaded(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let checks = format!(
        "{SEEDED}\n{}",
        r#"
[[quality.checks]]
table = "events"
name = "updated_recently"
check = "freshness"
column = "provider_updated_at"
max_age = "1h"
"#
    );
    let config = config(&ctx, &server, "", &checks);
    let out = ctx.run(&config, "bl1");
    // The recorded data is from 2022: past its freshness limit, so F.
    assert!(
        stdout(&out).contains("quality: grade F"),
        "{}",
        stdout(&out)
    );
    let out = ctx.sluice(&["check", "--config", &config, "--table", "events"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("events: grade F"), "{report}");
    assert!(
        report.contains("forced F: `updated_recently`: data past its freshness limit"),
        "{report}"
    );
    assert!(report.contains("FAIL all_finished"), "{report}");
    assert!(report.contains("252 of 306 rows failed"), "{report}");
    let strict = ctx.sluice(&[
        "check",
        "--config",
        &config,
        "--table",
        "events",
        "--min-grade",
        "C",
    ]);
    assert!(!strict.status.success());
    assert!(stderr(&strict).contains("table `events` is graded F, below --min-grade C"));
}

crate::on_both_databases!(
    a_quarantine_check_quarantines_exactly_the_failing_rows,
    a_fail_batch_check_quarantines_the_batch,
    a_fail_run_check_fails_the_run_and_a_warning_does_not,
    a_seeded_dataset_is_graded_as_documented,
    min_grade_fails_a_run_below_it,
    validate_only_loads_nothing_and_moves_no_checkpoint,
    sluice_check_grades_what_is_loaded,
);

#[test]
fn a_check_config_error_names_its_key() {
    let ctx = TestContext::new();
    let checks = r#"
[[quality.checks]]
table = "events"
name = "x"
check = "range"
column = "matchday"
max_failing = "120%"
"#;
    let path = ctx.write_config("http://127.0.0.1:1", "", &format!("{BL1}\n{checks}"));
    let out = ctx.run(&path, "bl1");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("max_failing: expected a share from 0% to 100%"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("120%"), "{}", stderr(&out));

    let checks = r#"
[[quality.checks]]
table = "events"
name = "x"
check = "freshness"
column = "kickof"
max_age = "1h"
"#;
    let path = ctx.write_config("http://127.0.0.1:1", "", &format!("{BL1}\n{checks}"));
    let out = ctx.run(&path, "bl1");
    assert!(
        stderr(&out).contains("quality.checks[0].column: table `events` has no column `kickof`"),
        "{}",
        stderr(&out)
    );
}
