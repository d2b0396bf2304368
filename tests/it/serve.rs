//! `sluice serve` swapping a plugin while its pipeline runs on a schedule:
//! no batch lost or duplicated, no run mixing versions, a broken version
//! refused while the published one keeps serving, and `/plugins` telling
//! which version serves.

use std::path::Path;
use std::time::Duration;

use crate::common::serving::{Serving, request, wait_for};
use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, copy_dir, demo_recordings, plugin_dir,
};

fn http_get(addr: &str, path: &str) -> Option<String> {
    request(addr, "GET", path, None).map(|(_, body)| body)
}

/// Replaces `name` in `dir` the way a deploy does: write aside, rename.
fn deploy(dir: &Path, name: &str, bytes: &[u8]) {
    let aside = dir.join(format!(".{name}.partial"));
    std::fs::write(&aside, bytes).expect("write");
    std::fs::rename(&aside, dir.join(name)).expect("rename");
}

#[test]
fn a_plugin_swapped_while_its_pipeline_runs_loses_and_duplicates_nothing() {
    let ctx = TestContext::postgres();
    let plugins = ctx.path("plugins");
    std::fs::create_dir_all(&plugins).expect("mkdir");
    for file in ["football-data.wasm", "football-data.toml"] {
        std::fs::copy(plugin_dir().join(file), plugins.join(file)).expect("copy plugin");
    }
    // Every response takes 100 ms, so runs are in flight when files change.
    let recordings = ctx.path("recordings");
    copy_dir(&demo_recordings(), &recordings);
    let index = std::fs::read_to_string(recordings.join("index.toml")).expect("index");
    std::fs::write(
        recordings.join("index.toml"),
        format!("{index}\n[[fault]]\nkind = \"delay\"\nms = 100\ntimes = 1000000\n"),
    )
    .expect("index");
    let server = ReplayServer::start(&recordings);
    let pipelines = format!("[pipelines.demo]\nschedule = \"100ms\"\n{DEMO_PIPELINE}");
    let config = ctx.write_config_with_plugins(&plugins, &server.base_url(), "", &pipelines);

    let serving = Serving::start(&ctx, &config, &[], &[]);
    let addr = serving.addr.clone();
    let plugins_json = || -> serde_json::Value {
        serde_json::from_str(&http_get(&addr, "/plugins").unwrap_or_default()).unwrap_or_default()
    };
    let listed = plugins_json();
    assert_eq!(listed[0]["name"], "football-data");
    assert_eq!(listed[0]["version"], "0.1.0");
    assert_eq!(listed[0]["wit"], "0.4.0");
    let first_sha = listed[0]["sha256"].clone();

    let finished = || ctx.count("SELECT count(*) FROM sluice_runs WHERE status <> 'running'");
    wait_for("two runs on 0.1.0", Duration::from_secs(60), || {
        finished() >= 2
    });

    // A new version, deployed while a run is in flight.
    let manifest = std::fs::read_to_string(plugins.join("football-data.toml")).expect("manifest");
    deploy(
        &plugins,
        "football-data.toml",
        manifest
            .replace("version = \"0.1.0\"", "version = \"0.1.1\"")
            .as_bytes(),
    );
    wait_for("0.1.1 published", Duration::from_secs(30), || {
        plugins_json()[0]["version"] == "0.1.1"
    });
    let swapped_at = finished();
    wait_for("two runs on 0.1.1", Duration::from_secs(60), || {
        finished() >= swapped_at + 3
    });

    // A broken version is refused; 0.1.1 keeps serving.
    deploy(&plugins, "football-data.wasm", b"\0asm broken");
    let refused_at = finished();
    wait_for("two more runs", Duration::from_secs(60), || {
        finished() >= refused_at + 2
    });
    let listed = plugins_json();
    assert_eq!(listed[0]["version"], "0.1.1");
    assert_eq!(
        listed[0]["sha256"], first_sha,
        "the broken file was not published"
    );
    drop(serving);

    let log = std::fs::read_to_string(ctx.path("serve.log")).expect("log");
    assert!(log.contains("new plugin version refused"), "{log}");

    // Every finished run succeeded, on one version, with each of its three
    // responses loaded exactly once.
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status NOT IN ('running', 'succeeded')"),
        0,
        "{:?}",
        ctx.query("SELECT id, status, error FROM sluice_runs")
    );
    let per_run = ctx.query(
        "SELECT r.id, count(s.id), count(DISTINCT s.plugin_version), min(s.plugin_version) \
         FROM sluice_runs r JOIN sluice_responses s ON s.run_id = r.id \
         WHERE r.status = 'succeeded' GROUP BY r.id ORDER BY r.id",
    );
    assert!(per_run.len() >= 6, "{per_run:?}");
    for row in &per_run {
        assert_eq!(row[1], "3", "run {} archived {} responses", row[0], row[1]);
        assert_eq!(row[2], "1", "run {} mixed plugin versions", row[0]);
    }
    let versions: Vec<&str> = per_run.iter().map(|r| r[3].as_str()).collect();
    let first_new = versions
        .iter()
        .position(|v| *v == "0.1.1")
        .expect("runs on 0.1.1");
    assert!(
        versions[..first_new].iter().all(|v| *v == "0.1.0"),
        "{versions:?}"
    );
    assert!(
        versions[first_new..].iter().all(|v| *v == "0.1.1"),
        "{versions:?}"
    );
    assert!(first_new >= 2, "{versions:?}");
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 491);
    assert_eq!(
        ctx.count("SELECT count(DISTINCT provider_id) FROM events"),
        491
    );
}
