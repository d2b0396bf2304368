//! A tick's outbox events folded to one piece of news per match: the
//! match's events of the tick, oldest first, sent with its latest state.

use std::collections::HashMap;

use crate::state::live::OutboxEvent;

/// One match's events of a tick.
#[derive(Debug)]
pub(super) struct MatchNews<'a> {
    /// The real match.
    pub match_key: &'a str,
    /// Its events, oldest first.
    pub events: Vec<&'a OutboxEvent>,
}

impl MatchNews<'_> {
    /// The newest sequence number told of the match.
    pub fn seq(&self) -> i64 {
        self.events.last().map_or(0, |e| e.seq)
    }
}

/// `events` (in outbox order) by match, the match whose newest event is
/// oldest first, so that a match's message never overtakes another's
/// older news.
pub(super) fn by_match(events: &[OutboxEvent]) -> Vec<MatchNews<'_>> {
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut news: Vec<MatchNews<'_>> = Vec::new();
    for event in events {
        match at.get(event.match_key.as_str()) {
            Some(&i) => news[i].events.push(event),
            None => {
                at.insert(&event.match_key, news.len());
                news.push(MatchNews {
                    match_key: &event.match_key,
                    events: vec![event],
                });
            }
        }
    }
    news.sort_by_key(MatchNews::seq);
    news
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, match_key: &str) -> OutboxEvent {
        OutboxEvent {
            seq,
            match_key: match_key.to_string(),
            competition: None,
            provider: "p".to_string(),
            event: "1".to_string(),
            kind: "goal".to_string(),
            subject: "goal-1".to_string(),
            payload: "{}".to_string(),
            created_at: "2026-05-13T15:00:00Z".to_string(),
        }
    }

    #[test]
    fn one_piece_of_news_per_match_with_every_event_in_order() {
        let events = [
            event(1, "a"),
            event(2, "b"),
            event(3, "a"),
            event(4, "c"),
            event(5, "b"),
        ];
        let news = by_match(&events);
        let folded: Vec<(&str, Vec<i64>)> = news
            .iter()
            .map(|n| (n.match_key, n.events.iter().map(|e| e.seq).collect()))
            .collect();
        assert_eq!(
            folded,
            [("a", vec![1, 3]), ("c", vec![4]), ("b", vec![2, 5])]
        );
    }
}
