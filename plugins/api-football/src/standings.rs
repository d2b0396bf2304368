//! The `standings` stream: a league's tables (overall, home and away, per
//! group) and the league as a competition.
//!
//! A standing of a table says the table is whole, so a table is loaded
//! whole or not at all: a row that cannot be read rejects its table with
//! the table's JSON, and the table the host holds stays as it was.

use std::collections::HashSet;

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, Record, Reject, Standing, StandingSplit, timestamp};

use crate::fixtures::competition;
use crate::teams::raw_id;
use crate::wire::{League, MatchRecord, StandingRow, StandingsItem, StandingsLeague};
use sluice_plugin_sdk::rank::{self, Line};

/// Points for a win and for a draw, for the home and away tables, whose
/// points API-Football does not give.
const WIN: i64 = 3;
const DRAW: i64 = 1;

/// The records of a standings response's items: the competitions first,
/// then every table's standings. An item or table that cannot be read is
/// rejected with its JSON and the reason.
pub fn normalize(items: &[&RawValue]) -> Batch {
    let mut competitions = Vec::new();
    let mut standings = Vec::new();
    let mut rejects = Vec::new();
    for raw in items {
        let league = match serde_json::from_str::<StandingsItem>(raw.get()) {
            Ok(item) => item.league,
            Err(e) => {
                rejects.push(Reject {
                    provider_id: raw_id(raw.get(), "league"),
                    reason: format!("standings item is not of the expected shape: {e}"),
                    raw: raw.get().to_string(),
                });
                continue;
            }
        };
        let mut groups = HashSet::new();
        for table in &league.standings {
            let read = tables(&league, table).and_then(|(group, records)| {
                if groups.insert(group.clone()) {
                    Ok(records)
                } else {
                    Err(format!("a second table of group {group:?}"))
                }
            });
            match read {
                Ok(records) => standings.extend(records.into_iter().map(Record::Standing)),
                Err(reason) => rejects.push(Reject {
                    provider_id: Some(league.id.to_string()),
                    reason: format!("table left out: {reason}"),
                    raw: table.get().to_string(),
                }),
            }
        }
        competitions.push(Record::Competition(competition(League {
            id: league.id,
            name: league.name,
            country: league.country,
            logo: league.logo,
            season: Some(league.season),
            round: None,
        })));
    }
    let mut batch = Batch::of(competitions);
    batch.records.append(&mut standings);
    batch.rejects = rejects;
    batch
}

/// One group's rows as its overall table, and its home and away tables
/// when every row has their figures; with the group's name when the league
/// has several groups (a league of one table names it after itself).
fn tables(
    league: &StandingsLeague,
    table: &RawValue,
) -> Result<(Option<String>, Vec<Standing>), String> {
    let rows: Vec<StandingRow> = serde_json::from_str(table.get())
        .map_err(|e| format!("the table is not a list of standing rows: {e}"))?;
    let group = if league.standings.len() > 1 {
        Some(group_of(&rows)?)
    } else {
        None
    };
    let base = Standing::in_table(
        league.id.to_string(),
        league.season.to_string(),
        group.clone(),
        StandingSplit::Total,
    );
    let mut total = Vec::with_capacity(rows.len());
    for row in &rows {
        let figures =
            figures(&row.all).map_err(|e| format!("team {} overall: {e}", row.team.id))?;
        let updated = row
            .update
            .as_deref()
            .map(timestamp::to_utc_rfc3339)
            .transpose()
            .map_err(|e| format!("team {}: update {e}", row.team.id))?;
        total.push(Standing {
            team: row.team.id.to_string(),
            team_name: Some(row.team.name.clone()),
            rank: row.rank,
            points: row.points,
            form: row.form.as_deref().and_then(oldest_first),
            note: row
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            provider_updated_at: updated,
            ..figures.standing(&base)
        });
    }
    let mut standings = total.clone();
    standings.extend(split_table(&rows, &total, StandingSplit::Home, |r| r.home)?);
    standings.extend(split_table(&rows, &total, StandingSplit::Away, |r| r.away)?);
    Ok((group, standings))
}

