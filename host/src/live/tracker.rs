//! What was accepted of one match, and the events each new snapshot makes.

use serde::{Deserialize, Serialize};

use super::snapshot::{MatchSnapshot, Moment, MomentClass};
use crate::model::{EventStatus, IncidentKind};

/// How cautious a tracker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerSettings {
    /// Polls in a row a clock or status going backwards must be seen
    /// before it is accepted (a lagging replica of the provider's feed
    /// would otherwise undo goals and then redo them).
    pub hold_polls: u32,
}

impl Default for TrackerSettings {
    fn default() -> Self {
        TrackerSettings { hold_polls: 3 }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveEventKind {
    /// A goal first seen.
    Goal,
    /// A goal seen before, re-timed or with another scorer.
    GoalUpdated,
    /// A goal seen before that is gone (ruled out).
    GoalCancelled,
    /// A card first seen.
    Card,
    /// A card seen before, changed.
    CardUpdated,
    /// A card seen before that is gone (withdrawn).
    CardCancelled,
    /// The match's status changed (kick-off, half-time, full time, …).
    StatusChanged,
}

/// One thing that changed in a match, with the match's state after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveEvent {
    /// What happened.
    pub kind: LiveEventKind,
    /// The goal or card it is about, stable from its first sighting
    /// (`goal-1`, `card-3`); `status` for a status change. An update or a
    /// cancellation carries the id of the goal or card it corrects.
    pub subject: String,
    /// The goal or card as it stands now (as it was, for a cancellation).
    pub moment: Option<Moment>,
    /// The goal or card as it was before an update.
    pub previous: Option<Moment>,
    /// The match's status after the event.
    pub status: EventStatus,
    /// The minute of play after the event.
    pub minute: Option<u32>,
    /// The score after the event.
    pub home_score: u32,
    /// The score after the event.
    pub away_score: u32,
}

/// A goal or card with the id it got when first seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Tracked {
    id: String,
    moment: Moment,
}

/// One match's accepted state; serialized whole into the database with
/// the events it told, so a restart goes on where it was.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchTracker {
    settings: TrackerSettings,
    accepted: Option<MatchSnapshot>,
    tracked: Vec<Tracked>,
    next_id: u64,
    backwards: u32,
}

impl MatchTracker {
    /// The tracker as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A tracker stored by [`MatchTracker::to_json`]; `None` when the text
    /// is not one (a newer format, a damaged row): the match is then
    /// tracked afresh.
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// A tracker that has seen nothing yet.
    pub fn new(settings: TrackerSettings) -> Self {
        MatchTracker {
            settings,
            ..MatchTracker::default()
        }
    }

    /// The snapshot accepted last.
    pub fn accepted(&self) -> Option<&MatchSnapshot> {
        self.accepted.as_ref()
    }

    /// Takes one poll's snapshot; returns what changed, in order of play
    /// (cancellations first, then updates and new moments by minute, then
    /// a status change). A snapshot equal to the accepted one gives
    /// nothing; one whose clock or status is behind is held (nothing
    /// changes) until `hold_polls` snapshots in a row say so.
    pub fn observe(&mut self, snapshot: &MatchSnapshot) -> Vec<LiveEvent> {
        if self.accepted.as_ref() == Some(snapshot) {
            self.backwards = 0;
            return Vec::new();
        }
        // A provider that gives no minute (The Odds API's scores) says
        // nothing of the clock while the match is in play: not behind.
        let minute_unknown = snapshot.status == EventStatus::Live
            && snapshot.minute.is_none()
            && self
                .accepted
                .as_ref()
                .is_some_and(|a| a.status == EventStatus::Live);
        if let (Some(accepted), Some(now)) = (
            self.accepted.as_ref().and_then(MatchSnapshot::clock),
            snapshot.clock(),
        ) && now < accepted
            && !minute_unknown
        {
            self.backwards += 1;
            if self.backwards < self.settings.hold_polls {
                return Vec::new();
            }
        }
        self.backwards = 0;
        let moments = match &snapshot.moments {
            Some(moments) => moments.clone(),
            None => self.moments_from_score(snapshot),
        };
        let mut changes = self.reconcile(moments);
        let status_changed = self
            .accepted
            .as_ref()
            .is_none_or(|accepted| accepted.status != snapshot.status);
        self.accepted = Some(snapshot.clone());
        let mut events: Vec<LiveEvent> = changes
            .drain(..)
            .map(|(kind, subject, moment, previous)| LiveEvent {
                kind,
                subject,
                moment: Some(moment),
                previous,
                status: snapshot.status,
                minute: snapshot.minute,
                home_score: snapshot.home_score,
                away_score: snapshot.away_score,
            })
            .collect();
        if status_changed {
            events.push(LiveEvent {
                kind: LiveEventKind::StatusChanged,
                subject: "status".to_string(),
                moment: None,
                previous: None,
                status: snapshot.status,
                minute: snapshot.minute,
                home_score: snapshot.home_score,
                away_score: snapshot.away_score,
            });
        }
        events
    }

