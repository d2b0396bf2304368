//! Every bad input ends with one clear line, a non-zero exit, and nothing of
//! the failing batch in the database.

use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, demo_recordings, error_line, one_route_recordings,
    stdout,
};
use crate::sluice_snapshot;

const CL_MATCHES: &str = r#"
[[pipelines.cl.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "CL", season = "2022" }
"#;

#[test]
fn a_missing_token_fails_before_any_request_or_database() {
    let server = ReplayServer::start(&demo_recordings());
    let ctx = TestContext::new();
    let config = ctx.write_config(
        &server.base_url(),
        "token_env = \"SLUICE_TEST_UNSET_TOKEN\"",
        CL_MATCHES,
    );
    let out = ctx.run(&config, "cl");
    assert_eq!(
        error_line(&out),
        "error: provider football-data: environment variable SLUICE_TEST_UNSET_TOKEN (its token_env) is not set"
    );
    assert_eq!(server.recordings.requests(), 0);
    assert!(
        !ctx.database_path().exists(),
        "no database is created for a run that cannot start"
    );
}

#[test]
fn the_token_travels_in_the_manifest_header_and_never_in_output() {
    let ctx = TestContext::new();
    let recordings = ctx.path("recordings");
    crate::common::copy_dir(&demo_recordings(), &recordings);
    let index = recordings.join("index.toml");
    let text = std::fs::read_to_string(&index).expect("index");
    std::fs::write(
        &index,
        format!("[auth]\nheader = \"X-Auth-Token\"\nvalue = \"s3cret-t0ken\"\n\n{text}"),
    )
    .expect("index");
    let server = ReplayServer::start(&recordings);
    let config = ctx.write_config(
        &server.base_url(),
        "token_env = \"SLUICE_TEST_TOKEN\"",
        CL_MATCHES,
    );
    let config = config.to_str().expect("path");

    let mut ok =
        crate::common::sluice_command(&["-vv", "run", "--config", config, "--pipeline", "cl"]);
    let ok = ok
        .env("SLUICE_TEST_TOKEN", "s3cret-t0ken")
        .output()
        .expect("run");
    assert!(ok.status.success(), "{}", crate::common::stderr(&ok));
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 185);
    let all_output = format!("{}{}", stdout(&ok), crate::common::stderr(&ok));
    assert!(
        !all_output.contains("s3cret-t0ken"),
        "the token leaked into the output"
    );

    let mut wrong = crate::common::sluice_command(&["run", "--config", config, "--pipeline", "cl"]);
    sluice_snapshot!(
        "a_wrong_token",
        ctx.filters(),
        wrong
            .env("SLUICE_TEST_TOKEN", "an-expired-t0ken")
            .output()
            .expect("run")
    );
}

#[test]
fn an_unknown_stream_is_named_with_the_streams_there_are() {
    let ctx = TestContext::new();
    let config = ctx.write_config(
        "http://127.0.0.1:9",
        "",
        "[[pipelines.p.streams]]\nprovider = \"football-data\"\nstream = \"fixtures\"\n",
    );
    let out = ctx.run(&config, "p");
    assert_eq!(
        error_line(&out),
        "error: plugin football-data has no stream `fixtures` (streams: match, matches, standings, teams)"
    );
    assert!(!ctx.database_path().exists());
}

#[test]
fn a_parameter_the_plugin_refuses_fails_before_any_load() {
    let ctx = TestContext::new();
    let config = ctx.write_config(
        "http://127.0.0.1:9",
        "",
        "[[pipelines.p.streams]]\nprovider = \"football-data\"\nstream = \"matches\"\nparams = { competition = \"CL\", season = \"22/23\" }\n",
    );
    let out = ctx.run(&config, "p");
    assert_eq!(
        error_line(&out),
        "error: plugin football-data failed in plan: invalid parameters: parameter `season` must be the starting year, such as `2022`, not `22/23`"
    );
    assert!(!ctx.database_path().exists());
}

#[test]
fn a_misspelt_config_key_names_file_line_and_key() {
    let ctx = TestContext::new();
    let config = ctx.write_config("http://127.0.0.1:9", "ratelimit = \"10/min\"", CL_MATCHES);
    sluice_snapshot!(
        "a_misspelt_config_key",
        ctx.filters(),
        ctx.run(&config, "cl")
    );
}

