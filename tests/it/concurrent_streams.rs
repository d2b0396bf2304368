//! A pipeline's streams run at once, up to its `concurrency`: their
//! requests overlap, while the provider's limits hold across them and the
//! run's summary reads the same as when they run one after another.

use sluice::replay_provider::{FaultKind, FaultSpec, LoggedRequest};

use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, assert_ok, demo_recordings, error_line,
    football_data_with_manifest, many_match_routes, stderr, stdout,
};

/// A recordings folder with `n` single-match routes, every request answered
/// `delay_ms` late (when not 0), and a football-data plugin whose manifest declares no
/// quota window (so no request waits to learn one); returns the config of
/// pipeline `p`, one stream per route, running `concurrency` at once.
fn delayed_streams(
    ctx: &TestContext,
    n: usize,
    delay_ms: u64,
    concurrency: u32,
) -> (ReplayServer, std::path::PathBuf) {
    let streams = many_match_routes(&ctx.path("recordings"), n, "");
    let server = ReplayServer::start(&ctx.path("recordings"));
    if delay_ms > 0 {
        server.recordings.faults().add(FaultSpec {
            path: None,
            skip: 0,
            times: u32::MAX,
            kind: FaultKind::Delay { ms: delay_ms },
        });
    }
    let plugins = football_data_with_manifest(&ctx.path("plugins"), |m| {
        m.split("[[quota]]").next().unwrap_or_default().to_string()
    });
    let pipeline = format!("[pipelines.p]\nconcurrency = {concurrency}\n\n{streams}");
    let config = ctx.write_config_with_plugins(&plugins, &server.base_url(), "", &pipeline);
    (server, config)
}

/// Arrival times in seconds, by the provider's clock, in arrival order.
fn arrivals(log: &[LoggedRequest]) -> Vec<f64> {
    let mut at: Vec<f64> = log.iter().map(|r| r.at).collect();
    at.sort_by(f64::total_cmp);
    at
}

/// The summary without its first line, which holds the run id and time.
fn summary(out: &std::process::Output) -> Vec<String> {
    stdout(out).lines().skip(1).map(str::to_string).collect()
}

#[test]
fn streams_run_at_once_up_to_the_pipeline_concurrency() {
    let ctx = TestContext::new();
    let delay = 2.0;
    let (server, config) = delayed_streams(&ctx, 6, 2000, 3);
    assert_ok(&ctx.run(&config, "p"));
    let log = server.recordings.request_log();
    assert_eq!(log.len(), 6, "{log:?}");
    assert!(log.iter().all(|r| r.status == 200), "{log:?}");
    let at = arrivals(&log);
    // Each answer comes `delay` after its request: the first three streams'
    // requests all arrived before the first was answered…
    assert!(
        at[2] - at[0] < delay,
        "three streams should have asked at once: {at:?}"
    );
    // …and never more than three were out at once: the fourth stream only
    // started once a stream had its answer.
    assert!(
        at[3] - at[0] >= delay - 0.01,
        "a fourth stream started before any slot was free: {at:?}"
    );
    for (i, t) in at.iter().enumerate() {
        let in_flight = at[..=i].iter().filter(|s| *s + delay > *t).count();
        assert!(in_flight <= 3, "{in_flight} requests out at {t}: {at:?}");
    }
}

#[test]
fn a_concurrency_of_one_runs_the_streams_in_config_order() {
    let ctx = TestContext::new();
    let (server, config) = delayed_streams(&ctx, 3, 1000, 1);
    assert_ok(&ctx.run(&config, "p"));
    let log = server.recordings.request_log();
    let paths: Vec<&str> = log.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/v4/matches/1", "/v4/matches/2", "/v4/matches/3"]);
    for pair in log.windows(2) {
        assert!(
            pair[1].at - pair[0].at >= 0.99,
            "a stream asked before the one before it was answered: {log:?}"
        );
    }
}

/// The demo pipeline (its teams stream written with `write = "replace"`
/// when `replace`) run with `concurrency` into a fresh database: its
/// summary, and what landed.
fn demo_run(postgres: bool, concurrency: u32, replace: bool) -> (Vec<String>, Vec<Vec<String>>) {
    let ctx = if postgres {
        TestContext::postgres()
    } else {
        TestContext::new()
    };
    let server = ReplayServer::start(&demo_recordings());
    let mut streams = DEMO_PIPELINE.to_string();
    if replace {
        streams = streams.replace(
            "stream = \"teams\"",
            "stream = \"teams\"\nwrite = \"replace\"",
        );
    }
    let pipeline = format!("[pipelines.demo]\nconcurrency = {concurrency}\n{streams}");
    let config = ctx.write_config(&server.base_url(), "", &pipeline);
    let out = ctx.run(&config, "demo");
    assert_ok(&out);
    assert_eq!(server.recordings.requests(), 3);
    let landed = ctx.query(
        "SELECT (SELECT count(*) FROM competitions), (SELECT count(*) FROM teams), \
         (SELECT count(*) FROM events), (SELECT count(*) FROM sluice_checkpoints), \
         (SELECT records_in FROM sluice_runs)",
    );
    (summary(&out), landed)
}

