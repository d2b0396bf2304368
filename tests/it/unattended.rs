//! `sluice serve` left running: schedules that never overlap and catch up
//! once, metrics that agree with the runs table, runs started over HTTP
//! with the admin token, and stops (SIGTERM, SIGKILL) that lose, duplicate
//! and leave behind nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::serving::{Serving, request as http, wait_for};
use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, copy_dir, demo_recordings, many_match_routes,
};

/// The Prometheus text format's samples: `name{labels}` -> value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// The sum of every sample of `name` whose labels include all of `labels`.
fn sum(samples: &BTreeMap<String, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(series, _)| {
            series.split('{').next() == Some(name)
                && labels
                    .iter()
                    .all(|(k, v)| series.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, v)| v)
        .sum()
}

/// Recordings of the demo whose every response takes `ms`.
fn slow_demo(ctx: &TestContext, ms: u64) -> ReplayServer {
    let recordings = ctx.path("recordings");
    copy_dir(&demo_recordings(), &recordings);
    let index = std::fs::read_to_string(recordings.join("index.toml")).expect("index");
    std::fs::write(
        recordings.join("index.toml"),
        format!("{index}\n[[fault]]\nkind = \"delay\"\nms = {ms}\ntimes = 1000000\n"),
    )
    .expect("index");
    ReplayServer::start(&recordings)
}

#[test]
fn two_scheduled_pipelines_never_overlap_and_their_metrics_equal_the_runs_table() {
    let ctx = TestContext::new();
    let server = slow_demo(&ctx, 150);
    // `demo` is due every 200 ms but a run takes longer: ticks are skipped.
    // `daily` runs on a cron expression every second.
    let pipelines = format!(
        "[pipelines.demo]\nschedule = {{ every = \"200ms\" }}\nconcurrency = 1\n{DEMO_PIPELINE}\n\
         [pipelines.daily]\nschedule = {{ cron = \"* * * * * *\", timezone = \"Europe/London\" }}\n\
         [[pipelines.daily.streams]]\nprovider = \"football-data\"\nstream = \"teams\"\n\
         params = {{ competition = \"CL\", season = \"2022\" }}\n"
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let mut serving = Serving::start(&ctx, &config, &[], &[]);
    let finished = |pipeline: &str| {
        ctx.count(&format!(
            "SELECT count(*) FROM sluice_runs WHERE pipeline = '{pipeline}' AND status <> 'running'"
        ))
    };
    wait_for("runs of both pipelines", Duration::from_secs(60), || {
        finished("demo") >= 4 && finished("daily") >= 3
    });

    // The metrics, read around the table: equal when no run ended between.
    let (metrics, runs) = (0..50)
        .find_map(|_| {
            let before = serving.get("/metrics")?.1;
            let runs = ctx.query(
                "SELECT pipeline, status, count(*), sum(records_in), sum(inserted) + sum(updated) + sum(unchanged), sum(quarantined) \
                 FROM sluice_runs WHERE status <> 'running' GROUP BY pipeline, status",
            );
            let after = serving.get("/metrics")?.1;
            (samples(&before) == samples(&after)).then(|| (samples(&after), runs))
        })
        .expect("a quiet moment between two reads of /metrics");
    for row in &runs {
        let labels = [("pipeline", row[0].as_str()), ("outcome", row[1].as_str())];
        assert_eq!(
            sum(&metrics, "sluice_runs_total", &labels),
            row[2].parse::<f64>().expect("count"),
            "{row:?}"
        );
        assert_eq!(row[1], "succeeded", "{runs:?}");
    }
    for pipeline in ["demo", "daily"] {
        let totals = ctx.query(&format!(
            "SELECT sum(records_in), sum(inserted), sum(updated), sum(unchanged), sum(quarantined) \
             FROM sluice_runs WHERE pipeline = '{pipeline}' AND status <> 'running'"
        ));
        let p = [("pipeline", pipeline)];
        let number = |i: usize| totals[0][i].parse::<f64>().expect("sum");
        assert_eq!(
            sum(&metrics, "sluice_stream_records_received_total", &p),
            number(0),
            "{pipeline}"
        );
        for (i, result) in ["inserted", "updated", "unchanged", "quarantined"]
            .iter()
            .enumerate()
        {
            let labels = [("pipeline", pipeline), ("result", *result)];
            assert_eq!(
                sum(&metrics, "sluice_stream_records_total", &labels),
                number(i + 1),
                "{pipeline} {result}"
            );
        }
        assert_eq!(
            sum(&metrics, "sluice_run_duration_seconds_count", &p),
            finished(pipeline) as f64
        );
        assert!(sum(&metrics, "sluice_stream_last_success_timestamp_seconds", &p) > 0.0);
    }
    assert!(
        sum(
            &metrics,
            "sluice_schedule_skipped_total",
            &[("pipeline", "demo")]
        ) >= 1.0
    );
    assert!(
        sum(
            &metrics,
            "sluice_provider_requests_total",
            &[("provider", "football-data"), ("status_class", "2xx")]
        ) > 0.0
    );
    assert!(
        sum(
            &metrics,
            "sluice_plugin_calls_total",
            &[("plugin", "football-data"), ("call", "normalize")]
        ) > 0.0
    );
    assert_eq!(
        sum(
            &metrics,
            "sluice_plugin_info",
            &[("plugin", "football-data")]
        ),
        1.0
    );
    assert!(sum(&metrics, "process_resident_memory_bytes", &[]) > 0.0);
    assert!(sum(&metrics, "sluice_load_rows_total", &[("table", "events")]) > 0.0);

    let status = serving.signal(libc::SIGTERM);
    assert!(status.success(), "exit after SIGTERM: {status:?}");

    // No two runs of a pipeline overlapped.
    for pipeline in ["demo", "daily"] {
        let spans = ctx.query(&format!(
            "SELECT started_at, finished_at FROM sluice_runs WHERE pipeline = '{pipeline}' ORDER BY id"
        ));
        for pair in spans.windows(2) {
            assert!(
                pair[1][0] >= pair[0][1],
                "{pipeline}: a run started at {} before the previous ended at {}",
                pair[1][0],
                pair[0][1]
            );
        }
    }
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'running'"),
        0
    );
    // The history as JSON is the table's.
    drop(serving);
}

