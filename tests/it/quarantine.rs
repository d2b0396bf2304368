//! What could not be loaded stays inspectable, and loads once the plugin is
//! fixed: `sluice quarantine list|show|replay`.

use crate::common::{
    ReplayServer, TestContext, football_data_with_manifest, one_route_recordings, repo_root, stdout,
};
use crate::sluice_snapshot;

const BL1: &str = r#"
[[pipelines.bl1.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "BL1", season = "2022" }
"#;

/// The BL1 2022 season ten times over, with distinct match ids: a response
/// larger than a 2 MiB plugin memory cap can hold.
fn ten_seasons() -> Vec<u8> {
    let file = repo_root()
        .join("examples/replay/football-data/v4_competitions_BL1_matches_season2022.json");
    let mut body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(file).expect("read")).expect("json");
    let one: Vec<serde_json::Value> = body["matches"].as_array().expect("matches").clone();
    let mut all = Vec::new();
    for copy in 0..10u64 {
        for m in &one {
            let mut m = m.clone();
            m["id"] = (m["id"].as_u64().expect("id") + copy * 10_000_000).into();
            all.push(m);
        }
    }
    body["matches"] = all.into();
    body.to_string().into_bytes()
}

fn a_response_quarantined_by_a_plugin_limit_loads_once_the_plugin_is_fixed(ctx: TestContext) {
    let recordings = ctx.path("recordings");
    one_route_recordings(
        &recordings,
        "/v4/competitions/BL1/matches",
        "season = \"2022\"",
        200,
        &ten_seasons(),
    );
    let server = ReplayServer::start(&recordings);
    let plugins = ctx.path("plugins");
    football_data_with_manifest(&plugins, |m| format!("{m}\n[limits]\nmemory_mib = 2\n"));
    let config = ctx.write_config_with_plugins(&plugins, &server.base_url(), "", BL1);
    let config = config.to_str().expect("path");

    sluice_snapshot!(
        "run_over_the_memory_limit",
        ctx.filters(),
        ctx.run(config, "bl1")
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 0);

    sluice_snapshot!(
        "list_one_item",
        ctx.filters(),
        ctx.sluice(&["quarantine", "--config", config, "list"])
    );
    // The raw body is 3 MB: its first characters say it is the response.
    let show = ctx.sluice(&["quarantine", "--config", config, "show", "1"]);
    assert!(
        stdout(&show).contains(
            "reason: plugin football-data reached its memory limit of 2 MiB in normalize"
        )
    );
    assert!(
        stdout(&show).contains("raw:\n{\"competition\""),
        "the raw body is kept"
    );

    // The fix: the plugin gets the memory it needs.
    football_data_with_manifest(&plugins, |m| m);
    drop(server);
    sluice_snapshot!(
        "replay_after_the_fix",
        ctx.filters(),
        ctx.sluice(&["quarantine", "--config", config, "replay"])
    );
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 3060);
    assert_eq!(
        ctx.query("SELECT mode, replay_of, requests, inserted FROM sluice_runs WHERE id = 2"),
        vec![vec!["replay", "NULL", "0", "3061"]]
    );
    assert_eq!(
        ctx.query("SELECT resolved_by FROM sluice_quarantine"),
        vec![vec!["2"]]
    );
    sluice_snapshot!(
        "list_after_the_replay",
        ctx.filters(),
        ctx.sluice(&["quarantine", "--config", config, "list"])
    );
}

crate::on_both_databases!(a_response_quarantined_by_a_plugin_limit_loads_once_the_plugin_is_fixed);

/// A stream whose batch the database refuses ends there, however many
/// requests it still had planned: the run finishes with the error instead
/// of waiting for ever on the responses it had read ahead.
#[test]
fn a_stream_ends_at_a_refused_batch_with_more_requests_planned() {
    use crate::odds::{bookmaker, event, odds_config, odds_recordings};
    let ctx = TestContext::postgres();
    let dir = ctx.path("recordings");
    let sports: Vec<(&str, String)> = ["s1", "s2", "s3", "s4"]
        .into_iter()
        .map(|sport| {
            let book = bookmaker("b", &[("h2h", &[("A", 2.0, None), ("B", 1.8, None)])]);
            (
                sport,
                format!("[{}]", event(&format!("{sport}-e"), "A", "B", &[book])),
            )
        })
        .collect();
    odds_recordings(&dir, &sports, "h2h", "");
    let server = crate::common::ReplayServer::start(&dir);
    let config = odds_config(&ctx, &server.base_url(), "s1,s2,s3,s4", "h2h", "merge");
    // Every batch of odds is refused: a column retyped by hand.
    ctx.query("ALTER TABLE odds ALTER COLUMN run_id TYPE numeric");
    let mut child = crate::common::sluice_command(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--pipeline",
        "odds",
    ])
    .current_dir(ctx.dir.path())
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("run sluice");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not finish within 60 s after its first batch was refused");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(!status.success(), "a refused batch fails the run");
    assert_eq!(ctx.count("SELECT count(*) FROM odds"), 0);
}
