//! Lineage: `sluice lineage TABLE KEY…` traces a loaded row to its run,
//! archived request, plugin and canonical entity; every run sends
//! OpenLineage START and COMPLETE/FAIL events (validated against the
//! spec's schema) to a lineage server and a file, and a server that is
//! down or slow never fails a run; `sluice lineage graph` draws the config.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::server::Server;
use crate::common::serving::{Serving, wait_for};
use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, assert_ok, demo_recordings, error_line,
    one_route_recordings, repo_root, stdout,
};
use crate::on_both_databases;

/// What the lineage server received: each POST's path and JSON body.
type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A lineage server answering 201 to every POST, keeping the bodies.
fn lineage_server() -> (Server, Received) {
    let received: Received = Arc::default();
    let kept = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = Server::start(listener, move |listener| async move {
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, body: axum::body::Bytes| async move {
                let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                kept.lock()
                    .expect("lock")
                    .push((uri.path().to_string(), json));
                axum::http::StatusCode::CREATED
            },
        );
        let _ = axum::serve(listener, app).await;
    });
    (server, received)
}

/// A server that accepts connections and never answers.
fn silent_server() -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    Server::start(listener, |listener| async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    })
}

/// The demo config with a `[lineage]` section.
fn config_with_lineage(ctx: &TestContext, base_url: &str, lineage: &str) -> PathBuf {
    let pipelines = format!("{DEMO_PIPELINE}\n[lineage]\n{lineage}\n");
    ctx.write_config(base_url, "", &pipelines)
}

/// The OpenLineage run-event schema the tests hold events to.
fn validator() -> jsonschema::Validator {
    let path = repo_root().join("tests/fixtures/openlineage/run-event.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid schema")
}

fn assert_valid(event: &serde_json::Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(event)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\nin {event:#}");
}

fn events(received: &Received) -> Vec<serde_json::Value> {
    received
        .lock()
        .expect("lock")
        .iter()
        .map(|(_, body)| body.clone())
        .collect()
}

fn lineage_json(ctx: &TestContext, config: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["lineage", "--config", config, "--format", "json"];
    all.extend(args);
    let out = ctx.sluice(&all);
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).expect("json")
}

