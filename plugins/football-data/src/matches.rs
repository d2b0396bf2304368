//! The `matches` stream: the competition and its matches.

use crate::wire::{self, Pair};
use sluice_plugin_sdk::{
    Batch, Competition, Event, EventStatus, PluginError, Record, Reject, json, timestamp,
};

/// football-data.org covers association football only; named as the other
/// providers name it.
const SPORT: &str = "Soccer";

pub fn normalize(body: &[u8]) -> Result<Batch, PluginError> {
    // Most responses hold only well-formed matches: one pass reads them all.
    // A response with a match that does not parse or convert is read again
    // match by match, so that only that match is rejected, with its raw JSON.
    if let Ok(list) = serde_json::from_slice::<wire::WholeMatchList>(body) {
        let mut area = None;
        let events: Result<Vec<Event>, String> = list
            .matches
            .into_iter()
            .map(|m| {
                if area.is_none() {
                    area = m.area.as_ref().and_then(|a| a.name.clone());
                }
                event(m)
            })
            .collect();
        if let Ok(events) = events {
            let mut batch = Batch::of(Vec::with_capacity(events.len() + 1));
            batch.records.extend(events.into_iter().map(Record::Event));
            return Ok(finish(batch, list.competition, area));
        }
    }
    let list: wire::MatchList = json::parse(body)?;
    let mut batch = Batch::of(Vec::with_capacity(list.matches.len() + 1));
    let mut area = None;
    for raw in list.matches {
        let parsed = serde_json::from_str::<wire::Match>(raw.get())
            .map_err(|e| format!("match is not of the expected shape: {e}"))
            .and_then(|m| {
                if area.is_none() {
                    area = m.area.as_ref().and_then(|a| a.name.clone());
                }
                event(m)
            });
        match parsed {
            Ok(event) => batch.records.push(Record::Event(event)),
            Err(reason) => batch.rejects.push(Reject {
                provider_id: raw_id(raw.get()),
                reason,
                raw: raw.get().to_string(),
            }),
        }
    }
    Ok(finish(batch, list.competition, area))
}

/// Puts the competition first and sets the cursor: the latest update time
/// of the batch's events.
fn finish(mut batch: Batch, competition: Option<wire::Competition>, area: Option<String>) -> Batch {
    let mut cursor: Option<String> = None;
    for record in &batch.records {
        if let Record::Event(event) = record
            && event.provider_updated_at > cursor
        {
            cursor.clone_from(&event.provider_updated_at);
        }
    }
    if let Some(c) = competition {
        batch
            .records
            .insert(0, Record::Competition(self::competition(c, area)));
    }
    batch.cursor = cursor;
    batch
}

/// A competition of a list response, in `area`; the `standings` stream
/// names its competition so too.
pub fn competition(c: wire::Competition, area: Option<String>) -> Competition {
    Competition {
        provider_id: c.id.to_string(),
        name: c.name,
        sport: Some(SPORT.to_string()),
        code: c.code,
        area,
        format: c.kind.map(|k| k.to_ascii_lowercase()),
        emblem_url: c.emblem,
    }
}

/// The season's label: the year it starts (`2022` for 2022-23), as the
/// events and standings of it carry it.
pub fn season_label(season: wire::Season) -> Option<String> {
    season
        .start_date
        .and_then(|d| d.get(..4).map(str::to_string))
}

/// `GET /v4/matches/{id}`: one match object, with its competition inline.
pub fn normalize_one(body: &[u8]) -> Result<Batch, PluginError> {
    let m: wire::Match = json::parse(body)?;
    let competition = m.competition.as_ref().and_then(|c| {
        Some(Competition {
            provider_id: c.id.to_string(),
            name: c.name.clone()?,
            sport: Some(SPORT.to_string()),
            code: c.code.clone(),
            area: m.area.as_ref().and_then(|a| a.name.clone()),
            format: c.kind.as_ref().map(|k| k.to_ascii_lowercase()),
            emblem_url: c.emblem.clone(),
        })
    });
    let event = event(m).map_err(PluginError::MalformedResponse)?;
    let mut batch = Batch::of(competition.into_iter().map(Record::Competition).collect());
    batch.cursor.clone_from(&event.provider_updated_at);
    batch.records.push(Record::Event(event));
    Ok(batch)
}

/// The match's id, for a reject whose body did not parse as a whole.
fn raw_id(raw: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: serde_json::Value,
    }
    serde_json::from_str::<Id>(raw)
        .ok()
        .map(|i| i.id.to_string())
}

fn event(m: wire::Match) -> Result<Event, String> {
    let status = status(&m.status)?;
    let kickoff = m
        .utc_date
        .as_deref()
        .map(timestamp::to_utc_rfc3339)
        .transpose()?;
    let provider_updated_at = m
        .last_updated
        .as_deref()
        .map(timestamp::to_utc_rfc3339)
        .transpose()?;
    let scores = m
        .score
        .as_ref()
        .map(scores)
        .transpose()?
        .unwrap_or_default();
    let (home_team, home_team_name) = team_ref(m.home_team);
    let (away_team, away_team_name) = team_ref(m.away_team);
    Ok(Event {
        provider_id: m.id.to_string(),
        name: None,
        competition: m.competition.map(|c| c.id.to_string()),
        season: m.season.and_then(season_label),
        stage: m.stage,
        matchday: m.matchday,
        home_team,
        away_team,
        home_team_name,
        away_team_name,
        kickoff,
        status,
        minute: None,
        home_score: scores.regular.home,
        away_score: scores.regular.away,
        home_score_half_time: scores.half_time.home,
        away_score_half_time: scores.half_time.away,
        home_score_extra_time: scores.extra_time.home,
        away_score_extra_time: scores.extra_time.away,
        home_score_penalties: scores.penalties.home,
        away_score_penalties: scores.penalties.away,
        venue: m.venue,
        provider_updated_at,
    })
}

