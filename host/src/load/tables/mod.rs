//! The canonical tables: what each holds, how a record becomes a row of
//! it, and the SQL that loads rows. Shared by every sink, so the schema has
//! one definition in code: `catalogue.rs` declares each table's columns
//! with the values records give them, `keys.rs` digests odds quotes into
//! their keys, `rows.rs` groups a batch's rows and drops repeats, and
//! `sql.rs` writes the statements.

mod catalogue;
mod keys;
mod rows;
mod sql;

pub use catalogue::{
    ALL, COMPETITIONS, EVENTS, FAIR_PRICES, INCIDENTS, MARKET_CONSENSUS, ODDS, PARTICIPANTS,
    STANDINGS, TEAMS, table_of,
};
pub use keys::{odds_keys, quote_keys};
pub use rows::{BatchRows, Provenance, Row, TableProducer, rows_by_table};
pub use sql::{
    Dialect, PROVENANCE_COLUMNS, delete_outside_stage_sql, key_columns, load_columns, merge_sql,
    same_key, stage_name,
};

/// A canonical table: its key (the uniqueness an upsert conflicts on, with
/// `provider`) and its content columns.
#[derive(Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// Table name.
    pub name: &'static str,
    /// Key columns after `provider`.
    pub key: &'static [&'static str],
    /// Columns that hold the record's content: a change in one of them is a
    /// change of the row; provenance and timestamps are not content.
    pub content: &'static [&'static str],
    /// Key columns naming a group whose rows a batch sends whole (a
    /// table's standings, an event's incidents): a row of a group the batch
    /// sent that the batch no longer holds is deleted. Empty: no groups.
    pub group: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;
    use crate::model::Record;
    use crate::model::{Competition, Event, EventStatus, OddsQuote, Team};

    #[test]
    fn every_record_fills_every_content_column() {
        let competition = Record::Competition(Competition {
            provider: "p".into(),
            provider_id: "1".into(),
            name: "Cup".into(),
            sport: None,
            code: None,
            area: None,
            format: None,
            emblem_url: None,
        });
        let team = Record::Team(Team {
            provider: "p".into(),
            provider_id: "2".into(),
            name: "FC".into(),
            short_name: None,
            code: None,
            country: None,
            founded: Some(1904),
            venue: None,
            crest_url: None,
        });
        let event = Record::Event(Event {
            provider: "p".into(),
            provider_id: "3".into(),
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
            status: EventStatus::Postponed,
            minute: None,
            home_score: Some(2),
            away_score: None,
            home_score_half_time: None,
            away_score_half_time: None,
            home_score_extra_time: None,
            away_score_extra_time: None,
            home_score_penalties: None,
            away_score_penalties: None,
            venue: None,
            provider_updated_at: None,
        });
        let odds = Record::Odds(OddsQuote {
            provider: "p".into(),
            event: "3".into(),
            bookmaker: "b".into(),
            bookmaker_name: None,
            market: "spreads".into(),
            selection: "FC".into(),
            participant: None,
            line: Some(-1.5),
            price: 1.91,
            provider_updated_at: None,
        });
        let participant = Record::Participant(crate::model::Participant {
            provider: "p".into(),
            event: "race".into(),
            participant_id: None,
            name: "A. Rider".into(),
            team_name: None,
            position: Some(1),
            result: Some("1:38:02".into()),
            points: Some(25.0),
        });
        let incident = Record::Incident(crate::model::Incident {
            provider: "p".into(),
            event: "1".into(),
            seq: 1,
            incident_type: crate::model::IncidentKind::Goal,
            minute: Some(33),
            extra_minute: None,
            team: None,
            player: None,
            related_player: None,
            detail: None,
        });
        let standing = Record::Standing(crate::model::Standing {
            provider: "p".into(),
            competition: "39".into(),
            season: "2022".into(),
            group_name: None,
            split: crate::model::StandingSplit::Home,
            team: "50".into(),
            team_name: None,
            rank: 1,
            played: None,
            won: None,
            drawn: None,
            lost: None,
            goals_for: None,
            goals_against: None,
            points: Some(-3),
            form: None,
            note: None,
            provider_updated_at: None,
        });
        for record in [
            competition,
            team,
            event,
            odds,
            participant,
            incident,
            standing,
        ] {
            let row = Row::from(record);
            assert_eq!(row.key.len(), row.table.key.len(), "{}", row.table.name);
            assert_eq!(
                row.values.len(),
                row.table.content.len(),
                "{}",
                row.table.name
            );
            let status = row.table.content.iter().position(|c| *c == "status");
            if let Some(i) = status {
                assert_eq!(row.values[i], Value::Text("postponed".into()));
            }
        }
    }

    fn quote(line: Option<f64>, price: f64) -> Row {
        Row::from(Record::Odds(OddsQuote {
            provider: "p".into(),
            event: "e".into(),
            bookmaker: "b".into(),
            bookmaker_name: None,
            market: "totals".into(),
            selection: "Over".into(),
            participant: None,
            line,
            price,
            provider_updated_at: None,
        }))
    }

    #[test]
    fn odds_keys_tell_apart_what_joined_text_would_not() {
        let base = OddsQuote {
            provider: "p".into(),
            event: "e".into(),
            bookmaker: "ab".into(),
            bookmaker_name: None,
            market: "c".into(),
            selection: "Over".into(),
            participant: None,
            line: Some(2.5),
            price: 1.9,
            provider_updated_at: None,
        };
        let shifted = OddsQuote {
            bookmaker: "a".into(),
            market: "bc".into(),
            ..base.clone()
        };
        let empty_participant = OddsQuote {
            participant: Some(String::new()),
            ..base.clone()
        };
        let no_line = OddsQuote {
            line: None,
            ..base.clone()
        };
        let repriced = OddsQuote {
            price: 2.1,
            provider_updated_at: Some("2026-01-01T00:00:00Z".into()),
            ..base.clone()
        };
        let (market, selection, quote) = odds_keys(&base);
        assert_eq!(
            quote[..8],
            market[..8],
            "one event's keys share their first 64 bits"
        );
        assert_ne!(odds_keys(&shifted).0, market);
        let (m, s, q) = odds_keys(&empty_participant);
        assert_eq!(m, market);
        assert_ne!(s, selection);
        assert_ne!(q, quote);
        let (m, s, q) = odds_keys(&no_line);
        assert_eq!((m, s), (market, selection));
        assert_ne!(q, quote);
        assert_eq!(odds_keys(&repriced), (market, selection, quote));
    }

    #[test]
    fn repeated_quotes_keep_the_last_and_lines_tell_quotes_apart() {
        let rows = vec![
            quote(Some(2.5), 1.8),
            quote(Some(0.0), 1.5),
            quote(Some(-0.0), 1.6),
            quote(None, 2.0),
            quote(Some(2.5), 1.9),
            quote(Some(3.5), 2.2),
        ];
        let (groups, duplicates) = rows_by_table(rows.into_iter());
        assert_eq!(duplicates, 2, "2.5 repeated, and -0 is 0");
        let prices: Vec<_> = groups[0].1.iter().map(|r| r.values[7].clone()).collect();
        assert_eq!(
            prices,
            [1.9, 1.6, 2.0, 2.2].map(Value::Float).to_vec(),
            "last price per line, in first-seen order"
        );
    }

    #[test]
    fn repeats_are_found_per_table_and_provider_whatever_the_key_holds() {
        let row = |table: &'static TableSpec, provider: &str, key: Vec<Value>, n: i64| Row {
            table,
            provider: provider.to_string(),
            key,
            values: vec![Value::Int(n)],
        };
        let text = |t: &str| Value::Text(t.to_string());
        let rows = vec![
            row(&TEAMS, "a", vec![text("1")], 1),
            row(&EVENTS, "a", vec![text("1")], 2),
            row(&TEAMS, "b", vec![text("1")], 3),
            row(&STANDINGS, "a", vec![Value::Float(-0.0), Value::Null], 4),
            row(&STANDINGS, "a", vec![Value::Float(0.0), Value::Null], 5),
            row(
                &STANDINGS,
                "a",
                vec![Value::Float(f64::NAN), Value::Null],
                6,
            ),
            row(
                &STANDINGS,
                "a",
                vec![Value::Float(-f64::NAN), Value::Null],
                7,
            ),
            row(&STANDINGS, "a", vec![Value::Float(0.0), text("")], 8),
            row(&TEAMS, "a", vec![text("1")], 9),
            row(&TEAMS, "a", vec![text("10")], 10),
        ];
        let (groups, duplicates) = rows_by_table(rows.into_iter());
        assert_eq!(duplicates, 3, "team 1 of a, the zero line and the NaN line");
        let kept: Vec<(&str, Vec<Value>)> = groups
            .iter()
            .map(|(t, rows)| (t.name, rows.iter().map(|r| r.values[0].clone()).collect()))
            .collect();
        let ints = |v: &[i64]| v.iter().copied().map(Value::Int).collect::<Vec<_>>();
        assert_eq!(
            kept,
            vec![
                ("teams", ints(&[9, 3, 10])),
                ("events", ints(&[2])),
                ("standings", ints(&[5, 7, 8])),
            ]
        );
    }
}
