use super::*;
use crate::model::{EventStatus, IncidentKind};

fn goal(team: &str, player: &str, minute: u32) -> Moment {
    Moment {
        class: MomentClass::Goal,
        kind: IncidentKind::Goal,
        team: Some(team.to_string()),
        player: Some(player.to_string()),
        minute: Some(minute),
        extra_minute: None,
    }
}

fn card(team: &str, player: &str, minute: u32) -> Moment {
    Moment {
        class: MomentClass::Card,
        kind: IncidentKind::YellowCard,
        ..goal(team, player, minute)
    }
}

fn live(minute: u32, score: (u32, u32), moments: Vec<Moment>) -> MatchSnapshot {
    MatchSnapshot {
        status: EventStatus::Live,
        minute: Some(minute),
        home_score: score.0,
        away_score: score.1,
        moments: Some(moments),
    }
}

fn score_only(status: EventStatus, minute: u32, score: (u32, u32)) -> MatchSnapshot {
    MatchSnapshot {
        moments: None,
        status,
        ..live(minute, score, Vec::new())
    }
}

/// The kinds and subjects of `events`.
fn told(events: &[LiveEvent]) -> Vec<(LiveEventKind, String)> {
    events.iter().map(|e| (e.kind, e.subject.clone())).collect()
}

use LiveEventKind::*;

#[test]
fn the_same_snapshot_a_hundred_times_tells_its_events_once() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    let snapshot = live(
        70,
        (2, 1),
        vec![
            goal("h", "Saka", 12),
            card("a", "Rice", 30),
            goal("a", "Palmer", 41),
            goal("h", "Odegaard", 66),
        ],
    );
    let mut all = Vec::new();
    for _ in 0..100 {
        all.extend(tracker.observe(&snapshot));
    }
    assert_eq!(
        told(&all),
        [
            (Goal, "goal-1".to_string()),
            (Card, "card-2".to_string()),
            (Goal, "goal-3".to_string()),
            (Goal, "goal-4".to_string()),
            (StatusChanged, "status".to_string()),
        ]
    );
    assert_eq!(all[3].home_score, 2);
}

#[test]
fn a_goal_re_timed_is_updated_and_a_goal_ruled_out_is_cancelled() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    let mut goals = Vec::new();
    for snapshot in [
        live(20, (0, 0), vec![]),
        live(23, (1, 0), vec![goal("h", "Saka", 23)]),
        live(25, (1, 0), vec![goal("h", "Saka", 24)]),
        live(27, (0, 0), vec![]),
    ] {
        goals.extend(
            tracker
                .observe(&snapshot)
                .into_iter()
                .filter(|e| e.kind != StatusChanged),
        );
    }
    assert_eq!(
        told(&goals),
        [
            (Goal, "goal-1".to_string()),
            (GoalUpdated, "goal-1".to_string()),
            (GoalCancelled, "goal-1".to_string()),
        ]
    );
    assert_eq!(goals[1].previous.as_ref().and_then(|m| m.minute), Some(23));
    assert_eq!(goals[1].moment.as_ref().and_then(|m| m.minute), Some(24));
    assert_eq!((goals[2].home_score, goals[2].away_score), (0, 0));
}

#[test]
fn ruling_out_the_first_of_two_goals_cancels_that_one_and_leaves_the_other() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    tracker.observe(&live(
        55,
        (2, 0),
        vec![goal("h", "Saka", 10), goal("h", "Havertz", 50)],
    ));
    let events = tracker.observe(&live(57, (1, 0), vec![goal("h", "Havertz", 50)]));
    assert_eq!(told(&events), [(GoalCancelled, "goal-1".to_string())]);
    assert_eq!(
        events[0].moment.as_ref().and_then(|m| m.player.clone()),
        Some("Saka".to_string())
    );
}

#[test]
fn a_scorer_corrected_is_an_update_of_the_same_goal() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    tracker.observe(&live(30, (1, 0), vec![goal("h", "Saka", 29)]));
    let events = tracker.observe(&live(31, (1, 0), vec![goal("h", "Trossard", 29)]));
    assert_eq!(told(&events), [(GoalUpdated, "goal-1".to_string())]);
    // Two goals of one side in one minute are two goals.
    let events = tracker.observe(&live(
        32,
        (2, 0),
        vec![goal("h", "Trossard", 29), goal("h", "Trossard", 29)],
    ));
    assert_eq!(told(&events), [(Goal, "goal-2".to_string())]);
}