/// The group all `rows` belong to.
fn group_of(rows: &[StandingRow]) -> Result<String, String> {
    let mut names = rows.iter().map(|r| r.group.as_deref().map(str::trim));
    let first = names.next().flatten().filter(|g| !g.is_empty());
    let Some(first) = first else {
        return Err("a table of a league of several groups names no group".to_string());
    };
    if let Some(other) = names.find(|g| *g != Some(first)) {
        return Err(format!(
            "the table mixes the groups {first:?} and {:?}",
            other.unwrap_or_default()
        ));
    }
    Ok(first.to_string())
}

/// The home or away table of `rows`: none when a row lacks the block or
/// one of its figures. API-Football gives no place or points in it: the
/// points are 3 a win and 1 a draw, and the places follow [`rank::places`].
fn split_table(
    rows: &[StandingRow],
    total: &[Standing],
    split: StandingSplit,
    block: fn(&StandingRow) -> Option<MatchRecord>,
) -> Result<Vec<Standing>, String> {
    let mut read = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(record) = block(row) else {
            return Ok(Vec::new());
        };
        let figures =
            figures(&record).map_err(|e| format!("team {} {split:?}: {e}", row.team.id))?;
        let Some(whole) = figures.whole() else {
            return Ok(Vec::new());
        };
        read.push((figures, whole));
    }
    let lines: Vec<Line> = read
        .iter()
        .zip(total)
        .map(|((_, whole), t)| Line {
            points: whole.points,
            goals_for: whole.goals_for,
            goals_against: whole.goals_against,
            overall_rank: t.rank,
        })
        .collect();
    let places = rank::places(&lines);
    Ok(read
        .iter()
        .zip(total)
        .zip(places)
        .map(|(((figures, whole), t), place)| Standing {
            split,
            rank: place,
            points: i32::try_from(whole.points).ok(),
            form: None,
            note: None,
            ..figures.standing(t)
        })
        .collect())
}

/// The figures of an `all`, `home` or `away` block, checked: won, drawn
/// and lost must add up to played when all four are given.
#[derive(Clone, Copy)]
struct Figures {
    played: Option<u32>,
    won: Option<u32>,
    drawn: Option<u32>,
    lost: Option<u32>,
    goals_for: Option<u32>,
    goals_against: Option<u32>,
}

/// Figures that are all there, as ranked.
struct Whole {
    points: i64,
    goals_for: u32,
    goals_against: u32,
}

fn figures(record: &MatchRecord) -> Result<Figures, String> {
    let f = Figures {
        played: record.played,
        won: record.win,
        drawn: record.draw,
        lost: record.lose,
        goals_for: record.goals.and_then(|g| g.scored),
        goals_against: record.goals.and_then(|g| g.against),
    };
    if let (Some(p), Some(w), Some(d), Some(l)) = (f.played, f.won, f.drawn, f.lost)
        && w.checked_add(d).and_then(|n| n.checked_add(l)) != Some(p)
    {
        return Err(format!(
            "won {w}, drawn {d} and lost {l} do not add up to {p} played"
        ));
    }
    Ok(f)
}

impl Figures {
    /// `base` with these figures.
    fn standing(&self, base: &Standing) -> Standing {
        Standing {
            played: self.played,
            won: self.won,
            drawn: self.drawn,
            lost: self.lost,
            goals_for: self.goals_for,
            goals_against: self.goals_against,
            ..base.clone()
        }
    }

    /// The figures a place is ranked on, when every figure is known.
    fn whole(&self) -> Option<Whole> {
        let (_, won, drawn, _) = (self.played?, self.won?, self.drawn?, self.lost?);
        Some(Whole {
            points: WIN * i64::from(won) + DRAW * i64::from(drawn),
            goals_for: self.goals_for?,
            goals_against: self.goals_against?,
        })
    }
}

