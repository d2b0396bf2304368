//! Sportmonks standings (`GET /standings/seasons/{id}` with the
//! `participant` and `details` includes), read into table rows.
//!
//! Not a stream yet: the 0.2.0 contract has no standings record. Once it
//! has one, the stream plans that request and turns each [`TableRow`] into
//! the record; reading the provider's shape is done and tested here.

use serde::Deserialize;
use serde_json::Value;

/// One row of a standings response.
#[derive(Deserialize)]
pub struct StandingRow {
    /// The row id.
    pub id: u64,
    /// The team.
    pub participant_id: u64,
    /// The league.
    pub league_id: Option<u64>,
    /// The Sportmonks season id.
    pub season_id: Option<u64>,
    /// The stage the table belongs to.
    pub stage_id: Option<u64>,
    /// The group, in a group stage.
    pub group_id: Option<u64>,
    /// The place in the table, from 1.
    pub position: u32,
    /// Points (negative after a large enough deduction).
    pub points: i32,
    /// Movement since the last round: `up`, `down`, `equal`.
    pub result: Option<String>,
    /// Include `participant`.
    pub participant: Option<TeamRef>,
    /// Include `details`: played, won, goals, … one entry each.
    #[serde(default)]
    pub details: Vec<Detail>,
    /// Include `form`: one result per match played.
    #[serde(default)]
    pub form: Vec<FormEntry>,
}

/// The team of a row.
#[derive(Deserialize)]
pub struct TeamRef {
    /// The team id.
    pub id: u64,
    /// Its name.
    pub name: String,
}

/// One figure of a row.
#[derive(Deserialize)]
pub struct Detail {
    /// What the figure is (`129` = matches played overall).
    pub type_id: u32,
    /// The figure.
    pub value: Value,
    /// Include `details.type`: the figure's name.
    #[serde(rename = "type")]
    pub kind: Option<DetailType>,
}

/// `details[].type`.
#[derive(Deserialize)]
pub struct DetailType {
    /// `OVERALL_MATCHES`, `TOTAL_POINTS`, …
    pub developer_name: Option<String>,
}

/// One match of a row's form.
#[derive(Deserialize)]
pub struct FormEntry {
    /// `W`, `D` or `L`.
    pub form: String,
    /// Its place in the sequence, oldest first.
    pub sort_order: u32,
}

/// A standings row as a league table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// Provider id of the team.
    pub team: String,
    /// The team's name, when the `participant` include is there.
    pub team_name: Option<String>,
    /// The place in the table.
    pub position: u32,
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
    /// The form, oldest first (`WWDL…`).
    pub form: String,
}

/// The overall figures a table row needs: Sportmonks' type id and name.
const PLAYED: (u32, &str) = (129, "OVERALL_MATCHES");
const WON: (u32, &str) = (130, "OVERALL_WINS");
const DRAWN: (u32, &str) = (131, "OVERALL_DRAWS");
const LOST: (u32, &str) = (132, "OVERALL_LOST");
const SCORED: (u32, &str) = (133, "OVERALL_SCORED");
const CONCEDED: (u32, &str) = (134, "OVERALL_CONCEDED");
const TOTAL_POINTS: (u32, &str) = (187, "TOTAL_POINTS");

impl StandingRow {
    /// The row as a table row. A figure missing, named differently than
    /// its type id says, or not adding up (won, drawn and lost against
    /// played; the points figure against `points`) is refused.
    pub fn table_row(&self) -> Result<TableRow, String> {
        let played = self.figure(PLAYED)?;
        let won = self.figure(WON)?;
        let drawn = self.figure(DRAWN)?;
        let lost = self.figure(LOST)?;
        if won.checked_add(drawn).and_then(|n| n.checked_add(lost)) != Some(played) {
            return Err(format!(
                "won {won}, drawn {drawn} and lost {lost} do not add up to {played} played"
            ));
        }
        let total = self.figure(TOTAL_POINTS)?;
        if i64::from(total) != i64::from(self.points) {
            return Err(format!(
                "points are {} but the TOTAL_POINTS figure is {total}",
                self.points
            ));
        }
        let mut form: Vec<&FormEntry> = self.form.iter().collect();
        form.sort_by_key(|f| f.sort_order);
        Ok(TableRow {
            team: self.participant_id.to_string(),
            team_name: self.participant.as_ref().map(|p| p.name.clone()),
            position: self.position,
            played,
            won,
            drawn,
            lost,
            goals_for: self.figure(SCORED)?,
            goals_against: self.figure(CONCEDED)?,
            points: self.points,
            form: form.iter().map(|f| f.form.as_str()).collect(),
        })
    }

    fn figure(&self, (type_id, name): (u32, &str)) -> Result<u32, String> {
        let detail = self
            .details
            .iter()
            .find(|d| d.type_id == type_id)
            .ok_or_else(|| format!("row {} has no {name} figure (type {type_id})", self.id))?;
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
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| format!("{name} is {}, not a count", detail.value))
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

    #[test]
    fn a_row_reads_its_figures_by_type_and_its_form_in_order() {
        assert_eq!(
            row(&details(FULL), 4).table_row(),
            Ok(TableRow {
                team: "8".to_string(),
                team_name: Some("Liverpool".to_string()),
                position: 1,
                played: 2,
                won: 1,
                drawn: 1,
                lost: 0,
                goals_for: 3,
                goals_against: 1,
                points: 4,
                form: "WD".to_string(),
            })
        );
    }

    #[test]
    fn figures_that_are_missing_misnamed_or_do_not_add_up_are_refused() {
        assert_eq!(
            row(&details(&FULL[1..]), 4).table_row(),
            Err("row 1 has no OVERALL_MATCHES figure (type 129)".to_string())
        );
        let mut wrong = FULL.to_vec();
        wrong[0] = (129, 3);
        assert_eq!(
            row(&details(&wrong), 4).table_row(),
            Err("won 1, drawn 1 and lost 0 do not add up to 3 played".to_string())
        );
        assert_eq!(
            row(&details(FULL), 5).table_row(),
            Err("points are 5 but the TOTAL_POINTS figure is 4".to_string())
        );
        let misnamed = details(FULL).replacen(
            r#""value":2}"#,
            r#""value":2,"type":{"developer_name":"HOME_MATCHES"}}"#,
            1,
        );
        assert!(
            row(&misnamed, 4)
                .table_row()
                .is_err_and(|m| m.contains("type ids changed"))
        );
    }
}