    /// Goals told from the score, for a provider that lists no incidents:
    /// the goals tracked so far, less the latest of a side whose score
    /// dropped, plus one at the current minute per goal it gained. The
    /// cards tracked so far stay: a provider that lists no incidents says
    /// nothing about them (another provider may have told them).
    fn moments_from_score(&self, snapshot: &MatchSnapshot) -> Vec<Moment> {
        let mut moments: Vec<Moment> = self
            .tracked
            .iter()
            .filter(|t| t.moment.class == MomentClass::Card)
            .map(|t| t.moment.clone())
            .collect();
        for (side, score) in [("home", snapshot.home_score), ("away", snapshot.away_score)] {
            let mut kept: Vec<Moment> = self
                .tracked
                .iter()
                .filter(|t| t.moment.class == MomentClass::Goal)
                .filter(|t| t.moment.team.as_deref() == Some(side))
                .map(|t| t.moment.clone())
                .collect();
            let score = usize::try_from(score).unwrap_or(usize::MAX);
            kept.truncate(score);
            while kept.len() < score {
                kept.push(Moment {
                    class: MomentClass::Goal,
                    kind: IncidentKind::Goal,
                    team: Some(side.to_string()),
                    player: None,
                    minute: snapshot.minute,
                    extra_minute: None,
                });
            }
            moments.extend(kept);
        }
        moments
    }

    /// Matches the new moments with the tracked ones: the same moment
    /// first, then the same team, class and player, then the same team and
    /// class at the nearest minute, at most two minutes away. Unmatched tracked moments are
    /// cancelled, unmatched new ones are new; returns the changes,
    /// cancellations first, then the rest in order of play.
    fn reconcile(&mut self, moments: Vec<Moment>) -> Vec<Change> {
        let passes: [fn(&Moment, &Moment) -> bool; 3] = [
            |old, new| old == new,
            |old, new| same_side(old, new) && old.player.is_some() && old.player == new.player,
            // Another player and another minute is another goal: one ruled
            // out and one scored between two polls, not a correction.
            |old, new| same_side(old, new) && distance(old, new) <= CORRECTION_MINUTES * 100,
        ];
        let mut taken = vec![false; moments.len()];
        let mut matched: Vec<Option<usize>> = vec![None; self.tracked.len()];
        for pass in passes {
            for (t, tracked) in self.tracked.iter().enumerate() {
                if matched[t].is_some() {
                    continue;
                }
                let nearest = moments
                    .iter()
                    .enumerate()
                    .filter(|(i, m)| !taken[*i] && pass(&tracked.moment, m))
                    .min_by_key(|(_, m)| distance(&tracked.moment, m))
                    .map(|(i, _)| i);
                if let Some(i) = nearest {
                    matched[t] = Some(i);
                    taken[i] = true;
                }
            }
        }
        let mut cancelled = Vec::new();
        let mut changed = Vec::new();
        let mut kept = Vec::new();
        for (tracked, matched) in std::mem::take(&mut self.tracked).into_iter().zip(matched) {
            match matched.and_then(|i| moments.get(i)) {
                None => cancelled.push((
                    cancelled_kind(tracked.moment.class),
                    tracked.id,
                    tracked.moment,
                    None,
                )),
                Some(now) => {
                    if *now != tracked.moment {
                        changed.push((
                            updated_kind(now.class),
                            tracked.id.clone(),
                            now.clone(),
                            Some(tracked.moment),
                        ));
                    }
                    kept.push(Tracked {
                        id: tracked.id,
                        moment: now.clone(),
                    });
                }
            }
        }
        for (moment, taken) in moments.into_iter().zip(taken) {
            if taken {
                continue;
            }
            self.next_id += 1;
            let id = match moment.class {
                MomentClass::Goal => format!("goal-{}", self.next_id),
                MomentClass::Card => format!("card-{}", self.next_id),
            };
            changed.push((new_kind(moment.class), id.clone(), moment.clone(), None));
            kept.push(Tracked { id, moment });
        }
        cancelled.sort_by_key(|c| c.2.at());
        changed.sort_by_key(|c| c.2.at());
        kept.sort_by_key(|t| t.moment.at());
        self.tracked = kept;
        cancelled.extend(changed);
        cancelled
    }
}

/// How far a goal or card may move, with another player named, and still
/// be the one seen before (a feed's clock a minute apart, a scorer
/// corrected at the same minute).
const CORRECTION_MINUTES: u64 = 2;

/// A change to one goal or card: what, its id, how it stands, how it was.
type Change = (LiveEventKind, String, Moment, Option<Moment>);

fn new_kind(class: MomentClass) -> LiveEventKind {
    match class {
        MomentClass::Goal => LiveEventKind::Goal,
        MomentClass::Card => LiveEventKind::Card,
    }
}

fn updated_kind(class: MomentClass) -> LiveEventKind {
    match class {
        MomentClass::Goal => LiveEventKind::GoalUpdated,
        MomentClass::Card => LiveEventKind::CardUpdated,
    }
}

fn cancelled_kind(class: MomentClass) -> LiveEventKind {
    match class {
        MomentClass::Goal => LiveEventKind::GoalCancelled,
        MomentClass::Card => LiveEventKind::CardCancelled,
    }
}

fn same_side(old: &Moment, new: &Moment) -> bool {
    old.class == new.class && old.team == new.team
}

fn distance(old: &Moment, new: &Moment) -> u64 {
    let (a, b) = (old.at(), new.at());
    u64::from(a.0.abs_diff(b.0)) * 100 + u64::from(a.1.abs_diff(b.1))
}
