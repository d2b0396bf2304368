//! The live path's tracker on a real in-play feed: API-Football's recorded
//! `fixtures?live=all` (195 matches in play), normalized by the built
//! plugin and told as events.

use std::collections::BTreeMap;

use serde_json::Value;
use sluice::live::{LiveEventKind, MatchSnapshot, MatchTracker, ServedMatch, TrackerSettings};
use sluice::model::HttpResponse;
use sluice_test_support::recordings;

use crate::common::built_plugin;

pub(crate) const LIVE_ALL: &str = "api-football/v3_fixtures_live_all_2023-05-13.json";

/// Each match of the recorded feed as one poll's snapshot, by fixture id.
fn snapshots(body: &[u8]) -> BTreeMap<String, MatchSnapshot> {
    let plugin = built_plugin("api-football");
    let params = vec![("live".to_string(), "all".to_string())];
    let request = plugin.plan("fixtures", None, &params).expect("plan")[0].clone();
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: body.to_vec(),
    };
    let batch = plugin
        .normalize("fixtures", &params, &request, response)
        .0
        .expect("the live feed normalizes");
    sluice::live::snapshots_of(&batch.records)
        .into_iter()
        .map(|live| (live.event, live.snapshot))
        .collect()
}

#[test]
fn the_recorded_live_feed_polled_a_hundred_times_tells_each_goal_and_card_once() {
    let Some(body) = recordings::read(LIVE_ALL) else {
        return;
    };
    let raw: Value = serde_json::from_slice(&body).expect("JSON");
    let fixtures = raw["response"].as_array().expect("response");
    let (mut goals, mut cards) = (0, 0);
    for fixture in fixtures {
        for event in fixture["events"].as_array().expect("events") {
            match (event["type"].as_str(), event["detail"].as_str()) {
                (Some("Goal"), Some("Missed Penalty")) => {}
                (Some("Goal"), _) => goals += 1,
                (Some("Card"), _) => cards += 1,
                _ => {}
            }
        }
    }
    assert_eq!((fixtures.len(), goals, cards), (195, 288, 147));
    // Two matches list no incidents at all though they have scored (0-1
    // and 1-1): their three goals are told from the score.
    let from_score = fixtures
        .iter()
        .filter(|f| f["events"].as_array().is_some_and(Vec::is_empty))
        .map(|f| {
            f["goals"]["home"].as_u64().unwrap_or(0) + f["goals"]["away"].as_u64().unwrap_or(0)
        })
        .sum::<u64>();
    assert_eq!(from_score, 3);

    let snapshots = snapshots(&body);
    assert_eq!(snapshots.len(), 195);
    let mut trackers: BTreeMap<&String, MatchTracker> = BTreeMap::new();
    let mut told: BTreeMap<LiveEventKind, usize> = BTreeMap::new();
    for poll in 0..100 {
        let mut this_poll = 0;
        for (fixture, snapshot) in &snapshots {
            let tracker = trackers
                .entry(fixture)
                .or_insert_with(|| MatchTracker::new(TrackerSettings::default()));
            for event in tracker.observe(snapshot) {
                *told.entry(event.kind).or_default() += 1;
                this_poll += 1;
            }
        }
        if poll > 0 {
            assert_eq!(this_poll, 0, "poll {poll} told something again");
        }
    }
    assert_eq!(
        told,
        BTreeMap::from([
            (LiveEventKind::Goal, 288 + 3),
            (LiveEventKind::Card, 147),
            (LiveEventKind::StatusChanged, 195),
        ])
    );
}

