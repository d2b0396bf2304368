//! What a person (or a log shipper) reads of an unattended season: JSON log
//! lines, the log lines each run keeps in the database, `sluice runs`,
//! `sluice runs show`, `sluice status` with quotas and freshness, and
//! `sluice metrics`, all through the real binary on the demo pipeline.

use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, assert_ok, demo_recordings, sluice_command, stderr,
    stdout,
};

/// The demo pipeline with `head` (TOML) before it, run `runs` times.
fn demo_runs(ctx: &TestContext, head: &str, runs: usize) -> String {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", &format!("{head}\n{DEMO_PIPELINE}"));
    let config = config.to_str().expect("utf-8 path").to_string();
    for _ in 0..runs {
        assert_ok(&ctx.run(&config, "demo"));
    }
    config
}

/// `sluice ARGS --database URL` in the test's folder.
fn sluice_on(ctx: &TestContext, args: &[&str]) -> std::process::Output {
    let url = ctx.database_url();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--database", &url]);
    let out = ctx.sluice(&all);
    assert_ok(&out);
    out
}

fn json_log_lines_parse_and_carry_the_run_and_pipeline(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", DEMO_PIPELINE);
    let config = config.to_str().expect("utf-8 path");
    // The flag, and the environment variable.
    let by_flag = ctx.sluice(&[
        "run",
        "-v",
        "--log-format",
        "json",
        "--config",
        config,
        "--pipeline",
        "demo",
    ]);
    assert_ok(&by_flag);
    let by_env = sluice_command(&["run", "-v", "--config", config, "--pipeline", "demo"])
        .current_dir(ctx.dir.path())
        .env("SLUICE_LOG_FORMAT", "json")
        .output()
        .expect("run sluice");
    assert_ok(&by_env);
    for (out, run_id) in [(&by_flag, 1), (&by_env, 2)] {
        let lines: Vec<serde_json::Value> = stderr(out)
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
            })
            .collect();
        assert!(!lines.is_empty(), "no log line at -v");
        for line in &lines {
            assert!(line["timestamp"].is_string(), "{line}");
            assert!(line["level"].is_string(), "{line}");
            assert!(line["message"].is_string(), "{line}");
        }
        let committed: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["message"] == "batch committed")
            .collect();
        assert_eq!(committed.len(), 3, "{lines:?}");
        for line in committed {
            assert_eq!(line["run_id"], run_id, "{line}");
            assert_eq!(line["pipeline"], "demo", "{line}");
            assert_eq!(line["provider"], "football-data", "{line}");
            assert_eq!(line["plugin"], "football-data", "{line}");
            assert!(line["stream"].is_string(), "{line}");
        }
    }
}

fn a_run_keeps_its_log_lines_up_to_the_bound(ctx: TestContext) {
    demo_runs(&ctx, "[serve]\nlog_lines_per_run = 3\n", 1);
    // Three lines, then the one saying how many more were not kept.
    let kept = ctx.query(
        "SELECT seq, level, message, fields FROM sluice_run_logs WHERE run_id = 1 ORDER BY seq",
    );
    assert_eq!(kept.len(), 4, "{kept:?}");
    assert_eq!(
        kept.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        ["1", "2", "3", "4"]
    );
    assert_eq!(kept[3][1], "WARN");
    assert!(kept[3][2].contains("not kept"), "{kept:?}");
    let fields: serde_json::Value = serde_json::from_str(&kept[0][3]).expect("fields are JSON");
    assert_eq!(fields["pipeline"], "demo", "{fields}");

    let out = sluice_on(&ctx, &["logs", "--run", "1"]);
    let printed = stdout(&out);
    assert_eq!(printed.lines().count(), 4, "{printed}");
    assert!(
        printed
            .lines()
            .last()
            .is_some_and(|l| l.contains("WARN") && l.contains("not kept")),
        "{printed}"
    );
    assert!(printed.contains("pipeline=demo"), "{printed}");
    let warnings = stdout(&sluice_on(&ctx, &["logs", "--run", "1", "--level", "warn"]));
    assert_eq!(warnings.lines().count(), 1, "{warnings}");
    let last_two = stdout(&sluice_on(&ctx, &["logs", "--run", "1", "--limit", "2"]));
    assert_eq!(last_two.lines().count(), 2, "{last_two}");
}

