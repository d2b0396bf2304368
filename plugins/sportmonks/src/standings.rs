//! The `standings` stream: a season's standings rows grouped into tables
//! (one per stage and group), each an overall table and, when the details
//! carry their figures, a home and an away table; the league as a
//! competition, and the rows' teams (the `participant` include) as teams.
//!
//! A standing says its table is whole, so a table is loaded whole or not at
//! all: a row that cannot be read rejects its table, with the rows' JSON,
//! and the table the host holds stays as it was.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::value::RawValue;
use sluice_plugin_sdk::{
    Batch, HttpRequest, PluginError, Record, Reject, Standing, StandingSplit, Team,
};

use crate::body::{self, Body};
use crate::event::{self, competition};
use crate::figures::{AWAY, FigureTypes, Figures, HOME};
use crate::teams::team;
use crate::wire::{Named, StandingRow};
use sluice_plugin_sdk::rank::{self, Line};

/// Which table a row belongs to.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
struct TableKey {
    stage_id: Option<u64>,
    group_id: Option<u64>,
}

/// The records of a standings response of season `season`: competitions
/// first, then teams, then every table's standings.
pub fn normalize(season: u64, request: &HttpRequest, body: &[u8]) -> Result<Batch, PluginError> {
    let read = match body::read(body, "standings row")? {
        Body::Data(items) => items,
        Body::NoResults(message) => {
            let what = format!("standings of season {season}");
            body::nothing_found(request, &message, false, &what)?;
            return Ok(Batch::of(Vec::new()));
        }
    };
    let mut tables: Vec<(TableKey, Vec<&RawValue>)> = Vec::new();
    let mut rejects = Vec::new();
    for raw in &read.items {
        match serde_json::from_str::<TableKey>(raw.get()) {
            Ok(key) => match tables.iter_mut().find(|(k, _)| *k == key) {
                Some((_, rows)) => rows.push(*raw),
                None => tables.push((key, vec![*raw])),
            },
            Err(e) => rejects.push(event::reject(
                raw,
                format!("standings row is not of the expected shape: {e}"),
            )),
        }
    }
    // A row not placed in a table may be missing from any of them.
    let unplaced = !rejects.is_empty();
    let stages: HashSet<Option<u64>> = tables.iter().map(|(k, _)| k.stage_id).collect();
    let mut competitions = Vec::new();
    let mut seen_leagues = HashSet::new();
    let mut teams = Vec::new();
    let mut seen_teams = HashSet::new();
    let mut standings = Vec::new();
    for (_, raws) in &tables {
        let read = if unplaced {
            Err("a row of the response could not be placed in a table".to_string())
        } else {
            table(season, raws, stages.len() > 1)
        };
        match read {
            Ok(table) => {
                if let Some(league) = table.league
                    && seen_leagues.insert(league.id)
                {
                    competitions.push(Record::Competition(competition(league)));
                }
                for team in table.teams {
                    if seen_teams.insert(team.provider_id.clone()) {
                        teams.push(Record::Team(team));
                    }
                }
                standings.extend(table.standings.into_iter().map(Record::Standing));
            }
            Err(reason) => {
                let rows: Vec<&str> = raws.iter().map(|r| r.get()).collect();
                rejects.push(Reject {
                    provider_id: None,
                    reason: format!("table left out: {reason}"),
                    raw: format!("[{}]", rows.join(",")),
                });
            }
        }
    }
    let mut batch = Batch::of(competitions);
    batch.records.extend(teams);
    batch.records.extend(standings);
    batch.rejects = rejects;
    Ok(batch)
}

/// One table's records.
struct Table {
    standings: Vec<Standing>,
    league: Option<crate::wire::League>,
    teams: Vec<Team>,
}