#[test]
fn a_goal_ruled_out_and_another_scored_between_two_polls_are_a_cancellation_and_a_goal() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    tracker.observe(&live(15, (0, 1), vec![goal("a", "Costa", 13)]));
    let events = tracker.observe(&live(19, (0, 1), vec![goal("a", "Jovic", 18)]));
    assert_eq!(
        told(&events),
        [
            (GoalCancelled, "goal-1".to_string()),
            (Goal, "goal-2".to_string())
        ]
    );
}

#[test]
fn a_card_withdrawn_is_cancelled() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    tracker.observe(&live(30, (0, 0), vec![card("a", "Rice", 28)]));
    let events = tracker.observe(&live(33, (0, 0), vec![]));
    assert_eq!(told(&events), [(CardCancelled, "card-1".to_string())]);
}

#[test]
fn a_provider_without_the_minute_is_not_held_as_behind() {
    let mut tracker = MatchTracker::new(TrackerSettings { hold_polls: 3 });
    tracker.observe(&live(60, (1, 0), vec![goal("home", "Saka", 55)]));
    // The Odds API's scores name no minute: its first poll is believed,
    // and a goal it reports is told at once.
    let no_minute = |score| MatchSnapshot {
        minute: None,
        moments: None,
        ..live(0, score, Vec::new())
    };
    assert_eq!(told(&tracker.observe(&no_minute((1, 0)))), []);
    assert_eq!(
        told(&tracker.observe(&no_minute((2, 0)))),
        [(Goal, "goal-2".to_string())]
    );
}

#[test]
fn a_clock_going_backwards_is_held_until_enough_polls_say_so() {
    let mut tracker = MatchTracker::new(TrackerSettings { hold_polls: 3 });
    tracker.observe(&live(60, (1, 0), vec![goal("h", "Saka", 55)]));
    // A lagging copy of the feed: 58', before the goal.
    let behind = live(58, (0, 0), vec![]);
    assert!(tracker.observe(&behind).is_empty());
    assert!(tracker.observe(&behind).is_empty());
    // The feed catches up: nothing was undone.
    assert!(
        tracker
            .observe(&live(60, (1, 0), vec![goal("h", "Saka", 55)]))
            .is_empty()
    );
    // Three polls in a row behind: accepted, and the goal goes.
    assert!(tracker.observe(&behind).is_empty());
    assert!(tracker.observe(&behind).is_empty());
    assert_eq!(
        told(&tracker.observe(&behind)),
        [(GoalCancelled, "goal-1".to_string())]
    );
    assert_eq!(tracker.accepted().and_then(|s| s.minute), Some(58));
}

#[test]
fn a_status_going_back_from_full_time_is_held_too() {
    let mut tracker = MatchTracker::new(TrackerSettings { hold_polls: 2 });
    tracker.observe(&score_only(EventStatus::Finished, 90, (1, 1)));
    assert!(
        tracker
            .observe(&score_only(EventStatus::Live, 89, (1, 1)))
            .is_empty()
    );
    let events = tracker.observe(&score_only(EventStatus::Live, 89, (1, 1)));
    assert_eq!(told(&events), [(StatusChanged, "status".to_string())]);
}

#[test]
fn a_provider_without_incidents_has_its_goals_told_from_the_score() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    let mut events = Vec::new();
    for snapshot in [
        score_only(EventStatus::Scheduled, 0, (0, 0)),
        score_only(EventStatus::Live, 10, (1, 0)),
        score_only(EventStatus::Live, 11, (1, 0)),
        score_only(EventStatus::Live, 40, (2, 1)),
        score_only(EventStatus::Halftime, 45, (2, 1)),
        score_only(EventStatus::Live, 50, (1, 1)),
        score_only(EventStatus::Finished, 90, (1, 1)),
    ] {
        events.extend(tracker.observe(&snapshot));
    }
    assert_eq!(
        told(&events),
        [
            (StatusChanged, "status".to_string()),
            (Goal, "goal-1".to_string()),
            (StatusChanged, "status".to_string()),
            (Goal, "goal-2".to_string()),
            (Goal, "goal-3".to_string()),
            (StatusChanged, "status".to_string()),
            // The home side's latest goal, the one at 40', was ruled out.
            (GoalCancelled, "goal-2".to_string()),
            (StatusChanged, "status".to_string()),
            (StatusChanged, "status".to_string()),
        ]
    );
    let cancelled = &events[6];
    assert_eq!(cancelled.moment.as_ref().and_then(|m| m.minute), Some(40));
    assert_eq!(
        cancelled.moment.as_ref().and_then(|m| m.team.clone()),
        Some("home".to_string())
    );
}