fn a_run_keeps_every_line_under_the_bound(ctx: TestContext) {
    demo_runs(&ctx, "", 1);
    let messages = ctx.query("SELECT message FROM sluice_run_logs WHERE run_id = 1 ORDER BY seq");
    let messages: Vec<&str> = messages.iter().map(|r| r[0].as_str()).collect();
    for wanted in ["batch normalized", "batch committed", "stream finished"] {
        assert!(messages.contains(&wanted), "{wanted} missing: {messages:?}");
    }
    assert!(
        !messages.iter().any(|m| m.contains("not kept")),
        "{messages:?}"
    );
    let printed = stdout(&sluice_on(&ctx, &["logs", "--run", "1", "--limit", "1000"]));
    assert_eq!(printed.lines().count(), messages.len(), "{printed}");
    let missing = ctx.sluice(&["logs", "--run", "99", "--database", &ctx.database_url()]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("there is no run 99"),
        "{}",
        stderr(&missing)
    );
}

fn runs_filter_by_age_and_pipeline_and_show_one_run(ctx: TestContext) {
    demo_runs(&ctx, "", 2);
    ctx.query(
        "INSERT INTO sluice_runs (pipeline, mode, status, started_at, finished_at, requests) \
         VALUES ('old', 'run', 'succeeded', '2020-01-01T00:00:00.000000Z', '2020-01-01T00:00:05.000000Z', 7)",
    );
    let ids = |out: &std::process::Output| -> Vec<String> {
        stdout(out)
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|w| w.parse::<i64>().is_ok())
            .collect()
    };
    assert_eq!(ids(&sluice_on(&ctx, &["runs"])), ["3", "2", "1"]);
    assert_eq!(
        ids(&sluice_on(&ctx, &["runs", "--since", "6h"])),
        ["2", "1"]
    );
    assert_eq!(ids(&sluice_on(&ctx, &["runs", "--pipeline", "old"])), ["3"]);
    assert_eq!(
        ids(&sluice_on(
            &ctx,
            &["runs", "--pipeline", "demo", "--limit", "1"]
        )),
        ["2"]
    );

    let shown = stdout(&sluice_on(&ctx, &["runs", "show", "1"]));
    assert!(
        shown.starts_with("run 1 of demo (run): succeeded"),
        "{shown}"
    );
    assert!(
        shown.contains("3 requests, 572 records in: 572 inserted, 0 updated, 0 unchanged"),
        "{shown}"
    );
    for stream in [
        "football-data/matches?competition=CL&season=2022",
        "football-data/teams?competition=CL&season=2022",
        "football-data/matches?competition=BL1&season=2022",
    ] {
        assert!(shown.contains(stream), "{stream} missing:\n{shown}");
    }
    assert!(shown.contains("batch committed"), "{shown}");
    let missing = ctx.sluice(&["runs", "show", "42", "--database", &ctx.database_url()]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("there is no run 42"),
        "{}",
        stderr(&missing)
    );
}

