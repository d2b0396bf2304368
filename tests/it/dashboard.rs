//! The dashboard of `sluice serve` in a real browser: the page loads, a run
//! started through the API appears without a reload, a quarantined item's
//! payload opens, replay needs the admin token, and the run's quality grade
//! shows in the Quality panel, at `GET /quality` and in the metrics. `SLUICE_SCREENSHOT=1`
//! also writes `docs/dashboard.png`.

pub(crate) mod cdp;

use std::time::Duration;

use crate::common::serving::{Serving, request as http};
use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, copy_dir, demo_recordings, repo_root,
};
use cdp::Browser;

const TOKEN: &str = "dashboard-test-token";

/// One check on the demo's matches, which all pass it: grade A, score 1.
const QUALITY: &str = r#"
[[quality.checks]]
table = "events"
name = "kickoff_present"
check = "not_null"
column = "kickoff"
"#;

#[test]
fn the_dashboard_follows_runs_live_and_replays_quarantine_with_the_token() {
    let ctx = TestContext::new();
    // The teams response is one the plugin fails on: it lands in quarantine.
    let recordings = ctx.path("recordings");
    copy_dir(&demo_recordings(), &recordings);
    std::fs::write(
        recordings.join("v4_competitions_CL_teams_season2022.json"),
        b"{\"teams\": 17}",
    )
    .expect("write");
    let server = ReplayServer::start(&recordings);
    let pipelines = format!(
        "[serve]\nadmin_token_env = \"SLUICE_DASHBOARD_TEST_TOKEN\"\n\n\
         [pipelines.demo]\nfreshness = \"1h\"\n{DEMO_PIPELINE}\n{QUALITY}"
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let serving = Serving::start(
        &ctx,
        &config,
        &[],
        &[("SLUICE_DASHBOARD_TEST_TOKEN", TOKEN)],
    );
    let addr = serving.addr.clone();

    // The page loads, empty.
    let mut browser = Browser::launch(&ctx.path("chromium-profile"));
    browser.open(&format!("http://{addr}/"));
    assert_eq!(browser.eval("document.title"), "sluice dashboard");
    assert_eq!(
        browser.eval("document.querySelector('[data-testid=runs-table]') !== null"),
        true
    );
    browser.wait_until(
        "the live feed",
        "document.getElementById('live').textContent === 'live'",
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('[data-testid=run-row]').length"),
        0
    );
    // Survives only as long as the page is not reloaded.
    browser.eval("window.notReloaded = true");

    // A run started through the API appears, and ends, without a reload.
    assert_eq!(
        http(&addr, "POST", "/runs/demo", None).map(|(s, _)| s),
        Some(401)
    );
    let (status, body) = http(&addr, "POST", "/runs/demo", Some(TOKEN)).expect("POST /runs");
    assert_eq!(status, 202, "{body}");
    browser.wait_until(
        "run 1 in the runs table",
        "document.querySelector('[data-testid=run-row][data-run-id=\"1\"]') !== null",
    );
    // Ending takes longer on a busy machine.
    browser.wait_up_to(
        Duration::from_secs(90),
        "run 1 to end partial (its teams response quarantined)",
        "document.querySelector('[data-run-id=\"1\"]').dataset.status === 'partial'",
    );
    // Its balance line adds up: records_in = inserted + updated + … .
    let balance = browser.eval(
        "(() => { const b = document.querySelector('[data-run-id=\"1\"] [data-testid=balance]'); \
         return b.classList.contains('off') ? 'off: ' + b.textContent : b.textContent; })()",
    );
    let balance = balance.as_str().unwrap_or_default().to_string();
    let (records_in, parts) = balance.split_once(" = ").expect("a balance line");
    let sum: i64 = parts
        .split(" + ")
        .map(|p| {
            p.split(' ')
                .next()
                .and_then(|n| n.parse::<i64>().ok())
                .expect("a count")
        })
        .sum();
    assert_eq!(records_in.parse::<i64>().ok(), Some(sum), "{balance}");
    assert!(sum > 491, "{balance}");
    // Its quality grade shows in the Quality panel, at /quality and in the
    // metrics.
    browser.wait_until(
        "the events table's grade",
        "[...document.querySelectorAll('[data-testid=quality-grade]')] \
         .some(li => li.textContent.includes('events') && li.textContent.includes('A'))",
    );
    let (status, body) = http(&addr, "GET", "/quality", None).expect("GET /quality");
    assert_eq!(status, 200, "{body}");
    let grades: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(grades[0]["table"], "events", "{body}");
    assert_eq!(grades[0]["grade"], "A", "{body}");
    assert_eq!(grades[0]["score"], 1.0, "{body}");
    assert_eq!(grades[0]["run_id"], 1, "{body}");
    let (_, metrics) = http(&addr, "GET", "/metrics", None).expect("GET /metrics");
    assert!(
        metrics.contains("sluice_quality_score{pipeline=\"demo\",table=\"events\"} 1"),
        "{metrics}"
    );
    // Its streams open on click.
    browser.eval("document.querySelector('[data-run-id=\"1\"]').click()");
    browser.wait_until(
        "run 1's three streams",
        "document.querySelectorAll('[data-testid=run-stream]').length === 3",
    );

    // The quarantined response opens with its raw payload.
    browser.wait_until(
        "the quarantined item",
        "document.querySelector('[data-testid=quarantine-row][data-item-id=\"1\"]') !== null",
    );
    browser.eval("document.querySelector('[data-item-id=\"1\"]').click()");
    browser.wait_until(
        "the item's payload",
        "document.getElementById('quarantine-raw').textContent.includes('\"teams\": 17')",
    );

    // Replay is refused without the token, or with a wrong one.
    assert_eq!(
        http(&addr, "POST", "/quarantine/1/replay", None).map(|(s, _)| s),
        Some(401)
    );
    assert_eq!(
        http(&addr, "POST", "/quarantine/1/replay", Some("wrong")).map(|(s, _)| s),
        Some(401)
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_runs WHERE mode = 'replay'"),
        0
    );
    // The page asks for the token; a wrong one is refused and forgotten.
    browser.eval("document.getElementById('replay-button').click()");
    browser.wait_until(
        "the token form",
        "!document.getElementById('token-form').hidden",
    );
    browser.eval(
        "document.getElementById('token-input').value = 'wrong'; \
         document.getElementById('token-form').requestSubmit()",
    );
    browser.wait_until(
        "the refusal",
        "document.getElementById('replay-outcome').textContent.startsWith('Refused (401)')",
    );
    assert_eq!(
        browser.eval("sessionStorage.getItem('sluice.adminToken')"),
        serde_json::Value::Null
    );
    // With the right token the item is replayed and the outcome shown.
    browser.eval(&format!(
        "document.getElementById('token-input').value = '{TOKEN}'; \
         document.getElementById('token-form').requestSubmit()"
    ));
    browser.wait_up_to(
        Duration::from_secs(90),
        "the replay's outcome",
        "document.getElementById('replay-outcome').textContent.startsWith('Replay run 2 ')",
    );
    assert_eq!(
        ctx.query("SELECT mode, replay_of FROM sluice_runs WHERE id = 2"),
        vec![vec!["replay", "1"]]
    );
    browser.wait_until(
        "the replay run in the runs table",
        "document.querySelector('[data-testid=run-row][data-run-id=\"2\"]') !== null",
    );
    assert_eq!(
        browser.eval("sessionStorage.getItem('sluice.adminToken')"),
        TOKEN,
        "the token is kept for the tab"
    );
    // The rest of the page: the plugin, the provider and the streams.
    assert_eq!(
        browser.eval(
            "[...document.querySelectorAll('[data-testid=plugin-row]')] \
             .some(r => r.cells[0].textContent === 'football-data' && r.cells[2].textContent === '0.4.0')"
        ),
        true
    );
    assert_eq!(
        browser.eval("document.querySelector('[data-testid=provider]').dataset.provider"),
        "football-data"
    );
    browser.wait_until(
        "three fresh streams",
        "document.querySelectorAll('[data-testid=stream-row] .s-fresh').length === 3 \
         && document.querySelectorAll('[data-testid=stream-row]').length === 3",
    );
    assert_eq!(browser.eval("window.notReloaded === true"), true);
    assert!(
        !browser
            .eval("document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .contains(TOKEN),
        "the page never shows the token"
    );

    if std::env::var("SLUICE_SCREENSHOT").is_ok_and(|v| v == "1") {
        browser.eval("document.querySelector('[data-item-id=\"1\"]').click()");
        std::thread::sleep(Duration::from_millis(500));
        let png = browser.screenshot();
        std::fs::write(repo_root().join("docs/dashboard.png"), png).expect("write the screenshot");
    }
}
