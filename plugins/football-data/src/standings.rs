//! The `standings` stream: the competition and a standing per row of each
//! of its tables (`TOTAL`, `HOME` and `AWAY`, per stage and group).
//!
//! A standing says its table is whole, so a table is loaded whole or not at
//! all: one that cannot be read is rejected with its JSON, and the table
//! the host holds stays as it was.

use std::collections::HashSet;

use crate::matches::{competition, season_label};
use crate::wire::{self, Table, TableRow};
use sluice_plugin_sdk::{Batch, PluginError, Record, Reject, Standing, StandingSplit, json};

/// The records of a standings response: the competition first, then every
/// table's standings. `season` is the request's `season` parameter, the
/// label when the response names no season.
pub fn normalize(body: &[u8], season: Option<&str>) -> Result<Batch, PluginError> {
    let list: wire::StandingsList = json::parse(body)?;
    let Some(league) = list.competition else {
        return Err(PluginError::MalformedResponse(
            "the standings name no competition".to_string(),
        ));
    };
    let Some(season) = list
        .season
        .and_then(season_label)
        .or_else(|| season.map(str::to_string))
    else {
        return Err(PluginError::MalformedResponse(
            "the standings name no season, and none was asked for".to_string(),
        ));
    };
    let parsed: Vec<Result<Table, String>> = list
        .standings
        .iter()
        .map(|raw| {
            serde_json::from_str::<Table>(raw.get())
                .map_err(|e| format!("the table is not of the expected shape: {e}"))
        })
        .collect();
    let stages: HashSet<Option<&str>> = parsed
        .iter()
        .flatten()
        .map(|t| t.stage.as_deref())
        .collect();
    let base = Standing::in_table(league.id.to_string(), season, None, StandingSplit::Total);
    let mut batch = Batch::of(Vec::new());
    let mut seen = HashSet::new();
    for (raw, table) in list.standings.iter().zip(&parsed) {
        let read: Result<Vec<Standing>, String> =
            table.as_ref().map_err(String::clone).and_then(|table| {
                let group = group(table, stages.len() > 1);
                if !seen.insert((group.clone(), table.kind.as_str())) {
                    return Err(format!("a second {} table of group {group:?}", table.kind));
                }
                let base = Standing {
                    group,
                    split: split(&table.kind)?,
                    ..base.clone()
                };
                table.table.iter().map(|row| standing(&base, row)).collect()
            });
        match read {
            Ok(standings) => batch
                .records
                .extend(standings.into_iter().map(Record::Standing)),
            Err(reason) => batch.rejects.push(Reject {
                provider_id: Some(league.id.to_string()),
                reason: format!("table left out: {reason}"),
                raw: raw.get().to_string(),
            }),
        }
    }
    let area = list.area.and_then(|a| a.name);
    batch
        .records
        .insert(0, Record::Competition(competition(league, area)));
    Ok(batch)
}

/// The table's group: `group` (`GROUP_A`), after the stage when the
/// response holds several (`GROUP_STAGE - GROUP_A`); none for a league's
/// one table.
fn group(table: &Table, several_stages: bool) -> Option<String> {
    let group = table.group.as_deref().filter(|g| !g.trim().is_empty());
    let stage = table.stage.as_deref().filter(|_| several_stages);
    match (stage, group) {
        (Some(s), Some(g)) => Some(format!("{s} - {g}")),
        (s, g) => s.or(g).map(str::to_string),
    }
}

/// football-data's table types; another is refused rather than guessed.
fn split(kind: &str) -> Result<StandingSplit, String> {
    match kind {
        "TOTAL" => Ok(StandingSplit::Total),
        "HOME" => Ok(StandingSplit::Home),
        "AWAY" => Ok(StandingSplit::Away),
        other => Err(format!("unknown table type `{other}`")),
    }
}