#[test]
fn a_goal_re_timed_and_a_goal_ruled_out_in_the_real_feed_are_one_update_and_one_cancellation() {
    let Some(body) = recordings::read(LIVE_ALL) else {
        return;
    };
    let mut raw: Value = serde_json::from_slice(&body).expect("JSON");
    let with_goals: Vec<usize> = raw["response"]
        .as_array()
        .expect("response")
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f["events"].as_array().is_some_and(|e| {
                e.iter()
                    .any(|e| e["type"] == "Goal" && e["detail"] == "Normal Goal")
            })
        })
        .map(|(i, _)| i)
        .collect();
    let (retimed, ruled_out) = (with_goals[0], with_goals[1]);
    let first_goal = |fixture: &Value| {
        fixture["events"]
            .as_array()
            .and_then(|e| {
                e.iter()
                    .position(|e| e["type"] == "Goal" && e["detail"] == "Normal Goal")
            })
            .expect("a goal")
    };
    let before = snapshots(&body);
    let mut trackers: BTreeMap<String, MatchTracker> = BTreeMap::new();
    for (fixture, snapshot) in &before {
        let mut tracker = MatchTracker::new(TrackerSettings::default());
        tracker.observe(snapshot);
        trackers.insert(fixture.clone(), tracker);
    }
    // The next poll: one goal a minute later, another one gone (VAR), its
    // side's score one less.
    let fixtures = raw["response"].as_array_mut().expect("response");
    let at = first_goal(&fixtures[retimed]);
    let elapsed = fixtures[retimed]["events"][at]["time"]["elapsed"]
        .as_u64()
        .expect("elapsed");
    fixtures[retimed]["events"][at]["time"]["elapsed"] = Value::from(elapsed + 1);
    let at = first_goal(&fixtures[ruled_out]);
    let removed = fixtures[ruled_out]["events"]
        .as_array_mut()
        .expect("events")
        .remove(at);
    let side = if removed["team"]["id"] == fixtures[ruled_out]["teams"]["home"]["id"] {
        "home"
    } else {
        "away"
    };
    let goals = fixtures[ruled_out]["goals"][side].as_u64().expect("goals");
    fixtures[ruled_out]["goals"][side] = Value::from(goals - 1);
    let after = snapshots(&serde_json::to_vec(&raw).expect("JSON"));

    let mut told = Vec::new();
    for (fixture, snapshot) in &after {
        let tracker = trackers.get_mut(fixture).expect("tracked");
        for event in tracker.observe(snapshot) {
            told.push((fixture.clone(), event.kind));
        }
    }
    let id = |i: usize| raw["response"][i]["fixture"]["id"].to_string();
    assert_eq!(
        told,
        [
            (id(retimed), LiveEventKind::GoalUpdated),
            (id(ruled_out), LiveEventKind::GoalCancelled),
        ]
        .into_iter()
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
}

/// A match in play as three polls report it: a goal, the goal re-timed,
/// then ruled out.
pub(crate) fn three_polls() -> Vec<MatchSnapshot> {
    use sluice::live::{Moment, MomentClass};
    use sluice::model::{EventStatus, IncidentKind};
    let goal = |minute| Moment {
        class: MomentClass::Goal,
        kind: IncidentKind::Goal,
        team: Some("42".to_string()),
        player: Some("Saka".to_string()),
        minute: Some(minute),
        extra_minute: None,
    };
    let poll = |minute, score, moments| MatchSnapshot {
        status: EventStatus::Live,
        minute: Some(minute),
        home_score: score,
        away_score: 0,
        moments: Some(moments),
    };
    vec![
        poll(23, 1, vec![goal(23)]),
        poll(25, 1, vec![goal(24)]),
        poll(27, 0, vec![]),
    ]
}

/// Loads the match's tracker, observes `snapshot` and commits the tracker
/// with its events in one transaction (or drops the transaction when
/// `commit` is false, as a crash would); returns the events' sequence
/// numbers.
pub(crate) async fn poll_once(
    pool: &sluice::db::Pool,
    snapshot: &MatchSnapshot,
    commit: bool,
) -> Vec<i64> {
    use sluice::state::live;
    let mut tx = pool.begin().await.expect("begin");
    let at = live::match_ref(&mut tx, "api-football", "1001", Some("39"))
        .await
        .expect("match");
    let mut served = live::served(&mut tx, &at)
        .await
        .expect("read")
        .unwrap_or_else(|| ServedMatch::new(TrackerSettings::default()));
    let events = served
        .observe("api-football", "1001", snapshot, 0, 90)
        .events;
    let seqs = live::commit(&mut tx, &at, &served, &events)
        .await
        .expect("commit");
    if commit {
        tx.commit().await.expect("commit");
    } else {
        // What a crash leaves: nothing of the transaction. Rolled back
        // here rather than dropped, so that the next poll does not race a
        // rollback sqlx defers to the connection's next use.
        tx.rollback().await.expect("rollback");
    }
    seqs
}

