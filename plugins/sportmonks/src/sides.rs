//! Which participant is home and which away, from `meta.location`, and
//! the check that every score is credited to the right side.

use crate::scores::Side;
use crate::wire::{Participant, ScoreEntry};

/// The home and away participants of a fixture.
pub struct Sides<'a> {
    /// The home team, when the response names the participants.
    pub home: Option<&'a Participant>,
    /// The away team, likewise.
    pub away: Option<&'a Participant>,
}

/// The home and away participants by `meta.location`: none when the
/// response has no participants, else exactly one of each.
pub fn sides(participants: &[Participant]) -> Result<Sides<'_>, String> {
    let mut sides = Sides {
        home: None,
        away: None,
    };
    for p in participants {
        let location = p.meta.as_ref().and_then(|m| m.location.as_deref());
        let slot = match location.and_then(Side::parse) {
            Some(Side::Home) => &mut sides.home,
            Some(Side::Away) => &mut sides.away,
            None => {
                return Err(format!(
                    "participant {} has location {location:?}, neither home nor away",
                    p.id
                ));
            }
        };
        if let Some(other) = slot.replace(p) {
            return Err(format!(
                "participants {} and {} are both {}",
                other.id,
                p.id,
                location.unwrap_or_default()
            ));
        }
    }
    if !participants.is_empty() && (sides.home.is_none() || sides.away.is_none()) {
        return Err(format!(
            "the participants name no {} team",
            if sides.home.is_none() { "home" } else { "away" }
        ));
    }
    Ok(sides)
}

/// Every score credited to a participant must be on that participant's
/// side: `score.participant` and `participant_id` must agree.
pub fn check_score_sides(entries: &[ScoreEntry], sides: &Sides) -> Result<(), String> {
    let (Some(home), Some(away)) = (sides.home, sides.away) else {
        return Ok(());
    };
    for entry in entries {
        let Some(id) = entry.participant_id else {
            continue;
        };
        let side = entry.score.participant.as_deref().and_then(Side::parse);
        let team_side = if id == home.id {
            Side::Home
        } else if id == away.id {
            Side::Away
        } else {
            return Err(format!(
                "score `{}` belongs to participant {id}, who does not play in the fixture",
                entry.description
            ));
        };
        if side.is_some_and(|s| s != team_side) {
            return Err(format!(
                "score `{}` of participant {id} is marked {:?}, but {id} is the {} team",
                entry.description,
                entry.score.participant.as_deref().unwrap_or_default(),
                if team_side == Side::Home {
                    "home"
                } else {
                    "away"
                }
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participants(json: &str) -> Vec<Participant> {
        serde_json::from_str(json).expect("participants")
    }

    fn entries(json: &str) -> Vec<ScoreEntry> {
        serde_json::from_str(json).expect("scores")
    }

    const TWO: &str = r#"[{"id":19,"name":"Arsenal","meta":{"location":"away"}},{"id":591,"name":"Paris","meta":{"location":"home"}}]"#;

    #[test]
    fn home_and_away_are_read_from_the_location() {
        let ps = participants(TWO);
        let s = sides(&ps).expect("sides");
        assert_eq!(
            (s.home.map(|p| p.id), s.away.map(|p| p.id)),
            (Some(591), Some(19))
        );
        let none = sides(&[]).expect("no participants");
        assert!(none.home.is_none() && none.away.is_none());
    }

    #[test]
    fn scores_must_be_credited_to_the_side_of_their_participant() {
        let ps = participants(TWO);
        let s = sides(&ps).expect("sides");
        let ok = entries(
            r#"[{"participant_id":591,"score":{"goals":1,"participant":"home"},"description":"CURRENT"}]"#,
        );
        assert_eq!(check_score_sides(&ok, &s), Ok(()));
        let stranger = entries(
            r#"[{"participant_id":7,"score":{"goals":1,"participant":"home"},"description":"CURRENT"}]"#,
        );
        assert_eq!(
            check_score_sides(&stranger, &s),
            Err(
                "score `CURRENT` belongs to participant 7, who does not play in the fixture"
                    .to_string()
            )
        );
    }
}