#[test]
fn an_unreachable_base_url_fails_with_one_line_and_loads_nothing() {
    // Port 9 (discard) has nothing listening on loopback.
    let ctx = TestContext::new();
    let config = ctx.write_config(
        "http://127.0.0.1:9",
        "retry_min_wait = \"10ms\"",
        CL_MATCHES,
    );
    sluice_snapshot!(
        "an_unreachable_base_url",
        ctx.filters(),
        ctx.run(&config, "cl")
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);
    assert_eq!(
        ctx.query("SELECT status FROM sluice_runs"),
        vec![vec!["failed"]]
    );
}

fn a_body_that_is_not_json_is_quarantined_with_its_payload(ctx: TestContext) {
    let recordings = ctx.path("recordings");
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    one_route_recordings(
        &recordings,
        "/v4/competitions/CL/matches",
        "season = \"2022\"",
        200,
        page.as_bytes(),
    );
    let server = ReplayServer::start(&recordings);
    let config = ctx.write_config(&server.base_url(), "", CL_MATCHES);
    sluice_snapshot!(
        "a_body_that_is_not_json",
        ctx.filters(),
        ctx.run(&config, "cl")
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_checkpoints"), 0);
    assert_eq!(
        ctx.query("SELECT status, failed_batches FROM sluice_runs"),
        vec![vec!["partial", "1"]]
    );
    let quarantined = ctx.query("SELECT kind, raw, reason FROM sluice_quarantine");
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0][0], "batch");
    assert_eq!(quarantined[0][1], page, "the raw payload is kept");
    assert!(
        quarantined[0][2].contains("body is not JSON"),
        "{:?}",
        quarantined[0]
    );
}

#[test]
fn a_provider_error_status_is_reported_with_its_message() {
    let server = ReplayServer::start(&demo_recordings());
    let ctx = TestContext::new();
    let config = ctx.write_config(
        &server.base_url(),
        "",
        "[[pipelines.p.streams]]\nprovider = \"football-data\"\nstream = \"matches\"\nparams = { competition = \"PL\", season = \"2022\" }\n",
    );
    sluice_snapshot!(
        "a_provider_error_status",
        ctx.filters(),
        ctx.run(&config, "p")
    );
}

fn a_response_the_plugin_fails_on_is_quarantined_and_the_other_streams_load(ctx: TestContext) {
    let recordings = ctx.path("recordings");
    crate::common::copy_dir(&demo_recordings(), &recordings);
    std::fs::write(
        recordings.join("v4_competitions_CL_teams_season2022.json"),
        b"{\"teams\": 17}",
    )
    .expect("write");
    let server = ReplayServer::start(&recordings);
    let config = ctx.write_config(&server.base_url(), "", DEMO_PIPELINE);
    sluice_snapshot!(
        "a_response_the_plugin_fails_on",
        ctx.filters(),
        ctx.run(&config, "demo")
    );
    // The streams before and after it loaded with their checkpoints; the
    // failing one left nothing but its quarantined response.
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 185 + 306);
    assert_eq!(ctx.count("SELECT count(*) FROM teams"), 0);
    assert_eq!(
        ctx.query("SELECT stream_key FROM sluice_checkpoints ORDER BY stream_key"),
        vec![
            vec!["football-data/matches?competition=BL1&season=2022"],
            vec!["football-data/matches?competition=CL&season=2022"]
        ]
    );
    assert_eq!(
        ctx.query("SELECT raw FROM sluice_quarantine"),
        vec![vec!["{\"teams\": 17}"]]
    );
    assert_eq!(server.recordings.requests(), 3);
}

crate::on_both_databases!(
    a_body_that_is_not_json_is_quarantined_with_its_payload,
    a_response_the_plugin_fails_on_is_quarantined_and_the_other_streams_load,
);

#[test]
fn a_canonical_column_retyped_by_hand_is_named_and_nothing_loads() {
    let ctx = TestContext::postgres();
    let recordings = ctx.path("recordings");
    let body = std::fs::read(
        crate::common::repo_root()
            .join("plugins/football-data/fixtures/cl-2022-matches/response.json"),
    )
    .expect("fixture");
    one_route_recordings(
        &recordings,
        "/v4/competitions/CL/matches",
        "season = \"2022\"",
        200,
        &body,
    );
    let server = ReplayServer::start(&recordings);
    let config = ctx.write_config(&server.base_url(), "", CL_MATCHES);
    assert!(ctx.run(&config, "cl").status.success());
    // A column no view reads (the views keep theirs from being retyped).
    ctx.query("ALTER TABLE events ALTER COLUMN run_id TYPE numeric");
    ctx.query("DELETE FROM events");

    sluice_snapshot!(
        "a_canonical_column_retyped_by_hand",
        ctx.filters(),
        ctx.run(&config, "cl")
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);
}
