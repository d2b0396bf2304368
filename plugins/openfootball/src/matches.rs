//! The `matches` stream: a league season file as one competition and one
//! event per match.

use sluice_plugin_sdk::{Batch, Competition, Event, PluginError, Record, Reject, json};

use crate::ids::EventIds;
use crate::kickoff;
use crate::params::MatchParams;
use crate::scores;
use crate::wire;

/// football.json covers association football only; named as the other
/// providers name it.
const SPORT: &str = "Soccer";

/// Normalizes a football.json league season file. A body that is not JSON
/// or has no `name` and `matches` is `malformed-response`; a match that
/// cannot become an event is rejected with its raw JSON, and the rest load.
pub fn normalize(body: &[u8], params: &MatchParams) -> Result<Batch, PluginError> {
    let season: wire::Season = json::parse(body)?;
    let mut batch = Batch::of(Vec::with_capacity(season.matches.len() + 1));
    batch
        .records
        .push(Record::Competition(competition(&season.name, params)));
    let mut ids = EventIds::default();
    for raw in season.matches {
        match event(raw.get(), params, &mut ids) {
            Ok(event) => batch.records.push(Record::Event(event)),
            Err((provider_id, reason)) => batch.rejects.push(Reject {
                provider_id,
                reason,
                raw: raw.get().to_string(),
            }),
        }
    }
    Ok(batch)
}

/// The league, named as the file names it less the season the file's name
/// ends with (`Deutsche Bundesliga 2023/24` is `Deutsche Bundesliga`), so
/// that the competition keeps one name from season to season.
fn competition(name: &str, params: &MatchParams) -> Competition {
    let season_label = format!(" {}", params.season.replace('-', "/"));
    let name = match name.strip_suffix(&season_label) {
        Some(league) if !league.trim().is_empty() => league,
        _ => name,
    };
    Competition {
        provider_id: params.league.clone(),
        name: name.to_string(),
        sport: Some(SPORT.to_string()),
        code: None,
        area: None,
        format: None,
        emblem_url: None,
    }
}

/// One match as an event, or the id it would have had (when its teams are
/// known) and why it cannot be one.
fn event(
    raw: &str,
    params: &MatchParams,
    ids: &mut EventIds,
) -> Result<Event, (Option<String>, String)> {
    let m: wire::Match = serde_json::from_str(raw)
        .map_err(|e| (None, format!("match is not of the expected shape: {e}")))?;
    let team1 = team(m.team1.as_deref(), "team1").map_err(|r| (None, r))?;
    let team2 = team(m.team2.as_deref(), "team2").map_err(|r| (None, r))?;
    // Every match with its teams takes its id here, rejected or not, so
    // that a rejected match does not shift a repeated pairing's number.
    let provider_id = ids.next(&params.league, &params.season, team1, team2);
    let fail = |reason: String| (Some(provider_id.clone()), reason);
    if team1 == team2 {
        return Err(fail(format!("team1 and team2 are both `{team1}`")));
    }
    if m.score1.is_some() {
        return Err(fail(
            "match has the first football.json format's `score1`/`score2`, which this plugin does not read"
                .to_string(),
        ));
    }
    let date = m
        .date
        .as_deref()
        .ok_or_else(|| fail("match has no date".to_string()))?;
    let kickoff = match m.time.as_deref() {
        Some(time) => Some(kickoff::to_utc(date, time, &params.timezone).map_err(fail)?),
        // No kick-off time yet: the kick-off stays unknown rather than
        // invented, but the date must still be one.
        None => {
            kickoff::parse_date(date).map_err(fail)?;
            None
        }
    };
    let outcome = scores::outcome(m.score.as_ref()).map_err(fail)?;
    let matchday = m.round.as_deref().and_then(matchday);
    Ok(Event {
        provider_id,
        name: None,
        competition: Some(params.league.clone()),
        season: Some(params.season.clone()),
        stage: m.round,
        matchday,
        home_team: Some(team1.to_string()),
        away_team: Some(team2.to_string()),
        home_team_name: Some(team1.to_string()),
        away_team_name: Some(team2.to_string()),
        kickoff,
        status: outcome.status,
        minute: None,
        home_score: outcome.full_time.home,
        away_score: outcome.full_time.away,
        home_score_half_time: outcome.half_time.home,
        away_score_half_time: outcome.half_time.away,
        home_score_extra_time: outcome.extra_time.home,
        away_score_extra_time: outcome.extra_time.away,
        home_score_penalties: outcome.penalties.home,
        away_score_penalties: outcome.penalties.away,
        venue: None,
        provider_updated_at: None,
    })
}

/// A team's name, which is also its id: openfootball has no team ids.
fn team<'a>(name: Option<&'a str>, key: &str) -> Result<&'a str, String> {
    match name.map(str::trim) {
        Some(name) if !name.is_empty() => Ok(name),
        Some(_) => Err(format!("match has an empty `{key}`")),
        None => Err(format!("match has no `{key}`")),
    }
}