/// The rows of one table as its overall, home and away standings, and
/// their `participant` includes as teams (a stand-in excepted). The
/// group is the `group` include's name; when the season has several stages
/// the stage's name comes first (`Championship Round`, `Group Stage -
/// Group A`), so that no two tables share a name.
fn table(season: u64, raws: &[&RawValue], several_stages: bool) -> Result<Table, String> {
    let mut rows = Vec::with_capacity(raws.len());
    for raw in raws {
        let row: StandingRow = serde_json::from_str(raw.get())
            .map_err(|e| format!("a row is not of the expected shape: {e}"))?;
        rows.push(row);
    }
    let Some(first) = rows.first() else {
        return Ok(Table {
            standings: Vec::new(),
            league: None,
            teams: Vec::new(),
        });
    };
    let league_id = first
        .league_id
        .ok_or_else(|| format!("row {} has no league_id", first.id))?;
    let name = |named: Option<&Named>, what: &str, id: Option<u64>| {
        named
            .and_then(|n| n.name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .or_else(|| id.map(|id| format!("{what} {id}")))
    };
    let group_name = name(first.group.as_ref(), "group", first.group_id);
    let group = match (several_stages, group_name) {
        (false, group) => group,
        (true, group) => {
            let stage = name(first.stage.as_ref(), "stage", first.stage_id);
            match (stage, group) {
                (Some(s), Some(g)) => Some(format!("{s} - {g}")),
                (s, g) => s.or(g),
            }
        }
    };
    let base = Standing::in_table(
        league_id.to_string(),
        season.to_string(),
        group,
        StandingSplit::Total,
    );
    let mut total = Vec::with_capacity(rows.len());
    for row in &rows {
        let at = |e: String| format!("row {} (team {}): {e}", row.id, row.participant_id);
        if row.league_id != Some(league_id) {
            return Err(at(format!(
                "of league {:?}, not {league_id} as the table",
                row.league_id
            )));
        }
        if row.season_id.is_some_and(|s| s != season) {
            return Err(at(format!(
                "of season {:?}, not {season} as asked",
                row.season_id
            )));
        }
        if let Some(team) = &row.participant
            && team.id != row.participant_id
        {
            return Err(at(format!(
                "the participant include is team {}, not the row's",
                team.id
            )));
        }
        let figures = row.overall().map_err(at)?;
        total.push(Standing {
            team: row.participant_id.to_string(),
            team_name: row.participant.as_ref().map(|p| p.name.clone()),
            rank: row.position,
            form: row.form(),
            note: row
                .rule
                .as_ref()
                .and_then(|r| r.kind.as_ref())
                .and_then(|k| k.name.clone()),
            ..with(&base, &figures)
        });
    }
    let mut standings = total.clone();
    standings.extend(split(&rows, &total, StandingSplit::Home, &HOME)?);
    standings.extend(split(&rows, &total, StandingSplit::Away, &AWAY)?);
    let mut league = None;
    let mut teams = Vec::with_capacity(rows.len());
    for row in rows {
        league = league.or(row.league);
        // A stand-in ("Winner QF 1") is no team, as in the fixtures.
        if let Some(participant) = row.participant.filter(|p| !p.placeholder) {
            teams.push(team(participant));
        }
    }
    Ok(Table {
        standings,
        league,
        teams,
    })
}

/// The home or away table: none unless every row has its figures; the
/// places, which Sportmonks does not give, follow [`rank::places`].
fn split(
    rows: &[StandingRow],
    total: &[Standing],
    split: StandingSplit,
    types: &FigureTypes,
) -> Result<Vec<Standing>, String> {
    let mut read = Vec::with_capacity(rows.len());
    for row in rows {
        let figures = row
            .figures(types)
            .map_err(|e| format!("row {} (team {}): {e}", row.id, row.participant_id))?;
        match figures {
            Some(f) => read.push(f),
            None => return Ok(Vec::new()),
        }
    }
    let lines: Vec<Line> = read
        .iter()
        .zip(total)
        .map(|(f, t)| Line {
            points: i64::from(f.points),
            goals_for: f.goals_for,
            goals_against: f.goals_against,
            overall_rank: t.rank,
        })
        .collect();
    Ok(read
        .iter()
        .zip(total)
        .zip(rank::places(&lines))
        .map(|((f, t), place)| Standing {
            split,
            rank: place,
            form: None,
            note: None,
            ..with(t, f)
        })
        .collect())
}

/// `base` with `figures`.
fn with(base: &Standing, figures: &Figures) -> Standing {
    Standing {
        played: Some(figures.played),
        won: Some(figures.won),
        drawn: Some(figures.drawn),
        lost: Some(figures.lost),
        goals_for: Some(figures.goals_for),
        goals_against: Some(figures.goals_against),
        points: Some(figures.points),
        ..base.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::standings_request;
    use sluice_plugin_sdk::testing::standings;

    /// The hand-written fixture case `standings-groups` (see
    /// fixtures/README.md).
    const GROUPS: &[u8] = include_bytes!("../fixtures/standings-groups/response.json");

    fn run(season: u64, body: &[u8]) -> Result<Batch, PluginError> {
        normalize(season, &standings_request(season), body)
    }

    #[test]
    fn groups_are_tables_named_by_the_group_include() {
        let batch = run(9101, GROUPS).expect("batch");
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        match &batch.records[0] {
            Record::Competition(c) => assert_eq!(c.provider_id, "901"),
            other => panic!("expected the competition first, got {other:?}"),
        }
        let total: Vec<(Option<&str>, u32, &str)> = standings(&batch.records, StandingSplit::Total)
            .iter()
            .map(|s| (s.group.as_deref(), s.rank, s.team.as_str()))
            .collect();
        assert_eq!(
            total,
            [
                (Some("Group A"), 1, "9001"),
                (Some("Group A"), 2, "9002"),
                (Some("Group B"), 1, "9003"),
                (Some("Group B"), 2, "9004"),
            ]
        );
        let first = standings(&batch.records, StandingSplit::Total)[0];
        assert_eq!(
            (first.competition.as_str(), first.season.as_str()),
            ("901", "9101")
        );
        assert_eq!(first.form.as_deref(), Some("WD"));
        assert_eq!(first.note.as_deref(), Some("Knockout Stage"));
        assert_eq!(first.team_name.as_deref(), Some("Harbour Town"));
    }

    #[test]
    fn a_deduction_below_zero_and_home_and_away_tables_ranked_by_their_points() {
        let batch = run(9101, GROUPS).expect("batch");
        // Team 9004 lost points to a deduction: -4 overall.
        let last = standings(&batch.records, StandingSplit::Total)[3];
        assert_eq!((last.rank, last.points), (2, Some(-4)));
        // Group B's home figures are there, group A's are not.
        let home: Vec<(&str, u32, Option<i32>)> = standings(&batch.records, StandingSplit::Home)
            .iter()
            .map(|s| (s.team.as_str(), s.rank, s.points))
            .collect();
        // 9004 won its home match, 9003 drew its: 9004 first at home.
        assert_eq!(home, [("9003", 2, Some(1)), ("9004", 1, Some(3))]);
        assert!(
            standings(&batch.records, StandingSplit::Home)
                .iter()
                .all(|s| s.group.as_deref() == Some("Group B")
                    && s.form.is_none()
                    && s.note.is_none())
        );
        assert_eq!(standings(&batch.records, StandingSplit::Away).len(), 2);
    }

    #[test]
    fn several_stages_name_their_tables_after_the_stage() {
        let row = |id: u64, stage: u64, stage_name: &str| {
            format!(
                r#"{{"id":{id},"participant_id":{id},"league_id":901,"season_id":9101,"stage_id":{stage},"group_id":null,"position":1,"points":0,"stage":{{"id":{stage},"name":"{stage_name}"}},
                "details":[{{"type_id":129,"value":0}},{{"type_id":130,"value":0}},{{"type_id":131,"value":0}},{{"type_id":132,"value":0}},{{"type_id":133,"value":0}},{{"type_id":134,"value":0}},{{"type_id":187,"value":0}}]}}"#
            )
        };
        let body = format!(
            r#"{{"data":[{},{}],"timezone":"UTC"}}"#,
            row(1, 77, "Championship Round"),
            row(2, 78, "Relegation Round")
        );
        let batch = run(9101, body.as_bytes()).expect("batch");
        let groups: Vec<Option<&str>> = standings(&batch.records, StandingSplit::Total)
            .iter()
            .map(|s| s.group.as_deref())
            .collect();
        assert_eq!(
            groups,
            [Some("Championship Round"), Some("Relegation Round")]
        );
        // No league include: no competition record.
        assert_eq!(batch.records.len(), 2);
    }

    /// The `standings-groups` response with `edit` applied.
    fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let mut body: serde_json::Value = serde_json::from_slice(GROUPS).expect("JSON");
        edit(&mut body);
        serde_json::to_vec(&body).expect("JSON")
    }

    #[test]
    fn a_table_with_a_bad_row_is_left_out_whole_and_the_others_load() {
        // Team 9001's TOTAL_POINTS no longer matches its points.
        let body = edited(|b| b["data"][0]["details"][6]["value"] = 5.into());
        let batch = run(9101, &body).expect("batch");
        let teams: Vec<&str> = standings(&batch.records, StandingSplit::Total)
            .iter()
            .map(|s| s.team.as_str())
            .collect();
        assert_eq!(teams, ["9003", "9004"]);
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(
            batch.rejects[0].reason,
            "table left out: row 700001 (team 9001): points are 4 but the TOTAL_POINTS figure is 5"
        );
        assert!(batch.rejects[0].raw.contains(r#""participant_id":9002"#));
    }

    #[test]
    fn rows_of_another_season_or_a_row_that_fits_no_table_leave_out_every_table() {
        let other = run(9102, GROUPS).expect("batch");
        assert_eq!(standings(&other.records, StandingSplit::Total).len(), 0);
        assert!(
            other.rejects[0]
                .reason
                .contains("of season Some(9101), not 9102 as asked"),
            "{}",
            other.rejects[0].reason
        );
        let body = edited(|b| b["data"][0]["group_id"] = "A".into());
        let batch = run(9101, &body).expect("batch");
        assert_eq!(standings(&batch.records, StandingSplit::Total).len(), 0);
        assert_eq!(batch.rejects.len(), 3, "the row, and both tables");
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("700001"));
    }

    fn teams(batch: &Batch) -> Vec<(&str, &str, Option<&str>)> {
        batch
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Team(t) => {
                    Some((t.provider_id.as_str(), t.name.as_str(), t.code.as_deref()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn each_row_s_participant_is_a_team_before_the_standings() {
        let batch = run(9101, GROUPS).expect("batch");
        assert_eq!(
            teams(&batch),
            [
                ("9001", "Harbour Town", Some("HBT")),
                ("9002", "Mill Lane", Some("MIL")),
                ("9003", "Quarry Athletic", Some("QUA")),
                ("9004", "Saltmarsh United", Some("SAL")),
            ]
        );
        let kinds: Vec<&str> = batch
            .records
            .iter()
            .map(|r| match r {
                Record::Competition(_) => "c",
                Record::Team(_) => "t",
                _ => "s",
            })
            .collect();
        assert_eq!(kinds[..5], ["c", "t", "t", "t", "t"]);
        assert!(kinds[5..].iter().all(|k| *k == "s"));
        // The bare rows give the same batch.
        let mut body: serde_json::Value = serde_json::from_slice(GROUPS).expect("JSON");
        let rows = serde_json::to_vec(&body["data"].take()).expect("JSON");
        assert_eq!(run(9101, &rows), Ok(batch));
    }

    #[test]
    fn a_placeholder_is_no_team_and_another_team_s_participant_leaves_its_table_out() {
        let body = edited(|b| b["data"][3]["participant"]["placeholder"] = true.into());
        let batch = run(9101, &body).expect("batch");
        assert_eq!(teams(&batch).len(), 3);
        assert_eq!(standings(&batch.records, StandingSplit::Total).len(), 4);
        let body = edited(|b| b["data"][0]["participant"]["id"] = 9002.into());
        let batch = run(9101, &body).expect("batch");
        let loaded: Vec<&str> = teams(&batch).iter().map(|t| t.0).collect();
        assert_eq!(loaded, ["9003", "9004"]);
        assert_eq!(
            batch.rejects[0].reason,
            "table left out: row 700001 (team 9001): the participant include is team 9002, not the row's"
        );
    }

    #[test]
    fn nothing_found_for_a_season_is_a_provider_error() {
        let none = br#"{"message":"No result(s) found matching your request.","timezone":"UTC"}"#;
        assert_eq!(
            run(9101, none).err(),
            Some(PluginError::ProviderError(
                "Sportmonks found no standings of season 9101: No result(s) found matching your request."
                    .to_string()
            ))
        );
    }
}
