//! The message rate guarded: at most `cap` messages in any one second.
//!
//! governor's GCRA is not used here on purpose: it lets a burst and the
//! refill that follows it land within the same second (a burst of 10 at
//! 10/s admits 19 in a second), while Supabase counts messages per second
//! and a POST of `cap` messages needs the whole burst. A log of the last
//! second's POSTs gives the exact bound with the whole rate.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// The span the cap applies to.
const SPAN: Duration = Duration::from_secs(1);

/// The POSTs of the last second and how many messages each carried.
#[derive(Debug)]
pub(super) struct SendWindow {
    cap: u32,
    sent: VecDeque<(Instant, u32)>,
}

impl SendWindow {
    /// A window letting `cap` messages through per second.
    pub(super) fn new(cap: u32) -> Self {
        SendWindow {
            cap,
            sent: VecDeque::new(),
        }
    }

    /// The earliest instant, from `now`, at which `count` more messages
    /// keep every one-second window at or under the cap. `count` above
    /// the cap waits for an empty window (callers never ask for more).
    pub(super) fn ready_at(&mut self, count: u32, now: Instant) -> Instant {
        while self.sent.front().is_some_and(|(at, _)| *at + SPAN <= now) {
            self.sent.pop_front();
        }
        let mut in_window: u32 = self.sent.iter().map(|(_, n)| n).sum();
        if in_window + count <= self.cap {
            return now;
        }
        for (at, n) in &self.sent {
            in_window -= n;
            if in_window + count <= self.cap {
                return *at + SPAN;
            }
        }
        self.sent.back().map_or(now, |(at, _)| *at + SPAN)
    }

    /// Records `count` messages as sent at `at`: the instant the sink's
    /// answer came back, which is after the sink counted them, so the
    /// bound holds by the sink's own clock.
    pub(super) fn record(&mut self, count: u32, at: Instant) {
        self.sent.push_back((at, count));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_second_ever_holds_more_than_the_cap() {
        let start = Instant::now();
        let mut window = SendWindow::new(10);
        let mut now = start;
        let mut sends = Vec::new();
        // POSTs of 4, 3 and 6 messages, sent as soon as allowed, each
        // answered 30 ms after it left.
        for count in [4, 3, 6, 4, 10, 1, 7, 7, 2] {
            now = window.ready_at(count, now);
            let answered = now + Duration::from_millis(30);
            sends.push((now, count));
            window.record(count, answered);
            now = answered;
        }
        for (i, (from, _)) in sends.iter().enumerate() {
            let within: u32 = sends[i..]
                .iter()
                .take_while(|(at, _)| *at < *from + SPAN)
                .map(|(_, n)| n)
                .sum();
            assert!(
                within <= 10,
                "{within} messages within a second of send {i}"
            );
        }
        // The whole rate is used: 44 messages in a little over 4 s.
        let took = sends.last().expect("sends").0 - start;
        assert!(took < Duration::from_millis(4_300), "{took:?}");
    }

    #[test]
    fn an_empty_window_sends_at_once() {
        let now = Instant::now();
        let mut window = SendWindow::new(3);
        assert_eq!(window.ready_at(3, now), now);
        window.record(3, now);
        assert_eq!(window.ready_at(1, now), now + SPAN);
        assert_eq!(window.ready_at(1, now + SPAN), now + SPAN);
    }
}
