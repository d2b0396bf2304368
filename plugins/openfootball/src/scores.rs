//! A match's status and its scores split by period.
//!
//! football.json writes a result as `{"ht": [h, a], "ft": [h, a]}`, adding
//! `et` (the score after extra time, regular-time goals included) and `p`
//! (the shoot-out) when played. The canonical event wants the regular-time
//! score, the goals of extra time only and the shoot-out: extra-time goals
//! are `et` less `ft`. The files carry no status: a match with a full-time
//! score is `finished`, one without is `scheduled`.

use crate::wire::Score;
use sluice_plugin_sdk::EventStatus;

/// Home and away goals of one period; none when not played.
#[derive(Debug, Default, PartialEq, Clone, Copy)]
pub struct Pair {
    /// The home team's goals.
    pub home: Option<u32>,
    /// The away team's goals.
    pub away: Option<u32>,
}

impl From<Option<[u32; 2]>> for Pair {
    fn from(pair: Option<[u32; 2]>) -> Self {
        match pair {
            Some([home, away]) => Pair {
                home: Some(home),
                away: Some(away),
            },
            None => Pair::default(),
        }
    }
}

/// A match's status and scores, as the canonical event holds them.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    /// `finished` with a full-time score, `scheduled` without.
    pub status: EventStatus,
    /// At the end of regular time.
    pub full_time: Pair,
    /// At half time.
    pub half_time: Pair,
    /// Goals scored in extra time only.
    pub extra_time: Pair,
    /// The shoot-out.
    pub penalties: Pair,
}

/// The status and scores of a match whose `score` is `score`; a score
/// whose periods contradict each other is refused.
pub fn outcome(score: Option<&Score>) -> Result<Outcome, String> {
    let empty = Score::default();
    let score = score.unwrap_or(&empty);
    let Some(ft) = score.ft else {
        if score.ht.is_some() || score.et.is_some() || score.p.is_some() {
            return Err(
                "score has a half-time, extra-time or penalty result but no full-time one"
                    .to_string(),
            );
        }
        return Ok(Outcome {
            status: EventStatus::Scheduled,
            full_time: Pair::default(),
            half_time: Pair::default(),
            extra_time: Pair::default(),
            penalties: Pair::default(),
        });
    };
    let extra_time = match score.et {
        Some(et) => {
            let goals = |side: usize| {
                et[side].checked_sub(ft[side]).ok_or_else(|| {
                    format!(
                        "score after extra time {:?} is lower than at full time {:?}",
                        et, ft
                    )
                })
            };
            Pair {
                home: Some(goals(0)?),
                away: Some(goals(1)?),
            }
        }
        None => Pair::default(),
    };
    Ok(Outcome {
        status: EventStatus::Finished,
        full_time: Some(ft).into(),
        half_time: score.ht.into(),
        extra_time,
        penalties: score.p.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(json: &str) -> Result<Outcome, String> {
        let score: Score = serde_json::from_str(json).expect("score JSON");
        outcome(Some(&score))
    }

    fn pair(home: u32, away: u32) -> Pair {
        Pair {
            home: Some(home),
            away: Some(away),
        }
    }

    #[test]
    fn no_score_is_scheduled_with_no_goals() {
        for outcome in [outcome(None), of("{}")] {
            let outcome = outcome.expect("valid");
            assert_eq!(outcome.status, EventStatus::Scheduled);
            assert_eq!(outcome.full_time, Pair::default());
            assert_eq!(outcome.half_time, Pair::default());
        }
    }

    #[test]
    fn a_full_time_score_is_finished() {
        let outcome = of(r#"{"ht": [0, 1], "ft": [0, 4]}"#).expect("valid");
        assert_eq!(outcome.status, EventStatus::Finished);
        assert_eq!(outcome.full_time, pair(0, 4));
        assert_eq!(outcome.half_time, pair(0, 1));
        assert_eq!(outcome.extra_time, Pair::default());
        assert_eq!(outcome.penalties, Pair::default());
        // Some real matches have no half-time score.
        let outcome = of(r#"{"ft": [2, 2]}"#).expect("valid");
        assert_eq!(outcome.status, EventStatus::Finished);
        assert_eq!(outcome.half_time, Pair::default());
    }

    #[test]
    fn extra_time_counts_its_own_goals_only() {
        // The 2022 World Cup final: 2-2, 3-3 after extra time, 4-2 on penalties.
        let outcome =
            of(r#"{"ht": [2, 0], "ft": [2, 2], "et": [3, 3], "p": [4, 2]}"#).expect("valid");
        assert_eq!(outcome.full_time, pair(2, 2));
        assert_eq!(outcome.extra_time, pair(1, 1));
        assert_eq!(outcome.penalties, pair(4, 2));
        let outcome = of(r#"{"ft": [1, 1], "et": [1, 2]}"#).expect("valid");
        assert_eq!(outcome.extra_time, pair(0, 1));
        assert_eq!(outcome.penalties, Pair::default());
    }

    #[test]
    fn contradictory_scores_are_refused() {
        assert_eq!(
            of(r#"{"ft": [2, 2], "et": [1, 3]}"#).err().as_deref(),
            Some("score after extra time [1, 3] is lower than at full time [2, 2]")
        );
        assert_eq!(
            of(r#"{"ht": [1, 0]}"#).err().as_deref(),
            Some("score has a half-time, extra-time or penalty result but no full-time one")
        );
    }
}