fn the_outbox_holds_each_event_once_in_order_and_a_crash_before_commit_leaves_nothing(
    ctx: crate::common::TestContext,
) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let pool = sluice::db::Pool::connect(&ctx.database_url())
            .await
            .expect("connect");
        let polls = three_polls();
        // The first poll commits; the second is lost to a crash before
        // its commit, then polled again; the third and a repeat follow.
        let mut seqs = poll_once(&pool, &polls[0], true).await;
        poll_once(&pool, &polls[1], false).await;
        seqs.extend(poll_once(&pool, &polls[1], true).await);
        seqs.extend(poll_once(&pool, &polls[2], true).await);
        seqs.extend(poll_once(&pool, &polls[2], true).await);
        let mut conn = pool.acquire().await.expect("conn");
        let outbox = sluice::state::live::after(&mut conn, 0, 100)
            .await
            .expect("outbox");
        let kinds: Vec<&str> = outbox.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["goal", "status_changed", "goal_updated", "goal_cancelled"]
        );
        assert_eq!(outbox.iter().map(|e| e.seq).collect::<Vec<_>>(), seqs);
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        assert!(
            outbox
                .iter()
                .all(|e| e.subject == "goal-1" || e.subject == "status")
        );
        // A listener that saw the first two resumes with the rest.
        let rest = sluice::state::live::after(&mut conn, seqs[1], 100)
            .await
            .expect("outbox");
        assert_eq!(rest.iter().map(|e| e.seq).collect::<Vec<_>>(), seqs[2..]);
        let payload: Value = serde_json::from_str(&outbox[2].payload).expect("JSON");
        assert_eq!(payload["previous"]["minute"], 23);
        assert_eq!(payload["moment"]["minute"], 24);
        // Every event names its real match and competition; before
        // resolution links them, by the ids resolution would found them under.
        assert_eq!(payload["match"], "event:api-football:1001");
        assert_eq!(payload["competition"], "competition:api-football:39");
        assert_eq!(
            (payload["provider"].as_str(), payload["event"].as_str()),
            (Some("api-football"), Some("1001"))
        );
        assert!(
            outbox
                .iter()
                .all(|e| e.match_key == "event:api-football:1001")
        );
    });
}

crate::on_both_databases!(
    the_outbox_holds_each_event_once_in_order_and_a_crash_before_commit_leaves_nothing
);

/// Reads server-sent events from `path` (with `Last-Event-ID: last` when
/// given) until `want` events came; their ids and kinds. Fails after 30 s.
fn read_sse(addr: &str, path: &str, last: Option<i64>, want: usize) -> Vec<(i64, String)> {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let resume = last.map_or(String::new(), |id| format!("Last-Event-ID: {id}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\n{resume}\r\n"
    )
    .expect("request");
    let mut lines = BufReader::new(stream).lines();
    let mut events = Vec::new();
    let (mut id, mut kind) = (None, None);
    while events.len() < want {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("the stream ended after {} events", events.len()))
            .unwrap_or_else(|e| panic!("after {} events: {e}", events.len()));
        if let Some(v) = line
            .strip_prefix("id: ")
            .or_else(|| line.strip_prefix("id:"))
        {
            id = v.trim().parse::<i64>().ok();
        } else if let Some(v) = line
            .strip_prefix("event: ")
            .or_else(|| line.strip_prefix("event:"))
        {
            kind = Some(v.trim().to_string());
        } else if line.is_empty()
            && let (Some(i), Some(k)) = (id.take(), kind.take())
        {
            events.push((i, k));
        }
    }
    events
}

