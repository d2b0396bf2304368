//! A Sportmonks standings row's figures (`GET /standings/seasons/{id}`
//! with the `details.type` include), overall, at home and away.
//!
//! Sportmonks gives each figure as a `details` entry with a type id; the
//! `details.type` include names it, and a name that is not the one the id
//! stands for means the ids changed: such a row is refused, not guessed.

use crate::wire::{FormEntry, StandingRow};

/// A figure's Sportmonks type: its id and name.
type FigureType = (u32, &'static str);

/// The types of one table's figures.
pub struct FigureTypes {
    played: FigureType,
    won: FigureType,
    drawn: FigureType,
    lost: FigureType,
    scored: FigureType,
    conceded: FigureType,
    points: FigureType,
}

/// The overall table's figures.
pub const OVERALL: FigureTypes = FigureTypes {
    played: (129, "OVERALL_MATCHES"),
    won: (130, "OVERALL_WINS"),
    drawn: (131, "OVERALL_DRAWS"),
    lost: (132, "OVERALL_LOST"),
    scored: (133, "OVERALL_SCORED"),
    conceded: (134, "OVERALL_CONCEDED"),
    points: (187, "TOTAL_POINTS"),
};

/// The home table's figures.
pub const HOME: FigureTypes = FigureTypes {
    played: (135, "HOME_MATCHES"),
    won: (136, "HOME_WINS"),
    drawn: (137, "HOME_DRAWS"),
    lost: (138, "HOME_LOST"),
    scored: (139, "HOME_SCORED"),
    conceded: (140, "HOME_CONCEDED"),
    points: (185, "HOME_POINTS"),
};

/// The away table's figures.
pub const AWAY: FigureTypes = FigureTypes {
    played: (141, "AWAY_MATCHES"),
    won: (142, "AWAY_WINS"),
    drawn: (143, "AWAY_DRAWS"),
    lost: (144, "AWAY_LOST"),
    scored: (145, "AWAY_SCORED"),
    conceded: (146, "AWAY_CONCEDED"),
    points: (186, "AWAY_POINTS"),
};

/// A row's figures in one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Matches played.
    pub played: u32,
    /// Won.
    pub won: u32,
    /// Drawn.
    pub drawn: u32,
    /// Lost.
    pub lost: u32,
    /// Goals scored.
    pub goals_for: u32,
    /// Goals conceded.
    pub goals_against: u32,
    /// Points.
    pub points: i32,
}

impl FigureTypes {
    /// Every type, in the order of [`Figures`]' fields.
    fn all(&self) -> [FigureType; 7] {
        [
            self.played,
            self.won,
            self.drawn,
            self.lost,
            self.scored,
            self.conceded,
            self.points,
        ]
    }
}

impl StandingRow {
    /// The overall figures. One missing, named differently than its type
    /// id says, or not adding up (won, drawn and lost against played; the
    /// points figure against `points`) is refused.
    pub fn overall(&self) -> Result<Figures, String> {
        let Some(figures) = self.figures(&OVERALL)? else {
            let (id, name) = OVERALL
                .all()
                .into_iter()
                .find(|(id, _)| !self.details.iter().any(|d| d.type_id == *id))
                .unwrap_or(OVERALL.played);
            return Err(format!("row {} has no {name} figure (type {id})", self.id));
        };
        if figures.points != self.points {
            return Err(format!(
                "points are {} but the {} figure is {}",
                self.points, OVERALL.points.1, figures.points
            ));
        }
        Ok(figures)
    }

    /// The figures of the table of `types`: none when one of them is
    /// missing (Sportmonks did not send that table), refused when one is
    /// misnamed or they do not add up.
    pub fn figures(&self, types: &FigureTypes) -> Result<Option<Figures>, String> {
        let mut values = [0_i64; 7];
        for (value, kind) in values.iter_mut().zip(types.all()) {
            match self.figure(kind)? {
                Some(v) => *value = v,
                None => return Ok(None),
            }
        }
        let [played, won, drawn, lost, goals_for, goals_against, points] = values;
        let count = |value: i64, (_, name): FigureType| {
            u32::try_from(value).map_err(|_| format!("{name} is {value}, not a count"))
        };
        let played = count(played, types.played)?;
        let won = count(won, types.won)?;
        let drawn = count(drawn, types.drawn)?;
        let lost = count(lost, types.lost)?;
        if won.checked_add(drawn).and_then(|n| n.checked_add(lost)) != Some(played) {
            return Err(format!(
                "won {won}, drawn {drawn} and lost {lost} do not add up to {played} played"
            ));
        }
        Ok(Some(Figures {
            played,
            won,
            drawn,
            lost,
            goals_for: count(goals_for, types.scored)?,
            goals_against: count(goals_against, types.conceded)?,
            points: i32::try_from(points)
                .map_err(|_| format!("{} is {points}, out of range", types.points.1))?,
        }))
    }

