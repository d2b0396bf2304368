//! API-Football's scores split into the canonical periods.
//!
//! `score.fulltime` is the score at the end of regular time, `halftime` at
//! half time, `extratime` the goals of extra time only (the recorded
//! shoot-outs have `fulltime` 2-1, `extratime` 0-0 and `goals` 2-1), and
//! `penalty` the shoot-out. `goals` is the score now, extra time included.
//! While a match is played `fulltime` is null, so the regular-time score is
//! read from `goals` until extra time begins.

use sluice_plugin_sdk::scores::{Both, Scores};

use crate::status::Phase;
use crate::wire::{Pair, Score};

/// A pair of the body as a score: both sides or neither.
fn both(pair: Option<Pair>) -> Both {
    pair.map_or(Both::default(), |p| Both::of(p.home, p.away))
}

/// Splits a fixture's scores by period.
///
/// - Not started, postponed or cancelled: no scores.
/// - `home-score`/`away-score`: `score.fulltime` when given; otherwise
///   `goals` while regular time is played (or was, for a finished, awarded
///   or stopped match that never reached extra time); once extra time has
///   begun, `goals - extratime` when both are given, else none.
/// - Half time: `score.halftime`, but not during the first half, when
///   API-Football fills it with the running score.
/// - Extra time and penalties: only once extra time has begun.
/// - A stopped match (`INT`, `SUSP`, `ABD`) is placed by its minute:
///   45 or less the first half, 90 or less regular time, beyond extra time.
///
/// Goals that are not the full-time score plus the extra-time goals are
/// refused rather than split.
pub fn split(
    phase: Phase,
    elapsed: Option<u32>,
    goals: Option<Pair>,
    score: Option<&Score>,
) -> Result<Scores, String> {
    let phase = match (phase, elapsed) {
        (Phase::Stopped, Some(0..=45)) => Phase::FirstHalf,
        (Phase::Stopped, Some(91..)) => Phase::ExtraTime,
        (Phase::Stopped, _) => Phase::RegularTime,
        (other, _) => other,
    };
    if phase == Phase::NotStarted {
        return Ok(Scores::default());
    }
    let part = |f: fn(&Score) -> Option<Pair>| both(score.and_then(f));
    let goals = both(goals);
    let full_time = part(|s| s.fulltime);
    let extra_time = part(|s| s.extratime);
    let in_extra_time = phase == Phase::ExtraTime;
    if in_extra_time
        && let (Some((fh, fa)), Some((eh, ea)), Some((gh, ga))) =
            (full_time.0, extra_time.0, goals.0)
        && (fh.checked_add(eh), fa.checked_add(ea)) != (Some(gh), Some(ga))
    {
        return Err(format!(
            "goals {gh}-{ga} are not the full-time score {fh}-{fa} plus the extra-time goals {eh}-{ea}"
        ));
    }
    let regular = match (full_time.0, in_extra_time) {
        (Some(_), _) => full_time,
        (None, false) => goals,
        (None, true) => match (goals.0, extra_time.0) {
            (Some((gh, ga)), Some((eh, ea))) => match (gh.checked_sub(eh), ga.checked_sub(ea)) {
                (Some(h), Some(a)) => Both(Some((h, a))),
                _ => {
                    return Err(format!(
                        "goals {gh}-{ga} are fewer than the extra-time goals {eh}-{ea}"
                    ));
                }
            },
            _ => Both::default(),
        },
    };
    Ok(Scores {
        regular,
        half_time: if phase == Phase::FirstHalf {
            Both::default()
        } else {
            part(|s| s.halftime)
        },
        extra_time: if in_extra_time {
            extra_time
        } else {
            Both::default()
        },
        penalties: if in_extra_time {
            part(|s| s.penalty)
        } else {
            Both::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(home: Option<u32>, away: Option<u32>) -> Option<Pair> {
        Some(Pair { home, away })
    }

    fn score(json: &str) -> Score {
        serde_json::from_str(json).expect("score JSON")
    }

    const NULLS: &str = r#"{"halftime":{"home":null,"away":null},"fulltime":{"home":null,"away":null},"extratime":{"home":null,"away":null},"penalty":{"home":null,"away":null}}"#;

    #[test]
    fn a_shoot_out_keeps_regular_extra_time_and_penalties_apart() {
        // Atletico Madrid 2-1 Inter (CL 2024), 0-0 in extra time, 3-2 on penalties.
        let s = score(
            r#"{"halftime":{"home":1,"away":1},"fulltime":{"home":2,"away":1},"extratime":{"home":0,"away":0},"penalty":{"home":3,"away":2}}"#,
        );
        let split = split(
            Phase::ExtraTime,
            Some(120),
            pair(Some(2), Some(1)),
            Some(&s),
        );
        assert_eq!(
            split,
            Ok(Scores {
                regular: Both(Some((2, 1))),
                half_time: Both(Some((1, 1))),
                extra_time: Both(Some((0, 0))),
                penalties: Both(Some((3, 2))),
            })
        );
    }

    #[test]
    fn while_live_goals_are_the_score_and_the_first_half_has_no_half_time_yet() {
        let running = score(
            r#"{"halftime":{"home":0,"away":1},"fulltime":{"home":null,"away":null},"extratime":{"home":null,"away":null},"penalty":{"home":null,"away":null}}"#,
        );
        let first = split(
            Phase::FirstHalf,
            Some(36),
            pair(Some(0), Some(1)),
            Some(&running),
        );
        assert_eq!(
            first,
            Ok(Scores {
                regular: Both(Some((0, 1))),
                ..Scores::default()
            })
        );
        let second = split(
            Phase::RegularTime,
            Some(76),
            pair(Some(2), Some(1)),
            Some(&running),
        );
        assert_eq!(
            second,
            Ok(Scores {
                regular: Both(Some((2, 1))),
                half_time: Both(Some((0, 1))),
                ..Scores::default()
            })
        );
    }

    #[test]
    fn during_extra_time_goals_less_extra_time_goals_are_the_regular_score() {
        let s = score(
            r#"{"halftime":{"home":1,"away":0},"fulltime":{"home":null,"away":null},"extratime":{"home":1,"away":0},"penalty":{"home":null,"away":null}}"#,
        );
        let split = split(
            Phase::ExtraTime,
            Some(104),
            pair(Some(2), Some(1)),
            Some(&s),
        );
        assert_eq!(
            split.map(|s| (s.regular, s.extra_time)),
            Ok((Both(Some((1, 1))), Both(Some((1, 0)))))
        );
        // Without the extra-time goals the regular score is not known.
        let unknown = split_nulls(Phase::ExtraTime, Some(95), pair(Some(2), Some(1)));
        assert_eq!(unknown.map(|s| s.regular), Ok(Both(None)));
    }

    fn split_nulls(
        phase: Phase,
        elapsed: Option<u32>,
        goals: Option<Pair>,
    ) -> Result<Scores, String> {
        split(phase, elapsed, goals, Some(&score(NULLS)))
    }

    #[test]
    fn not_started_matches_have_no_score_and_half_known_pairs_are_dropped() {
        assert_eq!(
            split_nulls(Phase::NotStarted, None, pair(Some(0), Some(0))),
            Ok(Scores::default())
        );
        assert_eq!(
            split_nulls(Phase::RegularTime, Some(60), pair(Some(1), None)),
            Ok(Scores::default())
        );
        assert_eq!(
            split(Phase::RegularTime, Some(60), None, None),
            Ok(Scores::default())
        );
    }

    #[test]
    fn a_stopped_match_is_placed_by_its_minute() {
        let s = score(
            r#"{"halftime":{"home":1,"away":0},"fulltime":{"home":null,"away":null},"extratime":{"home":null,"away":null},"penalty":{"home":null,"away":null}}"#,
        );
        let at = |minute| {
            split(
                Phase::Stopped,
                Some(minute),
                pair(Some(1), Some(0)),
                Some(&s),
            )
        };
        assert_eq!(at(30).map(|s| s.half_time), Ok(Both(None)));
        assert_eq!(
            at(70).map(|s| (s.regular, s.half_time)),
            Ok((Both(Some((1, 0))), Both(Some((1, 0)))))
        );
        assert_eq!(at(100).map(|s| s.regular), Ok(Both(None)));
    }

    #[test]
    fn inconsistent_goals_are_refused() {
        let s = score(
            r#"{"halftime":{"home":1,"away":1},"fulltime":{"home":2,"away":1},"extratime":{"home":1,"away":0},"penalty":{"home":null,"away":null}}"#,
        );
        assert_eq!(
            split(
                Phase::ExtraTime,
                Some(120),
                pair(Some(2), Some(1)),
                Some(&s)
            ),
            Err(
                "goals 2-1 are not the full-time score 2-1 plus the extra-time goals 1-0"
                    .to_string()
            )
        );
        let live = score(
            r#"{"halftime":{"home":0,"away":0},"fulltime":{"home":null,"away":null},"extratime":{"home":2,"away":0},"penalty":{"home":null,"away":null}}"#,
        );
        assert_eq!(
            split(
                Phase::ExtraTime,
                Some(110),
                pair(Some(1), Some(0)),
                Some(&live)
            ),
            Err("goals 1-0 are fewer than the extra-time goals 2-0".to_string())
        );
    }
}
