//! `sluice plugin run`: a recorded payload through the sandboxed plugin.

use crate::common::{
    TestContext, error_line, football_data_wasm, repo_root, sluice_command, stderr, stdout,
};

fn cl_matches() -> std::path::PathBuf {
    repo_root().join("examples/replay/football-data/v4_competitions_CL_matches_season2022.json")
}

fn plugin_run(input: &std::path::Path) -> std::process::Output {
    let wasm = football_data_wasm();
    sluice_command(&[
        "plugin",
        "run",
        wasm.to_str().expect("path"),
        "--stream",
        "matches",
        "--input",
        input.to_str().expect("path"),
        "--param",
        "competition=CL",
        "--param",
        "season=2022",
    ])
    .output()
    .expect("run")
}

#[test]
fn prints_one_canonical_ndjson_object_per_record() {
    let out = plugin_run(&cl_matches());
    assert!(out.status.success(), "{}", stderr(&out));
    let records: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(records.len(), 1 + 185);
    assert_eq!(records.iter().filter(|r| r["kind"] == "event").count(), 185);
    assert_eq!(
        records[0],
        serde_json::json!({
            "kind": "competition",
            "provider": "football-data",
            "provider_id": "2001",
            "name": "UEFA Champions League",
            "sport": "Soccer",
            "code": "CL",
            "area": "Europe",
            "format": "cup",
            "emblem_url": "https://crests.football-data.org/CL.png"
        })
    );
    let shootout = records
        .iter()
        .find(|r| r["provider_id"] == "418504")
        .expect("match 418504");
    assert_eq!(
        shootout,
        &serde_json::json!({
            "kind": "event",
            "provider": "football-data",
            "provider_id": "418504",
            "name": null,
            "competition": "2001",
            "season": "2022",
            "stage": "QUALIFICATION_ROUND_1",
            "matchday": 1,
            "home_team": "5515",
            "away_team": "7497",
            "home_team_name": "FC CFR 1907 Cluj",
            "away_team_name": "FC Pyunik Yerevan",
            "kickoff": "2022-07-13T18:30:00Z",
            "status": "finished",
            "minute": null,
            "home_score": 1,
            "away_score": 1,
            "home_score_half_time": 1,
            "away_score_half_time": 0,
            "home_score_extra_time": 1,
            "away_score_extra_time": 1,
            "home_score_penalties": 3,
            "away_score_penalties": 4,
            "venue": null,
            "provider_updated_at": "2022-09-13T00:20:01Z"
        })
    );
    let unplayed = records
        .iter()
        .find(|r| r["kind"] == "event" && r["status"] == "scheduled")
        .expect("a scheduled match");
    assert_eq!(unplayed["home_score"], serde_json::Value::Null);
    assert_eq!(unplayed["away_score"], serde_json::Value::Null);
}

#[test]
fn rejected_items_go_to_stderr_with_their_reason() {
    let ctx = TestContext::new();
    let text = std::fs::read_to_string(cl_matches()).expect("read");
    let changed = text.replacen("\"status\":\"FINISHED\"", "\"status\":\"ON_HOLD\"", 1);
    assert_ne!(text, changed);
    let input = ctx.path("changed.json");
    std::fs::write(&input, changed).expect("write");
    let out = plugin_run(&input);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 185);
    assert!(
        stderr(&out).contains("rejected 418479: unknown match status `ON_HOLD`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_plugin_error_exits_non_zero_with_one_clear_line() {
    let ctx = TestContext::new();
    let input = ctx.path("page.html");
    std::fs::write(&input, "<!DOCTYPE html><title>Service Unavailable</title>").expect("write");
    let out = plugin_run(&input);
    let line = error_line(&out);
    assert!(
        line.starts_with(
            "error: plugin football-data failed in normalize: malformed response: body is not JSON"
        ),
        "{line}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_component_without_manifest_or_that_is_not_wasm_is_refused() {
    let ctx = TestContext::new();
    let lone = ctx.path("lone.wasm");
    std::fs::copy(football_data_wasm(), &lone).expect("copy");
    let out = sluice_command(&[
        "plugin",
        "run",
        lone.to_str().expect("path"),
        "--stream",
        "matches",
        "--input",
        "x.json",
    ])
    .output()
    .expect("run");
    assert_eq!(
        error_line(&out),
        format!(
            "error: plugin {} has no manifest: expected {} beside it",
            lone.display(),
            ctx.path("lone.toml").display()
        )
    );

    let fake = ctx.path("fake.wasm");
    std::fs::write(&fake, "not wasm at all").expect("write");
    let manifest = std::fs::read_to_string(repo_root().join("plugins/football-data/manifest.toml"))
        .expect("manifest")
        .replace("name = \"football-data\"", "name = \"fake\"");
    std::fs::write(ctx.path("fake.toml"), manifest).expect("write");
    let out = sluice_command(&[
        "plugin",
        "run",
        fake.to_str().expect("path"),
        "--stream",
        "matches",
        "--input",
        "x.json",
    ])
    .output()
    .expect("run");
    let line = error_line(&out);
    assert!(
        line.starts_with(&format!(
            "error: plugin {} is not a valid WebAssembly component",
            fake.display()
        )),
        "{line}"
    );
}
