//! The live path's tracker on a real in-play feed: API-Football's recorded
//! `fixtures?live=all` (195 matches in play), normalized by the built
//! plugin and told as events.

use std::collections::BTreeMap;

use serde_json::Value;
use sluice::live::{LiveEventKind, MatchSnapshot, MatchTracker, TrackerSettings};
use sluice::model::{HttpResponse, Incident, Record};
use sluice_test_support::recordings;

use crate::common::built_plugin;

const LIVE_ALL: &str = "api-football/v3_fixtures_live_all_2023-05-13.json";

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
    let mut incidents: BTreeMap<String, Vec<Incident>> = BTreeMap::new();
    for record in &batch.records {
        if let Record::Incident(incident) = record {
            incidents
                .entry(incident.event.clone())
                .or_default()
                .push(incident.clone());
        }
    }
    batch
        .records
        .iter()
        .filter_map(|record| match record {
            Record::Event(event) => {
                // The feed lists every match's incidents (an empty list
                // when there are none yet).
                let of_event = incidents
                    .get(&event.provider_id)
                    .map_or(&[][..], Vec::as_slice);
                Some((
                    event.provider_id.clone(),
                    MatchSnapshot::from_records(event, Some(of_event)),
                ))
            }
            _ => None,
        })
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
            (LiveEventKind::Goal, 288),
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
fn three_polls() -> Vec<MatchSnapshot> {
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
async fn poll_once(pool: &sluice::db::Pool, snapshot: &MatchSnapshot, commit: bool) -> Vec<i64> {
    use sluice::state::live;
    let mut tx = pool.begin().await.expect("begin");
    let mut tracker = live::tracker(&mut tx, "api-football", "1001")
        .await
        .expect("read")
        .unwrap_or_else(|| MatchTracker::new(TrackerSettings::default()));
    let events = tracker.observe(snapshot);
    let seqs = live::commit(&mut tx, "api-football", "1001", &tracker, &events)
        .await
        .expect("commit");
    if commit {
        tx.commit().await.expect("commit");
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
    });
}

crate::on_both_databases!(
    the_outbox_holds_each_event_once_in_order_and_a_crash_before_commit_leaves_nothing
);
