//! One match's Broadcast message: its topic, and a payload holding its
//! latest state and the events of the tick, kept under the payload limit
//! by leaving out the oldest events (and saying how many).

use serde::Serialize;
use serde_json::Value;

use super::fold::MatchNews;
use crate::state::live_sink::MatchState;

/// The Broadcast event name every message is sent under.
pub(super) const EVENT: &str = "live_state";

/// What a match's message carries.
#[derive(Debug, Serialize)]
struct Payload<'a> {
    /// The real match.
    #[serde(rename = "match")]
    match_key: &'a str,
    /// The newest outbox sequence number told of it.
    seq: i64,
    /// Its current state; `null` when the live path keeps none for it.
    state: Option<&'a MatchState>,
    /// The events of the tick, oldest first, as `/live/events` tells them.
    events: &'a [Value],
    /// Older events of the tick left out to stay under the payload limit.
    events_dropped: usize,
}

/// A message ready to be sent.
#[derive(Debug, Clone)]
pub(super) struct Message {
    /// The match it is about.
    pub match_key: String,
    /// Its topic: the prefix and the match key.
    pub topic: String,
    /// The payload, serialized.
    pub payload: String,
    /// Events it carries.
    pub events: usize,
    /// Events of the tick left out of it.
    pub dropped: usize,
}

/// Why a match's message cannot be sent.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct OverLimit {
    /// The size of its state alone, in bytes.
    pub bytes: usize,
}

/// The message of `news`, with `state`, whose payload is at most `limit`
/// bytes: the newest events that fit are kept.
pub(super) fn build(
    news: &MatchNews<'_>,
    state: Option<&MatchState>,
    prefix: &str,
    limit: usize,
) -> Result<Message, OverLimit> {
    let events: Vec<Value> = news
        .events
        .iter()
        .map(|e| {
            let data = crate::serve::live::data_of(e);
            serde_json::from_str(&data).unwrap_or(Value::String(data))
        })
        .collect();
    let serialize = |kept: &[Value], dropped: usize| {
        serde_json::to_string(&Payload {
            match_key: news.match_key,
            seq: news.seq(),
            state,
            events: kept,
            events_dropped: dropped,
        })
        .unwrap_or_default()
    };
    // Sizes first, so a long tick is not serialized once per event left
    // out; then checked on the real text.
    let base = serialize(&[], events.len()).len();
    let mut room = limit.saturating_sub(base);
    let mut keep = 0;
    for event in events.iter().rev() {
        let size = event.to_string().len() + 1;
        if size > room {
            break;
        }
        room -= size;
        keep += 1;
    }
    loop {
        let kept = &events[events.len() - keep..];
        let payload = serialize(kept, events.len() - keep);
        if payload.len() <= limit {
            return Ok(Message {
                match_key: news.match_key.to_string(),
                topic: format!("{prefix}{}", news.match_key),
                payload,
                events: keep,
                dropped: events.len() - keep,
            });
        }
        if keep == 0 {
            return Err(OverLimit {
                bytes: payload.len(),
            });
        }
        keep -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::live::OutboxEvent;

    fn event(seq: i64) -> OutboxEvent {
        OutboxEvent {
            seq,
            match_key: "event:p:1".to_string(),
            competition: None,
            provider: "p".to_string(),
            event: "1".to_string(),
            kind: "goal".to_string(),
            subject: format!("goal-{seq}"),
            payload: format!(
                r#"{{"kind":"goal","subject":"goal-{seq}","note":"{}"}}"#,
                "x".repeat(100)
            ),
            created_at: "2026-05-13T15:00:00Z".to_string(),
        }
    }

    fn state() -> MatchState {
        MatchState {
            match_key: "event:p:1".to_string(),
            provider: "p".to_string(),
            event: "1".to_string(),
            competition: Some("competition:p:39".to_string()),
            home_team: Some("Arsenal".to_string()),
            away_team: Some("Chelsea".to_string()),
            status: "live".to_string(),
            minute: Some(67),
            home_score: 2,
            away_score: 1,
            changed_at: "2026-05-13T15:00:00Z".to_string(),
        }
    }

    #[test]
    fn everything_goes_when_it_fits() {
        let events: Vec<OutboxEvent> = (1..=3).map(event).collect();
        let news = MatchNews {
            match_key: "event:p:1",
            events: events.iter().collect(),
        };
        let state = state();
        let message = build(&news, Some(&state), "match:", 256_000).expect("fits");
        assert_eq!(message.topic, "match:event:p:1");
        let payload: Value = serde_json::from_str(&message.payload).expect("JSON");
        assert_eq!(payload["match"], "event:p:1");
        assert_eq!(payload["seq"], 3);
        assert_eq!(payload["state"]["home_score"], 2);
        assert_eq!(payload["state"]["home_team"], "Arsenal");
        assert!(payload["state"].get("match").is_none());
        assert_eq!(payload["events"][2]["seq"], 3);
        assert_eq!(payload["events"][0]["subject"], "goal-1");
        assert_eq!(payload["events_dropped"], 0);
    }

    #[test]
    fn the_oldest_events_are_left_out_to_stay_under_the_limit() {
        let events: Vec<OutboxEvent> = (1..=40).map(event).collect();
        let news = MatchNews {
            match_key: "event:p:1",
            events: events.iter().collect(),
        };
        let state = state();
        for limit in [1_024, 1_500, 2_000, 4_096] {
            let message = build(&news, Some(&state), "match:", limit).expect("fits");
            assert!(message.payload.len() <= limit, "{limit}");
            assert!(message.dropped > 0 && message.events > 0, "{limit}");
            assert_eq!(message.events + message.dropped, 40);
            let payload: Value = serde_json::from_str(&message.payload).expect("JSON");
            // The newest are those kept.
            let seqs: Vec<i64> = payload["events"]
                .as_array()
                .expect("events")
                .iter()
                .filter_map(|e| e["seq"].as_i64())
                .collect();
            assert_eq!(seqs.last(), Some(&40));
            assert_eq!(payload["events_dropped"], message.dropped);
        }
    }

    #[test]
    fn a_state_alone_over_the_limit_is_refused_never_sent_over() {
        let events = [event(1)];
        let news = MatchNews {
            match_key: "event:p:1",
            events: events.iter().collect(),
        };
        let state = state();
        let refused = build(&news, Some(&state), "match:", 100).expect_err("over");
        assert!(refused.bytes > 100);
    }
}
