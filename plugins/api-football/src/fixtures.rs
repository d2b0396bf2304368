//! The `fixtures` stream: one event per fixture, and one competition per
//! league and one team per team the batch's fixtures name.

use std::collections::HashSet;

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, Competition, Event, EventStatus, Record, Reject, Team, timestamp};

use crate::scores;
use crate::status;
use crate::teams::raw_id;
use crate::wire::{Fixture, League, TeamRef};

/// API-Football (this API of it) covers association football only; named
/// as the other providers name it.
const SPORT: &str = "Soccer";

/// The records of a fixtures response's items: competitions first, then
/// teams, then events. An item that cannot become an event is rejected
/// with its raw JSON and the reason; the others load.
pub fn normalize(items: &[&RawValue]) -> Batch {
    let mut competitions = Vec::new();
    let mut teams = Vec::new();
    let mut events = Vec::with_capacity(items.len());
    let mut rejects = Vec::new();
    let mut seen_leagues = HashSet::new();
    let mut seen_teams = HashSet::new();
    for raw in items {
        let converted = serde_json::from_str::<Fixture>(raw.get())
            .map_err(|e| format!("fixture is not of the expected shape: {e}"))
            .and_then(|f| event(&f).map(|e| (f, e)));
        match converted {
            Ok((fixture, event)) => {
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
    batch.rejects = rejects;
    batch
}

fn competition(league: League) -> Competition {
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
        provider_id: side.id.to_string(),
        name: side.name,
        short_name: None,
        code: None,
        country: None,
        founded: None,
        venue: None,
        crest_url: side.logo,
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
        home_score: scores.regular.home(),
        away_score: scores.regular.away(),
        home_score_half_time: scores.half_time.home(),
        away_score_half_time: scores.half_time.away(),
        home_score_extra_time: scores.extra_time.home(),
        away_score_extra_time: scores.extra_time.away(),
        home_score_penalties: scores.penalties.home(),
        away_score_penalties: scores.penalties.away(),
        venue: info.venue.as_ref().and_then(|v| v.name.clone()),
        provider_updated_at: None,
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
        let events: Vec<&Event> = batch
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Event(e) => Some(e),
                _ => None,
            })
            .collect();
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
        let kinds: Vec<String> = batch
            .records
            .iter()
            .map(|r| match r {
                Record::Competition(c) => format!("c{}", c.provider_id),
                Record::Team(t) => format!("t{}", t.provider_id),
                Record::Event(e) => format!("e{}", e.provider_id),
                Record::Odds(_) => "odds".to_string(),
            })
            .collect();
        assert_eq!(kinds, ["c106", "t337", "t341", "t9", "e865368", "e3"]);
    }
}