fn team_ref(team: Option<wire::TeamRef>) -> (Option<String>, Option<String>) {
    match team {
        Some(t) => (t.id.map(|id| id.to_string()), t.name),
        None => (None, None),
    }
}

/// football-data's statuses; an unknown one is rejected rather than guessed.
fn status(code: &str) -> Result<EventStatus, String> {
    Ok(match code {
        "SCHEDULED" | "TIMED" => EventStatus::Scheduled,
        "IN_PLAY" | "LIVE" => EventStatus::Live,
        "PAUSED" => EventStatus::Halftime,
        "FINISHED" | "AWARDED" => EventStatus::Finished,
        "POSTPONED" => EventStatus::Postponed,
        "SUSPENDED" => EventStatus::Suspended,
        "CANCELLED" => EventStatus::Cancelled,
        other => return Err(format!("unknown match status `{other}`")),
    })
}

/// Scores split by period, as the canonical event wants them.
#[derive(Default)]
struct Scores {
    regular: Pair,
    half_time: Pair,
    extra_time: Pair,
    penalties: Pair,
}

/// football-data's `fullTime` counts every goal, extra time and shoot-out
/// included, and `regularTime` is usually null: the score after regular time
/// is what remains once extra time and penalties are taken off.
fn scores(score: &wire::Score) -> Result<Scores, String> {
    let full = score.full_time.unwrap_or_default();
    let half_time = score.half_time.unwrap_or_default();
    let duration = score.duration.as_deref().unwrap_or("REGULAR");
    let (extra_time, penalties) = match duration {
        "REGULAR" => (Pair::default(), Pair::default()),
        "EXTRA_TIME" => (score.extra_time.unwrap_or_default(), Pair::default()),
        "PENALTY_SHOOTOUT" => (
            score.extra_time.unwrap_or_default(),
            score.penalties.unwrap_or_default(),
        ),
        other => return Err(format!("unknown score duration `{other}`")),
    };
    let regular = match score.regular_time {
        Some(Pair {
            home: Some(home),
            away: Some(away),
        }) => Pair {
            home: Some(home),
            away: Some(away),
        },
        _ => Pair {
            home: minus(full.home, &[extra_time.home, penalties.home])?,
            away: minus(full.away, &[extra_time.away, penalties.away])?,
        },
    };
    Ok(Scores {
        regular,
        half_time,
        extra_time,
        penalties,
    })
}

fn minus(total: Option<u32>, parts: &[Option<u32>]) -> Result<Option<u32>, String> {
    let Some(total) = total else { return Ok(None) };
    parts
        .iter()
        .flatten()
        .try_fold(total, |left, part| left.checked_sub(*part))
        .map(Some)
        .ok_or_else(|| {
            format!("full-time score {total} is smaller than its extra-time and penalty goals")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps_and_an_unknown_one_is_refused() {
        // football-data's documented statuses; the recordings only hold
        // SCHEDULED, TIMED and FINISHED.
        let cases = [
            ("SCHEDULED", EventStatus::Scheduled),
            ("TIMED", EventStatus::Scheduled),
            ("IN_PLAY", EventStatus::Live),
            ("PAUSED", EventStatus::Halftime),
            ("FINISHED", EventStatus::Finished),
            ("AWARDED", EventStatus::Finished),
            ("POSTPONED", EventStatus::Postponed),
            ("SUSPENDED", EventStatus::Suspended),
            ("CANCELLED", EventStatus::Cancelled),
        ];
        for (code, expected) in cases {
            assert_eq!(status(code), Ok(expected), "{code}");
        }
        assert_eq!(
            status("ON_HOLD"),
            Err("unknown match status `ON_HOLD`".to_string())
        );
    }

    fn score(json: &str) -> Result<Scores, String> {
        scores(&serde_json::from_str(json).expect("score JSON"))
    }

    #[test]
    fn a_regular_time_score_when_the_provider_gives_one_wins() {
        let s = score(
            r#"{"duration":"EXTRA_TIME","fullTime":{"home":3,"away":2},"regularTime":{"home":2,"away":2},"extraTime":{"home":1,"away":0}}"#,
        )
        .expect("valid");
        assert_eq!((s.regular.home, s.regular.away), (Some(2), Some(2)));
    }

    #[test]
    fn inconsistent_scores_are_refused_not_wrapped() {
        let err = score(
            r#"{"duration":"PENALTY_SHOOTOUT","fullTime":{"home":1,"away":1},"extraTime":{"home":0,"away":0},"penalties":{"home":4,"away":3}}"#,
        )
        .err();
        assert_eq!(
            err.as_deref(),
            Some("full-time score 1 is smaller than its extra-time and penalty goals")
        );
    }
}