fn a_loaded_event_is_traced_to_its_run_request_plugin_and_canonical_entity(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", DEMO_PIPELINE);
    let config = config.to_str().expect("utf-8 path");
    assert_ok(&ctx.run(config, "demo"));

    let row = lineage_json(&ctx, config, &["events", "football-data", "418518"]);
    assert_eq!(row["table"], "events");
    assert_eq!(row["plugin"], "football-data");
    assert_eq!(row["plugin_version"], "0.1.0");
    let write = &row["writes"][0];
    assert_eq!(write["action"], "inserted");
    assert_eq!(write["run_id"], 1);
    assert_eq!(write["run"]["pipeline"], "demo");
    assert_eq!(write["run"]["status"], "succeeded");
    let run_uuid = write["openlineage_run_id"].as_str().expect("uuid");
    assert_eq!(run_uuid.len(), 36, "{run_uuid}");
    let request = &row["request"];
    assert_eq!(
        request["url"],
        format!(
            "{}/v4/competitions/CL/matches?season=2022",
            server.base_url().trim_end_matches('/')
        )
    );
    assert_eq!(request["run_id"], 1);
    assert_eq!(request["status"], 200);
    let hash = ctx.query(
        "SELECT payload_hash FROM events WHERE provider = 'football-data' AND provider_id = '418518'",
    );
    assert_eq!(request["payload_hash"], hash[0][0].as_str());
    let canonical = ctx.query(
        "SELECT canonical_id FROM provider_ids \
         WHERE provider = 'football-data' AND kind = 'event' AND provider_id = '418518'",
    );
    assert_eq!(row["canonical"]["kind"], "event");
    assert_eq!(row["canonical"]["canonical_id"], canonical[0][0].as_str());

    // The canonical id names the same row.
    let by_canonical = lineage_json(&ctx, config, &["events", &canonical[0][0]]);
    assert_eq!(by_canonical["key"][1][1], "418518");

    // Text, for a reader.
    let out = ctx.sluice(&[
        "lineage",
        "events",
        "football-data",
        "418518",
        "--config",
        config,
    ]);
    assert_ok(&out);
    let text = stdout(&out);
    for part in [
        "events provider=football-data provider_id=418518",
        "plugin      football-data 0.1.0",
        "inserted    run 1 (demo run, succeeded)",
        "/v4/competitions/CL/matches?season=2022",
        &canonical[0][0],
    ] {
        assert!(text.contains(part), "{part} missing from\n{text}");
    }

    // A row changed by a later run names both runs.
    ctx.query("UPDATE events SET home_score = 9 WHERE provider_id = '418518'");
    // (The next run restores it from the same archived response.)
    assert_ok(&ctx.run(config, "demo"));
    let changed = lineage_json(&ctx, config, &["events", "football-data", "418518"]);
    let actions: Vec<&str> = changed["writes"]
        .as_array()
        .expect("writes")
        .iter()
        .filter_map(|w| w["action"].as_str())
        .collect();
    assert_eq!(actions, ["inserted", "last changed"], "{changed:#}");
    assert_eq!(changed["writes"][1]["run_id"], 2);

    // Clear errors for a table or key that names nothing.
    let out = ctx.sluice(&[
        "lineage",
        "fixtures",
        "football-data",
        "1",
        "--config",
        config,
    ]);
    let line = error_line(&out);
    assert!(
        line.contains("unknown table `fixtures`") && line.contains("events"),
        "{line}"
    );
    let out = ctx.sluice(&[
        "lineage",
        "events",
        "football-data",
        "999999",
        "--config",
        config,
    ]);
    assert_eq!(
        error_line(&out),
        "error: no events row with provider = football-data, provider_id = 999999"
    );
    let out = ctx.sluice(&["lineage", "events", "a", "b", "c", "--config", config]);
    assert!(error_line(&out).contains("events rows are named by provider provider_id"));
}

