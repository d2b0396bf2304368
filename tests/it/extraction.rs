//! Extraction against the fault-injecting replay provider: rate limits
//! measured on the server side, retries through 429s, 5xx bursts, stalls and
//! truncated bodies, the circuit breaker, quotas, the response cache, the
//! raw archive and its replay.

use sluice::replay_provider::{FaultKind, FaultSpec, LoggedRequest};

use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, copy_dir, demo_recordings, error_line,
    football_data_with_manifest, many_match_routes, stderr,
};
use crate::sluice_snapshot;

/// The most requests any window of `period` seconds holds, by the server's
/// clock.
fn busiest_window(log: &[LoggedRequest], period: f64) -> usize {
    log.iter()
        .map(|r| {
            log.iter()
                .filter(|o| o.at <= r.at && o.at > r.at - period)
                .count()
        })
        .max()
        .unwrap_or(0)
}

fn statuses(log: &[LoggedRequest]) -> Vec<u16> {
    log.iter().map(|r| r.status).collect()
}

#[test]
fn no_window_of_the_period_ever_holds_more_than_the_configured_rate() {
    let ctx = TestContext::new();
    // The provider itself refuses a sixth request within any second.
    let pipeline = many_match_routes(
        &ctx.path("recordings"),
        16,
        "[limit]\nrequests = 5\nperiod_secs = 1.0\n",
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let config = ctx.write_config(&server.base_url(), "rate_limit = \"5/s\"", &pipeline);
    let out = ctx.run(&config, "p");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = server.recordings.request_log();
    assert_eq!(log.len(), 16);
    assert!(log.iter().all(|r| r.status == 200), "{:?}", statuses(&log));
    assert!(busiest_window(&log, 1.0) <= 5, "{log:?}");
}

#[test]
fn remaining_quota_headers_slow_the_host_before_the_provider_refuses() {
    let ctx = TestContext::new();
    // No rate_limit in the config: only the provider's countdown headers,
    // which the football-data manifest declares, hold the host back.
    let pipeline = many_match_routes(
        &ctx.path("recordings"),
        9,
        "[limit]\nrequests = 3\nperiod_secs = 1.0\nremaining_header = \"x-requests-available-minute\"\nreset_header = \"x-requestcounter-reset\"\n",
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let config = ctx.write_config(&server.base_url(), "", &pipeline);
    let out = ctx.run(&config, "p");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = server.recordings.request_log();
    assert_eq!(
        statuses(&log),
        vec![200; 9],
        "the provider never had to refuse"
    );
}

#[test]
fn a_run_through_429s_5xx_bursts_stalls_and_truncated_bodies_loads_every_record_once() {
    let server = ReplayServer::start(&demo_recordings());
    let faults = server.recordings.faults();
    let cl = "/v4/competitions/CL/matches";
    faults.add(FaultSpec {
        path: Some(cl.into()),
        skip: 0,
        times: 2,
        kind: FaultKind::Status {
            status: 429,
            retry_after: Some("1".into()),
            body: None,
        },
    });
    faults.add(FaultSpec {
        path: Some("/v4/competitions/CL/teams".into()),
        skip: 0,
        times: 3,
        kind: FaultKind::Status {
            status: 503,
            retry_after: None,
            body: None,
        },
    });
    faults.add(FaultSpec {
        path: Some("/v4/competitions/BL1/matches".into()),
        skip: 0,
        times: 1,
        kind: FaultKind::Stall,
    });
    faults.add(FaultSpec {
        path: Some("/v4/competitions/BL1/matches".into()),
        skip: 0,
        times: 1,
        kind: FaultKind::Truncate { bytes: 1000 },
    });
    let ctx = TestContext::new();
    let config = ctx.write_config(
        &server.base_url(),
        "retry_min_wait = \"50ms\"\ntimeout = \"1s\"\nbreaker_failures = 10",
        DEMO_PIPELINE,
    );
    let out = ctx.run(&config, "demo");
    crate::common::assert_ok(&out);
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 491);
    assert_eq!(ctx.count("SELECT count(*) FROM teams"), 79);
    assert_eq!(
        ctx.query("SELECT status, records_in, inserted, updated, quarantined, failed_batches FROM sluice_runs"),
        vec![vec!["succeeded", "572", "572", "0", "0", "0"]]
    );
    let log = server.recordings.request_log();
    let of = |path: &str| -> Vec<u16> {
        log.iter()
            .filter(|r| r.path == path)
            .map(|r| r.status)
            .collect()
    };
    assert_eq!(of(cl), vec![429, 429, 200]);
    assert_eq!(of("/v4/competitions/CL/teams"), vec![503, 503, 503, 200]);
    // The stall is never answered (0); the truncated body is sent as a 200.
    assert_eq!(of("/v4/competitions/BL1/matches"), vec![0, 200, 200]);
    // Retry-After: 1 was honoured, by the server's clock.
    let cl_times: Vec<f64> = log.iter().filter(|r| r.path == cl).map(|r| r.at).collect();
    assert!(cl_times[1] - cl_times[0] >= 0.95, "{cl_times:?}");
    assert!(cl_times[2] - cl_times[1] >= 0.95, "{cl_times:?}");
}

fn an_open_breaker_stops_requests_and_stays_open_for_the_next_run(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    server.recordings.faults().add(FaultSpec {
        path: None,
        skip: 0,
        times: 1000,
        kind: FaultKind::Status {
            status: 503,
            retry_after: None,
            body: None,
        },
    });
    let config = ctx.write_config(
        &server.base_url(),
        "retry_min_wait = \"10ms\"\nbreaker_failures = 3\nbreaker_cooldown = \"1h\"",
        DEMO_PIPELINE,
    );
    let config = config.to_str().expect("path");
    sluice_snapshot!("the_breaker_opens", ctx.filters(), ctx.run(config, "demo"));
    assert_eq!(
        server.recordings.requests(),
        3,
        "three failures open it; nothing goes out after"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);

    // `status` prints wall-clock times: when the breaker opened, when the
    // run started.
    let mut filters = ctx.filters();
    filters.push((
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?".to_string(),
        "[NOW]".to_string(),
    ));
    sluice_snapshot!(
        "status_with_the_breaker_open",
        filters,
        ctx.sluice(&["status", "--config", config])
    );

    sluice_snapshot!(
        "the_breaker_stays_open",
        ctx.filters(),
        ctx.run(config, "demo")
    );
    assert_eq!(
        server.recordings.requests(),
        3,
        "the next run finds it open"
    );
}

#[test]
fn a_quota_down_to_its_reserve_stops_the_provider_before_it_runs_out() {
    let ctx = TestContext::new();
    let plugins = football_data_with_manifest(&ctx.path("plugins"), |m| {
        format!(
            "{m}\n[[quota]]\nname = \"credits\"\nremaining = {{ header = \"x-requests-remaining\" }}\n"
        )
    });
    let recordings = ctx.path("recordings");
    copy_dir(&demo_recordings(), &recordings);
    let index = std::fs::read_to_string(recordings.join("index.toml")).expect("index");
    std::fs::write(
        recordings.join("index.toml"),
        index.replace(
            "headers = { \"x-api-version\" = \"v4\" }",
            "headers = { \"x-requests-remaining\" = \"4\" }",
        ),
    )
    .expect("index");
    let server = ReplayServer::start(&recordings);
    // One stream at a time: the request made is the first stream's.
    let pipeline = format!("[pipelines.demo]\nconcurrency = 1\n{DEMO_PIPELINE}");
    let config =
        ctx.write_config_with_plugins(&plugins, &server.base_url(), "quota_reserve = 5", &pipeline);
    // Which stream meets the reserve first is not the point: the message is.
    let out = ctx.run(&config, "demo");
    let line = error_line(&out);
    assert!(
        line.contains("provider football-data: quota `credits` has 4 requests left (header x-requests-remaining), at or under quota_reserve = 5: stopping before it runs out"),
        "{line}"
    );
    assert_eq!(server.recordings.requests(), 1);
    assert_eq!(
        ctx.count("SELECT count(*) FROM events"),
        185,
        "what was fetched still loads"
    );
}

fn the_cache_and_conditional_requests_spare_the_provider(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    // One stream at a time, so the provider sees the requests in order.
    let cached = "[pipelines.demo]\nconcurrency = 1\n".to_string()
        + DEMO_PIPELINE
            .replacen(
                "params = { competition = \"CL\", season = \"2022\" }",
                "params = { competition = \"CL\", season = \"2022\" }\ncache_ttl = \"5m\"",
                1,
            )
            .as_str();
    let config = ctx.write_config(&server.base_url(), "", &cached);
    let config = config.to_str().expect("path");
    for _ in 0..2 {
        let out = ctx.run(config, "demo");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let log = server.recordings.request_log();
    let paths: Vec<(&str, u16)> = log.iter().map(|r| (r.path.as_str(), r.status)).collect();
    assert_eq!(
        paths,
        vec![
            ("/v4/competitions/CL/matches", 200),
            ("/v4/competitions/CL/teams", 200),
            ("/v4/competitions/BL1/matches", 200),
            // Second run: CL matches is within its cache TTL and not asked
            // for; the others are revalidated with If-None-Match.
            ("/v4/competitions/CL/teams", 304),
            ("/v4/competitions/BL1/matches", 304),
        ]
    );
    assert_eq!(
        ctx.query("SELECT requests, unchanged FROM sluice_runs WHERE id = 2"),
        vec![vec!["2", "572"]]
    );
    assert_eq!(
        ctx.query("SELECT source, count(*) FROM sluice_responses GROUP BY source ORDER BY source"),
        vec![
            vec!["cache", "1"],
            vec!["network", "3"],
            vec!["not-modified", "2"]
        ]
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_payloads"),
        3,
        "each body is stored once"
    );
}

fn replaying_the_archive_reproduces_the_same_rows_without_the_provider(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", DEMO_PIPELINE);
    let config = config.to_str().expect("path");
    let out = ctx.run(config, "demo");
    assert!(out.status.success(), "{}", stderr(&out));
    drop(server);
    let content = "SELECT provider_id, competition, home_team, away_team, kickoff, status, home_score, away_score, \
                   home_score_extra_time, away_score_extra_time, home_score_penalties, away_score_penalties FROM events ORDER BY provider_id";
    let before = ctx.query(content);
    let teams = ctx.query("SELECT provider_id, name, venue FROM teams ORDER BY provider_id");
    wipe(&ctx);
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);

    sluice_snapshot!(
        "replay_of_run_1",
        ctx.filters(),
        ctx.sluice(&["replay", "--config", config, "--run", "1"])
    );
    assert_eq!(ctx.query(content), before);
    assert_eq!(
        ctx.query("SELECT provider_id, name, venue FROM teams ORDER BY provider_id"),
        teams
    );
    assert_eq!(
        ctx.query("SELECT mode, replay_of, requests, inserted FROM sluice_runs WHERE id = 2"),
        vec![vec!["replay", "1", "0", "572"]]
    );
}

/// Empties the canonical tables, as a broken normalizer's rows would be
/// deleted before a repair.
fn wipe(ctx: &TestContext) {
    for table in ["events", "teams", "competitions"] {
        ctx.query(&format!("DELETE FROM {table}"));
    }
}

fn a_dry_run_loads_nothing_and_says_what_would_change(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", DEMO_PIPELINE);
    let run = [
        "run",
        "--config",
        config.to_str().expect("path"),
        "--pipeline",
        "demo",
        "--dry-run",
    ];
    sluice_snapshot!("dry_run", ctx.filters(), ctx.sluice(&run));
    for table in [
        "events",
        "teams",
        "competitions",
        "sluice_checkpoints",
        "sluice_responses",
        "sluice_payloads",
    ] {
        assert_eq!(
            ctx.count(&format!("SELECT count(*) FROM {table}")),
            0,
            "{table}"
        );
    }
    assert_eq!(
        ctx.query("SELECT mode, status, inserted FROM sluice_runs"),
        vec![vec!["dry-run", "succeeded", "572"]]
    );
}

#[test]
fn max_requests_bounds_a_run() {
    let server = ReplayServer::start(&demo_recordings());
    let ctx = TestContext::new();
    // One stream at a time: the two requests are the first two streams'.
    let pipeline = format!("[pipelines.demo]\nconcurrency = 1\n{DEMO_PIPELINE}");
    let config = ctx.write_config(&server.base_url(), "", &pipeline);
    let run = [
        "run",
        "--config",
        config.to_str().expect("path"),
        "--pipeline",
        "demo",
        "--max-requests",
        "2",
    ];
    sluice_snapshot!("stopped_at_max_requests", ctx.filters(), ctx.sluice(&run));
    assert_eq!(server.recordings.requests(), 2);
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 185);
    assert_eq!(
        ctx.query("SELECT note FROM sluice_runs"),
        vec![vec!["stopped at --max-requests 2"]]
    );
}

