//! A response cached for a match is not served once a live event of that
//! match was committed after it was fetched: the next run asks the
//! provider again. On SQLite and on PostgreSQL.

use sluice_test_support::recordings;

use crate::common::{ReplayServer, TestContext, assert_ok};
use crate::on_both_databases;

const LIVE_ALL: &str = "api-football/v3_fixtures_live_all_2023-05-13.json";

/// Requests the newest run sent to the provider (none when it was served
/// from the cache).
fn last_run_requests(ctx: &TestContext) -> i64 {
    ctx.count("SELECT requests FROM sluice_runs ORDER BY id DESC LIMIT 1")
}

fn a_cached_match_is_fetched_again_once_a_live_event_of_it_committed(ctx: TestContext) {
    let body =
        recordings::read(LIVE_ALL).unwrap_or_else(|| panic!("recording {LIVE_ALL} is missing"));
    let feed: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let fixture = feed["response"][0].clone();
    let id = fixture["fixture"]["id"].to_string();
    let one = serde_json::json!({
        "get": "fixtures", "parameters": { "id": id }, "errors": [], "results": 1,
        "paging": { "current": 1, "total": 1 }, "response": [fixture],
    });
    let dir = ctx.path("feed");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("live.json"), &body).expect("live body");
    std::fs::write(dir.join("one.json"), one.to_string()).expect("one body");
    std::fs::write(
        dir.join("index.toml"),
        format!(
            "[[route]]\npath = \"/fixtures\"\nquery = {{ live = \"all\" }}\nfile = \"live.json\"\n\n\
             [[route]]\npath = \"/fixtures\"\nquery = {{ id = \"{id}\" }}\nfile = \"one.json\"\n"
        ),
    )
    .expect("index");
    let server = ReplayServer::start(&dir);
    let config = ctx.path("sluice.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n\
             [providers.api-football]\nplugin = \"api-football\"\nbase_url = \"{base}\"\n\n\
             [[pipelines.detail.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
             params = {{ id = \"{id}\" }}\ncache_ttl = \"1h\"\n\n\
             [[pipelines.live.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
             params = {{ live = \"all\" }}\nlive = true\n",
            db = ctx.database_url(),
            plugins = crate::common::plugin_dir().display(),
            base = server.base_url(),
        ),
    )
    .expect("config");

    assert_ok(&ctx.run(&config, "detail"));
    assert_eq!(last_run_requests(&ctx), 1);
    // Within its cache_ttl and nothing told since: served from the cache.
    assert_ok(&ctx.run(&config, "detail"));
    assert_eq!(last_run_requests(&ctx), 0, "served from the cache");

    // The live stream tells the match's goals and status.
    assert_ok(&ctx.run(&config, "live"));
    assert!(
        ctx.count(&format!(
            "SELECT count(*) FROM live_events WHERE provider = 'api-football' AND event = '{id}'"
        )) > 0
    );
    // The cached response is older than those events: asked again.
    assert_ok(&ctx.run(&config, "detail"));
    assert_eq!(
        last_run_requests(&ctx),
        1,
        "fetched again after a live event"
    );
    // And cached again until the next event.
    assert_ok(&ctx.run(&config, "detail"));
    assert_eq!(last_run_requests(&ctx), 0, "served from the cache again");
}

on_both_databases!(a_cached_match_is_fetched_again_once_a_live_event_of_it_committed);