fn runs_send_start_and_complete_events_that_follow_the_spec(ctx: TestContext) {
    let provider = ReplayServer::start(&demo_recordings());
    let (lineage, received) = lineage_server();
    let file = ctx.path("lineage.ndjson");
    let config = config_with_lineage(
        &ctx,
        &provider.base_url(),
        &format!(
            "url = \"http://{}\"\nfile = \"{}\"\nnamespace = \"sports\"",
            lineage.addr,
            file.display()
        ),
    );
    assert_ok(&ctx.run(&config, "demo"));

    let events = events(&received);
    let paths: Vec<String> = received
        .lock()
        .expect("lock")
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert_eq!(paths, ["/api/v1/lineage", "/api/v1/lineage"]);
    let types: Vec<&str> = events
        .iter()
        .filter_map(|e| e["eventType"].as_str())
        .collect();
    assert_eq!(types, ["START", "COMPLETE"]);
    for event in &events {
        assert_valid(event);
        assert_eq!(event["job"]["namespace"], "sports");
        assert_eq!(event["job"]["name"], "demo");
        assert_eq!(
            event["schemaURL"],
            "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
        );
    }
    assert_eq!(events[0]["run"]["runId"], events[1]["run"]["runId"]);
    // The schema check can fail: a run id that is not a UUID is refused.
    let mut tampered = events[0].clone();
    tampered["run"]["runId"] = serde_json::json!("run-1");
    assert!(!validator().is_valid(&tampered));

    // Inputs: the provider's streams, named by its scheme and host.
    let complete = &events[1];
    let inputs = complete["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 3);
    let provider_host = provider
        .base_url()
        .trim_end_matches('/')
        .trim_end_matches("/v4")
        .to_string();
    assert!(
        inputs
            .iter()
            .all(|i| i["namespace"] == provider_host.as_str()),
        "{inputs:#?}"
    );
    let names: Vec<&str> = inputs.iter().filter_map(|i| i["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "matches?competition=CL&season=2022",
            "teams?competition=CL&season=2022",
            "matches?competition=BL1&season=2022"
        ]
    );
    let assertion = &inputs[0]["inputFacets"]["dataQualityAssertions"]["assertions"][0];
    assert_eq!(assertion["assertion"], "no_quarantined_rows");
    assert_eq!(assertion["success"], true);

    // Outputs: one per table written, with its schema and row count.
    let outputs = complete["outputs"].as_array().expect("outputs");
    let (namespace, prefix) = match ctx.database_url() {
        url if url.starts_with("sqlite:") => (
            format!(
                "sqlite://{}",
                std::path::absolute(ctx.database_path())
                    .expect("path")
                    .display()
            ),
            String::new(),
        ),
        url => {
            let parsed = reqwest::Url::parse(&url).expect("url");
            (
                format!(
                    "postgres://{}:{}",
                    parsed.host_str().expect("host"),
                    parsed.port().unwrap_or(5432)
                ),
                format!("{}.public.", parsed.path().trim_start_matches('/')),
            )
        }
    };
    let mut rows: Vec<(String, u64)> = outputs
        .iter()
        .map(|o| {
            assert_eq!(o["namespace"], namespace.as_str(), "{o:#}");
            (
                o["name"].as_str().expect("name").to_string(),
                o["outputFacets"]["outputStatistics"]["rowCount"]
                    .as_u64()
                    .expect("rowCount"),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            (format!("{prefix}competitions"), 2),
            (format!("{prefix}events"), 491),
            (format!("{prefix}teams"), 79),
        ]
    );
    let events_output = outputs
        .iter()
        .find(|o| o["name"] == format!("{prefix}events").as_str())
        .expect("events");
    let fields = events_output["facets"]["schema"]["fields"]
        .as_array()
        .expect("fields");
    assert!(
        fields
            .iter()
            .any(|f| f["name"] == "kickoff" && f["type"].as_str().is_some_and(|t| !t.is_empty())),
        "{fields:#?}"
    );

    // The file got the same events, one line each.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .expect("lineage file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one event per line"))
        .collect();
    assert_eq!(lines, events);

    // The run's OpenLineage id is the one `sluice lineage` shows.
    let config = config.to_str().expect("utf-8 path");
    let row = lineage_json(&ctx, config, &["events", "football-data", "418518"]);
    assert_eq!(
        row["writes"][0]["openlineage_run_id"],
        events[0]["run"]["runId"]
    );
}

fn a_failing_run_sends_fail(ctx: TestContext) {
    let recordings = ctx.path("recordings");
    one_route_recordings(
        &recordings,
        "/v4/competitions/CL/matches",
        "season = \"2022\"",
        500,
        b"{}",
    );
    let provider = ReplayServer::start(&recordings);
    let (lineage, received) = lineage_server();
    let pipeline = r#"
[[pipelines.demo.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "CL", season = "2022" }

[lineage]
url = "http://LINEAGE"
"#
    .replace("LINEAGE", &lineage.addr.to_string());
    let config = ctx.write_config(&provider.base_url(), "max_attempts = 1", &pipeline);
    let out = ctx.run(&config, "demo");
    assert!(!out.status.success());

    let events = events(&received);
    let types: Vec<&str> = events
        .iter()
        .filter_map(|e| e["eventType"].as_str())
        .collect();
    assert_eq!(types, ["START", "FAIL"]);
    assert_eq!(events[0]["run"]["runId"], events[1]["run"]["runId"]);
    for event in &events {
        assert_valid(event);
    }
}

fn a_lineage_server_down_or_silent_never_fails_a_run(ctx: TestContext) {
    let provider = ReplayServer::start(&demo_recordings());
    let down = crate::common::serving::free_addr();
    let config = config_with_lineage(
        &ctx,
        &provider.base_url(),
        &format!("url = \"http://{down}\""),
    );
    let started = Instant::now();
    let out = ctx.run(&config, "demo");
    assert_ok(&out);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert!(
        crate::common::stderr(&out).contains("lineage event not sent"),
        "a warning says so: {}",
        crate::common::stderr(&out)
    );

    // A server that never answers costs the timeout and no more.
    let silent = silent_server();
    let config = config_with_lineage(
        &ctx,
        &provider.base_url(),
        &format!("url = \"http://{}\"\ntimeout = \"300ms\"", silent.addr),
    );
    let started = Instant::now();
    assert_ok(&ctx.run(&config, "demo"));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

fn the_graph_draws_providers_streams_plugins_tables_and_views(ctx: TestContext) {
    let provider = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&provider.base_url(), "", DEMO_PIPELINE);
    let config = config.to_str().expect("utf-8 path");
    assert_ok(&ctx.run(config, "demo"));

    let out = ctx.sluice(&["lineage", "graph", "--config", config]);
    assert_ok(&out);
    let dot = stdout(&out);
    assert!(
        dot.starts_with("digraph sluice {") && dot.trim_end().ends_with('}'),
        "{dot}"
    );
    for edge in [
        "\"provider:football-data\" -> \"stream:football-data/matches?competition=CL&season=2022\"",
        "\"stream:football-data/matches?competition=CL&season=2022\" -> \"plugin:football-data\"",
        "\"plugin:football-data\" -> \"table:events\"",
        "\"plugin:football-data\" -> \"table:teams\"",
        "\"table:events\" -> \"view:canonical_events\"",
        "\"table:teams\" -> \"view:canonical_teams\"",
    ] {
        assert!(dot.contains(edge), "{edge} missing from\n{dot}");
    }
    // Every edge joins two declared nodes.
    for line in dot.lines().filter(|l| l.contains(" -> ")) {
        let ends: Vec<&str> = line.trim().trim_end_matches(';').split(" -> ").collect();
        for end in ends {
            assert!(
                dot.contains(&format!("  {end} [label=")),
                "{end} undeclared"
            );
        }
    }

    let graph = lineage_json_graph(&ctx, config);
    let nodes = graph["nodes"].as_array().expect("nodes");
    let edges = graph["edges"].as_array().expect("edges");
    assert!(
        nodes
            .iter()
            .any(|n| n["id"] == "table:competitions" && n["kind"] == "table")
    );
    assert!(
        edges
            .iter()
            .any(|e| e["from"] == "plugin:football-data" && e["to"] == "table:competitions")
    );
}

fn lineage_json_graph(ctx: &TestContext, config: &str) -> serde_json::Value {
    let out = ctx.sluice(&["lineage", "graph", "--config", config, "--format", "json"]);
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).expect("json")
}

#[test]
fn a_row_an_enricher_made_names_the_enricher_and_the_request_it_came_from() {
    let ctx = TestContext::new();
    let recordings = ctx.path("recordings");
    crate::odds::odds_recordings(
        &recordings,
        &[("soccer_test", crate::enrichers::three_way(true))],
        "h2h",
        "",
    );
    let server = ReplayServer::start(&recordings);
    let config = crate::enrichers::odds_maths_config(&ctx, &server.base_url());
    assert_ok(&ctx.run(&config, "odds"));
    let key = ctx.query(
        "SELECT provider, event_id, market, selection_key FROM market_consensus \
         ORDER BY selection LIMIT 1",
    );
    let config = config.to_str().expect("utf-8 path");
    let mut args = vec!["market_consensus"];
    args.extend(key[0].iter().map(String::as_str));
    let row = lineage_json(&ctx, config, &args);
    assert_eq!(row["plugin"], "odds-maths", "{row:#}");
    assert_eq!(row["enrichers"], serde_json::json!(["odds-maths"]));
    assert_eq!(row["request"]["plugin"], "the-odds-api");
    assert!(
        row["request"]["url"]
            .as_str()
            .is_some_and(|u| u.contains("/v4/sports/soccer_test/odds")),
        "{row:#}"
    );
}

#[test]
fn runs_started_by_serve_send_their_events_too() {
    let ctx = TestContext::new();
    let provider = ReplayServer::start(&demo_recordings());
    let (lineage, received) = lineage_server();
    let pipelines = format!(
        "[pipelines.demo]\nschedule = \"1s\"\n{DEMO_PIPELINE}\n[lineage]\nurl = \"http://{}\"\n",
        lineage.addr
    );
    let config = ctx.write_config(&provider.base_url(), "", &pipelines);
    let _serving = Serving::start(&ctx, &config, &[], &[]);
    wait_for("a run's COMPLETE event", Duration::from_secs(60), || {
        events(&received)
            .iter()
            .any(|e| e["eventType"] == "COMPLETE")
    });
    let events = events(&received);
    let start = events
        .iter()
        .find(|e| e["eventType"] == "START")
        .expect("START");
    let complete = events
        .iter()
        .find(|e| e["eventType"] == "COMPLETE")
        .expect("COMPLETE");
    assert_eq!(start["run"]["runId"], complete["run"]["runId"]);
    assert_eq!(complete["job"]["name"], "demo");
    assert_valid(complete);
}

/// The run's quality checks travel as each table's
/// `dataQualityAssertions`: one that held, one that did not.
#[test]
fn quality_checks_are_the_outputs_data_quality_assertions() {
    let ctx = TestContext::new();
    let provider = ReplayServer::start(&demo_recordings());
    let checks = "file = \"events.ndjson\"\n\n\
        [[quality.checks]]\ntable = \"events\"\nname = \"ids_present\"\n\
        check = \"not_null\"\ncolumn = \"provider_id\"\n\n\
        [[quality.checks]]\ntable = \"events\"\nname = \"early_matchdays\"\n\
        check = \"range\"\ncolumn = \"matchday\"\nmax = 1\n";
    let config = config_with_lineage(&ctx, &provider.base_url(), checks);
    assert_ok(&ctx.run(&config, "demo"));
    let text = std::fs::read_to_string(ctx.path("events.ndjson")).expect("file beside the config");
    let complete: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
        .find(|e| e["eventType"] == "COMPLETE")
        .expect("a COMPLETE event");
    assert_valid(&complete);
    let events = complete["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .find(|o| o["name"].as_str().is_some_and(|n| n.ends_with("events")))
        .expect("the events table")
        .clone();
    let assertions = &events["outputFacets"]["dataQualityAssertions"]["assertions"];
    assert_eq!(
        assertions,
        &serde_json::json!([
            { "assertion": "ids_present", "success": true },
            { "assertion": "early_matchdays", "success": false },
        ]),
        "{events:#}"
    );
}

#[test]
fn the_file_transport_writes_one_line_per_event() {
    let ctx = TestContext::new();
    let provider = ReplayServer::start(&demo_recordings());
    let config = config_with_lineage(&ctx, &provider.base_url(), "file = \"events.ndjson\"");
    assert_ok(&ctx.run(&config, "demo"));
    assert_ok(&ctx.run(&config, "demo"));
    let text = std::fs::read_to_string(ctx.path("events.ndjson")).expect("file beside the config");
    let types: Vec<String> = text
        .lines()
        .map(|l| {
            let event: serde_json::Value = serde_json::from_str(l).expect("json line");
            assert_valid(&event);
            event["eventType"].as_str().expect("type").to_string()
        })
        .collect();
    assert_eq!(types, ["START", "COMPLETE", "START", "COMPLETE"]);
}

on_both_databases!(
    a_loaded_event_is_traced_to_its_run_request_plugin_and_canonical_entity,
    runs_send_start_and_complete_events_that_follow_the_spec,
);

mod sqlite_only {
    #[test]
    fn a_failing_run_sends_fail() {
        super::a_failing_run_sends_fail(crate::common::TestContext::new())
    }

    #[test]
    fn a_lineage_server_down_or_silent_never_fails_a_run() {
        super::a_lineage_server_down_or_silent_never_fails_a_run(crate::common::TestContext::new())
    }

    #[test]
    fn the_graph_draws_providers_streams_plugins_tables_and_views() {
        super::the_graph_draws_providers_streams_plugins_tables_and_views(
            crate::common::TestContext::new(),
        )
    }
}