/// A config with one live stream over the recorded `live=all` feed, served
/// by a replay provider (kept alive by the caller); `None` when the
/// recording may be missing and is.
pub(crate) fn live_config(
    ctx: &crate::common::TestContext,
) -> Option<(std::path::PathBuf, crate::common::ReplayServer)> {
    let body = recordings::read(LIVE_ALL)?;
    let feed = ctx.path("live-feed");
    crate::common::one_route_recordings(&feed, "/fixtures", "live = \"all\"", 200, &body);
    let server = crate::common::ReplayServer::start(&feed);
    let config = ctx.path("live.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n[serve]\nadmin_token_env = \"SLUICE_TEST_ADMIN\"\n\n\
             [providers.api-football]\nplugin = \"api-football\"\nbase_url = \"{base}\"\n\n\
             [[pipelines.live.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
             params = {{ live = \"all\" }}\nlive = true\n",
            db = ctx.database_url(),
            plugins = crate::common::plugin_dir().display(),
            base = server.base_url(),
        ),
    )
    .expect("config");
    Some((config, server))
}

#[test]
fn a_batch_with_live_events_notifies_postgres_listeners_of_its_newest_seq_when_it_commits() {
    let ctx = crate::common::TestContext::postgres();
    let Some((config, _server)) = live_config(&ctx) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // Everything in the runtime: the listener's connection is closed
    // inside it, whatever the outcome.
    runtime.block_on(async {
        // The schema first, so the listener's database is the test's own.
        let pool = sluice::db::Pool::connect(&ctx.database_url())
            .await
            .expect("connect");
        let mut listener = sqlx::postgres::PgListener::connect(&ctx.database_url())
            .await
            .expect("listener");
        listener
            .listen(sluice::load::LIVE_CHANNEL)
            .await
            .expect("listen");
        crate::common::assert_ok(&ctx.run(&config, "live"));
        let mut conn = pool.acquire().await.expect("conn");
        let outbox = sluice::state::live::after(&mut conn, 0, 10_000)
            .await
            .expect("outbox");
        assert_eq!(outbox.len(), 633);
        let newest = outbox.last().map(|e| e.seq).expect("events");
        let told = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
            .await
            .expect("a notification")
            .expect("received");
        assert_eq!(told.payload(), newest.to_string());
        // The same feed again tells nothing, so nothing is notified.
        crate::common::assert_ok(&ctx.run(&config, "live"));
        let again = tokio::time::timeout(std::time::Duration::from_secs(1), listener.recv()).await;
        assert!(again.is_err(), "notified again: {again:?}");
    });
}

fn a_live_stream_tells_the_feed_once_over_sse_and_a_listener_resumes_from_its_last_id(
    ctx: crate::common::TestContext,
) {
    use crate::common::serving::{Serving, request, wait_for};
    let Some((config, _server)) = live_config(&ctx) else {
        return;
    };
    let serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    let run = |n: i64| {
        let (status, answer) =
            request(&serving.addr, "POST", "/runs/live", Some("t")).expect("answer");
        assert_eq!(status, 202, "{answer}");
        wait_for("the run", std::time::Duration::from_secs(60), || {
            ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'succeeded'") == n
        });
    };
    // The first poll tells every goal, card and status; the same feed
    // polled again tells nothing and writes no live row.
    run(1);
    // 291 goals (288 listed, 3 told from the score), 147 cards, 195
    // statuses.
    assert_eq!(ctx.count("SELECT count(*) FROM live_events"), 633);
    assert_eq!(ctx.count("SELECT count(*) FROM live_matches"), 195);
    let states = ctx.query("SELECT updated_at FROM live_matches ORDER BY provider, event");
    run(2);
    assert_eq!(ctx.count("SELECT count(*) FROM live_events"), 633);
    assert_eq!(
        ctx.query("SELECT updated_at FROM live_matches ORDER BY provider, event"),
        states
    );

    let all = read_sse(&serving.addr, "/live/events", None, 633);
    let ids: Vec<i64> = all.iter().map(|(id, _)| *id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in order");
    let count = |kind: &str| all.iter().filter(|(_, k)| k == kind).count();
    assert_eq!(
        (count("goal"), count("card"), count("status_changed")),
        (291, 147, 195)
    );
    // A listener that saw 100 resumes at the 101st, with nothing missed.
    let resumed = read_sse(&serving.addr, "/live/events", Some(ids[99]), 533);
    assert_eq!(
        resumed.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        ids[100..].to_vec()
    );
    // Goals only.
    let goals = read_sse(&serving.addr, "/live/events?kind=goal", None, 291);
    assert!(goals.iter().all(|(_, k)| k == "goal"));
}

crate::on_both_databases!(
    a_live_stream_tells_the_feed_once_over_sse_and_a_listener_resumes_from_its_last_id
);

fn a_live_schedule_polls_only_while_a_match_is_in_play_or_about_to_start(
    ctx: crate::common::TestContext,
) {
    use crate::common::serving::{Serving, wait_for};
    use std::time::Duration;
    let server = crate::common::ReplayServer::start(&crate::common::demo_recordings());
    // football-data declares no refresh interval: the cadence is as asked.
    let pipelines = format!(
        "[pipelines.demo]\nschedule = {{ live = \"200ms\", lead = \"30m\" }}\n{}",
        crate::common::DEMO_PIPELINE
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let _serving = Serving::start(&ctx, &config, &[], &[]);
    let runs = || ctx.count("SELECT count(*) FROM sluice_runs");
    // Nothing loaded, so nothing in play: it sleeps.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(runs(), 0);
    // A match kicking off in ten minutes wakes it; the run loads the
    // recorded (finished) season, which puts it back to sleep.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::minutes(10);
    let soon = soon
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .expect("format");
    ctx.query(&format!(
        "INSERT INTO sluice_runs (pipeline, mode, status, started_at, finished_at) \
         VALUES ('seed', 'run', 'succeeded', '{soon}', '{soon}')"
    ));
    ctx.query(&format!(
        "INSERT INTO events (provider, provider_id, status, kickoff, plugin, plugin_version, run_id, payload_hash, created_at, updated_at) \
         VALUES ('football-data', 'soon-1', 'scheduled', '{soon}', 'seed', '0', 1, 'h', '{soon}', '{soon}')"
    ));
    wait_for("a live run", Duration::from_secs(30), || {
        ctx.count(
            "SELECT count(*) FROM sluice_runs WHERE pipeline = 'demo' AND status <> 'running'",
        ) >= 1
    });
    // The match is over: polling stops.
    ctx.query("UPDATE events SET status = 'finished' WHERE provider_id = 'soon-1'");
    wait_for("the run in flight to end", Duration::from_secs(30), || {
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'running'") == 0
    });
    let settled = runs();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(runs(), settled, "it went on polling with nothing in play");
}

crate::on_both_databases!(a_live_schedule_polls_only_while_a_match_is_in_play_or_about_to_start);

#[test]
fn a_live_schedule_never_polls_faster_than_its_provider_refreshes() {
    use crate::common::serving::{Serving, wait_for};
    let ctx = crate::common::TestContext::new();
    let Some((config, _server)) = live_config(&ctx) else {
        return;
    };
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace(
            "[[pipelines.live.streams]]",
            "[pipelines.live]\nschedule = { live = \"1s\" }\n\n[[pipelines.live.streams]]",
        ),
    )
    .expect("config");
    let _serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    let log = || std::fs::read_to_string(ctx.path("serve.log")).unwrap_or_default();
    wait_for("the cadence", std::time::Duration::from_secs(20), || {
        log().contains("live schedule slowed to the providers' refresh interval")
    });
    assert!(log().contains("cadence_s=15"), "{}", log());
}

/// A plan of 50 requests a day cannot pay for polling a day of
/// matches every 15 s: `sluice serve` refuses to start, with the numbers;
/// a plan of 7,500 a day can, and it starts.
fn a_live_config_that_would_overspend_the_plan_is_refused_at_start_with_the_numbers(
    ctx: crate::common::TestContext,
) {
    use crate::common::serving::{Serving, free_addr};
    let Some((config, _server)) = live_config(&ctx) else {
        return;
    };
    // The matches in play, loaded by one run: what the day's polling is
    // counted from.
    crate::common::assert_ok(&ctx.run(&config, "live"));
    let base = std::fs::read_to_string(&config).expect("config");
    let with_plan = |credits: &str| {
        let text = base
            .replace(
                "[providers.api-football]\n",
                &format!("[providers.api-football]\ncredits = \"{credits}\"\n"),
            )
            .replace(
                "[[pipelines.live.streams]]",
                "[pipelines.live]\nschedule = { live = \"15s\", lead = \"15m\" }\n\n[[pipelines.live.streams]]",
            );
        let path = ctx.path(&format!("live-{}.toml", credits.replace('/', "-")));
        std::fs::write(&path, text).expect("config");
        path
    };
    // A plan of 50 a day: less than even the last minutes of a UTC day
    // cost (15 min of lead at 15 s is 60 polls).
    let free = with_plan("50/day");
    let free = free.to_str().expect("utf-8");
    // The plan's day ends at midnight UTC: polling past it is the next
    // day's, so the matches in play are counted until then at most.
    let now = time::OffsetDateTime::now_utc();
    let left_today = 86_400
        - i64::from(now.hour()) * 3_600
        - i64::from(now.minute()) * 60
        - i64::from(now.second());
    let out = crate::common::sluice_command(&["serve", "--config", free, "--addr", &free_addr()])
        .env("SLUICE_TEST_ADMIN", "t")
        .output()
        .expect("sluice serve");
    let said = crate::common::stderr(&out);
    assert!(
        !out.status.success(),
        "started on a plan it would overspend: {said}"
    );
    assert!(said.contains("provider `api-football`"), "{said}");
    assert!(said.contains("the plan allows 50"), "{said}");
    assert!(said.contains("every 15 s"), "{said}");
    // 195 matches in play now: polled from now on, two hours or until the
    // day ends, whichever comes first, and the 15 minutes of lead.
    let credits: i64 = said
        .split("provider `api-football`: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the credits the day would cost");
    assert!(
        credits >= (2 * 3_600).min(left_today) / 15,
        "{left_today} s left in the day: {said}"
    );
    // A plan that can pay starts.
    let paid = with_plan("7500/day");
    let serving = Serving::start(&ctx, &paid, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    drop(serving);
}

crate::on_both_databases!(
    a_live_config_that_would_overspend_the_plan_is_refused_at_start_with_the_numbers
);