fn the_summary_is_the_same_whatever_the_concurrency(ctx: TestContext) {
    let postgres = !ctx.database_url().starts_with("sqlite:");
    for replace in [false, true] {
        let (one_by_one, landed_one_by_one) = demo_run(postgres, 1, replace);
        let (at_once, landed_at_once) = demo_run(postgres, 3, replace);
        assert!(
            at_once
                .iter()
                .any(|l| l.contains("balanced: 572 in = 572 inserted")),
            "{at_once:?}"
        );
        assert_eq!(at_once, one_by_one, "replace: {replace}");
        assert_eq!(landed_at_once, landed_one_by_one, "replace: {replace}");
    }
}

crate::on_both_databases!(the_summary_is_the_same_whatever_the_concurrency);

#[test]
fn a_quota_window_holds_across_streams_running_at_once() {
    let ctx = TestContext::new();
    // The provider refuses a fourth request within any second and says so
    // in football-data.org's countdown headers, which the plugin's manifest
    // declares; the config sets no rate limit of its own.
    let streams = many_match_routes(
        &ctx.path("recordings"),
        9,
        "[limit]\nrequests = 3\nperiod_secs = 1.0\nremaining_header = \"x-requests-available-minute\"\nreset_header = \"x-requestcounter-reset\"\n",
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let pipeline = format!("[pipelines.p]\nconcurrency = 9\n\n{streams}");
    let config = ctx.write_config(&server.base_url(), "", &pipeline);
    let out = ctx.run(&config, "p");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = server.recordings.request_log();
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![200; 9], "the provider never had to refuse");
}

#[test]
fn a_configured_rate_limit_holds_across_streams_running_at_once() {
    let ctx = TestContext::new();
    // The provider's window is a little shorter than the configured
    // limit's period: a request reaches it a few milliseconds after the
    // host sends it, later on a new connection than on a warm one.
    let streams = many_match_routes(
        &ctx.path("recordings"),
        12,
        "[limit]\nrequests = 4\nperiod_secs = 0.95\n",
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let pipeline = format!("[pipelines.p]\nconcurrency = 6\n\n{streams}");
    let config = ctx.write_config(&server.base_url(), "rate_limit = \"4/s\"", &pipeline);
    let out = ctx.run(&config, "p");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = server.recordings.request_log();
    assert_eq!(log.len(), 12, "{log:?}");
    assert!(log.iter().all(|r| r.status == 200), "{log:?}");
}

#[test]
fn failures_are_reported_in_config_order_and_the_other_streams_load() {
    let ctx = TestContext::new();
    let (server, config) = delayed_streams(&ctx, 4, 0, 4);
    // Streams 1 and 3 ask for matches the provider does not have: stream 1
    // is answered (404) a second late, after stream 3 failed.
    let text = std::fs::read_to_string(&config).expect("config");
    let text =
        text.replacen("id = \"1\"", "id = \"101\"", 1)
            .replacen("id = \"3\"", "id = \"103\"", 1);
    std::fs::write(&config, text).expect("config");
    server.recordings.faults().add(FaultSpec {
        path: Some("/v4/matches/101".to_string()),
        skip: 0,
        times: 1,
        kind: FaultKind::Delay { ms: 1000 },
    });
    let out = ctx.run(&config, "p");
    let line = error_line(&out);
    assert!(
        line.contains("/v4/matches/101") && line.contains("(and 1 more"),
        "{line}"
    );
    let printed = stdout(&out);
    let failed: Vec<&str> = printed
        .lines()
        .filter(|l| l.trim_start().starts_with("! "))
        .collect();
    assert_eq!(failed.len(), 2, "{printed}");
    assert!(failed[0].contains("id=101"), "{failed:?}");
    assert!(failed[1].contains("id=103"), "{failed:?}");
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_responses"),
        2,
        "streams 2 and 4 loaded"
    );
}

#[test]
fn max_requests_bounds_the_run_across_streams_running_at_once() {
    let ctx = TestContext::new();
    let (server, config) = delayed_streams(&ctx, 6, 300, 3);
    let out = ctx.sluice(&[
        "run",
        "--config",
        config.to_str().expect("path"),
        "--pipeline",
        "p",
        "--max-requests",
        "4",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("stopped at --max-requests"),
        "{}",
        stdout(&out)
    );
    assert_eq!(server.recordings.requests(), 4);
    assert_eq!(
        ctx.query("SELECT note, requests FROM sluice_runs"),
        vec![vec!["stopped at --max-requests 4", "4"]]
    );
}
