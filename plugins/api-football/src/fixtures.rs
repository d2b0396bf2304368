//! The `fixtures` stream: one event per fixture, one competition per
//! league and one team per team the batch's fixtures name, and the
//! incidents of every fixture whose item carries its `events`.

use std::collections::HashSet;

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, Competition, Event, EventStatus, Record, Reject, Team, timestamp};

use crate::incidents::incidents;
use crate::scores;
use crate::status;
use crate::teams::raw_id;
use crate::wire::{Fixture, League, TeamRef};

/// API-Football (this API of it) covers association football only; named
/// as the other providers name it.
const SPORT: &str = "Soccer";

/// The records of a fixtures response's items: competitions first, then
/// teams, then events, then incidents. An item that cannot become an event
/// is rejected with its raw JSON and the reason; the others load. A fixture
/// without `events` has no incidents in the batch (not sent is not none);
/// one whose `events` cannot be read loads without them, its `events`
/// rejected.
pub fn normalize(items: &[&RawValue]) -> Batch {
    let mut competitions = Vec::new();
    let mut teams = Vec::new();
    let mut events = Vec::with_capacity(items.len());
    let mut happenings = Vec::new();
    let mut rejects = Vec::new();
    let mut seen_leagues = HashSet::new();
    let mut seen_teams = HashSet::new();
    for raw in items {
        let converted = serde_json::from_str::<Fixture>(raw.get())
            .map_err(|e| format!("fixture is not of the expected shape: {e}"))
            .and_then(|f| event(&f).map(|e| (f, e)));
        match converted {
            Ok((fixture, event)) => {
                if let Some(list) = &fixture.events {
                    match incidents(fixture.fixture.id, list) {
                        Ok(found) => happenings.extend(found.into_iter().map(Record::Incident)),
                        Err(reason) => rejects.push(Reject {
                            provider_id: Some(fixture.fixture.id.to_string()),
                            reason: format!("the fixture's incidents are left out: {reason}"),
                            raw: list.get().to_string(),
                        }),
                    }
                }
                if seen_leagues.insert(fixture.league.id) {
                    competitions.push(Record::Competition(competition(fixture.league)));
                }
                for side in [fixture.teams.home, fixture.teams.away] {
                    if seen_teams.insert(side.id) {
                        teams.push(Record::Team(team(side)));
                    }
                }
                events.push(Record::Event(event));
            }
            Err(reason) => rejects.push(Reject {
                provider_id: raw_id(raw.get(), "fixture"),
                reason,
                raw: raw.get().to_string(),
            }),
        }
    }
    let mut batch = Batch::of(competitions);
    batch.records.append(&mut teams);
    batch.records.append(&mut events);
    batch.records.append(&mut happenings);
    batch.rejects = rejects;
    batch
}

/// A league as a competition; the `standings` stream names its league so
/// too.
pub fn competition(league: League) -> Competition {
    Competition {
        provider_id: league.id.to_string(),
        name: league.name,
        sport: Some(SPORT.to_string()),
        code: None,
        area: league.country,
        format: None,
        emblem_url: league.logo,
    }
}

fn team(side: TeamRef) -> Team {
    Team {
        crest_url: side.logo,
        ..Team::named(side.id.to_string(), side.name)
    }
}

/// One fixture as a canonical event.
fn event(f: &Fixture) -> Result<Event, String> {
    let info = &f.fixture;
    let (status, phase) = status::map(&info.status.short)?;
    let scores = scores::split(phase, info.status.elapsed, f.goals, f.score.as_ref())?;
    let round = f.league.round.clone();
    Ok(Event {
        provider_id: info.id.to_string(),
        name: None,
        competition: Some(f.league.id.to_string()),
        season: f.league.season.map(|s| s.to_string()),
        matchday: round.as_deref().and_then(matchday),
        stage: round,
        home_team: Some(f.teams.home.id.to_string()),
        away_team: Some(f.teams.away.id.to_string()),
        home_team_name: Some(f.teams.home.name.clone()),
        away_team_name: Some(f.teams.away.name.clone()),
        kickoff: kickoff(info.date.as_deref(), info.timestamp)?,
        status,
        minute: if status == EventStatus::Live {
            info.status.elapsed
        } else {
            None
        },
        venue: info.venue.as_ref().and_then(|v| v.name.clone()),
        provider_updated_at: None,
        ..scores.event()
    })
}

