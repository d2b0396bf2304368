//! The event streams (`events`, `next_events`, `past_events`, `livescore`):
//! one event per item, and one competition per league and one team per
//! team the batch's events name.

use std::collections::HashSet;

use serde_json::value::RawValue;
use sluice_plugin_sdk::scores::{Both, Scores};
use sluice_plugin_sdk::{Batch, Competition, Event, EventStatus, Record, Reject, Team};

use crate::kickoff::{self, Start};
use crate::status::{self, Evidence, Phase};
use crate::wire::EventItem;

/// TheSportsDB's `intRound` holds the matchday, or a code for a stage
/// (`500` for pre-season testing, `400` for a qualifying round): from this
/// value on it is not a matchday.
const FIRST_ROUND_CODE: u32 = 100;

/// The records of an event list's items: competitions first, then teams,
/// then events. An item that cannot become an event is rejected with its
/// raw JSON and the reason; the others load.
pub fn normalize(items: &[&RawValue]) -> Batch {
    let mut competitions = Vec::new();
    let mut teams = Vec::new();
    let mut events = Vec::with_capacity(items.len());
    let mut rejects = Vec::new();
    let mut seen_leagues = HashSet::new();
    let mut seen_teams = HashSet::new();
    for raw in items {
        let converted = serde_json::from_str::<EventItem>(raw.get())
            .map_err(|e| format!("event is not of the expected shape: {e}"))
            .and_then(|item| event(&item).map(|event| (item, event)));
        match converted {
            Ok((item, event)) => {
                if let Some(league) = competition(&item)
                    && seen_leagues.insert(league.provider_id.clone())
                {
                    competitions.push(Record::Competition(league));
                }
                for team in sides(&item) {
                    if seen_teams.insert(team.provider_id.clone()) {
                        teams.push(Record::Team(team));
                    }
                }
                events.push(Record::Event(event));
            }
            Err(reason) => rejects.push(Reject {
                provider_id: raw_id(raw.get(), "idEvent"),
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

/// The item's league, when it names one with its id and name.
fn competition(item: &EventItem) -> Option<Competition> {
    Some(Competition {
        provider_id: item.league_id.clone()?,
        name: item.league.clone()?,
        sport: item.sport.clone(),
        code: None,
        // `strCountry` is where the event is played (each race of a tour
        // its own), not the league's area.
        area: None,
        format: None,
        emblem_url: item.league_badge.clone(),
    })
}

/// The home and away teams the item names with an id and a name; none in
/// sports without sides.
fn sides(item: &EventItem) -> impl Iterator<Item = Team> + '_ {
    [
        (&item.home_id, &item.home_name, &item.home_badge),
        (&item.away_id, &item.away_name, &item.away_badge),
    ]
    .into_iter()
    .filter_map(|(id, name, badge)| {
        Some(Team {
            crest_url: badge.clone(),
            ..Team::named(id.clone()?, name.clone()?)
        })
    })
}

/// One item as a canonical event.
fn event(item: &EventItem) -> Result<Event, String> {
    let id = item
        .id
        .clone()
        .ok_or_else(|| "event has no `idEvent`".to_string())?;
    let home_score = score("intHomeScore", item.home_score.as_deref())?;
    let away_score = score("intAwayScore", item.away_score.as_deref())?;
    let both = home_score.zip(away_score);
    let evidence = Evidence {
        postponed: item
            .postponed
            .as_deref()
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("yes")),
        scores: both.is_some(),
        result: item.result.is_some(),
    };
    let (status, phase) = status::standing(item.status.as_deref(), evidence)?;
    let start = Start {
        timestamp: item.timestamp.as_deref(),
        date: item.date.as_deref(),
        time: item.time.as_deref(),
        event_time: item.event_time.as_deref(),
        local_time: item.local_time.as_ref().map(Option::as_deref),
    };
    let kickoff = kickoff::kickoff(&start, status::time_to_be_defined(item.status.as_deref()))?;
    let scores = both.filter(|_| phase == Phase::RegularTime);
    Ok(Event {
        provider_id: id,
        name: item.name.clone(),
        competition: item.league_id.clone(),
        season: item.season.clone(),
        stage: None,
        matchday: item.round.as_deref().and_then(matchday),
        home_team: item.home_id.clone(),
        away_team: item.away_id.clone(),
        home_team_name: item.home_name.clone(),
        away_team_name: item.away_name.clone(),
        kickoff,
        status,
        minute: if status == EventStatus::Live {
            status::minute(item.progress.as_deref(), item.sport.as_deref())
        } else {
            None
        },
        venue: item.venue.clone(),
        provider_updated_at: None,
        // Only the score at the end of regular time is sent.
        ..Scores {
            regular: Both(scores),
            ..Scores::default()
        }
        .event()
    })
}

/// A score as TheSportsDB writes it (`"3"`); anything but digits is refused.
fn score(field: &str, value: Option<&str>) -> Result<Option<u32>, String> {
    let Some(text) = value else {
        return Ok(None);
    };
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{field}` is `{text}`, not a score"));
    }
    digits
        .parse()
        .map(Some)
        .map_err(|_| format!("`{field}` is `{text}`, not a score"))
}

/// The matchday of an `intRound`: a number from 1 below the stage codes.
fn matchday(round: &str) -> Option<u32> {
    round
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|&n| (1..FIRST_ROUND_CODE).contains(&n))
}

/// `item[key]`, for a reject whose item did not parse as a whole.
pub fn raw_id(raw: &str, key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    match value.get(key)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::testing::{events, labels};

    fn items(json: &str) -> Vec<&RawValue> {
        serde_json::from_str(json).expect("list")
    }

    #[test]
    fn scores_are_digits_or_refused() {
        assert_eq!(score("intHomeScore", None), Ok(None));
        assert_eq!(score("intHomeScore", Some("3")), Ok(Some(3)));
        assert_eq!(score("intHomeScore", Some(" 12 ")), Ok(Some(12)));
        for bad in ["-1", "2.5", "three", "99999999999"] {
            assert_eq!(
                score("intAwayScore", Some(bad)),
                Err(format!("`intAwayScore` is `{bad}`, not a score")),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_round_is_a_matchday_below_the_stage_codes() {
        assert_eq!(matchday("1"), Some(1));
        assert_eq!(matchday("38"), Some(38));
        assert_eq!(matchday("0"), None);
        assert_eq!(matchday("125"), None);
        assert_eq!(matchday("500"), None);
        assert_eq!(matchday("final"), None);
    }

    const MIXED: &str = r#"[
        {"idEvent":"11","strEvent":"Northbridge vs Eastholm","strSport":"Soccer","idLeague":"9001","strLeague":"Test League","strLeagueBadge":"https://x/l.png","strSeason":"2030-2031","intRound":"4",
         "idHomeTeam":"501","strHomeTeam":"Northbridge","strHomeTeamBadge":"https://x/501.png","idAwayTeam":"502","strAwayTeam":"Eastholm","strAwayTeamBadge":null,
         "intHomeScore":"1","intAwayScore":"0","strTimestamp":"2030-10-13T18:45:00","strTimeLocal":"20:45:00","strStatus":"HT","strPostponed":"no","strVenue":"North Park"},
        {"idEvent":"12","strEvent":"Eastholm vs Westvale","strSport":"Soccer","idLeague":"9001","strLeague":"Test League","idHomeTeam":"502","strHomeTeam":"Eastholm","idAwayTeam":"503","strAwayTeam":"Westvale",
         "intHomeScore":"2","intAwayScore":"x","strTimestamp":"2030-10-13T18:45:00","strStatus":"2H"},
        {"idEvent":"13","strEvent":"Grand Prix of Nowhere","strSport":"Motorsport","idLeague":"9002","strLeague":"Test Series","strSeason":"2030","intRound":"3",
         "idHomeTeam":null,"strHomeTeam":null,"idAwayTeam":null,"strAwayTeam":null,"intHomeScore":null,"intAwayScore":null,
         "strTimestamp":"2030-05-26T12:00:00","strTimeLocal":"14:00:00","strStatus":"","strResult":"1 / A. Rider / 25","strVenue":"Circuit Nowhere"},
        {"idEvent":"14","strEvent":"Westvale vs Northbridge","idLeague":"9001","strLeague":"Test League","idHomeTeam":"503","strHomeTeam":"Westvale","idAwayTeam":"501","strAwayTeam":"Northbridge",
         "intHomeScore":"3","intAwayScore":"2","strTimestamp":"2030-10-20T19:00:00","strStatus":"AET"},
        {"idEvent":"15","strEvent":"Northbridge vs Westvale","idLeague":"9001","strLeague":"Test League","strTimestamp":"2030-11-14T00:00:00","strTimeLocal":"","strStatus":null,"strPostponed":"yes"},
        "not an event"
    ]"#;

    #[test]
    fn a_mixed_list_becomes_competitions_teams_and_events_and_bad_items_are_rejected() {
        let items = items(MIXED);
        let batch = normalize(&items);
        let reasons: Vec<(Option<&str>, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.provider_id.as_deref(), r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert_eq!(
            reasons[0],
            (Some("12"), "`intAwayScore` is `x`, not a score")
        );
        assert_eq!(reasons[1].0, None);
        assert!(
            reasons[1]
                .1
                .starts_with("event is not of the expected shape")
        );
        assert_eq!(batch.rejects[1].raw, r#""not an event""#);

        let kinds = labels(&batch.records);
        // Team 503 comes from event 14 only: the rejected event 12 adds none.
        assert_eq!(
            kinds,
            [
                "c9001", "c9002", "t501", "t502", "t503", "e11", "e13", "e14", "e15"
            ]
        );

        let events = events(&batch.records);
        let half = events[0];
        assert_eq!(half.status, EventStatus::Halftime);
        assert_eq!((half.home_score, half.away_score), (Some(1), Some(0)));
        assert_eq!(half.matchday, Some(4));
        assert_eq!(half.kickoff.as_deref(), Some("2030-10-13T18:45:00Z"));
        assert_eq!(half.name.as_deref(), Some("Northbridge vs Eastholm"));
        assert_eq!(half.venue.as_deref(), Some("North Park"));

        let race = events[1];
        assert_eq!(race.name.as_deref(), Some("Grand Prix of Nowhere"));
        assert_eq!(
            (race.home_team.as_ref(), race.away_team.as_ref()),
            (None, None)
        );
        assert_eq!(race.status, EventStatus::Finished, "a result text is given");
        assert_eq!((race.home_score, race.away_score), (None, None));

        let after_extra_time = events[2];
        assert_eq!(after_extra_time.status, EventStatus::Finished);
        assert_eq!(
            (after_extra_time.home_score, after_extra_time.away_score),
            (None, None),
            "the total counts extra time"
        );

        let postponed = events[3];
        assert_eq!(postponed.status, EventStatus::Postponed);
        assert_eq!(postponed.kickoff, None, "placeholder midnight");
    }

    #[test]
    fn a_live_soccer_event_has_its_minute() {
        let items = items(
            r#"[{"idLiveScore":"77","idEvent":"21","strSport":"Soccer","idLeague":"9001","strLeague":"Test League",
                 "idHomeTeam":"501","strHomeTeam":"Northbridge","idAwayTeam":"502","strAwayTeam":"Eastholm",
                 "intHomeScore":"0","intAwayScore":"2","strStatus":"2H","strProgress":"67","strEventTime":"18:45","dateEvent":"2030-10-13","updated":"2030-10-13 20:01:10"}]"#,
        );
        let batch = normalize(&items);
        let live = events(&batch.records)[0];
        assert_eq!(live.status, EventStatus::Live);
        assert_eq!(live.minute, Some(67));
        assert_eq!((live.home_score, live.away_score), (Some(0), Some(2)));
        assert_eq!(live.kickoff.as_deref(), Some("2030-10-13T18:45:00Z"));
        assert_eq!(live.name, None);
    }

    #[test]
    fn an_unknown_status_is_rejected_with_the_item() {
        let items = items(
            r#"[{"idEvent":"31","strStatus":"Delayed","strTimestamp":"2030-01-01T12:00:00"}]"#,
        );
        let batch = normalize(&items);
        assert!(batch.records.is_empty());
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(batch.rejects[0].reason, "unknown event status `Delayed`");
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("31"));
        assert!(batch.rejects[0].raw.contains("Delayed"));
    }

    #[test]
    fn an_event_without_id_is_rejected() {
        let items = items(r#"[{"strEvent":"Nameless","strStatus":"NS"}]"#);
        let batch = normalize(&items);
        assert_eq!(batch.rejects[0].reason, "event has no `idEvent`");
        assert_eq!(batch.rejects[0].provider_id, None);
    }
}
