//! The Supabase Realtime Broadcast sink of `sluice serve`, against a local
//! receiver that records every POST (its time, headers and body) and
//! answers as Supabase does (202), or as a test scripts it (500, 429).
//! The outbox is the recorded API-Football `live=all` feed: 633 events
//! about 195 matches.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::server::Server;
use crate::common::serving::{Serving, free_addr, wait_for};
use crate::common::{TestContext, assert_ok, sluice_command, stderr};
use crate::live::live_config;

const KEY_ENV: &str = "SLUICE_TEST_SUPABASE_KEY";
const KEY: &str = "service-key-for-tests";
/// The outbox the recorded feed fills.
const EVENTS: usize = 633;
const MATCHES: usize = 195;

/// One POST as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    /// When it arrived, by the receiver's clock.
    at: Instant,
    path: String,
    apikey: Option<String>,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Value,
    /// What the receiver answered.
    status: u16,
}

impl Received {
    fn messages(&self) -> &[Value] {
        self.body["messages"].as_array().map_or(&[], Vec::as_slice)
    }

    fn accepted(&self) -> bool {
        self.status == 202
    }
}

/// The answers a receiver gives before it answers 202 to everything: a
/// status, and a `Retry-After` to send with it.
type Script = Arc<Mutex<VecDeque<(u16, Option<&'static str>)>>>;

/// A Broadcast receiver: answers the scripted statuses first (with a
/// `Retry-After` when given), then 202 to everything.
struct Receiver {
    server: Server,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(script: &[(u16, Option<&'static str>)]) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let script: Script = Arc::new(Mutex::new(script.iter().copied().collect()));
        let kept = got.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let server = Server::start(listener, move |listener| async move {
            let app = axum::Router::new().fallback(
                move |uri: axum::http::Uri,
                      headers: axum::http::HeaderMap,
                      body: axum::body::Bytes| async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string)
                    };
                    let (status, retry_after) = script
                        .lock()
                        .expect("lock")
                        .pop_front()
                        .unwrap_or((202, None));
                    kept.lock().expect("lock").push(Received {
                        at: Instant::now(),
                        path: uri.path().to_string(),
                        apikey: header("apikey"),
                        authorization: header("authorization"),
                        content_type: header("content-type"),
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                        status,
                    });
                    let mut response = axum::http::Response::builder().status(status);
                    if let Some(wait) = retry_after {
                        response = response.header("retry-after", wait);
                    }
                    response.body(axum::body::Body::empty()).expect("response")
                },
            );
            let _ = axum::serve(listener, app).await;
        });
        Receiver { server, got }
    }

    fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

/// The live config with `[live.supabase]` pointing at `receiver` and the
/// extra keys `extra`.
fn with_sink(ctx: &TestContext, config: &Path, receiver: &Receiver, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(config).expect("config");
    let path = ctx.path("broadcast.toml");
    std::fs::write(
        &path,
        format!(
            "{text}\n[live.supabase]\nurl = \"{url}\"\napi_key_env = \"{KEY_ENV}\"\n\
             tick = \"200ms\"\n{extra}",
            url = receiver.url()
        ),
    )
    .expect("config");
    path
}

fn serve(ctx: &TestContext, config: &Path) -> Serving {
    Serving::start(
        ctx,
        config,
        &[],
        &[(KEY_ENV, KEY), ("SLUICE_TEST_ADMIN", "t")],
    )
}

/// The sink's cursor, once it has one.
fn cursor(ctx: &TestContext) -> Option<i64> {
    ctx.query("SELECT seq FROM live_sink_cursors WHERE sink = 'supabase'")
        .first()
        .and_then(|row| row[0].parse().ok())
}

fn newest_seq(ctx: &TestContext) -> i64 {
    ctx.count("SELECT max(seq) FROM live_events")
}

/// Every message of the accepted POSTs, with the events' sequence numbers
/// each carried, in the order received.
fn accepted_messages(got: &[Received]) -> Vec<Value> {
    got.iter()
        .filter(|r| r.accepted())
        .flat_map(|r| r.messages().to_vec())
        .collect()
}

fn seqs_of(message: &Value) -> Vec<i64> {
    message["payload"]["events"]
        .as_array()
        .map(|events| events.iter().filter_map(|e| e["seq"].as_i64()).collect())
        .unwrap_or_default()
}

/// The most messages any one-second window of arrivals holds.
fn busiest_second(got: &[Received]) -> usize {
    (0..got.len())
        .map(|i| {
            got[i..]
                .iter()
                .take_while(|r| r.at.duration_since(got[i].at) < Duration::from_secs(1))
                .map(|r| r.messages().len())
                .sum()
        })
        .max()
        .unwrap_or(0)
}

fn every_match_gets_its_latest_state_on_its_own_topic_within_the_rate_and_a_restart_resends_nothing(
    ctx: TestContext,
) {
    let Some((config, _feed)) = live_config(&ctx) else {
        return;
    };
    assert_ok(&ctx.run(&config, "live"));
    let receiver = Receiver::start(&[]);
    let config = with_sink(&ctx, &config, &receiver, "max_messages_per_second = 80\n");
    let mut serving = serve(&ctx, &config);
    let newest = newest_seq(&ctx);
    wait_for("the outbox published", Duration::from_secs(30), || {
        cursor(&ctx) == Some(newest)
    });
    let got = receiver.got();

    // The key in both headers, JSON, to the REST endpoint.
    for post in &got {
        assert_eq!(post.path, "/realtime/v1/api/broadcast");
        assert_eq!(post.apikey.as_deref(), Some(KEY));
        assert_eq!(
            post.authorization.as_deref(),
            Some(&*format!("Bearer {KEY}"))
        );
        assert_eq!(post.content_type.as_deref(), Some("application/json"));
    }
    // One message per match, on the match's own topic, carrying the
    // match's latest state and each of its events once.
    let messages = accepted_messages(&got);
    assert_eq!(messages.len(), MATCHES);
    let states: BTreeMap<String, (i64, i64, String)> = ctx
        .query("SELECT match_key, home_score, away_score, status FROM live_matches")
        .into_iter()
        .map(|r| {
            let score = |i: usize| r[i].parse::<i64>().expect("score");
            (r[0].clone(), (score(1), score(2), r[3].clone()))
        })
        .collect();
    let mut topics = BTreeSet::new();
    let mut seqs = Vec::new();
    for message in &messages {
        let key = message["payload"]["match"].as_str().expect("match");
        assert_eq!(message["topic"], format!("match:{key}"));
        assert_eq!(message["event"], "live_state");
        assert_eq!(message["private"], false);
        topics.insert(key.to_string());
        let state = &message["payload"]["state"];
        let (home, away, status) = states.get(key).expect("a live match");
        assert_eq!(
            (
                state["home_score"].as_i64(),
                state["away_score"].as_i64(),
                state["status"].as_str()
            ),
            (Some(*home), Some(*away), Some(status.as_str())),
            "{key}"
        );
        let carried = seqs_of(message);
        assert_eq!(message["payload"]["seq"].as_i64(), carried.last().copied());
        assert_eq!(message["payload"]["events_dropped"], 0);
        seqs.extend(carried);
    }
    assert_eq!(topics.len(), MATCHES);
    assert_eq!(topics, states.keys().cloned().collect());
    seqs.sort_unstable();
    let outbox: Vec<i64> = ctx
        .query("SELECT seq FROM live_events ORDER BY seq")
        .into_iter()
        .map(|r| r[0].parse().expect("seq"))
        .collect();
    assert_eq!(seqs.len(), EVENTS);
    assert_eq!(seqs, outbox);
    // 195 messages at 80 a second take three seconds, never more than 80
    // in any one of them.
    assert!(got.len() >= 3, "{} POSTs", got.len());
    let busiest = busiest_second(&got);
    assert!(busiest <= 80, "{busiest} messages within one second");

    // Counted as sent.
    let (_, metrics) = serving.get("/metrics").expect("metrics");
    assert!(
        metrics.contains(&format!(
            "sluice_live_sink_messages_total{{sink=\"supabase\"}} {MATCHES}"
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "sluice_live_sink_events_total{{sink=\"supabase\"}} {EVENTS}"
        )),
        "{metrics}"
    );

    // Stopped and started again: nothing is sent twice; a new goal in a
    // new match is sent once.
    assert!(serving.signal(libc::SIGTERM).success());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let told = runtime.block_on(async {
        let pool = sluice::db::Pool::connect(&ctx.database_url())
            .await
            .expect("connect");
        crate::live::poll_once(&pool, &crate::live::three_polls()[0], true).await
    });
    assert!(!told.is_empty());
    let _serving = serve(&ctx, &config);
    let newest = newest_seq(&ctx);
    wait_for("the new goal published", Duration::from_secs(30), || {
        cursor(&ctx) == Some(newest)
    });
    let after = receiver.got();
    let again = accepted_messages(&after[got.len()..]);
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0]["topic"], "match:event:api-football:1001");
    assert_eq!(seqs_of(&again[0]), told);
    assert_eq!(again[0]["payload"]["state"]["home_score"], 1);
}