/// API-Football's form, newest first (`LDWWW` for a team that lost its
/// last match), written oldest first as the canonical record wants it.
fn oldest_first(form: &str) -> Option<String> {
    let form = form.trim();
    (!form.is_empty()).then(|| form.chars().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::testing::standings;

    /// The recorded Premier League 2022 standings (the fixture case's
    /// response, MIT, from syurchen93/api-football-client).
    const PREMIER_LEAGUE: &[u8] =
        include_bytes!("../fixtures/standings-premier-league/response.json");

    fn run(body: &[u8]) -> Batch {
        let envelope = crate::body::read(body).expect("envelope");
        normalize(&envelope.items)
    }

    #[test]
    fn a_league_of_one_table_gives_three_tables_without_a_group() {
        let batch = run(PREMIER_LEAGUE);
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        match &batch.records[0] {
            Record::Competition(c) => {
                assert_eq!(
                    (c.provider_id.as_str(), c.name.as_str()),
                    ("39", "Premier League")
                );
                assert_eq!(c.area.as_deref(), Some("England"));
            }
            other => panic!("expected the competition first, got {other:?}"),
        }
        for split in [
            StandingSplit::Total,
            StandingSplit::Home,
            StandingSplit::Away,
        ] {
            let table = standings(&batch.records, split);
            assert_eq!(table.len(), 20, "{split:?}");
            let mut places: Vec<u32> = table.iter().map(|s| s.rank).collect();
            places.sort_unstable();
            assert_eq!(places, (1..=20).collect::<Vec<_>>(), "{split:?}");
            assert!(table.iter().all(|s| s.group.is_none()), "{split:?}");
            assert!(
                table
                    .iter()
                    .all(|s| (s.competition.as_str(), s.season.as_str()) == ("39", "2022")),
                "{split:?}"
            );
        }
        assert_eq!(batch.records.len(), 1 + 3 * 20);
    }

    #[test]
    fn the_overall_row_keeps_points_note_update_and_form_oldest_first() {
        let batch = run(PREMIER_LEAGUE);
        let city = standings(&batch.records, StandingSplit::Total)[0];
        assert_eq!(
            *city,
            Standing {
                competition: "39".to_string(),
                season: "2022".to_string(),
                group: None,
                split: StandingSplit::Total,
                team: "50".to_string(),
                team_name: Some("Manchester City".to_string()),
                rank: 1,
                played: Some(38),
                won: Some(28),
                drawn: Some(5),
                lost: Some(5),
                goals_for: Some(94),
                goals_against: Some(33),
                points: Some(89),
                // `LDWWW`: City drew at Brighton, then lost at Brentford
                // on the last day.
                form: Some("WWWDL".to_string()),
                note: Some("Promotion - Champions League (Group Stage: )".to_string()),
                provider_updated_at: Some("2023-05-28T00:00:00Z".to_string()),
            }
        );
        // No description: no note.
        let spurs = standings(&batch.records, StandingSplit::Total)[7];
        assert_eq!(
            (spurs.team_name.as_deref(), spurs.note.as_deref()),
            (Some("Tottenham"), None)
        );
    }

    #[test]
    fn home_and_away_tables_are_ranked_by_their_own_points() {
        let batch = run(PREMIER_LEAGUE);
        let home = standings(&batch.records, StandingSplit::Home);
        let by_rank = |rank: u32| home.iter().find(|s| s.rank == rank).copied();
        // City won 17 and drew 1 of 19 at home: 52 points, the best.
        let top = by_rank(1).expect("a first place");
        assert_eq!(top.team_name.as_deref(), Some("Manchester City"));
        assert_eq!(
            (top.played, top.won, top.drawn, top.lost, top.points),
            (Some(19), Some(17), Some(1), Some(1), Some(52))
        );
        assert_eq!((top.goals_for, top.goals_against), (Some(60), Some(17)));
        // The overall note and form say nothing of the home table.
        assert!(home.iter().all(|s| s.note.is_none() && s.form.is_none()));
        assert_eq!(
            top.provider_updated_at.as_deref(),
            Some("2023-05-28T00:00:00Z")
        );
        // Southampton, last overall, won 2 and drew 5 at home (11 points).
        let saints = home.iter().find(|s| s.team == "41").expect("Southampton");
        assert_eq!(saints.points, Some(11));
        let away = standings(&batch.records, StandingSplit::Away);
        for table in [&home, &away] {
            let mut ranked: Vec<&&Standing> = table.iter().collect();
            ranked.sort_by_key(|s| s.rank);
            for pair in ranked.windows(2) {
                assert!(pair[0].points >= pair[1].points, "{pair:?}");
            }
        }
    }

    fn league_of(tables: &[&str]) -> String {
        format!(
            r#"{{"errors":[],"response":[{{"league":{{"id":2,"name":"UEFA Champions League","country":"World","logo":null,"season":2023,"standings":[{}]}}}}]}}"#,
            tables.join(",")
        )
    }

    fn row(rank: u32, team: u64, group: &str, points: i32, all: &str) -> String {
        format!(
            r#"{{"rank":{rank},"team":{{"id":{team},"name":"T{team}"}},"points":{points},"group":"{group}","form":null,"description":null,"all":{all},"home":null,"away":null,"update":"2023-12-13T00:00:00+00:00"}}"#
        )
    }

    const PLAYED_TWO: &str =
        r#"{"played":2,"win":1,"draw":0,"lose":1,"goals":{"for":3,"against":3}}"#;

    #[test]
    fn a_league_of_several_groups_names_each_table_by_its_group() {
        let body = league_of(&[
            &format!(
                "[{},{}]",
                row(1, 10, "Group A", 3, PLAYED_TWO),
                row(2, 11, "Group A", 3, PLAYED_TWO)
            ),
            &format!("[{}]", row(1, 20, "Group B", 3, PLAYED_TWO)),
        ]);
        let batch = run(body.as_bytes());
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        let groups: Vec<(Option<&str>, &str)> = standings(&batch.records, StandingSplit::Total)
            .iter()
            .map(|s| (s.group.as_deref(), s.team.as_str()))
            .collect();
        assert_eq!(
            groups,
            [
                (Some("Group A"), "10"),
                (Some("Group A"), "11"),
                (Some("Group B"), "20")
            ]
        );
        // Without home and away blocks there are no home and away tables.
        assert!(standings(&batch.records, StandingSplit::Home).is_empty());
    }

    #[test]
    fn a_deduction_keeps_its_negative_points() {
        let body = league_of(&[&format!("[{}]", row(1, 10, "Serie C", -2, PLAYED_TWO))]);
        let batch = run(body.as_bytes());
        assert_eq!(
            standings(&batch.records, StandingSplit::Total)[0].points,
            Some(-2)
        );
    }

    #[test]
    fn a_table_with_an_unreadable_row_is_left_out_whole() {
        let wrong_sum = r#"{"played":3,"win":1,"draw":0,"lose":1,"goals":{"for":3,"against":3}}"#;
        let body = league_of(&[
            &format!(
                "[{},{}]",
                row(1, 10, "Group A", 3, PLAYED_TWO),
                row(2, 11, "Group A", 3, wrong_sum)
            ),
            &format!("[{}]", row(1, 20, "Group B", 3, PLAYED_TWO)),
            &format!("[{}]", row(1, 30, "Group B", 3, PLAYED_TWO)),
            &format!(
                "[{}]",
                row(1, 40, "Group C", 3, PLAYED_TWO)
                    .replace("2023-12-13T00:00:00+00:00", "13/12/2023")
            ),
        ]);
        let batch = run(body.as_bytes());
        let teams: Vec<&str> = standings(&batch.records, StandingSplit::Total)
            .iter()
            .map(|s| s.team.as_str())
            .collect();
        assert_eq!(teams, ["20"]);
        let reasons: Vec<&str> = batch.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons.len(), 3);
        assert_eq!(
            reasons[0],
            "table left out: team 11 overall: won 1, drawn 0 and lost 1 do not add up to 3 played"
        );
        assert_eq!(
            reasons[1],
            "table left out: a second table of group Some(\"Group B\")"
        );
        assert!(
            reasons[2].starts_with("table left out: team 40: update `13/12/2023`"),
            "{}",
            reasons[2]
        );
        assert!(batch.rejects[0].raw.contains(r#""id":10"#));
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("2"));
    }

    #[test]
    fn form_is_reversed_and_a_blank_one_is_none() {
        assert_eq!(oldest_first("LDWWW").as_deref(), Some("WWWDL"));
        assert_eq!(oldest_first(" "), None);
    }
}