crate::on_both_databases!(
    an_open_breaker_stops_requests_and_stays_open_for_the_next_run,
    the_cache_and_conditional_requests_spare_the_provider,
    replaying_the_archive_reproduces_the_same_rows_without_the_provider,
    a_dry_run_loads_nothing_and_says_what_would_change,
);

#[test]
fn replay_by_time_range_takes_the_responses_fetched_in_it() {
    let ctx = TestContext::new();
    let server = ReplayServer::start(&demo_recordings());
    // One stream at a time, so the responses are fetched in config order.
    let pipeline = format!("[pipelines.demo]\nconcurrency = 1\n{DEMO_PIPELINE}");
    let config = ctx.write_config(&server.base_url(), "", &pipeline);
    let out = ctx.run(&config, "demo");
    assert!(out.status.success(), "{}", stderr(&out));
    drop(server);
    let fetched = ctx.query("SELECT fetched_at FROM sluice_responses ORDER BY id");
    assert_eq!(fetched.len(), 3);
    wipe(&ctx);
    // From the second response on: the teams and the BL1 matches.
    let config = config.to_str().expect("path");
    let replay = ctx.sluice(&[
        "replay",
        "--config",
        config,
        "--since",
        &fetched[1][0],
        "--until",
        "9999-01-01T00:00:00Z",
    ]);
    crate::common::assert_ok(&replay);
    assert_eq!(ctx.count("SELECT count(*) FROM teams"), 79);
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 306);
    assert_eq!(ctx.count("SELECT count(*) FROM competitions"), 1);
    let nothing = ctx.sluice(&[
        "replay",
        "--config",
        config,
        "--since",
        "2000-01-01T00:00:00Z",
        "--until",
        "2000-01-02T00:00:00Z",
    ]);
    assert_eq!(
        error_line(&nothing),
        "error: nothing to replay: no response was archived between 2000-01-01T00:00:00Z and 2000-01-02T00:00:00Z"
    );
}
