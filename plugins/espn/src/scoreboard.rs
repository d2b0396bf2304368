//! The `scoreboard` stream: the league, its teams and its events.

use std::collections::HashSet;

use serde_json::Value;
use sluice_plugin_sdk::{
    Batch, Competition, Event, EventStatus, PluginError, Record, Reject, Team, json,
};

use crate::params::{ScoreboardParams, Sport};
use crate::{kickoff, status, wire};

/// One board as a competition, its teams (each once) and one event per
/// ESPN event; an event that cannot be used is rejected with its JSON.
pub fn normalize(body: &[u8], params: &ScoreboardParams) -> Result<Batch, PluginError> {
    let board: wire::Board = json::parse(body)?;
    let league = board.leagues.first();
    let board_season = board.season.as_ref().and_then(|s| s.year);
    let mut batch = Batch::of(Vec::with_capacity(board.events.len() * 3 + 1));
    if let Some(league) = league {
        batch
            .records
            .push(Record::Competition(competition(league, params.sport)));
    }

    let mut parsed = Vec::with_capacity(board.events.len());
    for raw in &board.events {
        match serde_json::from_str::<wire::Event>(raw.get()) {
            Ok(event) => parsed.push((event, *raw)),
            Err(err) => batch.rejects.push(Reject {
                provider_id: raw_id(raw.get()),
                reason: format!("event is not of the expected shape: {err}"),
                raw: raw.get().to_string(),
            }),
        }
    }

    let mut seen_teams = HashSet::new();
    for (event, _) in &parsed {
        for competitor in event.competitions.iter().flat_map(|c| &c.competitors) {
            if seen_teams.insert(competitor.team.id.as_str())
                && let Some(team) = team(&competitor.team)
            {
                batch.records.push(Record::Team(team));
            }
        }
    }

    let competition_id = league.map(|l| l.id.clone());
    for (event, raw) in &parsed {
        match self::event(event, params.sport, competition_id.as_deref(), board_season) {
            Ok(event) => batch.records.push(Record::Event(event)),
            Err(reason) => batch.rejects.push(Reject {
                provider_id: Some(event.id.clone()),
                reason,
                raw: raw.get().to_string(),
            }),
        }
    }
    Ok(batch)
}

fn competition(league: &wire::League, sport: Sport) -> Competition {
    let emblem = league
        .logos
        .iter()
        .find(|l| l.rel.iter().any(|r| r == "default"))
        .or(league.logos.first());
    Competition {
        provider_id: league.id.clone(),
        name: league.name.clone(),
        sport: Some(sport.label().to_string()),
        code: league.abbreviation.clone(),
        area: None,
        format: None,
        emblem_url: emblem.map(|l| l.href.clone()),
    }
}

/// A competitor's team; one without a name is left out (its event still
/// names it by id). Its venue only when the team object names it: a board
/// often gives only the venue's id, and naming it from whichever match the
/// board happens to hold would set it in one run and clear it in the next.
fn team(team: &wire::Team) -> Option<Team> {
    let venue = team.venue.as_ref().and_then(|v| v.full_name.clone());
    Some(Team {
        provider_id: team.id.clone(),
        name: team.display_name.clone()?,
        short_name: team.short_display_name.clone(),
        code: team.abbreviation.clone(),
        country: None,
        founded: None,
        venue,
        crest_url: team.logo.clone(),
    })
}