/// One row as a standing of `base`'s table. A row without a team id, or
/// whose won, drawn and lost do not add up to its games, is refused.
fn standing(base: &Standing, row: &TableRow) -> Result<Standing, String> {
    let team = row
        .team
        .id
        .ok_or_else(|| format!("the row in place {} has no team id", row.position))?;
    if let (Some(p), Some(w), Some(d), Some(l)) = (row.played_games, row.won, row.draw, row.lost)
        && w.checked_add(d).and_then(|n| n.checked_add(l)) != Some(p)
    {
        return Err(format!(
            "team {team}: won {w}, drawn {d} and lost {l} do not add up to {p} played"
        ));
    }
    Ok(Standing {
        team: team.to_string(),
        team_name: row.team.name.clone(),
        rank: row.position,
        played: row.played_games,
        won: row.won,
        drawn: row.draw,
        lost: row.lost,
        goals_for: row.goals_for,
        goals_against: row.goals_against,
        points: row.points,
        form: row.form.as_deref().and_then(oldest_first),
        ..base.clone()
    })
}

/// football-data's form, newest first and comma-separated, written oldest
/// first as the canonical record wants it: Bayern won its first three
/// Bundesliga matches of 2022-23 and drew the next three, and football-data
/// gives `D,D,D,W,W` after matchday 6.
fn oldest_first(form: &str) -> Option<String> {
    let letters: Vec<&str> = form
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    (!letters.is_empty()).then(|| letters.into_iter().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::testing::standings;

    /// The recorded Bundesliga standings after matchday 6 of 2022-23 (the
    /// fixture case's response, MIT, from einar-hansen/php-football-data).
    const BUNDESLIGA: &[u8] = include_bytes!("../fixtures/bl1-2022-standings/response.json");
    /// The recorded Champions League 2022-23 group tables after matchday 1.
    const CHAMPIONS_LEAGUE: &[u8] =
        include_bytes!("../fixtures/cl-2022-standings-groups/response.json");

    #[test]
    fn a_league_has_total_home_and_away_tables_without_a_group() {
        let batch = normalize(BUNDESLIGA, Some("2022")).expect("batch");
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        match &batch.records[0] {
            Record::Competition(c) => {
                assert_eq!(
                    (c.provider_id.as_str(), c.code.as_deref(), c.area.as_deref()),
                    ("2002", Some("BL1"), Some("Germany"))
                );
                assert_eq!(c.format.as_deref(), Some("league"));
            }
            other => panic!("expected the competition first, got {other:?}"),
        }
        for split in [
            StandingSplit::Total,
            StandingSplit::Home,
            StandingSplit::Away,
        ] {
            let table = standings(&batch.records, split);
            assert_eq!(table.len(), 18, "{split:?}");
            let ranks: Vec<u32> = table.iter().map(|s| s.rank).collect();
            assert_eq!(ranks, (1..=18).collect::<Vec<_>>(), "{split:?}");
            assert!(
                table.iter().all(|s| s.group.is_none()
                    && (s.competition.as_str(), s.season.as_str()) == ("2002", "2022")),
                "{split:?}"
            );
        }
        let union = standings(&batch.records, StandingSplit::Total)[0];
        assert_eq!(
            *union,
            Standing {
                competition: "2002".to_string(),
                season: "2022".to_string(),
                group: None,
                split: StandingSplit::Total,
                team: "28".to_string(),
                team_name: Some("1. FC Union Berlin".to_string()),
                rank: 1,
                played: Some(6),
                won: Some(4),
                drawn: Some(2),
                lost: Some(0),
                goals_for: Some(13),
                goals_against: Some(4),
                points: Some(14),
                form: Some("DWWDW".to_string()),
                note: None,
                provider_updated_at: None,
            }
        );
        // Bayern: three wins, then three draws.
        let bayern = standings(&batch.records, StandingSplit::Total)[2];
        assert_eq!(
            (bayern.team.as_str(), bayern.form.as_deref()),
            ("5", Some("WWDDD"))
        );
        // Bochum lost all six: zero points, five losses in the form.
        let bochum = standings(&batch.records, StandingSplit::Total)[17];
        assert_eq!(
            (bochum.points, bochum.form.as_deref()),
            (Some(0), Some("LLLLL"))
        );
    }

    #[test]
    fn home_and_away_tables_keep_their_own_places_and_have_no_form() {
        let batch = normalize(BUNDESLIGA, Some("2022")).expect("batch");
        let home = standings(&batch.records, StandingSplit::Home);
        assert_eq!(
            (home[0].team.as_str(), home[0].points),
            ("2", Some(9)),
            "Hoffenheim won its three home matches"
        );
        // Frankfurt had played four at home, Mainz two.
        let played = |team: &str| home.iter().find(|s| s.team == team).and_then(|s| s.played);
        assert_eq!((played("19"), played("15")), (Some(4), Some(2)));
        assert!(home.iter().all(|s| s.form.is_none()));
        let away = standings(&batch.records, StandingSplit::Away);
        assert_eq!(away[0].team_name.as_deref(), Some("SC Freiburg"));
    }

    #[test]
    fn groups_are_tables_named_by_their_group() {
        let batch = normalize(CHAMPIONS_LEAGUE, Some("2022")).expect("batch");
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        let total = standings(&batch.records, StandingSplit::Total);
        assert_eq!(total.len(), 32);
        let groups: HashSet<Option<&str>> = total.iter().map(|s| s.group.as_deref()).collect();
        assert_eq!(groups.len(), 8);
        assert!(groups.contains(&Some("GROUP_A")) && groups.contains(&Some("GROUP_H")));
        let ajax = total[0];
        assert_eq!(
            (ajax.group.as_deref(), ajax.rank, ajax.team.as_str()),
            (Some("GROUP_A"), 1, "678")
        );
        // No form yet after one matchday.
        assert_eq!(ajax.form, None);
        assert!(standings(&batch.records, StandingSplit::Home).is_empty());
    }

    fn body(tables: &[String], season: &str) -> String {
        format!(
            r#"{{"competition":{{"id":2019,"name":"Serie A","code":"SA","type":"LEAGUE","emblem":null}},{season}"standings":[{}]}}"#,
            tables.join(",")
        )
    }

    fn table(stage: &str, kind: &str, group: &str, rows: &str) -> String {
        format!(r#"{{"stage":"{stage}","type":"{kind}","group":{group},"table":[{rows}]}}"#)
    }

    const ROW: &str = r#"{"position":1,"team":{"id":98,"name":"AC Milan"},"playedGames":2,"form":"L,W","won":1,"draw":0,"lost":1,"points":-1,"goalsFor":2,"goalsAgainst":2}"#;

    #[test]
    fn several_stages_name_their_tables_after_the_stage_and_bad_tables_are_left_out() {
        let bad_sum = ROW.replace(r#""lost":1"#, r#""lost":2"#);
        let json = body(
            &[
                table("REGULAR_SEASON", "TOTAL", "null", ROW),
                table("CHAMPIONSHIP_ROUND", "TOTAL", r#""GROUP_A""#, ROW),
                table("RELEGATION_ROUND", "TOTAL", "null", &bad_sum),
                table("REGULAR_SEASON", "TOTAL", "null", ROW),
                table("REGULAR_SEASON", "OVERALL", "null", ROW),
            ],
            r#""season":{"startDate":"2022-08-13"},"#,
        );
        let batch = normalize(json.as_bytes(), None).expect("batch");
        let total: Vec<(Option<&str>, Option<i32>, Option<&str>)> =
            standings(&batch.records, StandingSplit::Total)
                .iter()
                .map(|s| (s.group.as_deref(), s.points, s.form.as_deref()))
                .collect();
        assert_eq!(
            total,
            [
                (Some("REGULAR_SEASON"), Some(-1), Some("WL")),
                (Some("CHAMPIONSHIP_ROUND - GROUP_A"), Some(-1), Some("WL")),
            ]
        );
        let reasons: Vec<&str> = batch.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "table left out: team 98: won 1, drawn 0 and lost 2 do not add up to 2 played",
                "table left out: a second TOTAL table of group Some(\"REGULAR_SEASON\")",
                "table left out: unknown table type `OVERALL`",
            ]
        );
        assert!(batch.rejects[0].raw.contains("RELEGATION_ROUND"));
    }

    #[test]
    fn the_season_comes_from_the_response_or_else_the_request() {
        let without = body(&[table("REGULAR_SEASON", "TOTAL", "null", ROW)], "");
        let batch = normalize(without.as_bytes(), Some("2023")).expect("batch");
        assert_eq!(
            standings(&batch.records, StandingSplit::Total)[0].season,
            "2023"
        );
        assert!(matches!(
            normalize(without.as_bytes(), None),
            Err(PluginError::MalformedResponse(m)) if m.contains("no season")
        ));
        assert!(matches!(
            normalize(b"<html>502</html>", None),
            Err(PluginError::MalformedResponse(_))
        ));
    }
}
