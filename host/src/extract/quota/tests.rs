use super::*;

fn spec(name: &str, remaining: QuotaSource, reset_after: Option<QuotaSource>) -> QuotaSpec {
    QuotaSpec {
        name: name.to_string(),
        remaining,
        reset_after,
        scope: None,
    }
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_monthly_quota_at_the_reserve_stops_the_provider() {
    let tracker = QuotaTracker::new(
        vec![spec(
            "credits",
            QuotaSource::Header("x-requests-remaining".into()),
            None,
        )],
        5,
    );
    let budget = RateBudget::new(&[]);
    tracker.observe(
        "odds",
        "odds/odds",
        &headers(&[("x-requests-remaining", "6")]),
        b"",
        &budget,
    );
    assert!(tracker.check().is_ok());
    tracker.observe(
        "odds",
        "odds/odds",
        &headers(&[("X-Requests-Remaining", "5")]),
        b"",
        &budget,
    );
    assert_eq!(
        tracker.check(),
        Err(QuotaExhausted {
            quota: "credits".into(),
            remaining: 5,
            source: "header x-requests-remaining".into(),
            reserve: 5
        })
    );
}

#[tokio::test]
async fn a_spent_window_holds_requests_until_its_reset() {
    let tracker = QuotaTracker::new(
        vec![spec(
            "entity",
            QuotaSource::Body("/rate_limit/remaining".into()),
            Some(QuotaSource::Body("/rate_limit/resets_in_seconds".into())),
        )],
        0,
    );
    let budget = RateBudget::new(&[]);
    let body = br#"{"data": [], "rate_limit": {"remaining": 0, "resets_in_seconds": 0.15}}"#;
    tracker.observe("sportmonks", "sportmonks/fixtures", &[], body, &budget);
    let start = std::time::Instant::now();
    budget.acquire().await.expect("no day quota");
    assert!(
        start.elapsed() >= Duration::from_millis(140),
        "{:?}",
        start.elapsed()
    );
    assert!(
        tracker.check().is_ok(),
        "a window quota never stops the run"
    );
}

#[tokio::test]
async fn requests_running_at_once_do_not_spend_into_the_reserve() {
    let tracker = std::sync::Arc::new(QuotaTracker::new(
        vec![spec(
            "credits",
            QuotaSource::Header("x-requests-remaining".into()),
            None,
        )],
        5,
    ));
    let budget = RateBudget::new(&[]);
    let quick = Duration::from_millis(100);
    let report = |remaining: &str| headers(&[("x-requests-remaining", remaining)]);
    let first = tracker.spend().await.expect("nothing reported yet");
    tracker.observe("odds", "a", &report("7"), b"", &budget);
    drop(first);
    // Seven left, five kept: two more may go, together.
    let a = tracker.spend().await.expect("one of two");
    let b = tracker.spend().await.expect("two of two");
    assert!(
        tokio::time::timeout(quick, tracker.spend()).await.is_err(),
        "a third waits for the answers out"
    );
    tracker.observe("odds", "a", &report("6"), b"", &budget);
    drop(a);
    assert!(
        tokio::time::timeout(quick, tracker.spend()).await.is_err(),
        "six left with one out: still nothing to spare"
    );
    let waiting = tracker.clone();
    let third = tokio::spawn(async move { waiting.spend().await.err().map(|e| e.remaining) });
    tokio::task::yield_now().await;
    // The second request's answer: five left, the reserve.
    tracker.observe("odds", "b", &report("5"), b"", &budget);
    drop(b);
    assert_eq!(third.await.expect("joined"), Some(5));
}

#[tokio::test]
async fn streams_on_one_scoped_window_take_its_paced_turns_one_by_one() {
    let mut entity = spec(
        "per entity",
        QuotaSource::Header("x-remaining".into()),
        Some(QuotaSource::Header("x-reset".into())),
    );
    entity.scope = Some(QuotaSource::Header("x-entity".into()));
    let tracker = QuotaTracker::new(vec![entity], 0);
    assert!(tracker.learning(), "no window reported yet");
    let budget = RateBudget::new(&[]);
    for lane in ["fixtures/a", "fixtures/b"] {
        tracker.observe(
            "sportmonks",
            lane,
            &headers(&[
                ("x-remaining", "1"),
                ("x-reset", "0.1"),
                ("x-entity", "Fixture"),
            ]),
            b"",
            &budget,
        );
    }
    assert!(!tracker.learning());
    // One call left over 0.1 s: the two streams on the window go one
    // turn (0.1 s) apart, not both when it frees.
    let start = Instant::now();
    tracker.wait_turn("fixtures/a").await;
    tracker.wait_turn("fixtures/b").await;
    assert!(
        start.elapsed() >= Duration::from_millis(195),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_scoped_window_holds_only_the_streams_that_reported_it() {
    let mut entity = spec(
        "per entity",
        QuotaSource::Body("/rate_limit/remaining".into()),
        Some(QuotaSource::Body("/rate_limit/resets_in_seconds".into())),
    );
    entity.scope = Some(QuotaSource::Body("/rate_limit/requested_entity".into()));
    let tracker = QuotaTracker::new(vec![entity], 0);
    let budget = RateBudget::new(&[]);
    let report = |remaining: u64, reset: f64, entity: &str| {
        format!(
            r#"{{"data": [], "rate_limit": {{"remaining": {remaining}, "resets_in_seconds": {reset}, "requested_entity": "{entity}"}}}}"#
        )
    };
    tracker.observe(
        "sportmonks",
        "fixtures",
        &[],
        report(0, 60.0, "Fixture").as_bytes(),
        &budget,
    );
    tracker.observe(
        "sportmonks",
        "teams",
        &[],
        report(2999, 3.0, "Team").as_bytes(),
        &budget,
    );
    let quick = Duration::from_millis(200);
    assert!(
        tokio::time::timeout(quick, tracker.wait_turn("fixtures"))
            .await
            .is_err(),
        "the spent Fixture window holds the fixtures stream until its reset"
    );
    assert!(
        tokio::time::timeout(quick, tracker.wait_turn("teams"))
            .await
            .is_ok(),
        "the Team window (3 s over 2999 calls) lets the teams stream go on"
    );
    assert!(
        tokio::time::timeout(quick, tracker.wait_turn("standings"))
            .await
            .is_ok(),
        "a stream that reported nothing yet is not held"
    );
    assert!(
        tokio::time::timeout(quick, budget.acquire()).await.is_ok(),
        "a scoped window does not pause the whole provider"
    );
    // The teams stream's next response is about the spent entity.
    tracker.observe(
        "sportmonks",
        "teams",
        &[],
        report(0, 60.0, "Fixture").as_bytes(),
        &budget,
    );
    assert!(
        tokio::time::timeout(quick, tracker.wait_turn("teams"))
            .await
            .is_err(),
        "a stream follows the window its last response named"
    );
}
