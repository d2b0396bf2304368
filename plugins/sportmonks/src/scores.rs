//! Sportmonks' `scores` include split into the canonical periods.
//!
//! Each entry is one side's goals in one period, named by `description`:
//! `1ST_HALF` (the score at half time), `2ND_HALF` (the score at the end of
//! regular time, the first half included), `2ND_HALF_ONLY` (the second
//! half's goals), `ET` (the goals of extra time only), `PENALTY_SHOOTOUT`,
//! and `CURRENT` (the score now, extra time included, the shoot-out not).
//! The recordings bear this out: the 2026 Champions League final has
//! `1ST_HALF` 0-1, `2ND_HALF_ONLY` 1-0, `2ND_HALF` 1-1, `ET` 0-0, `CURRENT`
//! 1-1 and `PENALTY_SHOOTOUT` 4-3. The side is `score.participant`.

use std::collections::BTreeMap;

use sluice_plugin_sdk::scores::{Both, Scores};

use crate::status::Phase;
use crate::wire::ScoreEntry;

/// One side of a pair.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Side {
    /// The home team.
    Home,
    /// The away team.
    Away,
}

impl Side {
    /// `home` or `away`, as Sportmonks writes it.
    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "home" => Some(Side::Home),
            "away" => Some(Side::Away),
            _ => None,
        }
    }
}

/// The entries by description, each a home and an away number.
#[derive(Default)]
pub struct Table(BTreeMap<String, (Option<u32>, Option<u32>)>);

impl Table {
    /// Reads the entries; a side missing from an entry, two different
    /// numbers for one period and side, or goals without a count are
    /// refused.
    pub fn read(entries: &[ScoreEntry]) -> Result<Table, String> {
        let mut table = Table::default();
        for entry in entries {
            let side = entry
                .score
                .participant
                .as_deref()
                .and_then(Side::parse)
                .ok_or_else(|| {
                    format!(
                        "score `{}` names no side (`score.participant` is {:?})",
                        entry.description, entry.score.participant
                    )
                })?;
            let goals = entry
                .score
                .goals
                .ok_or_else(|| format!("score `{}` has no goals", entry.description))?;
            let slot = table.0.entry(entry.description.clone()).or_default();
            let cell = match side {
                Side::Home => &mut slot.0,
                Side::Away => &mut slot.1,
            };
            match cell {
                Some(known) if *known != goals => {
                    return Err(format!(
                        "score `{}` gives the {} side both {known} and {goals} goals",
                        entry.description,
                        if side == Side::Home { "home" } else { "away" }
                    ));
                }
                _ => *cell = Some(goals),
            }
        }
        Ok(table)
    }

    fn get(&self, description: &str) -> Both {
        Both(
            self.0
                .get(description)
                .and_then(|(h, a)| Some(((*h)?, (*a)?))),
        )
    }

    fn has(&self, description: &str) -> bool {
        self.0.contains_key(description)
    }
}

/// Splits a fixture's scores by period, given how far the match got.
///
/// - Not started (or never to be): no scores.
/// - Half time: `1ST_HALF`, once the first half is over.
/// - Regular time: `CURRENT` while it is played; from its end, `2ND_HALF`
///   (which must then equal `CURRENT` unless extra time began); once extra
///   time began and `2ND_HALF` is missing, `CURRENT - ET`. An awarded match
///   keeps `CURRENT`, the awarded result.
/// - Extra time: `ET`; during or after extra time without `ET`,
///   `CURRENT - 2ND_HALF`. Before a shoot-out only `ET` says extra time was
///   played: some cups go to penalties straight after regular time.
/// - Penalties: `PENALTY_SHOOTOUT`.
/// - A stopped match is placed by its scores: extra time if `ET` is there,
///   the second half if a `2ND_HALF` is.
///
/// Goals that are not the regular-time score plus the extra-time goals
/// are refused rather than split.
pub fn split(phase: Phase, table: &Table) -> Result<Scores, String> {
    let stopped_in_extra_time = phase == Phase::Stopped && table.has("ET");
    let second_half_began = table.has("2ND_HALF") || table.has("2ND_HALF_ONLY");
    let current = table.get("CURRENT");
    let second_half = table.get("2ND_HALF");
    let extra_only = table.get("ET");
    let half_time = match phase {
        Phase::NotStarted => return Ok(Scores::default()),
        Phase::FirstHalf => Both::default(),
        Phase::Stopped if !second_half_began => Both::default(),
        _ => table.get("1ST_HALF"),
    };
    let extra_time_played = matches!(phase, Phase::ExtraTime | Phase::AfterExtraTime);
    let extra_time = if extra_time_played {
        or_else(extra_only, || {
            minus(current, second_half, "CURRENT", "2ND_HALF")
        })?
    } else if phase == Phase::Shootout || stopped_in_extra_time {
        extra_only
    } else {
        Both::default()
    };
    let regular = match phase {
        Phase::FirstHalf | Phase::HalfTime | Phase::SecondHalf => current,
        Phase::Stopped if !stopped_in_extra_time => current,
        Phase::RegularTimeOver => {
            if let (Some(c), Some(s)) = (current.0, second_half.0)
                && c != s
            {
                return Err(format!(
                    "the score now ({}) is not the regular-time score `2ND_HALF` ({}) though extra time has not begun",
                    pair(c),
                    pair(s)
                ));
            }
            or_else(second_half, || Ok(current))?
        }
        Phase::Decided => or_else(current, || Ok(second_half))?,
        _ => or_else(second_half, || minus(current, extra_time, "CURRENT", "ET"))?,
    };
    if let (Some(r), Some(e), Some(c)) = (regular.0, extra_time.0, current.0)
        && (r.0.checked_add(e.0), r.1.checked_add(e.1)) != (Some(c.0), Some(c.1))
    {
        return Err(format!(
            "the score now ({}) is not the regular-time score ({}) plus the extra-time goals ({})",
            pair(c),
            pair(r),
            pair(e)
        ));
    }
    let penalties = match phase {
        Phase::Shootout | Phase::Stopped => table.get("PENALTY_SHOOTOUT"),
        _ => Both::default(),
    };
    Ok(Scores {
        regular,
        half_time,
        extra_time,
        penalties,
    })
}

