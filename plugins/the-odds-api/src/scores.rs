//! What `/scores` says about a game: where it stands and who scored what.

use crate::wire::TeamScore;
use sluice_plugin_sdk::EventStatus;

/// The Odds API has no status field: a game is finished once `completed`,
/// live while it has scores, and scheduled before that.
pub fn status(completed: Option<bool>, scores: Option<&[TeamScore]>) -> EventStatus {
    match (completed, scores) {
        (Some(true), _) => EventStatus::Finished,
        (_, Some(_)) => EventStatus::Live,
        (_, None) => EventStatus::Scheduled,
    }
}

/// The home and away scores, matched by team name: the list is in no fixed
/// order (the away team often comes first).
pub fn home_and_away(
    home: Option<&str>,
    away: Option<&str>,
    scores: &[TeamScore],
) -> Result<(Option<u32>, Option<u32>), String> {
    let (mut home_score, mut away_score) = (None, None);
    for entry in scores {
        let name = entry.name.as_ref();
        let slot = if Some(name) == home {
            &mut home_score
        } else if Some(name) == away {
            &mut away_score
        } else {
            return Err(format!(
                "a score is given for `{name}`, who is neither the home team ({}) nor the away team ({})",
                describe(home),
                describe(away)
            ));
        };
        if slot.is_some() {
            return Err(format!("`{name}` has two scores"));
        }
        *slot = Some(points(name, entry.score.as_deref())?);
    }
    Ok((home_score, away_score))
}

fn points(team: &str, score: Option<&str>) -> Result<u32, String> {
    let Some(text) = score else {
        return Err(format!("the score of `{team}` is null"));
    };
    text.trim()
        .parse()
        .map_err(|_| format!("the score of `{team}` is `{text}`, not a whole number"))
}

fn describe(team: Option<&str>) -> String {
    team.map_or_else(|| "none".to_string(), |t| format!("`{t}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Text;
    use std::borrow::Cow;

    fn score<'a>(name: &'a str, score: Option<&'a str>) -> TeamScore<'a> {
        TeamScore {
            name: Text(Cow::Borrowed(name)),
            score: score.map(|s| Text(Cow::Borrowed(s))),
        }
    }

    #[test]
    fn completed_is_finished_scores_without_it_live_none_scheduled() {
        let some = [score("A", Some("1"))];
        assert_eq!(status(Some(true), Some(&some)), EventStatus::Finished);
        assert_eq!(status(Some(true), None), EventStatus::Finished);
        assert_eq!(status(Some(false), Some(&some)), EventStatus::Live);
        assert_eq!(status(Some(false), None), EventStatus::Scheduled);
        assert_eq!(status(None, None), EventStatus::Scheduled);
    }

    #[test]
    fn scores_are_matched_by_name_not_position() {
        let scores = [
            score("Washington Commanders", Some("18")),
            score("Philadelphia Eagles", Some("26")),
        ];
        assert_eq!(
            home_and_away(
                Some("Philadelphia Eagles"),
                Some("Washington Commanders"),
                &scores
            ),
            Ok((Some(26), Some(18)))
        );
    }

    #[test]
    fn a_stranger_or_a_bad_score_is_refused() {
        let home = Some("Sacramento Kings");
        let away = Some("Oklahoma City Thunder");
        assert_eq!(
            home_and_away(home, away, &[score("OKC Thunder", Some("103"))]),
            Err("a score is given for `OKC Thunder`, who is neither the home team (`Sacramento Kings`) nor the away team (`Oklahoma City Thunder`)".to_string())
        );
        assert_eq!(
            home_and_away(home, away, &[score("Sacramento Kings", Some("11a"))]),
            Err("the score of `Sacramento Kings` is `11a`, not a whole number".to_string())
        );
        assert_eq!(
            home_and_away(home, away, &[score("Sacramento Kings", Some("-3"))]),
            Err("the score of `Sacramento Kings` is `-3`, not a whole number".to_string())
        );
        assert_eq!(
            home_and_away(home, away, &[score("Sacramento Kings", None)]),
            Err("the score of `Sacramento Kings` is null".to_string())
        );
        assert_eq!(
            home_and_away(
                home,
                away,
                &[
                    score("Sacramento Kings", Some("1")),
                    score("Sacramento Kings", Some("2"))
                ]
            ),
            Err("`Sacramento Kings` has two scores".to_string())
        );
    }
}
