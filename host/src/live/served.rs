//! One real match as the live path keeps it, whichever providers report
//! it: the tracker of what was told, the provider serving it now, and each
//! provider's latest view. Only the serving provider's snapshots reach the
//! tracker; another provider's are kept, and take over when the serving
//! one goes stale (frozen while the match is in play, or no longer
//! answering). Since the tracker is the match's, not the provider's, a
//! switch tells only what the new provider knows that the old one did not.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::snapshot::MatchSnapshot;
use super::tracker::{LiveEvent, MatchTracker, TrackerSettings};
use crate::model::EventStatus;

/// The shortest time an in-play match may stay unchanged before its
/// provider is taken for frozen: a minute of play has no goal most of the
/// time, but its clock moves.
pub const STALE_FLOOR_SECS: i64 = 90;

/// How long a provider may keep an in-play match unchanged (or go
/// unheard) before another provider serves it: three polls, and never
/// under [`STALE_FLOOR_SECS`].
pub fn stale_after_secs(poll_interval_secs: u64) -> i64 {
    i64::try_from(poll_interval_secs.saturating_mul(3))
        .unwrap_or(i64::MAX)
        .max(STALE_FLOOR_SECS)
}

/// What a live stream's batches need to tell their changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSettings {
    /// Seconds an in-play match may stay unchanged at the provider serving
    /// it before another provider with news takes over.
    pub stale_after_secs: i64,
    /// Seconds an in-play market's prices may stay unmoved before it is
    /// told suspended.
    pub odds_suspended_after_secs: i64,
}

/// One provider's latest view of the match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SourceView {
    /// The provider's id of the match.
    event: String,
    /// What it said last.
    snapshot: MatchSnapshot,
    /// When what it says last changed (unix seconds). A poll that brings
    /// nothing new leaves the stored state as it was: no write.
    changed_at: i64,
}

/// How long a half-time may stay unchanged beyond `stale_after`: the
/// break lasts 15 minutes.
const HALF_TIME_SECS: i64 = 20 * 60;

impl SourceView {
    /// Unchanged while in play for `stale_after` seconds (plus the break,
    /// at half-time), whether the provider froze or stopped answering.
    fn stale(&self, now: i64, stale_after: i64) -> bool {
        let silent = now.saturating_sub(self.changed_at);
        match self.snapshot.status {
            EventStatus::Live => silent >= stale_after,
            EventStatus::Halftime => silent >= stale_after.saturating_add(HALF_TIME_SECS),
            _ => false,
        }
    }
}

/// A change of the provider serving a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// The provider that served it.
    pub from: String,
    /// The provider serving it from now on.
    pub to: String,
    /// Seconds since what `from` said last changed.
    pub silent_secs: i64,
}

/// What one provider's snapshot did to the match.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Observed {
    /// What changed, to tell listeners.
    pub events: Vec<LiveEvent>,
    /// The serving provider changed with this snapshot.
    pub handover: Option<Handover>,
}

/// One match's live state; stored whole as JSON with the events it told.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServedMatch {
    tracker: MatchTracker,
    serving: Option<String>,
    sources: BTreeMap<String, SourceView>,
}

impl ServedMatch {
    /// A match nobody reported yet.
    pub fn new(settings: TrackerSettings) -> Self {
        ServedMatch {
            tracker: MatchTracker::new(settings),
            ..ServedMatch::default()
        }
    }

    /// The match as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A match stored by [`ServedMatch::to_json`]; `None` for text that is
    /// not one (a damaged row, another format): the match is then tracked
    /// afresh.
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The provider serving the match and its id of it.
    pub fn serving(&self) -> Option<(&str, &str)> {
        let provider = self.serving.as_deref()?;
        let view = self.sources.get(provider)?;
        Some((provider, view.event.as_str()))
    }

    /// The snapshot the tracker accepted last: what listeners were told.
    pub fn accepted(&self) -> Option<&MatchSnapshot> {
        self.tracker.accepted()
    }

    /// When what listeners were told last changed, per the serving
    /// provider (unix seconds).
    pub fn changed_at(&self) -> Option<i64> {
        let provider = self.serving.as_deref()?;
        self.sources.get(provider).map(|v| v.changed_at)
    }

    /// Whether the serving provider is stale at `now` (frozen or silent
    /// while the match is in play): another provider's news would take
    /// over.
    pub fn serving_stale(&self, now: i64, stale_after: i64) -> bool {
        self.serving
            .as_deref()
            .and_then(|p| self.sources.get(p))
            .is_some_and(|view| view.stale(now, stale_after))
    }

    /// Takes `provider`'s snapshot of the match (its id `event`) polled at
    /// `now`. The serving provider's goes to the tracker; another's is
    /// kept, and takes over when the serving provider is stale and this
    /// one has news since.
    pub fn observe(
        &mut self,
        provider: &str,
        event: &str,
        snapshot: &MatchSnapshot,
        now: i64,
        stale_after: i64,
    ) -> Observed {
        let changed_at = match self.sources.get(provider) {
            Some(view) if view.snapshot == *snapshot => view.changed_at,
            _ => now,
        };
        self.sources.insert(
            provider.to_string(),
            SourceView {
                event: event.to_string(),
                snapshot: snapshot.clone(),
                changed_at,
            },
        );
        let serving = match self.serving.as_deref() {
            None => None,
            Some(serving) if serving == provider => None,
            Some(serving) => self
                .sources
                .get(serving)
                .map(|view| (serving.to_string(), view.clone())),
        };
        let mut handover = None;
        match serving {
            // Nobody serves it yet, or this provider does.
            None => self.serving = Some(provider.to_string()),
            Some((serving, view)) => {
                let news_since = changed_at > view.changed_at;
                if !(view.stale(now, stale_after) && news_since) {
                    return Observed::default();
                }
                handover = Some(Handover {
                    from: serving,
                    to: provider.to_string(),
                    silent_secs: now.saturating_sub(view.changed_at),
                });
                self.serving = Some(provider.to_string());
            }
        }
        Observed {
            events: self.tracker.observe(snapshot),
            handover,
        }
    }
}