/// Kick-off in RFC 3339 UTC from `fixture.date`, or from `timestamp` when
/// there is no date; a date and a timestamp that disagree are refused.
fn kickoff(date: Option<&str>, unix: Option<i64>) -> Result<Option<String>, String> {
    let from_date = date.map(timestamp::to_utc_rfc3339).transpose()?;
    let from_unix = unix.map(timestamp::from_unix).transpose()?;
    match (from_date, from_unix) {
        (Some(d), Some(u)) if d != u => Err(format!(
            "fixture date `{}` and timestamp {} are different instants ({d} and {u})",
            date.unwrap_or_default(),
            unix.unwrap_or_default()
        )),
        (Some(d), _) => Ok(Some(d)),
        (None, u) => Ok(u),
    }
}

/// N of a `Regular Season - N` round; cup rounds have none.
fn matchday(round: &str) -> Option<u32> {
    round.strip_prefix("Regular Season - ")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::testing::{events, labels};

    #[test]
    fn kickoff_comes_from_the_date_or_the_timestamp_and_they_must_agree() {
        assert_eq!(
            kickoff(Some("2024-03-13T21:00:00+01:00"), Some(1710360000)),
            Ok(Some("2024-03-13T20:00:00Z".to_string()))
        );
        assert_eq!(
            kickoff(None, Some(1710360000)),
            Ok(Some("2024-03-13T20:00:00Z".to_string()))
        );
        assert_eq!(kickoff(None, None), Ok(None));
        assert!(kickoff(Some("2024-03-13T20:00:00+00:00"), Some(1710363600)).is_err());
        assert!(kickoff(Some("13/03/2024"), None).is_err());
    }

    #[test]
    fn matchday_is_read_from_regular_season_rounds_only() {
        assert_eq!(matchday("Regular Season - 27"), Some(27));
        assert_eq!(matchday("Round of 16"), None);
        assert_eq!(matchday("Regular Season - x"), None);
    }

    fn items(json: &str) -> Vec<&RawValue> {
        serde_json::from_str(json).expect("list")
    }

    const LIVE: &str = r#"[{"fixture":{"id":865368,"date":"2023-05-13T13:00:00+00:00","timestamp":1683982800,"venue":{"name":"Tarczyński Arena"},"status":{"short":"1H","elapsed":36}},
        "league":{"id":106,"name":"Ekstraklasa","country":"Poland","logo":"https://l/106.png","season":2022,"round":"Regular Season - 32"},
        "teams":{"home":{"id":337,"name":"Slask Wroclaw","logo":"https://t/337.png"},"away":{"id":341,"name":"Wisla Plock","logo":"https://t/341.png"}},
        "goals":{"home":0,"away":1},
        "score":{"halftime":{"home":0,"away":1},"fulltime":{"home":null,"away":null},"extratime":{"home":null,"away":null},"penalty":{"home":null,"away":null}}},
        {"fixture":{"id":2,"date":"2023-05-13T13:00:00+00:00","status":{"short":"XYZ","elapsed":null}},"league":{"id":106,"name":"Ekstraklasa"},"teams":{"home":{"id":1,"name":"A"},"away":{"id":2,"name":"B"}}},
        {"fixture":{"id":3,"date":"2023-05-13T13:00:00+00:00","status":{"short":"HT","elapsed":45}},"league":{"id":106,"name":"Ekstraklasa"},"teams":{"home":{"id":341,"name":"Wisla Plock"},"away":{"id":9,"name":"C"}},
        "goals":{"home":1,"away":1},"score":{"halftime":{"home":1,"away":1}}}]"#;

    #[test]
    fn a_live_fixture_has_its_minute_and_running_score_and_an_unknown_status_is_rejected() {
        let items = items(LIVE);
        let batch = normalize(&items);
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("2"));
        assert_eq!(batch.rejects[0].reason, "unknown fixture status `XYZ`");
        let events = events(&batch.records);
        assert_eq!(events.len(), 2);
        let live = events[0];
        assert_eq!(live.status, EventStatus::Live);
        assert_eq!(live.minute, Some(36));
        assert_eq!((live.home_score, live.away_score), (Some(0), Some(1)));
        assert_eq!(
            (live.home_score_half_time, live.away_score_half_time),
            (None, None)
        );
        assert_eq!(live.matchday, Some(32));
        assert_eq!(live.kickoff.as_deref(), Some("2023-05-13T13:00:00Z"));
        let half = events[1];
        assert_eq!(half.status, EventStatus::Halftime);
        assert_eq!(half.minute, None);
        assert_eq!(
            (half.home_score_half_time, half.away_score_half_time),
            (Some(1), Some(1))
        );
        // One competition for the league, one team per distinct team of
        // the loaded fixtures (not of the rejected one), before the events.
        let kinds = labels(&batch.records);
        assert_eq!(kinds, ["c106", "t337", "t341", "t9", "e865368", "e3"]);
    }

    fn incidents_of<'a>(batch: &'a Batch, fixture: &str) -> Vec<&'a sluice_plugin_sdk::Incident> {
        batch
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Incident(i) if i.event == fixture => Some(i),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn fixtures_by_id_carry_their_incidents_and_the_shoot_out_adds_up() {
        use sluice_plugin_sdk::IncidentKind as K;
        let body = include_bytes!("../fixtures/cl-penalty-shootouts/response.json");
        let envelope = crate::body::read(body).expect("envelope");
        let batch = normalize(&envelope.items);
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        // Atletico Madrid (530) 2-1 Inter (505), 3-2 on penalties; Arsenal
        // (42) 1-0 Porto (212), 4-2 on penalties.
        for (fixture, home, away, goals, shoot_out, count) in [
            ("1149519", "530", "505", (2, 1), (3, 2), 29),
            ("1149523", "42", "212", (1, 0), (4, 2), 20),
        ] {
            let list = incidents_of(&batch, fixture);
            assert_eq!(list.len(), count, "{fixture}");
            let tally = |kinds: &[K], team: &str| {
                list.iter()
                    .filter(|i| kinds.contains(&i.kind) && i.team.as_deref() == Some(team))
                    .count()
            };
            let scoring = [K::Goal, K::OwnGoal, K::PenaltyGoal];
            assert_eq!(
                (tally(&scoring, home), tally(&scoring, away)),
                goals,
                "{fixture}"
            );
            let kicks = [K::ShootoutGoal];
            assert_eq!(
                (tally(&kicks, home), tally(&kicks, away)),
                shoot_out,
                "{fixture}"
            );
            // The kicks close the list, after every event of play.
            let first_kick = list
                .iter()
                .position(|i| matches!(i.kind, K::ShootoutGoal | K::ShootoutMiss))
                .expect("a shoot-out");
            assert!(
                list[first_kick..]
                    .iter()
                    .all(|i| matches!(i.kind, K::ShootoutGoal | K::ShootoutMiss)),
                "{fixture}"
            );
        }
        // Arsenal's kicks in the order taken: Ødegaard first, Porto's
        // Galeno missing the eighth.
        let arsenal: Vec<&str> = incidents_of(&batch, "1149523")
            .iter()
            .filter(|i| matches!(i.kind, K::ShootoutGoal | K::ShootoutMiss))
            .filter_map(|i| i.player.as_deref())
            .collect();
        assert_eq!(
            arsenal,
            [
                "M. Ødegaard",
                "Pepê Aquino",
                "K. Havertz",
                "Wendell",
                "B. Saka",
                "M. Grujić",
                "D. Rice",
                "Galeno"
            ]
        );
        // Incidents follow every event in the batch.
        let first_incident = batch
            .records
            .iter()
            .position(|r| matches!(r, Record::Incident(_)))
            .expect("incidents");
        assert!(
            batch.records[first_incident..]
                .iter()
                .all(|r| matches!(r, Record::Incident(_)))
        );
    }

    #[test]
    fn only_fixtures_that_carry_events_have_incidents() {
        let fixture = |id: u32, events: &str| {
            format!(
                r#"{{"fixture":{{"id":{id},"date":"2023-05-13T13:00:00+00:00","status":{{"short":"NS","elapsed":null}}}},"league":{{"id":106,"name":"Ekstraklasa"}},"teams":{{"home":{{"id":1,"name":"A"}},"away":{{"id":2,"name":"B"}}}}{events}}}"#
            )
        };
        let json = format!(
            "[{},{},{},{}]",
            fixture(1, ""),
            fixture(2, r#","events":null"#),
            fixture(3, r#","events":[]"#),
            fixture(4, r#","events":[{"time":"late"}]"#),
        );
        let items = items(&json);
        let batch = normalize(&items);
        let incidents = batch
            .records
            .iter()
            .filter(|r| matches!(r, Record::Incident(_)))
            .count();
        assert_eq!(incidents, 0);
        // Unreadable events reject the incidents, not the fixture.
        let events = batch
            .records
            .iter()
            .filter(|r| matches!(r, Record::Event(_)))
            .count();
        assert_eq!(events, 4);
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("4"));
        assert!(
            batch.rejects[0]
                .reason
                .starts_with("the fixture's incidents are left out: `events` is not a list"),
            "{}",
            batch.rejects[0].reason
        );
        assert_eq!(batch.rejects[0].raw, r#"[{"time":"late"}]"#);
    }
}