crate::on_both_databases!(
    every_match_gets_its_latest_state_on_its_own_topic_within_the_rate_and_a_restart_resends_nothing
);

/// A payload limit too small for some matches' events, a 500, then a 429
/// asking for a second: every match still arrives once, no payload is over
/// the limit, the oldest events are those left out (and counted), and the
/// wait asked for is kept.
fn small_payloads_a_500_and_a_429_still_deliver_every_match_once_under_the_limit(ctx: TestContext) {
    let Some((config, _feed)) = live_config(&ctx) else {
        return;
    };
    assert_ok(&ctx.run(&config, "live"));
    let receiver = Receiver::start(&[(500, None), (429, Some("1"))]);
    let limit = 1_200;
    let config = with_sink(
        &ctx,
        &config,
        &receiver,
        &format!("max_messages_per_second = 100\nmax_payload_bytes = {limit}\n"),
    );
    let _serving = serve(&ctx, &config);
    let newest = newest_seq(&ctx);
    wait_for("the outbox published", Duration::from_secs(30), || {
        cursor(&ctx) == Some(newest)
    });
    let got = receiver.got();
    assert_eq!(
        got.iter().take(3).map(|r| r.status).collect::<Vec<_>>(),
        [500, 429, 202]
    );
    // The refused POSTs are sent again as they were.
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(got[1].body, got[2].body);
    let waited = got[2].at.duration_since(got[1].at);
    assert!(waited >= Duration::from_millis(950), "{waited:?}");

    let messages = accepted_messages(&got);
    let topics: BTreeSet<&str> = messages
        .iter()
        .filter_map(|m| m["topic"].as_str())
        .collect();
    assert_eq!((messages.len(), topics.len()), (MATCHES, MATCHES));
    let mut carried = BTreeSet::new();
    let mut dropped = 0;
    for message in &messages {
        let payload = message["payload"].to_string();
        assert!(payload.len() <= limit, "{} bytes: {payload}", payload.len());
        let seqs = seqs_of(message);
        let left_out = message["payload"]["events_dropped"]
            .as_u64()
            .expect("count");
        if left_out > 0 {
            // What is kept is the newest.
            assert_eq!(message["payload"]["seq"].as_i64(), seqs.last().copied());
        }
        dropped += left_out as usize;
        for seq in seqs {
            assert!(carried.insert(seq), "seq {seq} sent twice");
        }
    }
    assert!(dropped > 0, "the limit left nothing out");
    assert_eq!(carried.len() + dropped, EVENTS);
    let log = std::fs::read_to_string(ctx.path("serve.log")).unwrap_or_default();
    assert!(
        log.contains("oldest events left out of a match's live message"),
        "{log}"
    );
}

crate::on_both_databases!(
    small_payloads_a_500_and_a_429_still_deliver_every_match_once_under_the_limit
);

#[test]
fn a_supabase_sink_without_its_key_refuses_to_start_and_says_which_variable() {
    let ctx = TestContext::new();
    let receiver = Receiver::start(&[]);
    let config = ctx.path("sluice.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n[live.supabase]\nurl = \"{url}\"\n\
             api_key_env = \"SLUICE_TEST_NO_SUCH_KEY\"\n",
            db = ctx.database_url(),
            plugins = crate::common::plugin_dir().display(),
            url = receiver.url()
        ),
    )
    .expect("config");
    let out = sluice_command(&[
        "serve",
        "--config",
        config.to_str().expect("utf-8"),
        "--addr",
        &free_addr(),
    ])
    .env_remove("SLUICE_TEST_NO_SUCH_KEY")
    .output()
    .expect("sluice serve");
    let said = stderr(&out);
    assert!(!out.status.success(), "started without its key: {said}");
    assert!(
        said.contains(
            "[live.supabase] api_key_env: environment variable SLUICE_TEST_NO_SUCH_KEY is not set"
        ),
        "{said}"
    );
    assert!(receiver.got().is_empty());
}