    /// The form oldest first (`WWDL…`), one letter per match played; none
    /// without the `form` include.
    pub fn form(&self) -> Option<String> {
        let mut form: Vec<&FormEntry> = self.form.iter().collect();
        form.sort_by_key(|f| f.sort_order);
        let text: String = form.iter().map(|f| f.form.trim()).collect();
        (!text.is_empty()).then_some(text)
    }

    /// The figure of type `(type_id, name)` as a whole number, or none when
    /// the row has no such figure.
    fn figure(&self, (type_id, name): FigureType) -> Result<Option<i64>, String> {
        let Some(detail) = self.details.iter().find(|d| d.type_id == type_id) else {
            return Ok(None);
        };
        let named = detail
            .kind
            .as_ref()
            .and_then(|k| k.developer_name.as_deref());
        if named.is_some_and(|n| n != name) {
            return Err(format!(
                "type {type_id} is named {named:?}, not {name}: Sportmonks' type ids changed"
            ));
        }
        detail
            .value
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{name} is {}, not a whole number", detail.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(details: &str, points: i32) -> StandingRow {
        serde_json::from_str(&format!(
            r#"{{"id":1,"participant_id":8,"position":1,"points":{points},"participant":{{"id":8,"name":"Liverpool"}},"details":{details},
                "form":[{{"form":"D","sort_order":2}},{{"form":"W","sort_order":1}}]}}"#
        ))
        .expect("row")
    }

    fn details(figures: &[(u32, i64)]) -> String {
        let items: Vec<String> = figures
            .iter()
            .map(|(t, v)| format!(r#"{{"type_id":{t},"value":{v}}}"#))
            .collect();
        format!("[{}]", items.join(","))
    }

    const FULL: &[(u32, i64)] = &[
        (129, 2),
        (130, 1),
        (131, 1),
        (132, 0),
        (133, 3),
        (134, 1),
        (187, 4),
    ];

    const HOME_FIGURES: &[(u32, i64)] = &[
        (135, 1),
        (136, 1),
        (137, 0),
        (138, 0),
        (139, 2),
        (140, 0),
        (185, 3),
    ];

    #[test]
    fn a_row_reads_its_figures_by_type_and_its_form_in_order() {
        let r = row(&details(FULL), 4);
        assert_eq!(
            r.overall(),
            Ok(Figures {
                played: 2,
                won: 1,
                drawn: 1,
                lost: 0,
                goals_for: 3,
                goals_against: 1,
                points: 4,
            })
        );
        assert_eq!(r.form().as_deref(), Some("WD"));
    }

    #[test]
    fn home_and_away_figures_are_read_when_sent_and_none_when_not() {
        let both = [FULL, HOME_FIGURES].concat();
        let r = row(&details(&both), 4);
        assert_eq!(
            r.figures(&HOME)
                .map(|f| f.map(|f| (f.played, f.won, f.points))),
            Ok(Some((1, 1, 3)))
        );
        assert_eq!(r.figures(&AWAY), Ok(None));
        // A table with one figure missing is not sent whole: none.
        let partial = [FULL, &HOME_FIGURES[1..]].concat();
        assert_eq!(row(&details(&partial), 4).figures(&HOME), Ok(None));
    }

    #[test]
    fn negative_points_after_a_deduction_are_read() {
        let mut deducted = FULL.to_vec();
        deducted[2] = (131, 0);
        deducted[3] = (132, 1);
        deducted[6] = (187, -6);
        let r = row(&details(&deducted), -6);
        assert_eq!(r.overall().map(|f| f.points), Ok(-6));
    }

    #[test]
    fn figures_that_are_missing_misnamed_or_do_not_add_up_are_refused() {
        assert_eq!(
            row(&details(&FULL[1..]), 4).overall(),
            Err("row 1 has no OVERALL_MATCHES figure (type 129)".to_string())
        );
        let mut wrong = FULL.to_vec();
        wrong[0] = (129, 3);
        assert_eq!(
            row(&details(&wrong), 4).overall(),
            Err("won 1, drawn 1 and lost 0 do not add up to 3 played".to_string())
        );
        assert_eq!(
            row(&details(FULL), 5).overall(),
            Err("points are 5 but the TOTAL_POINTS figure is 4".to_string())
        );
        let misnamed = details(FULL).replacen(
            r#""value":2}"#,
            r#""value":2,"type":{"developer_name":"HOME_MATCHES"}}"#,
            1,
        );
        assert!(
            row(&misnamed, 4)
                .overall()
                .is_err_and(|m| m.contains("type ids changed"))
        );
        let mut negative = FULL.to_vec();
        negative[4] = (133, -1);
        assert_eq!(
            row(&details(&negative), 4).overall(),
            Err("OVERALL_SCORED is -1, not a count".to_string())
        );
    }
}