#[test]
fn a_run_started_over_http_needs_the_token_and_a_second_one_is_refused_while_it_runs() {
    let ctx = TestContext::new();
    let server = slow_demo(&ctx, 400);
    let pipelines = format!(
        "[serve]\nadmin_token_env = \"SLUICE_TEST_ADMIN\"\n\n[pipelines.demo]\nconcurrency = 1\n{DEMO_PIPELINE}"
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let token = "admin-secret-7f3a";
    let serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", token)]);
    let post =
        |token: Option<&str>| http(&serving.addr, "POST", "/runs/demo", token).expect("answer");

    assert_eq!(post(None).0, 401);
    assert_eq!(post(Some("wrong")).0, 401);
    assert_eq!(
        http(&serving.addr, "POST", "/runs/nope", Some(token))
            .expect("answer")
            .0,
        404
    );
    assert_eq!(post(Some(token)).0, 202);
    let (status, body) = post(Some(token));
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("already going"), "{body}");

    wait_for("the run to end", Duration::from_secs(60), || {
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'succeeded'") == 1
    });
    let (status, body) = serving.get("/runs").expect("runs");
    assert_eq!(status, 200);
    let runs: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{runs}");
    assert_eq!(runs[0]["pipeline"], "demo");
    assert_eq!(runs[0]["status"], "succeeded");
    let id = runs[0]["id"].as_i64().expect("id");
    let (status, body) = serving.get(&format!("/runs/{id}")).expect("run");
    assert_eq!(status, 200);
    let detail: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(detail["run"]["id"], id);
    let streams = detail["streams"].as_array().expect("streams");
    assert_eq!(streams.len(), 3, "{detail}");
    let records: i64 = streams
        .iter()
        .filter_map(|s| s["records_in"].as_i64())
        .sum();
    assert_eq!(Some(records), detail["run"]["records_in"].as_i64());
    assert_eq!(serving.get("/runs/999999").expect("answer").0, 404);
    assert_eq!(serving.get("/runs/x").expect("answer").0, 400);
    // A started server never shows its token.
    for path in ["/runs", "/metrics", "/plugins", &format!("/runs/{id}")] {
        let (_, body) = serving.get(path).expect("answer");
        assert!(!body.contains(token), "{path} shows the token");
    }
}

