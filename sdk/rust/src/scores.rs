//! A match's scores split into the periods the canonical event holds: the
//! score at the end of regular time, at half time, the goals of extra time
//! only, and the shoot-out. How a provider's figures split into them is the
//! plugin's; holding them, and writing them into an event, is shared.

use crate::{Event, EventStatus};

/// A home and away score, both known or neither: an event never carries
/// one side's score without the other's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Both(pub Option<(u32, u32)>);

impl Both {
    /// Both scores, or neither when either is unknown.
    pub fn of(home: Option<u32>, away: Option<u32>) -> Both {
        Both(home.zip(away))
    }

    /// The home score.
    pub fn home(self) -> Option<u32> {
        self.0.map(|(h, _)| h)
    }

    /// The away score.
    pub fn away(self) -> Option<u32> {
        self.0.map(|(_, a)| a)
    }
}

/// Scores by period, as the canonical event wants them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scores {
    /// At the end of regular time (or now, while regular time is played).
    pub regular: Both,
    /// At half time, once the first half is over.
    pub half_time: Both,
    /// Goals of extra time only.
    pub extra_time: Both,
    /// The shoot-out.
    pub penalties: Both,
}

impl Scores {
    /// An event holding these scores and nothing else (no id, `scheduled`),
    /// to complete with the event's own fields: `Event { provider_id, …,
    /// ..scores.event() }`.
    pub fn event(&self) -> Event {
        Event {
            provider_id: String::new(),
            name: None,
            competition: None,
            season: None,
            stage: None,
            matchday: None,
            home_team: None,
            away_team: None,
            home_team_name: None,
            away_team_name: None,
            kickoff: None,
            status: EventStatus::Scheduled,
            minute: None,
            home_score: self.regular.home(),
            away_score: self.regular.away(),
            home_score_half_time: self.half_time.home(),
            away_score_half_time: self.half_time.away(),
            home_score_extra_time: self.extra_time.home(),
            away_score_extra_time: self.extra_time.away(),
            home_score_penalties: self.penalties.home(),
            away_score_penalties: self.penalties.away(),
            venue: None,
            provider_updated_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_alone_is_no_score() {
        assert_eq!(Both::of(Some(2), Some(1)), Both(Some((2, 1))));
        assert_eq!(Both::of(Some(2), None), Both(None));
        assert_eq!(Both::of(None, Some(1)).home(), None);
    }

    #[test]
    fn each_period_lands_in_its_own_fields() {
        let scores = Scores {
            regular: Both(Some((1, 1))),
            half_time: Both(Some((0, 1))),
            extra_time: Both(Some((0, 0))),
            penalties: Both(Some((4, 3))),
        };
        let event = scores.event();
        assert_eq!((event.home_score, event.away_score), (Some(1), Some(1)));
        assert_eq!(
            (event.home_score_half_time, event.away_score_half_time),
            (Some(0), Some(1))
        );
        assert_eq!(
            (event.home_score_extra_time, event.away_score_extra_time),
            (Some(0), Some(0))
        );
        assert_eq!(
            (event.home_score_penalties, event.away_score_penalties),
            (Some(4), Some(3))
        );
        assert_eq!(Scores::default().event().home_score, None);
    }
}
