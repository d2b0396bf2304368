//! The demo pipeline through the real binary, the real plugin and SQLite.

use crate::common::{DEMO_PIPELINE, ReplayServer, TestContext, copy_dir, demo_recordings};
use crate::sluice_snapshot;

fn the_demo_pipeline_loads_every_record_once_and_a_rerun_changes_nothing(ctx: TestContext) {
    let server = ReplayServer::start(&demo_recordings());
    let config = ctx.write_config(&server.base_url(), "", DEMO_PIPELINE);
    let config = config.to_str().expect("utf-8 path");

    sluice_snapshot!("demo_first_run", ctx.filters(), ctx.run(config, "demo"));
    assert_eq!(ctx.count("SELECT count(*) FROM events"), 185 + 306);
    assert_eq!(ctx.count("SELECT count(*) FROM teams"), 79);
    assert_eq!(ctx.count("SELECT count(*) FROM competitions"), 2);
    assert_eq!(
        ctx.query("SELECT status, requests, records_in, inserted, unchanged FROM sluice_runs"),
        vec![vec!["succeeded", "3", "572", "572", "0"]]
    );
    // The checkpoint of each stream was committed with its rows.
    assert_eq!(
        ctx.query("SELECT stream_key, cursor, run_id FROM sluice_checkpoints ORDER BY stream_key"),
        vec![
            vec![
                "football-data/matches?competition=BL1&season=2022",
                "2022-09-13T00:20:02Z",
                "1"
            ],
            vec![
                "football-data/matches?competition=CL&season=2022",
                "2022-09-13T00:20:01Z",
                "1"
            ],
            vec![
                "football-data/teams?competition=CL&season=2022",
                "NULL",
                "1"
            ],
        ]
    );
    // A penalty shoot-out: 2-1 after 90 minutes, 0-0 in extra time, 4-5 on penalties.
    assert_eq!(
        ctx.query(
            "SELECT home_team_name, away_team_name, status, kickoff, home_score, away_score, \
             home_score_extra_time, away_score_extra_time, home_score_penalties, away_score_penalties \
             FROM events WHERE provider = 'football-data' AND provider_id = '418518'"
        ),
        vec![vec![
            "FK Rīgas Futbola Skola",
            "Helsingin JK",
            "finished",
            "2022-07-12T15:30:00Z",
            "2",
            "1",
            "0",
            "0",
            "4",
            "5"
        ]]
    );
    let stamps =
        "SELECT provider_id, created_at, updated_at, run_id FROM events ORDER BY provider_id";
    let before = ctx.query(stamps);

    sluice_snapshot!("demo_second_run", ctx.filters(), ctx.run(config, "demo"));
    assert_eq!(
        ctx.query(stamps),
        before,
        "an unchanged row keeps its updated_at and run_id"
    );
    assert_eq!(
        ctx.query("SELECT status, inserted, updated, unchanged FROM sluice_runs WHERE id = 2"),
        vec![vec!["succeeded", "0", "0", "572"]]
    );
    assert_eq!(server.recordings.requests(), 6);
}

fn a_changed_match_updates_that_row_alone(ctx: TestContext) {
    let recordings = ctx.path("recordings");
    copy_dir(&demo_recordings(), &recordings);
    let first = ReplayServer::start(&recordings);
    let config = ctx.write_config(&first.base_url(), "", DEMO_PIPELINE);
    let config = config.to_str().expect("utf-8 path").to_string();
    crate::common::assert_ok(&ctx.run(&config, "demo"));
    drop(first);

    // The provider now reports a final score for a match that was scheduled.
    let file = recordings.join("v4_competitions_CL_matches_season2022.json");
    let mut body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    let first_timed = body["matches"]
        .as_array_mut()
        .expect("matches")
        .iter_mut()
        .find(|m| m["status"] == "TIMED")
        .expect("a TIMED match");
    first_timed["status"] = "FINISHED".into();
    first_timed["score"]["fullTime"] = serde_json::json!({ "home": 3, "away": 1 });
    let changed_id = first_timed["id"].to_string();
    std::fs::write(&file, body.to_string()).expect("write");

    let second = ReplayServer::start(&recordings);
    ctx.write_config(&second.base_url(), "", DEMO_PIPELINE);
    let untouched = format!(
        "SELECT provider_id, updated_at FROM events WHERE provider_id <> '{changed_id}' ORDER BY provider_id"
    );
    let before = ctx.query(&untouched);
    sluice_snapshot!("one_match_changed", ctx.filters(), ctx.run(&config, "demo"));
    assert_eq!(ctx.query(&untouched), before);
    assert_eq!(
        ctx.query(&format!(
            "SELECT status, home_score, away_score, run_id, created_at < updated_at FROM events WHERE provider_id = '{changed_id}'"
        )),
        vec![vec!["finished", "3", "1", "2", "1"]]
    );
}

crate::on_both_databases!(
    the_demo_pipeline_loads_every_record_once_and_a_rerun_changes_nothing,
    a_changed_match_updates_that_row_alone,
);