fn or_else(first: Both, second: impl FnOnce() -> Result<Both, String>) -> Result<Both, String> {
    match first.0 {
        Some(_) => Ok(first),
        None => second(),
    }
}

/// `a - b` by side; a difference below zero is refused.
fn minus(a: Both, b: Both, a_name: &str, b_name: &str) -> Result<Both, String> {
    let (Some(a), Some(b)) = (a.0, b.0) else {
        return Ok(Both::default());
    };
    match (a.0.checked_sub(b.0), a.1.checked_sub(b.1)) {
        (Some(h), Some(w)) => Ok(Both(Some((h, w)))),
        _ => Err(format!(
            "`{a_name}` ({}) is less than `{b_name}` ({})",
            pair(a),
            pair(b)
        )),
    }
}

fn pair((home, away): (u32, u32)) -> String {
    format!("{home}-{away}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table from `(description, home, away)`.
    fn table(rows: &[(&str, u32, u32)]) -> Table {
        let json: Vec<String> = rows
            .iter()
            .flat_map(|(d, h, a)| {
                [
                    format!(
                        r#"{{"score":{{"goals":{h},"participant":"home"}},"description":"{d}"}}"#
                    ),
                    format!(
                        r#"{{"score":{{"goals":{a},"participant":"away"}},"description":"{d}"}}"#
                    ),
                ]
            })
            .collect();
        let entries: Vec<ScoreEntry> =
            serde_json::from_str(&format!("[{}]", json.join(","))).expect("entries");
        Table::read(&entries).expect("table")
    }

    fn both(h: u32, a: u32) -> Both {
        Both(Some((h, a)))
    }

    #[test]
    fn a_shoot_out_after_extra_time_keeps_each_period_apart() {
        // The 2026 Champions League final as recorded.
        let t = table(&[
            ("1ST_HALF", 0, 1),
            ("2ND_HALF_ONLY", 1, 0),
            ("2ND_HALF", 1, 1),
            ("ET_1ST_HALF", 0, 0),
            ("ET_2ND_HALF", 0, 0),
            ("ET", 0, 0),
            ("CURRENT", 1, 1),
            ("PENALTY_SHOOTOUT", 4, 3),
        ]);
        assert_eq!(
            split(Phase::Shootout, &t),
            Ok(Scores {
                regular: both(1, 1),
                half_time: both(0, 1),
                extra_time: both(0, 0),
                penalties: both(4, 3),
            })
        );
    }

    #[test]
    fn a_shoot_out_straight_after_regular_time_has_no_extra_time() {
        // The 2024 Community Shield: no `ET` entry at all.
        let t = table(&[
            ("1ST_HALF", 0, 0),
            ("2ND_HALF", 1, 1),
            ("CURRENT", 1, 1),
            ("PENALTY_SHOOTOUT", 7, 6),
        ]);
        let s = split(Phase::Shootout, &t).expect("split");
        assert_eq!(s.extra_time, Both(None));
        assert_eq!((s.regular, s.penalties), (both(1, 1), both(7, 6)));
    }

    #[test]
    fn extra_time_goals_are_told_from_regular_time_goals() {
        let t = table(&[
            ("1ST_HALF", 1, 0),
            ("2ND_HALF", 1, 1),
            ("ET", 1, 0),
            ("CURRENT", 2, 1),
        ]);
        let s = split(Phase::AfterExtraTime, &t).expect("split");
        assert_eq!((s.regular, s.extra_time), (both(1, 1), both(1, 0)));
        // Without `ET`, extra time is what `CURRENT` has beyond `2ND_HALF`.
        let t = table(&[("2ND_HALF", 1, 1), ("CURRENT", 3, 1)]);
        let s = split(Phase::ExtraTime, &t).expect("split");
        assert_eq!((s.regular, s.extra_time), (both(1, 1), both(2, 0)));
        // Without `2ND_HALF`, regular time is `CURRENT` less `ET`.
        let t = table(&[("ET", 0, 1), ("CURRENT", 2, 3)]);
        let s = split(Phase::AfterExtraTime, &t).expect("split");
        assert_eq!(s.regular, both(2, 2));
    }

    #[test]
    fn while_live_current_is_the_score_and_the_first_half_has_no_half_time_yet() {
        let t = table(&[("1ST_HALF", 0, 1), ("CURRENT", 0, 1)]);
        let s = split(Phase::FirstHalf, &t).expect("split");
        assert_eq!((s.regular, s.half_time), (both(0, 1), Both(None)));
        let t = table(&[("1ST_HALF", 0, 1), ("2ND_HALF", 2, 1), ("CURRENT", 2, 1)]);
        let s = split(Phase::SecondHalf, &t).expect("split");
        assert_eq!((s.regular, s.half_time), (both(2, 1), both(0, 1)));
        assert_eq!((s.extra_time, s.penalties), (Both(None), Both(None)));
    }

    #[test]
    fn not_started_matches_have_no_score_and_stopped_ones_are_placed_by_their_scores() {
        let t = table(&[("CURRENT", 0, 0)]);
        assert_eq!(split(Phase::NotStarted, &t), Ok(Scores::default()));
        let first = table(&[("1ST_HALF", 1, 0), ("CURRENT", 1, 0)]);
        let s = split(Phase::Stopped, &first).expect("split");
        assert_eq!((s.regular, s.half_time), (both(1, 0), Both(None)));
        let second = table(&[("1ST_HALF", 1, 0), ("2ND_HALF", 1, 2), ("CURRENT", 1, 2)]);
        let s = split(Phase::Stopped, &second).expect("split");
        assert_eq!((s.regular, s.half_time), (both(1, 2), both(1, 0)));
        let extra = table(&[("2ND_HALF", 1, 1), ("ET", 0, 1), ("CURRENT", 1, 2)]);
        let s = split(Phase::Stopped, &extra).expect("split");
        assert_eq!((s.regular, s.extra_time), (both(1, 1), both(0, 1)));
    }

    #[test]
    fn an_awarded_result_is_the_current_score() {
        let t = table(&[("1ST_HALF", 1, 1), ("2ND_HALF", 1, 1), ("CURRENT", 3, 0)]);
        assert_eq!(split(Phase::Decided, &t).map(|s| s.regular), Ok(both(3, 0)));
    }

    #[test]
    fn inconsistent_scores_are_refused() {
        let t = table(&[("2ND_HALF", 1, 1), ("ET", 1, 0), ("CURRENT", 1, 1)]);
        assert_eq!(
            split(Phase::AfterExtraTime, &t),
            Err("the score now (1-1) is not the regular-time score (1-1) plus the extra-time goals (1-0)".to_string())
        );
        let t = table(&[("2ND_HALF", 2, 1), ("CURRENT", 1, 1)]);
        assert_eq!(
            split(Phase::RegularTimeOver, &t),
            Err("the score now (1-1) is not the regular-time score `2ND_HALF` (2-1) though extra time has not begun".to_string())
        );
        let t = table(&[("2ND_HALF", 2, 1), ("CURRENT", 1, 1)]);
        assert_eq!(
            split(Phase::ExtraTime, &t),
            Err("`CURRENT` (1-1) is less than `2ND_HALF` (2-1)".to_string())
        );
    }

    #[test]
    fn a_table_refuses_entries_it_cannot_place() {
        let read = |json: &str| {
            let entries: Vec<ScoreEntry> = serde_json::from_str(json).expect("entries");
            Table::read(&entries).err()
        };
        assert_eq!(
            read(
                r#"[{"score":{"goals":1,"participant":"home"},"description":"CURRENT"},{"score":{"goals":2,"participant":"home"},"description":"CURRENT"}]"#
            ),
            Some("score `CURRENT` gives the home side both 1 and 2 goals".to_string())
        );
        assert_eq!(
            read(r#"[{"score":{"goals":1,"participant":"visitor"},"description":"CURRENT"}]"#),
            Some(
                "score `CURRENT` names no side (`score.participant` is Some(\"visitor\"))"
                    .to_string()
            )
        );
        assert_eq!(
            read(r#"[{"score":{"goals":null,"participant":"home"},"description":"CURRENT"}]"#),
            Some("score `CURRENT` has no goals".to_string())
        );
        // A period with one side only is no score for that period.
        let entries: Vec<ScoreEntry> = serde_json::from_str(
            r#"[{"score":{"goals":1,"participant":"home"},"description":"CURRENT"}]"#,
        )
        .expect("entries");
        let t = Table::read(&entries).expect("table");
        assert_eq!(t.get("CURRENT"), Both(None));
    }
}