fn status_shows_quotas_and_stale_streams(ctx: TestContext) {
    let config = demo_runs(&ctx, "[pipelines.demo]\nfreshness = \"1h\"\n", 1);
    ctx.query(
        "INSERT INTO sluice_quotas (provider, quota, scope, remaining, quota_limit, resets_at, updated_at) \
         VALUES ('football-data', 'minute', '', 12, 100, '2030-01-01T00:01:00Z', '2030-01-01T00:00:00.000000Z')",
    );
    let status = |ctx: &TestContext| {
        let out = ctx.sluice(&["status", "--config", &config]);
        assert_ok(&out);
        stdout(&out)
    };
    let fresh = status(&ctx);
    let quota = fresh
        .lines()
        .find(|l| l.contains("football-data") && l.contains("minute"))
        .unwrap_or_else(|| panic!("no quota line:\n{fresh}"));
    assert!(quota.contains("12 / 100"), "{quota}");
    assert!(quota.contains("resets 2030-01-01T00:01:00"), "{quota}");
    let streams: Vec<&str> = fresh
        .lines()
        .filter(|l| l.contains("last success"))
        .collect();
    assert_eq!(streams.len(), 3, "{fresh}");
    assert!(
        streams
            .iter()
            .all(|l| l.trim_end().ends_with("1h") && !l.contains("STALE")),
        "{fresh}"
    );

    ctx.query(
        "UPDATE sluice_stream_freshness SET last_success = '2020-01-01T00:00:00.000000Z' \
         WHERE stream_key = 'football-data/teams?competition=CL&season=2022'",
    );
    let later = status(&ctx);
    let stale: Vec<&str> = later.lines().filter(|l| l.contains("STALE")).collect();
    assert_eq!(stale.len(), 1, "{later}");
    assert!(stale[0].contains("football-data/teams"), "{later}");
}

fn metrics_equal_the_sums_of_the_runs(ctx: TestContext) {
    demo_runs(&ctx, "", 2);
    let export = ctx.path("metrics.json");
    let export_arg = export.to_str().expect("utf-8 path");
    let out = sluice_on(&ctx, &["metrics", "--hours", "6", "--export", export_arg]);
    let table = stdout(&out);
    assert!(table.contains("demo"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).expect("the export was written"))
            .expect("the export is JSON");
    let sums = &ctx.query(
        "SELECT count(*), CAST(sum(requests) AS BIGINT), CAST(sum(records_in) AS BIGINT), \
         CAST(sum(inserted) AS BIGINT), CAST(sum(updated) AS BIGINT), CAST(sum(unchanged) AS BIGINT), \
         CAST(sum(quarantined) AS BIGINT), count(finished_at) FROM sluice_runs",
    )[0];
    let total = &json["total"];
    for (i, key) in [
        "runs",
        "requests",
        "records_in",
        "inserted",
        "updated",
        "unchanged",
        "quarantined",
        "finished",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(total[key].to_string(), sums[i], "{key}: {json}");
    }
    assert_eq!(total["succeeded"], 2, "{json}");
    assert!(
        total["mean_duration_seconds"]
            .as_f64()
            .is_some_and(|s| s > 0.0),
        "{json}"
    );
    let buckets = json["buckets"].as_array().expect("buckets");
    assert!(!buckets.is_empty());
    assert!(buckets.iter().all(|b| b["pipeline"] == "demo"), "{json}");
    let records: i64 = buckets
        .iter()
        .filter_map(|b| b["records_in"].as_i64())
        .sum();
    assert_eq!(records.to_string(), sums[2]);
    // Runs from before the hours asked for are not counted.
    ctx.query(
        "INSERT INTO sluice_runs (pipeline, mode, status, started_at, requests) \
         VALUES ('old', 'run', 'failed', '2020-01-01T00:00:00.000000Z', 7)",
    );
    sluice_on(&ctx, &["metrics", "--hours", "6", "--export", export_arg]);
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).expect("the export was written"))
            .expect("the export is JSON");
    assert_eq!(again["total"], json["total"]);
}

crate::on_both_databases!(
    json_log_lines_parse_and_carry_the_run_and_pipeline,
    a_run_keeps_its_log_lines_up_to_the_bound,
    a_run_keeps_every_line_under_the_bound,
    runs_filter_by_age_and_pipeline_and_show_one_run,
    status_shows_quotas_and_stale_streams,
    metrics_equal_the_sums_of_the_runs,
);