#[test]
fn sigterm_mid_run_commits_what_it_fetched_and_exits_0_and_the_next_run_goes_on() {
    let ctx = TestContext::new();
    let recordings = ctx.path("recordings");
    let streams = many_match_routes(
        &recordings,
        30,
        "[[fault]]\nkind = \"delay\"\nms = 200\ntimes = 1000000\n",
    );
    let server = ReplayServer::start(&recordings);
    let pipelines = format!(
        "[serve]\nadmin_token_env = \"SLUICE_TEST_ADMIN\"\ngrace_period = \"20s\"\n\n[pipelines.p]\nconcurrency = 2\n{streams}"
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let mut serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    assert_eq!(
        http(&serving.addr, "POST", "/runs/p", Some("t"))
            .expect("answer")
            .0,
        202
    );
    wait_for("some batches", Duration::from_secs(30), || {
        ctx.count("SELECT count(*) FROM sluice_stream_runs") >= 3
    });
    let status = serving.signal(libc::SIGTERM);
    assert!(status.success(), "exit after SIGTERM: {status:?}");

    let run = ctx.query("SELECT status, note, requests FROM sluice_runs");
    assert_eq!(run.len(), 1, "{run:?}");
    assert_eq!(run[0][0], "succeeded", "{run:?}");
    assert!(run[0][1].contains("shutting down"), "{run:?}");
    // Every request it made was loaded and recorded: nothing fetched was lost.
    let streams_done =
        ctx.count("SELECT count(*) FROM sluice_stream_runs WHERE status = 'succeeded'");
    assert!(
        streams_done < 30,
        "the run was not cut short: {streams_done}"
    );
    assert_eq!(run[0][2].parse::<i64>().expect("requests"), streams_done);
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_responses"),
        streams_done
    );

    // The next run does the rest; the match is there once.
    let out = ctx.run(&config, "p");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 1);
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'running'"),
        0
    );
}

#[test]
fn a_run_left_running_by_sigkill_is_marked_abandoned_at_the_next_start() {
    let ctx = TestContext::new();
    let server = slow_demo(&ctx, 2000);
    let pipelines = format!(
        "[serve]\nadmin_token_env = \"SLUICE_TEST_ADMIN\"\n\n[pipelines.demo]\n{DEMO_PIPELINE}"
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let mut serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    assert_eq!(
        http(&serving.addr, "POST", "/runs/demo", Some("t"))
            .expect("answer")
            .0,
        202
    );
    wait_for("the run to be recorded", Duration::from_secs(30), || {
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'running'") == 1
    });
    let status = serving.signal(libc::SIGKILL);
    assert!(!status.success());
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'running'"),
        1
    );

    let serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    let run = ctx.query("SELECT status, error FROM sluice_runs");
    assert_eq!(run[0][0], "abandoned", "{run:?}");
    assert!(run[0][1].contains("stopped before it finished"), "{run:?}");
    let metrics = samples(&serving.get("/metrics").expect("metrics").1);
    assert_eq!(
        sum(
            &metrics,
            "sluice_runs_total",
            &[("pipeline", "demo"), ("outcome", "abandoned")]
        ),
        1.0
    );
}

#[test]
fn a_schedule_missed_while_the_process_was_down_is_caught_up_once() {
    let ctx = TestContext::new();
    let server = ReplayServer::start(&demo_recordings());
    let pipelines = format!("[pipelines.demo]\nschedule = {{ every = \"1h\" }}\n{DEMO_PIPELINE}");
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    // Never run: it runs once at start, then waits an hour.
    let mut serving = Serving::start(&ctx, &config, &[], &[]);
    wait_for("the first run", Duration::from_secs(30), || {
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'succeeded'") == 1
    });
    assert!(serving.signal(libc::SIGTERM).success());
    // Started again within the hour: nothing is due.
    let mut serving = Serving::start(&ctx, &config, &[], &[]);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_runs"), 1);
    assert!(serving.signal(libc::SIGTERM).success());
    // Down for five hours: five ticks missed, one run.
    ctx.query("UPDATE sluice_runs SET started_at = '2000-01-01T00:00:00.000000Z'");
    let serving = Serving::start(&ctx, &config, &[], &[]);
    wait_for("the catch-up run", Duration::from_secs(30), || {
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'succeeded'") == 2
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_runs"), 2);
    drop(serving);
}

#[test]
fn sigterm_with_a_dashboard_listening_to_events_still_exits_0_at_once() {
    use std::io::{Read, Write};
    let ctx = TestContext::new();
    let server = ReplayServer::start(&demo_recordings());
    let pipelines = format!("[pipelines.demo]\n{DEMO_PIPELINE}");
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let mut serving = Serving::start(&ctx, &config, &[], &[]);
    // A browser tab following the live feed: the connection stays open.
    let mut events = std::net::TcpStream::connect(&serving.addr).expect("connect");
    write!(events, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
    let mut head = [0u8; 12];
    events.read_exact(&mut head).expect("the answer starts");
    assert_eq!(&head, b"HTTP/1.1 200");
    let stopped = std::time::Instant::now();
    let status = serving.signal(libc::SIGTERM);
    assert!(status.success(), "{status:?}");
    assert!(
        stopped.elapsed() < Duration::from_secs(10),
        "took {:?} to stop",
        stopped.elapsed()
    );
}
