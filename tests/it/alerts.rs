//! Alerts through the real binary: conditions written into the database,
//! `sluice alerts check` evaluating them as `sluice serve` does, and what a
//! local webhook receiver and a local SMTP server got, in order and count.

use std::net::SocketAddr;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::common::server::Server;
use crate::common::{TestContext, assert_ok, error_line, sluice_command, stderr, stdout};
use crate::on_both_databases;

/// What the webhook receiver got: the path and the JSON body of each POST.
type Posts = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A webhook receiver answering 200 to every POST.
fn webhook_receiver(listener: std::net::TcpListener) -> (Server, Posts) {
    let posts: Posts = Arc::default();
    let kept = posts.clone();
    let server = Server::start(listener, move |listener| async move {
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, body: axum::body::Bytes| async move {
                let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                kept.lock()
                    .expect("lock")
                    .push((uri.path().to_string(), json));
                "ok"
            },
        );
        let _ = axum::serve(listener, app).await;
    });
    (server, posts)
}

/// What the SMTP server got: each message's DATA.
type Mails = Arc<Mutex<Vec<String>>>;

/// An SMTP server that takes every message (EHLO, MAIL, RCPT, DATA, QUIT).
fn smtp_receiver() -> (Server, Mails) {
    let mails: Mails = Arc::default();
    let kept = mails.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = Server::start(listener, move |listener| async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(smtp_session(socket, kept.clone()));
        }
    });
    (server, mails)
}

async fn smtp_session(socket: tokio::net::TcpStream, mails: Mails) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 localhost test SMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 localhost\r\n",
            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                write.write_all(b"354 end with a dot\r\n").await?;
                let mut data = String::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    data.push_str(&line);
                    data.push('\n');
                }
                mails.lock().expect("lock").push(data);
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(answer).await?;
    }
    Ok(())
}

/// A loopback port nothing listens on (bound, then let go).
fn closed_port() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind")
}