/// The event's id, for a reject whose JSON did not parse as an event.
fn raw_id(raw: &str) -> Option<String> {
    let value: Value = serde_json::from_str(raw).ok()?;
    match value.get("id")? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn event(
    e: &wire::Event,
    sport: Sport,
    competition: Option<&str>,
    board_season: Option<i32>,
) -> Result<Event, String> {
    let competition_of_event = e
        .competitions
        .first()
        .ok_or("event has no competition (no teams, scores or venue)")?;
    let state = e
        .status
        .as_ref()
        .or(competition_of_event.status.as_ref())
        .ok_or("event has no status")?;
    let status = status::status(&state.kind.name)?;
    let kickoff = e.date.as_deref().map(kickoff::to_utc).transpose()?;
    let side = |which: &str| -> Result<&wire::Competitor, String> {
        let mut found = competition_of_event
            .competitors
            .iter()
            .filter(|c| c.home_away == which);
        match (found.next(), found.next()) {
            (Some(c), None) => Ok(c),
            (None, _) => Err(format!("event has no {which} competitor")),
            (Some(_), Some(_)) => Err(format!("event has more than one {which} competitor")),
        }
    };
    let home = side("home")?;
    let away = side("away")?;
    let scores = scores(home, away, state, status, sport)?;
    let minute = match (sport, status) {
        (Sport::Soccer, EventStatus::Live) => {
            state.display_clock.as_deref().and_then(status::minute)
        }
        _ => None,
    };
    Ok(Event {
        provider_id: e.id.clone(),
        name: e.name.clone(),
        competition: competition.map(str::to_string),
        season: e
            .season
            .as_ref()
            .and_then(|s| s.year)
            .or(board_season)
            .map(|y| y.to_string()),
        stage: None,
        matchday: None,
        home_team: Some(home.team.id.clone()),
        away_team: Some(away.team.id.clone()),
        home_team_name: home.team.display_name.clone(),
        away_team_name: away.team.display_name.clone(),
        kickoff,
        status,
        minute,
        home_score: scores.regular.0,
        away_score: scores.regular.1,
        home_score_half_time: scores.half_time.0,
        away_score_half_time: scores.half_time.1,
        home_score_extra_time: scores.extra_time.0,
        away_score_extra_time: scores.extra_time.1,
        home_score_penalties: scores.penalties.0,
        away_score_penalties: scores.penalties.1,
        venue: competition_of_event
            .venue
            .as_ref()
            .and_then(|v| v.full_name.clone()),
        provider_updated_at: None,
    })
}

/// Home and away goals or points of one period; none when not known.
type Pair = (Option<u32>, Option<u32>);

/// An event's scores split by period, as the canonical event holds them.
#[derive(Debug, Default, PartialEq)]
struct Scores {
    regular: Pair,
    half_time: Pair,
    extra_time: Pair,
    penalties: Pair,
}

/// The scores of a match:
/// - none before kick-off, or for a postponed or cancelled match (ESPN
///   writes `"0"` for those);
/// - within regular time, `score` is the regular-time score;
/// - beyond it (a later period, or an extra-time or shoot-out status),
///   ESPN's `score` counts the extra-time goals: it is split by the
///   per-period `linescores` when they add up to it, and otherwise the
///   regular-time and extra-time scores are left empty rather than guessed;
/// - the half-time score is the first half's (soccer) or first two
///   quarters' (American football) linescores, once that half is over;
/// - `shootoutScore` is the shoot-out.
fn scores(
    home: &wire::Competitor,
    away: &wire::Competitor,
    state: &wire::Status,
    status: EventStatus,
    sport: Sport,
) -> Result<Scores, String> {
    let not_started = state.kind.state.as_deref() == Some("pre")
        || matches!(
            status,
            EventStatus::Scheduled | EventStatus::Postponed | EventStatus::Cancelled
        );
    if not_started {
        return Ok(Scores::default());
    }
    let total = (
        number(home.score.as_ref(), "home score")?,
        number(away.score.as_ref(), "away score")?,
    );
    let periods = (linescores(home)?, linescores(away)?);
    let regular_periods = sport.regular_periods();
    let half = regular_periods / 2;
    let period = state.period.unwrap_or(0) as usize;
    let beyond = status::beyond_regular_time(&state.kind.name) || period > regular_periods;

    let half_over =
        period > half || matches!(status, EventStatus::Halftime | EventStatus::Finished);
    let half_time = if half_over {
        (sum(&periods.0, 0, half), sum(&periods.1, 0, half))
    } else {
        (None, None)
    };

    let (regular, extra_time) = if !beyond {
        (total, (None, None))
    } else {
        let split = |total: Option<u32>,
                     periods: &Option<Vec<u32>>|
         -> (Option<u32>, Option<u32>) {
            let regular = sum(periods, 0, regular_periods);
            let extra = periods
                .as_ref()
                .and_then(|p| sum(periods, regular_periods, p.len().max(regular_periods)));
            match (total, regular, extra) {
                (Some(t), Some(r), Some(x)) if r.checked_add(x) == Some(t) => (Some(r), Some(x)),
                _ => (None, None),
            }
        };
        let home_split = split(total.0, &periods.0);
        let away_split = split(total.1, &periods.1);
        if home_split.0.is_some() && away_split.0.is_some() {
            ((home_split.0, away_split.0), (home_split.1, away_split.1))
        } else {
            ((None, None), (None, None))
        }
    };
    let penalties = match (
        number(home.shootout_score.as_ref(), "home shoot-out score")?,
        number(away.shootout_score.as_ref(), "away shoot-out score")?,
    ) {
        (Some(h), Some(a)) => (Some(h), Some(a)),
        _ => (None, None),
    };
    Ok(Scores {
        regular,
        half_time,
        extra_time,
        penalties,
    })
}

/// The sum of periods `from..to` (0-based), when all of them are there.
fn sum(periods: &Option<Vec<u32>>, from: usize, to: usize) -> Option<u32> {
    let periods = periods.as_ref()?;
    if periods.len() < to || from > to {
        return None;
    }
    periods[from..to]
        .iter()
        .try_fold(0u32, |acc, p| acc.checked_add(*p))
}

/// A competitor's points per period, when ESPN gives them.
fn linescores(c: &wire::Competitor) -> Result<Option<Vec<u32>>, String> {
    let Some(lines) = &c.linescores else {
        return Ok(None);
    };
    lines
        .iter()
        .map(|l| {
            number(l.value.as_ref(), "period score")?
                .ok_or_else(|| "period score is missing".to_string())
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A score as ESPN writes it: a string of digits (`"2"`) or a whole
/// number (`2`, `2.0`); null or absent is none, anything else refused.
fn number(value: Option<&Value>, what: &str) -> Result<Option<u32>, String> {
    let invalid = |v: &Value| format!("{what} `{v}` is not a whole number of goals or points");
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(v));
            }
            s.parse().map(Some).map_err(|_| invalid(v))
        }
        Some(v @ Value::Number(n)) => {
            if let Some(u) = n.as_u64() {
                return u32::try_from(u).map(Some).map_err(|_| invalid(v));
            }
            match n.as_f64() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => {
                    Ok(Some(f as u32))
                }
                _ => Err(invalid(v)),
            }
        }
        Some(v) => Err(invalid(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn competitor(score: &str, lines: &str, shootout: &str) -> wire::Competitor {
        serde_json::from_str(&format!(
            r#"{{"homeAway":"home","team":{{"id":"1"}},"score":{score},"linescores":{lines},"shootoutScore":{shootout}}}"#
        ))
        .expect("competitor JSON")
    }

    fn state(name: &str, state: &str, period: u32) -> wire::Status {
        serde_json::from_str(&format!(
            r#"{{"period":{period},"type":{{"name":"{name}","state":"{state}"}}}}"#
        ))
        .expect("status JSON")
    }

    fn of(
        home: &wire::Competitor,
        away: &wire::Competitor,
        name: &str,
        st: &str,
        period: u32,
        sport: Sport,
    ) -> Result<Scores, String> {
        let s = state(name, st, period);
        scores(home, away, &s, status::status(name)?, sport)
    }

    #[test]
    fn no_scores_before_kickoff_even_though_espn_writes_zero() {
        let zero = competitor(r#""0""#, "null", "null");
        let s = of(&zero, &zero, "STATUS_SCHEDULED", "pre", 0, Sport::Soccer).expect("valid");
        assert_eq!(s, Scores::default());
        let s = of(&zero, &zero, "STATUS_POSTPONED", "post", 0, Sport::Soccer).expect("valid");
        assert_eq!(s, Scores::default());
    }

    #[test]
    fn nfl_regular_time_and_half_time_from_quarters() {
        let home = competitor(
            r#""26""#,
            r#"[{"value":3},{"value":13},{"value":7},{"value":3}]"#,
            "null",
        );
        let away = competitor(
            r#""24""#,
            r#"[{"value":7},{"value":0},{"value":3},{"value":14}]"#,
            "null",
        );
        let s = of(&home, &away, "STATUS_IN_PROGRESS", "in", 4, Sport::Football).expect("valid");
        assert_eq!(s.regular, (Some(26), Some(24)));
        assert_eq!(s.half_time, (Some(16), Some(7)));
        assert_eq!(s.extra_time, (None, None));
    }

    #[test]
    fn overtime_is_split_off_by_the_linescores() {
        let home = competitor(
            r#""23""#,
            r#"[{"value":7},{"value":3},{"value":7},{"value":3},{"value":3}]"#,
            "null",
        );
        let away = competitor(
            r#""20""#,
            r#"[{"value":0},{"value":10},{"value":0},{"value":10},{"value":0}]"#,
            "null",
        );
        let s = of(&home, &away, "STATUS_FINAL", "post", 5, Sport::Football).expect("valid");
        assert_eq!(s.regular, (Some(20), Some(20)));
        assert_eq!(s.extra_time, (Some(3), Some(0)));
    }

    #[test]
    fn extra_time_without_linescores_is_left_empty_and_penalties_kept() {
        let home = competitor(r#""1""#, "null", "4");
        let away = competitor(r#""1""#, "null", "\"2\"");
        let s = of(&home, &away, "STATUS_FINAL_PEN", "post", 4, Sport::Soccer).expect("valid");
        assert_eq!(s.regular, (None, None));
        assert_eq!(s.extra_time, (None, None));
        assert_eq!(s.penalties, (Some(4), Some(2)));
    }

    #[test]
    fn soccer_full_time_keeps_the_score() {
        let home = competitor(r#""2""#, "null", "null");
        let away = competitor(r#""0""#, "null", "null");
        let s = of(&home, &away, "STATUS_FULL_TIME", "post", 2, Sport::Soccer).expect("valid");
        assert_eq!(s.regular, (Some(2), Some(0)));
        assert_eq!(s.half_time, (None, None));
    }

    #[test]
    fn scores_that_are_not_numbers_are_refused() {
        let home = competitor(r#""two""#, "null", "null");
        let away = competitor(r#""0""#, "null", "null");
        assert_eq!(
            of(&home, &away, "STATUS_FULL_TIME", "post", 2, Sport::Soccer),
            Err("home score `\"two\"` is not a whole number of goals or points".to_string())
        );
        assert_eq!(
            number(Some(&serde_json::json!(-1)), "x").err().as_deref(),
            Some("x `-1` is not a whole number of goals or points")
        );
        assert_eq!(number(Some(&serde_json::json!(7.0)), "x"), Ok(Some(7)));
        assert!(number(Some(&serde_json::json!(7.5)), "x").is_err());
    }
}
