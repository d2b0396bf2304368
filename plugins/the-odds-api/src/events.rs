//! The `scores` and `events` streams: games as canonical events.
//!
//! The Odds API has no team ids: teams are named only, and the events carry
//! the names alone. Events of an outright market (a golf tournament) have
//! no teams and are named after the market instead.

use crate::{body, scores, wire};
use sluice_plugin_sdk::{Batch, Event, EventStatus, PluginError, Record, Reject};

/// Which endpoint a body came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    /// `/scores`: games with their status and scores.
    Scores,
    /// `/events`: upcoming and in-play games without a status, recorded as
    /// scheduled; the `scores` stream is the one that moves them on.
    Events,
}

/// One event per game; a game that cannot be read is rejected alone.
pub fn normalize(body: &[u8], feed: Feed) -> Result<Batch, PluginError> {
    let items = body::list(body)?;
    let mut batch = Batch::of(Vec::with_capacity(items.len()));
    for raw in items {
        let event = serde_json::from_str::<wire::Game>(raw.get())
            .map_err(|e| format!("game is not of the expected shape: {e}"))
            .and_then(|game| event(game, feed));
        match event {
            Ok(event) => batch.records.push(Record::Event(event)),
            Err(reason) => batch.rejects.push(Reject {
                provider_id: body::item_id(raw),
                reason,
                raw: raw.get().to_string(),
            }),
        }
    }
    Ok(batch)
}

fn event(game: wire::Game, feed: Feed) -> Result<Event, String> {
    let id = game.id.ok_or("game has no `id`")?;
    let home = game.home_team.as_deref();
    let away = game.away_team.as_deref();
    let (status, (home_score, away_score), provider_updated_at) = match feed {
        Feed::Events => (EventStatus::Scheduled, (None, None), None),
        Feed::Scores => (
            scores::status(game.completed, game.scores.as_deref()),
            match &game.scores {
                Some(list) => scores::home_and_away(home, away, list)?,
                None => (None, None),
            },
            game.last_update
                .as_ref()
                .map(|t| t.to_rfc3339().map_err(|e| format!("`last_update`: {e}")))
                .transpose()?,
        ),
    };
    let kickoff = game
        .commence_time
        .as_ref()
        .map(|t| t.to_rfc3339().map_err(|e| format!("`commence_time`: {e}")))
        .transpose()?;
    let name = if home.is_none() && away.is_none() {
        game.sport_title.map(Into::into)
    } else {
        None
    };
    Ok(Event {
        provider_id: id.into(),
        name,
        competition: game.sport_key.map(Into::into),
        season: None,
        stage: None,
        matchday: None,
        home_team: None,
        away_team: None,
        home_team_name: game.home_team.map(Into::into),
        away_team_name: game.away_team.map(Into::into),
        kickoff,
        status,
        minute: None,
        home_score,
        away_score,
        home_score_half_time: None,
        away_score_half_time: None,
        home_score_extra_time: None,
        away_score_extra_time: None,
        home_score_penalties: None,
        away_score_penalties: None,
        venue: None,
        provider_updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(body: &str, feed: Feed) -> Batch {
        normalize(body.as_bytes(), feed).expect("a list")
    }

    fn only_event(batch: &Batch) -> &Event {
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        match batch.records.as_slice() {
            [Record::Event(e)] => e,
            other => panic!("expected one event, got {other:?}"),
        }
    }

    #[test]
    fn a_completed_game_with_unix_dates_is_finished_with_scores_by_name() {
        let batch = events(
            r#"[{"id":"ac99","sport_key":"americanfootball_nfl","sport_title":"NFL","commence_time":1731633300,"completed":true,
                "home_team":"Philadelphia Eagles","away_team":"Washington Commanders",
                "scores":[{"name":"Washington Commanders","score":"18"},{"name":"Philadelphia Eagles","score":"26"}],
                "last_update":1731663957}]"#,
            Feed::Scores,
        );
        let e = only_event(&batch);
        assert_eq!(e.provider_id, "ac99");
        assert_eq!(e.competition.as_deref(), Some("americanfootball_nfl"));
        assert_eq!(e.status, EventStatus::Finished);
        assert_eq!((e.home_score, e.away_score), (Some(26), Some(18)));
        assert_eq!(e.home_team_name.as_deref(), Some("Philadelphia Eagles"));
        assert_eq!((e.home_team.as_deref(), e.name.as_deref()), (None, None));
        assert_eq!(e.kickoff.as_deref(), Some("2024-11-15T01:15:00Z"));
        assert_eq!(
            e.provider_updated_at.as_deref(),
            Some("2024-11-15T09:45:57Z")
        );
    }

    #[test]
    fn an_upcoming_game_is_scheduled_without_scores() {
        let batch = events(
            r#"[{"id":"u1","sport_key":"basketball_nba","commence_time":"2022-02-08T00:10:00+01:00","completed":false,
                "home_team":"A","away_team":"B","scores":null,"last_update":null}]"#,
            Feed::Scores,
        );
        let e = only_event(&batch);
        assert_eq!(e.status, EventStatus::Scheduled);
        assert_eq!((e.home_score, e.away_score), (None, None));
        assert_eq!(e.kickoff.as_deref(), Some("2022-02-07T23:10:00Z"));
    }

    #[test]
    fn an_outright_without_teams_is_named_after_its_market() {
        let batch = events(
            r#"[{"id":"g1","sport_key":"golf_masters_tournament_winner","sport_title":"Masters Tournament Winner",
                "commence_time":"2022-04-10T14:54:00Z","home_team":null,"away_team":null}]"#,
            Feed::Events,
        );
        let e = only_event(&batch);
        assert_eq!(e.name.as_deref(), Some("Masters Tournament Winner"));
        assert_eq!(e.status, EventStatus::Scheduled);
    }

    #[test]
    fn a_game_that_cannot_be_read_is_rejected_alone() {
        let batch = events(
            r#"[{"id":"bad","home_team":"A","away_team":"B","completed":true,"scores":[{"name":"A","score":"x"}]},
                {"sport_key":"nba","home_team":"A","away_team":"B"},
                {"id":"when","commence_time":"soon"},
                {"id":"ok","home_team":"A","away_team":"B"}]"#,
            Feed::Scores,
        );
        assert_eq!(batch.records.len(), 1);
        let rejects: Vec<(Option<&str>, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.provider_id.as_deref(), r.reason.as_str()))
            .collect();
        assert_eq!(
            rejects[0],
            (Some("bad"), "the score of `A` is `x`, not a whole number")
        );
        assert_eq!(rejects[1], (None, "game has no `id`"));
        assert_eq!(rejects[2].0, Some("when"));
        assert!(
            rejects[2]
                .1
                .starts_with("`commence_time`: `soon` is not an RFC 3339 timestamp"),
            "{}",
            rejects[2].1
        );
    }
}
