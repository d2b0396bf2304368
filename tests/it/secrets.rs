//! No secret leaves the process: provider tokens (sent as a header and as a
//! query parameter), the admin token and an alert webhook's URL never
//! appear in a log line, a metric, the API, the dashboard, the database or
//! what the commands print, even at the most verbose log level and with a
//! failing run and a channel that is down.

use std::time::Duration;

use crate::common::serving::{Serving, request, wait_for};
use crate::common::{
    ReplayServer, TestContext, copy_dir, demo_recordings, plugin_dir, sluice_command,
};
use crate::odds::{bookmaker, event};

const PROVIDER_TOKEN: &str = "fd-tok-9c1e5ab0";
const ODDS_KEY: &str = "odds-key-77d2f0e1";
const ADMIN_TOKEN: &str = "adm-3b9f41c2";
const WEBHOOK_SECRET: &str = "wh-secret-55216a";

/// The whole answer (status line, headers, body) of one request, or
/// nothing when the server is gone.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>) -> String {
    request(addr, method, path, token)
        .map_or(String::new(), |(status, body)| format!("{status}\n{body}"))
}

#[test]
fn no_secret_reaches_a_log_line_a_metric_the_api_the_dashboard_or_the_database() {
    let ctx = TestContext::new();
    // The demo's football-data recordings, plus one odds route whose query
    // holds the key the host adds.
    let recordings = ctx.path("recordings");
    copy_dir(&demo_recordings(), &recordings);
    let odds = format!(
        "[{}]",
        event(
            "e1",
            "Arsenal",
            "Chelsea",
            &[bookmaker(
                "alpha",
                &[(
                    "h2h",
                    &[
                        ("Arsenal", 2.1, None),
                        ("Chelsea", 3.4, None),
                        ("Draw", 3.2, None)
                    ]
                )]
            )]
        )
    );
    std::fs::write(recordings.join("odds.json"), odds).expect("odds");
    let index = std::fs::read_to_string(recordings.join("index.toml")).expect("index");
    std::fs::write(
        recordings.join("index.toml"),
        format!(
            "{index}\n[[route]]\npath = \"/v4/sports/soccer_epl/odds\"\nquery = {{ regions = \"eu\", markets = \"h2h\", oddsFormat = \"decimal\", dateFormat = \"iso\", apiKey = \"{ODDS_KEY}\" }}\nfile = \"odds.json\"\n"
        ),
    )
    .expect("index");
    let server = ReplayServer::start(&recordings);
    // A webhook whose URL is a secret, on a port nobody listens on: every
    // delivery fails and is retried, and the errors are logged.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port");
    let webhook = format!("http://{closed}/hooks/{WEBHOOK_SECRET}");
    let config = ctx.path("sluice.toml");
    std::fs::write(
        &config,
        format!(
            r#"database = "{db}"
plugin_dir = "{plugins}"

[serve]
admin_token_env = "SLUICE_TEST_ADMIN"

[providers.football-data]
plugin = "football-data"
base_url = "{url}"
token_env = "SLUICE_TEST_FD_TOKEN"

[providers.the-odds-api]
plugin = "the-odds-api"
base_url = "{url}"
token_env = "SLUICE_TEST_ODDS_KEY"

[pipelines.demo]
[[pipelines.demo.streams]]
provider = "football-data"
stream = "matches"
params = {{ competition = "CL", season = "2022" }}
[[pipelines.demo.streams]]
provider = "the-odds-api"
stream = "odds"
params = {{ sport = "soccer_epl", regions = "eu", markets = "h2h" }}

[pipelines.broken]
[[pipelines.broken.streams]]
provider = "football-data"
stream = "matches"
params = {{ competition = "XX", season = "1900" }}

[alerts]
retry_attempts = 2
retry_wait = "100ms"
[alerts.channels.hook]
type = "webhook"
url_env = "SLUICE_TEST_WEBHOOK"
[alerts.rules.failed]
when = "run_failed"
"#,
            db = ctx.database_url(),
            plugins = plugin_dir().display(),
            url = server.base_url(),
        ),
    )
    .expect("config");
    let secrets = [
        ("SLUICE_TEST_FD_TOKEN", PROVIDER_TOKEN.to_string()),
        ("SLUICE_TEST_ODDS_KEY", ODDS_KEY.to_string()),
        ("SLUICE_TEST_ADMIN", ADMIN_TOKEN.to_string()),
        ("SLUICE_TEST_WEBHOOK", webhook.clone()),
    ];
    let mut env: Vec<(&str, &str)> = secrets.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // The most verbose log there is.
    env.push(("RUST_LOG", "trace"));
    let serving = Serving::start(&ctx, &config, &["--log-format", "json"], &env);
    let addr = serving.addr.clone();
    for pipeline in ["demo", "broken"] {
        let answer = http(
            &addr,
            "POST",
            &format!("/runs/{pipeline}"),
            Some(ADMIN_TOKEN),
        );
        assert!(answer.starts_with("202\n"), "{answer}");
        wait_for(pipeline, Duration::from_secs(30), || {
            ctx.count(&format!(
                "SELECT count(*) FROM sluice_runs WHERE pipeline = '{pipeline}' AND status <> 'running'"
            )) == 1
        });
    }
    let statuses = ctx.query("SELECT pipeline, status FROM sluice_runs ORDER BY id");
    assert_eq!(statuses[0], ["demo", "succeeded"], "{statuses:?}");
    assert_eq!(statuses[1], ["broken", "failed"], "{statuses:?}");
    assert!(
        ctx.count("SELECT count(*) FROM odds") > 0,
        "the odds key was not sent"
    );
    wait_for("the alert", Duration::from_secs(30), || {
        ctx.count("SELECT count(*) FROM sluice_alerts WHERE state = 'firing'") == 1
    });
    // Let the deliveries fail and be retried, and their errors logged.
    std::thread::sleep(Duration::from_millis(1500));

    let mut seen: Vec<(String, String)> = Vec::new();
    for path in [
        "/",
        "/runs",
        "/runs/1",
        "/runs/2",
        "/metrics",
        "/plugins",
        "/plugins/reloads",
        "/providers",
        "/streams",
        "/quarantine",
        "/alerts",
        "/assets/dashboard.js",
    ] {
        seen.push((format!("GET {path}"), http(&addr, "GET", path, None)));
    }
    drop(serving);
    seen.push((
        "serve log".into(),
        std::fs::read_to_string(ctx.path("serve.log")).expect("log"),
    ));
    for table in [
        "sluice_runs",
        "sluice_stream_runs",
        "sluice_run_logs",
        "sluice_responses",
        "sluice_quarantine",
        "sluice_providers",
        "sluice_quotas",
        "sluice_alerts",
        "sluice_checkpoints",
    ] {
        let rows = ctx.query(&format!("SELECT * FROM {table}"));
        assert!(
            !rows.is_empty()
                || !matches!(
                    table,
                    "sluice_runs" | "sluice_run_logs" | "sluice_responses" | "sluice_alerts"
                ),
            "{table} is empty: the test checks nothing there"
        );
        seen.push((table.to_string(), format!("{rows:?}")));
    }
    let config_arg = config.to_str().expect("utf-8");
    for args in [
        vec!["runs", "--config", config_arg],
        vec!["runs", "show", "2", "--config", config_arg],
        vec!["status", "--config", config_arg],
        vec!["logs", "--run", "1", "--config", config_arg],
        vec!["logs", "--run", "2", "--config", config_arg],
        vec!["alerts", "--config", config_arg],
        vec!["alerts", "test", "--config", config_arg],
        vec!["metrics", "--config", config_arg],
    ] {
        let out = sluice_command(&args)
            .envs(secrets.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("sluice");
        seen.push((
            args.join(" "),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ));
    }
    let log = &seen
        .iter()
        .find(|(what, _)| what == "serve log")
        .expect("log")
        .1;
    assert!(
        log.lines().count() > 50,
        "the log is too short to prove anything:\n{log}"
    );
    assert!(
        log.contains("webhook") || log.contains("hook"),
        "no delivery error was logged:\n{log}"
    );
    for (what, text) in &seen {
        for secret in [PROVIDER_TOKEN, ODDS_KEY, ADMIN_TOKEN, WEBHOOK_SECRET] {
            assert!(!text.contains(secret), "{what} shows the secret {secret}");
        }
    }
}