/// The goals (new ones only) among `events`.
fn goals(events: &[LiveEvent]) -> usize {
    events.iter().filter(|e| e.kind == Goal).count()
}

#[test]
fn provider_a_freezing_at_60_hands_over_to_b_with_exactly_one_event_per_goal() {
    let stale = stale_after_secs(30);
    assert_eq!(stale, 90);
    let mut served = ServedMatch::new(TrackerSettings::default());
    let mut all = Vec::new();
    // Both providers poll every 30 s; A names the scorer "B. Saka", B
    // "Bukayo Saka", and B is a minute late on the clock.
    let a_goal = |minute| goal("home", "B. Saka", minute);
    let b_goal = |minute| goal("home", "Bukayo Saka", minute);
    for tick in 0..=95u32 {
        let now = i64::from(tick) * 30;
        let minute = tick.max(1);
        // A freezes at 60'.
        let a_minute = minute.min(60);
        let a = live(
            a_minute,
            (u32::from(a_minute >= 20), 0),
            if a_minute >= 20 {
                vec![a_goal(20)]
            } else {
                vec![]
            },
        );
        let b_minute = minute.saturating_sub(1).max(1);
        let mut b_moments = Vec::new();
        if b_minute >= 20 {
            b_moments.push(b_goal(20));
        }
        if b_minute >= 75 {
            b_moments.push(goal("away", "Palmer", 75));
        }
        let b = live(
            b_minute,
            (u32::from(b_minute >= 20), u32::from(b_minute >= 75)),
            b_moments,
        );
        all.extend(served.observe("a", "1", &a, now, stale).events);
        let observed = served.observe("b", "77", &b, now, stale);
        if let Some(handover) = &observed.handover {
            assert_eq!((handover.from.as_str(), handover.to.as_str()), ("a", "b"));
            assert!(handover.silent_secs >= stale);
            // A's last change was at tick 60: B takes over three polls on.
            assert_eq!(tick, 63, "handed over at tick {tick}");
        }
        all.extend(observed.events);
    }
    assert_eq!(served.serving(), Some(("b", "77")));
    assert_eq!(goals(&all), 2, "one event per goal: {:?}", told(&all));
    assert!(
        all.iter()
            .all(|e| e.kind != GoalCancelled && e.kind != CardCancelled),
        "nothing cancelled: {:?}",
        told(&all)
    );
}

#[test]
fn a_provider_that_stops_answering_is_replaced_once_its_silence_is_stale() {
    let mut served = ServedMatch::new(TrackerSettings::default());
    let stale = 90;
    let snap = |minute| live(minute, (0, 0), vec![]);
    served.observe("a", "1", &snap(10), 0, stale);
    // A goes silent; B answers every 30 s with the clock moving.
    for (i, now) in [30, 60].into_iter().enumerate() {
        let observed = served.observe("b", "9", &snap(11 + i as u32), now, stale);
        assert!(observed.handover.is_none() && observed.events.is_empty());
    }
    let observed = served.observe("b", "9", &snap(13), 90, stale);
    assert_eq!(
        observed.handover.map(|h| (h.from, h.to)),
        Some(("a".to_string(), "b".to_string()))
    );
    assert!(observed.events.is_empty(), "a moving clock tells nothing");
    assert_eq!(served.accepted().and_then(|s| s.minute), Some(13));
}

#[test]
fn half_time_unchanged_is_not_stale() {
    let mut served = ServedMatch::new(TrackerSettings::default());
    let half = score_only(EventStatus::Halftime, 45, (1, 0));
    served.observe("a", "1", &half, 0, 90);
    for now in [300, 600, 900] {
        served.observe("a", "1", &half, now, 90);
        let observed = served.observe("b", "2", &live(46, (1, 0), vec![]), now, 90);
        assert!(observed.handover.is_none(), "A still serves at {now}s");
    }
    assert!(!served.serving_stale(900, 90));
}

#[test]
fn cards_survive_a_switch_to_a_provider_that_lists_no_incidents() {
    let mut tracker = MatchTracker::new(TrackerSettings::default());
    tracker.observe(&live(
        30,
        (1, 0),
        vec![goal("home", "Kane", 12), card("away", "Rice", 25)],
    ));
    let events = tracker.observe(&score_only(EventStatus::Live, 31, (1, 0)));
    assert!(events.is_empty(), "{:?}", told(&events));
}