/// The number of a `Matchday N` round; none for other rounds.
fn matchday(round: &str) -> Option<u32> {
    let number = round.strip_prefix("Matchday ")?;
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::EventStatus;
    use sluice_plugin_sdk::testing::events;

    fn params() -> MatchParams {
        let pairs = [
            ("league", "de.1"),
            ("season", "2023-24"),
            ("timezone", "Europe/Berlin"),
        ];
        let params = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        match MatchParams::read(&params) {
            Ok(p) => p,
            Err(e) => panic!("valid parameters refused: {e:?}"),
        }
    }

    fn run(body: &str) -> Batch {
        normalize(body.as_bytes(), &params()).expect("a football.json body")
    }

    #[test]
    fn a_played_match_becomes_a_finished_event_in_utc() {
        let batch = run(r#"{"name": "Deutsche Bundesliga 2023/24", "matches": [
                {"round": "Matchday 1", "date": "2023-08-18", "time": "20:30",
                 "team1": "SV Werder Bremen", "team2": "FC Bayern München",
                 "score": {"ht": [0, 1], "ft": [0, 4]}}]}"#);
        let Some(Record::Competition(c)) = batch.records.first() else {
            panic!("the competition comes first: {:?}", batch.records)
        };
        assert_eq!(
            (c.provider_id.as_str(), c.name.as_str(), c.sport.as_deref()),
            ("de.1", "Deutsche Bundesliga", Some("Soccer"))
        );
        let events = events(&batch.records);
        assert_eq!(events.len(), 1);
        let e = events[0];
        assert_eq!(
            e.provider_id,
            "de.1/2023-24/SV Werder Bremen/FC Bayern München"
        );
        assert_eq!(e.kickoff.as_deref(), Some("2023-08-18T18:30:00Z"));
        assert_eq!(e.status, EventStatus::Finished);
        assert_eq!((e.home_score, e.away_score), (Some(0), Some(4)));
        assert_eq!(
            (e.home_score_half_time, e.away_score_half_time),
            (Some(0), Some(1))
        );
        assert_eq!(
            (e.stage.as_deref(), e.matchday),
            (Some("Matchday 1"), Some(1))
        );
        assert_eq!(e.home_team.as_deref(), Some("SV Werder Bremen"));
        assert_eq!(e.away_team_name.as_deref(), Some("FC Bayern München"));
        assert_eq!(e.competition.as_deref(), Some("de.1"));
        assert_eq!(e.season.as_deref(), Some("2023-24"));
    }

    #[test]
    fn an_unplayed_match_without_a_time_is_scheduled_with_no_kickoff() {
        let batch = run(r#"{"name": "Deutsche Bundesliga 2023/24", "matches": [
                {"round": "Matchday 34", "date": "2024-05-18",
                 "team1": "Borussia Dortmund", "team2": "SV Darmstadt 98"}]}"#);
        let e = events(&batch.records)[0];
        assert_eq!(e.status, EventStatus::Scheduled);
        assert_eq!(e.kickoff, None);
        assert_eq!((e.home_score, e.away_score), (None, None));
    }

    #[test]
    fn unusable_matches_are_rejected_with_their_id_when_known() {
        let batch = run(r#"{"name": "X", "matches": [
                {"date": "2023-08-18", "time": "20:30", "team2": "B"},
                {"date": "2023-13-18", "time": "20:30", "team1": "A", "team2": "B"},
                {"date": "2023-08-18", "time": "20:30", "team1": "A", "team2": "A"},
                {"time": "20:30", "team1": "C", "team2": "D"},
                {"date": "2023-08-18", "team1": "E", "team2": "F", "score1": 1, "score2": 0},
                {"date": "2023-08-18", "team1": "G", "team2": "H", "score": {"ft": [1]}},
                {"date": "2023-08-19", "time": "15:30", "team1": "A", "team2": "B"}]}"#);
        let rejects: Vec<(Option<&str>, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.provider_id.as_deref(), r.reason.as_str()))
            .collect();
        assert_eq!(rejects.len(), 6, "{rejects:?}");
        assert_eq!(rejects[0], (None, "match has no `team1`"));
        assert_eq!(
            rejects[1],
            (
                Some("de.1/2023-24/A/B"),
                "date `2023-13-18` is not a calendar date of the form YYYY-MM-DD"
            )
        );
        assert_eq!(
            rejects[2],
            (Some("de.1/2023-24/A/A"), "team1 and team2 are both `A`")
        );
        assert_eq!(rejects[3], (Some("de.1/2023-24/C/D"), "match has no date"));
        assert_eq!(rejects[4].0, Some("de.1/2023-24/E/F"));
        assert!(rejects[4].1.contains("`score1`"), "{}", rejects[4].1);
        assert_eq!(rejects[5].0, None);
        assert!(
            rejects[5]
                .1
                .starts_with("match is not of the expected shape: invalid length 1"),
            "{}",
            rejects[5].1
        );
        // The rejected A-B match took the first id: this one is the second.
        let events = events(&batch.records);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].provider_id, "de.1/2023-24/A/B#2");
        // Every reject keeps its raw JSON.
        assert!(batch.rejects[1].raw.contains("2023-13-18"));
    }

    #[test]
    fn a_body_of_another_shape_is_malformed() {
        for body in [
            "<html>502</html>",
            r#"{"matches": []}"#,
            r#"{"name": "X", "matches": {}}"#,
        ] {
            match normalize(body.as_bytes(), &params()) {
                Err(PluginError::MalformedResponse(_)) => {}
                other => panic!("{body}: expected malformed-response, got {other:?}"),
            }
        }
    }

    #[test]
    fn matchday_comes_from_matchday_rounds_only() {
        assert_eq!(matchday("Matchday 1"), Some(1));
        assert_eq!(matchday("Matchday 34"), Some(34));
        assert_eq!(matchday("Matchday 0"), None);
        assert_eq!(matchday("Matchday +3"), None);
        assert_eq!(matchday("Round of 16"), None);
        assert_eq!(matchday("Final"), None);
    }
}