/// Waits until `done` holds, failing the test after `within`.
fn wait_for(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

const SLACK_ENV: &str = "SLUICE_TEST_ALERTS_SLACK_URL";
const HOOK_ENV: &str = "SLUICE_TEST_ALERTS_HOOK_URL";

/// `sluice.toml` with the database of `ctx` and `alerts` (TOML).
fn write_config(ctx: &TestContext, alerts: &str) -> String {
    let path = ctx.path("sluice.toml");
    std::fs::write(
        &path,
        format!("database = \"{}\"\n\n{alerts}\n", ctx.database_url()),
    )
    .expect("write config");
    path.to_str().expect("utf-8").to_string()
}

/// The three channels: Slack and webhook at `http`, email at `smtp`.
fn channels(smtp: SocketAddr) -> String {
    format!(
        r#"
[alerts.channels.slack]
type = "slack"
url_env = "{SLACK_ENV}"

[alerts.channels.hook]
type = "webhook"
url_env = "{HOOK_ENV}"

[alerts.channels.mail]
type = "email"
host = "127.0.0.1"
port = {port}
security = "none"
from = "sluice <alerts@example.com>"
to = ["ops@example.com"]
"#,
        port = smtp.port()
    )
}

/// Runs `sluice ARGS` with the channels' URLs in its environment.
fn sluice_with_urls(ctx: &TestContext, args: &[&str], slack: &str, hook: &str) -> Output {
    sluice_command(args)
        .current_dir(ctx.dir.path())
        .env(SLACK_ENV, slack)
        .env(HOOK_ENV, hook)
        .output()
        .expect("run sluice")
}

fn insert_run(ctx: &TestContext, status: &str, error: Option<&str>) {
    let error = error.map_or("NULL".to_string(), |e| format!("'{e}'"));
    ctx.query(&format!(
        "INSERT INTO sluice_runs (pipeline, mode, status, started_at, finished_at, error) \
         VALUES ('demo', 'run', '{status}', '2026-12-04T10:00:00.000000Z', \
         '2026-12-04T10:01:00.000000Z', {error})"
    ));
}

fn texts(posts: &Posts, path: &str) -> Vec<String> {
    posts
        .lock()
        .expect("lock")
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, body)| body["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn hook_states(posts: &Posts) -> Vec<(String, bool)> {
    posts
        .lock()
        .expect("lock")
        .iter()
        .filter(|(p, _)| p == "/hook")
        .map(|(_, body)| {
            (
                body["state"].as_str().unwrap_or_default().to_string(),
                body["reminder"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

fn subjects(mails: &Mails) -> Vec<String> {
    mails
        .lock()
        .expect("lock")
        .iter()
        .filter_map(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .map(str::to_string)
        })
        .collect()
}

on_both_databases!(a_failing_run_fires_once_reminds_and_resolves);

fn a_failing_run_fires_once_reminds_and_resolves(ctx: TestContext) {
    let (http, posts) = webhook_receiver(std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
    let (smtp, mails) = smtp_receiver();
    let config = write_config(
        &ctx,
        &format!(
            "[alerts]\nreminder = \"2s\"\n{}\n[alerts.rules.run-failed]\nwhen = \"run_failed\"\n",
            channels(smtp.addr)
        ),
    );
    let slack = format!("http://{}/slack", http.addr);
    let hook = format!("http://{}/hook", http.addr);
    let check = || {
        let out = sluice_with_urls(
            &ctx,
            &["alerts", "check", "--config", &config],
            &slack,
            &hook,
        );
        assert_ok(&out);
        stdout(&out)
    };

    insert_run(&ctx, "failed", Some("provider answered HTTP 500"));
    assert_eq!(check(), "1 firing; 3 messages sent, 0 failed\n");
    let fired_at = Instant::now();
    assert_eq!(
        texts(&posts, "/slack"),
        [
            "[sluice] FIRING run-failed: demo\nrun 1 of pipeline demo failed: provider answered HTTP 500"
        ]
    );
    assert_eq!(hook_states(&posts), [("firing".to_string(), false)]);
    {
        let posts = posts.lock().expect("lock");
        let body = &posts.iter().find(|(p, _)| p == "/hook").expect("hook").1;
        assert_eq!(body["rule"], "run-failed");
        assert_eq!(body["subject"], "demo");
        assert_eq!(
            body["message"],
            "run 1 of pipeline demo failed: provider answered HTTP 500"
        );
        assert!(body["fired_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    assert_eq!(subjects(&mails), ["[sluice] FIRING run-failed: demo"]);

    // `sluice alerts` lists it, from the database alone.
    let out = ctx.sluice(&["alerts", "--database", &ctx.database_url()]);
    assert_ok(&out);
    let listed = stdout(&out);
    assert!(listed.starts_with("RULE"), "{listed}");
    assert!(
        listed.contains("run-failed  demo")
            && listed.contains("run 1 of pipeline demo failed: provider answered HTTP 500"),
        "{listed}"
    );

    // Still failing, within the reminder interval: nothing more is sent.
    insert_run(&ctx, "failed", Some("provider answered HTTP 500"));
    assert_eq!(check(), "1 firing; 0 messages sent, 0 failed\n");
    assert_eq!(posts.lock().expect("lock").len(), 2);
    assert_eq!(mails.lock().expect("lock").len(), 1);

    // Once the reminder interval has passed, it is sent again.
    std::thread::sleep(Duration::from_secs(2).saturating_sub(fired_at.elapsed()));
    assert_eq!(check(), "1 firing; 3 messages sent, 0 failed\n");
    assert_eq!(
        hook_states(&posts),
        [("firing".to_string(), false), ("firing".to_string(), true)]
    );
    assert!(
        texts(&posts, "/slack")[1]
            .starts_with("[sluice] STILL FIRING run-failed: demo\nrun 2 of pipeline demo failed")
    );

    // A run that succeeds resolves it, once.
    insert_run(&ctx, "succeeded", None);
    assert_eq!(check(), "0 firing; 3 messages sent, 0 failed\n");
    assert_eq!(check(), "0 firing; 0 messages sent, 0 failed\n");
    assert_eq!(
        hook_states(&posts),
        [
            ("firing".to_string(), false),
            ("firing".to_string(), true),
            ("resolved".to_string(), false)
        ]
    );
    assert!(
        texts(&posts, "/slack")[2].starts_with("[sluice] RESOLVED run-failed: demo\nwas: run 2")
    );
    assert_eq!(
        subjects(&mails),
        [
            "[sluice] FIRING run-failed: demo",
            "[sluice] STILL FIRING run-failed: demo",
            "[sluice] RESOLVED run-failed: demo"
        ]
    );
    assert_eq!(
        ctx.query("SELECT rule, subject, state FROM sluice_alerts"),
        [["run-failed", "demo", "resolved"]]
    );
    let out = ctx.sluice(&["alerts", "--database", &ctx.database_url()]);
    assert_eq!(stdout(&out), "no alert is firing\n");
}

#[test]
fn a_channel_that_is_down_is_retried_without_holding_up_the_others() {
    let ctx = TestContext::new();
    let (slack_server, posts) =
        webhook_receiver(std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
    let down = closed_port();
    let down_addr = down.local_addr().expect("addr");
    drop(down);
    let config = write_config(
        &ctx,
        &format!(
            r#"
[alerts]
retry_attempts = 10
retry_wait = "200ms"

[alerts.channels.slack]
type = "slack"
url_env = "{SLACK_ENV}"

[alerts.channels.hook]
type = "webhook"
url_env = "{HOOK_ENV}"

[alerts.rules.run-failed]
when = "run_failed"
"#
        ),
    );
    insert_run(&ctx, "abandoned", None);
    let child = sluice_command(&["alerts", "check", "--config", &config])
        .current_dir(ctx.dir.path())
        .env(SLACK_ENV, format!("http://{}/slack", slack_server.addr))
        .env(HOOK_ENV, format!("http://{down_addr}/hook"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run sluice");
    // Slack gets its message while the webhook is still down.
    wait_for("the Slack message", Duration::from_secs(10), || {
        texts(&posts, "/slack").len() == 1
    });
    // The webhook comes up on its port; a retry reaches it.
    let (_hook_server, hook_posts) =
        webhook_receiver(std::net::TcpListener::bind(down_addr).expect("rebind the port"));
    let out = child.wait_with_output().expect("sluice ends");
    assert_ok(&out);
    assert_eq!(stdout(&out), "1 firing; 2 messages sent, 0 failed\n");
    assert!(
        stderr(&out).contains("alert not sent, retrying"),
        "{}",
        stderr(&out)
    );
    assert_eq!(hook_states(&hook_posts), [("firing".to_string(), false)]);
    assert_eq!(texts(&posts, "/slack").len(), 1);
}

#[test]
fn sluice_alerts_test_says_which_channels_work_and_never_shows_a_url() {
    let ctx = TestContext::new();
    let (http, posts) = webhook_receiver(std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
    let (smtp, mails) = smtp_receiver();
    let down = closed_port().local_addr().expect("addr");
    let config = write_config(&ctx, &channels(smtp.addr));
    let slack = format!("http://{}/slack/T000/SECRET-TOKEN", http.addr);
    let hook = format!("http://{down}/hook/SECRET-TOKEN");

    let out = sluice_with_urls(
        &ctx,
        &["alerts", "test", "--config", &config],
        &slack,
        &hook,
    );
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 3, "{printed}");
    assert!(
        lines[0].starts_with("hook: failed: the webhook could not be reached"),
        "{printed}"
    );
    assert_eq!(lines[1..], ["mail: sent", "slack: sent"]);
    assert_eq!(error_line(&out), "error: 1 of 3 channels failed");
    assert!(!printed.contains("SECRET") && !stderr(&out).contains("SECRET"));
    assert_eq!(subjects(&mails), ["[sluice] TEST test: sluice alerts test"]);
    assert_eq!(posts.lock().expect("lock").len(), 1);

    let out = sluice_with_urls(
        &ctx,
        &["alerts", "test", "--config", &config, "--channel", "mail"],
        &slack,
        &hook,
    );
    assert_ok(&out);
    assert_eq!(stdout(&out), "mail: sent\n");

    // A channel's variable missing is an error naming the key and the variable.
    let out = sluice_command(&["alerts", "test", "--config", &config])
        .current_dir(ctx.dir.path())
        .env_remove(SLACK_ENV)
        .env(HOOK_ENV, &hook)
        .output()
        .expect("run sluice");
    assert_eq!(
        error_line(&out),
        format!(
            "error: alerts.channels.slack.url_env: the environment variable {SLACK_ENV} is not set"
        )
    );
}

#[test]
fn stale_data_a_low_quota_and_an_open_breaker_fire_from_the_database() {
    let ctx = TestContext::new();
    let (http, posts) = webhook_receiver(std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
    let config = write_config(
        &ctx,
        &format!(
            r#"
[providers.fd]
plugin = "football-data"
base_url = "http://127.0.0.1:9"

[pipelines.demo]
freshness = "1h"
[[pipelines.demo.streams]]
provider = "fd"
stream = "matches"

[alerts.channels.hook]
type = "webhook"
url_env = "{HOOK_ENV}"

[alerts.rules.stale]
when = "stale_data"

[alerts.rules.quota]
when = "quota_low"
below_percent = 10.0

[alerts.rules.breaker]
when = "breaker_open"
provider = "fd"
"#
        ),
    );
    ctx.query(
        "INSERT INTO sluice_runs (pipeline, mode, status, started_at, finished_at) \
         VALUES ('demo', 'run', 'succeeded', '2020-01-01T10:00:00.000000Z', '2020-01-01T10:01:00.000000Z')",
    );
    ctx.query(
        "INSERT INTO sluice_stream_runs (run_id, pipeline, stream_key, provider, stream, status, started_at, finished_at) \
         VALUES (1, 'demo', 'fd/matches', 'fd', 'matches', 'succeeded', '2020-01-01T10:00:00.000000Z', '2020-01-01T10:01:00.000000Z')",
    );
    ctx.query(
        "INSERT INTO sluice_stream_freshness (pipeline, stream_key, provider, stream, run_id, last_success) \
         VALUES ('demo', 'fd/matches', 'fd', 'matches', 1, '2020-01-01T10:01:00.000000Z')",
    );
    ctx.query(
        "INSERT INTO sluice_quotas (provider, quota, scope, remaining, quota_limit, updated_at) \
         VALUES ('fd', 'daily', '', 5, 100, '2026-12-04T10:00:00.000000Z')",
    );
    ctx.query(
        "INSERT INTO sluice_providers (provider, breaker_state, consecutive_failures, opened_at, last_error, updated_at) \
         VALUES ('fd', 'open', 5, '2026-12-04T10:00:00.000000Z', 'HTTP 503', '2026-12-04T10:00:00.000000Z')",
    );
    let hook = format!("http://{}/hook", http.addr);
    let out = sluice_with_urls(&ctx, &["alerts", "check", "--config", &config], "", &hook);
    assert_ok(&out);
    assert_eq!(stdout(&out), "3 firing; 3 messages sent, 0 failed\n");
    let mut fired: Vec<(String, String)> = posts
        .lock()
        .expect("lock")
        .iter()
        .map(|(_, b)| {
            (
                b["rule"].as_str().unwrap_or_default().to_string(),
                b["subject"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    fired.sort();
    assert_eq!(
        fired,
        [
            ("breaker".to_string(), "fd".to_string()),
            ("quota".to_string(), "fd/daily".to_string()),
            ("stale".to_string(), "demo/fd/matches".to_string()),
        ]
    );
    let listed = stdout(&ctx.sluice(&["alerts", "--config", &config]));
    assert!(
        listed.contains("quota fd/daily: 5 of 100 left (5.0%)"),
        "{listed}"
    );
    assert!(
        listed.contains("the circuit breaker of provider fd is open since 2026-12-04T10:00:00.000000Z; last error: HTTP 503"),
        "{listed}"
    );
    assert!(
        listed.contains(
            "stream fd/matches of pipeline demo last succeeded at 2020-01-01T10:01:00.000000Z"
        ),
        "{listed}"
    );
}
