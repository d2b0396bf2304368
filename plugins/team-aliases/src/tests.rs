use super::*;
use sluice_plugin_sdk::{
    Competition, Event, EventStatus, OddsQuote, Participant, Standing, StandingSplit, Team,
};
use std::cell::RefCell;

/// A lookup that answers like the host (case-insensitive, trimmed) from a
/// small table, and records every name it was asked.
struct FakeTable {
    asked: RefCell<Vec<String>>,
}

impl FakeTable {
    fn new() -> Self {
        FakeTable {
            asked: RefCell::new(Vec::new()),
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.asked.borrow_mut().push(name.to_string());
        let canonical = match name.trim().to_lowercase().as_str() {
            "man utd" | "manchester united fc" | "manchester utd" => "Manchester United",
            "bayer leverkusen" | "bayer 04 leverkusen" => "Bayer 04 Leverkusen",
            "spurs" | "tottenham" => "Tottenham Hotspur",
            "blank" => "  ",
            _ => return None,
        };
        Some(canonical.to_string())
    }

    fn asked(&self) -> Vec<String> {
        self.asked.borrow().clone()
    }
}

fn team(name: &str) -> Record {
    Record::Team(Team {
        provider_id: "t1".to_string(),
        name: name.to_string(),
        short_name: Some("Man Utd".to_string()),
        code: Some("MUN".to_string()),
        country: None,
        founded: Some(1878),
        venue: None,
        crest_url: None,
    })
}

fn event(home: Option<&str>, away: Option<&str>) -> Record {
    Record::Event(Event {
        provider_id: "e1".to_string(),
        name: Some("Spurs".to_string()),
        competition: Some("PL".to_string()),
        season: Some("2022".to_string()),
        stage: None,
        matchday: Some(3),
        home_team: Some("t1".to_string()),
        away_team: Some("t2".to_string()),
        home_team_name: home.map(str::to_string),
        away_team_name: away.map(str::to_string),
        kickoff: Some("2022-09-06T16:45:00Z".to_string()),
        status: EventStatus::Finished,
        minute: None,
        home_score: Some(2),
        away_score: Some(1),
        home_score_half_time: None,
        away_score_half_time: None,
        home_score_extra_time: None,
        away_score_extra_time: None,
        home_score_penalties: None,
        away_score_penalties: None,
        venue: None,
        provider_updated_at: None,
    })
}

fn standing(name: Option<&str>) -> Record {
    Record::Standing(Standing {
        competition: "PL".to_string(),
        season: "2022".to_string(),
        group: None,
        split: StandingSplit::Total,
        team: "t1".to_string(),
        team_name: name.map(str::to_string),
        rank: 1,
        played: Some(3),
        won: Some(3),
        drawn: Some(0),
        lost: Some(0),
        goals_for: Some(7),
        goals_against: Some(1),
        points: Some(9),
        form: Some("WWW".to_string()),
        note: None,
        provider_updated_at: None,
    })
}

/// Records that hold names too, but no team name this enricher rewrites.
fn others() -> Vec<Record> {
    vec![
        Record::Competition(Competition {
            provider_id: "PL".to_string(),
            name: "Spurs".to_string(),
            sport: None,
            code: None,
            area: None,
            format: None,
            emblem_url: None,
        }),
        Record::Odds(OddsQuote {
            event: "e1".to_string(),
            bookmaker: "pinnacle".to_string(),
            bookmaker_name: None,
            market: "h2h".to_string(),
            selection: "Man Utd".to_string(),
            participant: None,
            line: None,
            price: 2.1,
            provider_updated_at: None,
        }),
        Record::Participant(Participant {
            event: "e1".to_string(),
            provider_id: None,
            name: "Spurs".to_string(),
            team_name: Some("Spurs".to_string()),
            position: Some(1),
            result: None,
            points: None,
        }),
    ]
}

#[test]
fn team_names_become_canonical_and_unknown_ones_stay() {
    let table = FakeTable::new();
    let input = vec![
        team("Man Utd"),
        event(Some("manchester united fc "), Some("Wolves")),
        standing(Some("Spurs")),
        team("Wolves"),
    ];
    let out = canonicalize(input, |n| table.get(n));
    assert_eq!(
        out,
        vec![
            team("Manchester United"),
            event(Some("Manchester United"), Some("Wolves")),
            standing(Some("Tottenham Hotspur")),
            team("Wolves"),
        ],
        "only the team-name fields change",
    );
}

#[test]
fn other_records_pass_through_unchanged_and_unasked() {
    let table = FakeTable::new();
    let out = canonicalize(others(), |n| table.get(n));
    assert_eq!(out, others());
    assert!(table.asked().is_empty());
}

#[test]
fn each_name_is_asked_once_per_batch_and_absent_ones_never() {
    let table = FakeTable::new();
    let input = vec![
        team("Man Utd"),
        event(Some("MAN UTD"), None),
        event(None, Some(" man utd")),
        standing(None),
        standing(Some("   ")),
        team(""),
        event(Some("Wolves"), Some("Wolves")),
        standing(Some("wolves")),
    ];
    let out = canonicalize(input, |n| table.get(n));
    assert_eq!(table.asked(), ["Man Utd", "Wolves"]);
    assert_eq!(out[1], event(Some("Manchester United"), None));
    assert_eq!(out[2], event(None, Some("Manchester United")));
    assert_eq!(out[4], standing(Some("   ")));
    assert_eq!(out[5], team(""));
    assert_eq!(out[7], standing(Some("wolves")));
}

#[test]
fn a_blank_canonical_name_is_ignored() {
    let table = FakeTable::new();
    let out = canonicalize(vec![team("Blank")], |n| table.get(n));
    assert_eq!(out, vec![team("Blank")]);
}

#[test]
fn the_order_of_a_mixed_batch_is_kept() {
    let table = FakeTable::new();
    let mut input = others();
    input.insert(1, team("Bayer Leverkusen"));
    input.push(standing(Some("Tottenham")));
    let out = canonicalize(input, |n| table.get(n));
    let mut expected = others();
    expected.insert(1, team("Bayer 04 Leverkusen"));
    expected.push(standing(Some("Tottenham Hotspur")));
    assert_eq!(out, expected);
    assert!(canonicalize(Vec::new(), |n| table.get(n)).is_empty());
}
