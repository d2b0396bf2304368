//! What `sluice live` prints: the table of matches in play, grouped by
//! competition, and one line per event as it arrives.

use std::collections::HashMap;
use std::fmt::Write;

use crate::state::live_views::{LiveBoard, LiveMatch, ToldEvent, ToldMoment};

/// What an event line needs to know of its match: the teams' names.
#[derive(Debug, Clone, Default)]
pub struct Teams {
    /// Home team.
    pub home: String,
    /// Away team.
    pub away: String,
}

impl Teams {
    /// The names a match of the board shows, its provider's id of the
    /// match standing in for a team nobody named.
    pub fn of(m: &LiveMatch) -> Teams {
        let fallback = |side: &str| format!("{} ({side})", m.event);
        Teams {
            home: m.home.clone().unwrap_or_else(|| fallback("home")),
            away: m.away.clone().unwrap_or_else(|| fallback("away")),
        }
    }

    /// The name of `side` (`home`, `away`, or a team id shown as given).
    fn side(&self, side: &str) -> String {
        match side {
            "home" => self.home.clone(),
            "away" => self.away.clone(),
            other => other.to_string(),
        }
    }
}

/// The board's teams by match key.
pub fn teams_by_match(board: &LiveBoard) -> HashMap<String, Teams> {
    board
        .matches
        .iter()
        .map(|m| (m.match_key.clone(), Teams::of(m)))
        .collect()
}

/// A competition's heading: its area and name, else its key.
fn competition(m: &LiveMatch) -> String {
    match (&m.area, &m.competition_name, &m.competition) {
        (Some(area), Some(name), _) => format!("{area} · {name}"),
        (None, Some(name), _) => name.clone(),
        (_, None, Some(key)) => key.clone(),
        (_, None, None) => "(no competition)".to_string(),
    }
}

/// Where the match stands: `67'` while live, `HT`, `FT`, else its status.
pub fn clock(status: &str, minute: Option<i64>) -> String {
    match (status, minute) {
        ("live", Some(minute)) => format!("{minute}'"),
        ("halftime", _) => "HT".to_string(),
        ("finished", _) => "FT".to_string(),
        (status, _) => status.to_string(),
    }
}

/// The table of `matches`, grouped by competition in the order given.
pub fn table(matches: &[&LiveMatch]) -> String {
    let mut out = String::new();
    if matches.is_empty() {
        out.push_str("no match in play\n");
        return out;
    }
    let teams: Vec<Teams> = matches.iter().map(|m| Teams::of(m)).collect();
    let width = teams
        .iter()
        .map(|t| t.home.chars().count())
        .max()
        .unwrap_or(0);
    let mut heading = None;
    for (m, teams) in matches.iter().zip(&teams) {
        let this = competition(m);
        if heading.as_ref() != Some(&this) {
            let _ = writeln!(out, "{this}");
            heading = Some(this);
        }
        let _ = writeln!(
            out,
            "  {:>5}  {:>width$} {}-{} {}",
            clock(&m.status, m.minute),
            teams.home,
            m.home_score,
            m.away_score,
            teams.away,
        );
    }
    let in_play = matches
        .iter()
        .filter(|m| m.status == "live" || m.status == "halftime")
        .count();
    let _ = writeln!(
        out,
        "{in_play} {} in play",
        if in_play == 1 { "match" } else { "matches" }
    );
    out
}

/// A moment's minute: `67'`, `90+3'`.
fn moment_minute(moment: &ToldMoment) -> Option<String> {
    let minute = moment.minute?;
    Some(match moment.extra_minute {
        Some(extra) if extra > 0 => format!("{minute}+{extra}'"),
        _ => format!("{minute}'"),
    })
}

/// What happened, in capitals: `GOAL`, `OWN GOAL`, `RED CARD`, `HALF-TIME`…
fn headline(told: &ToldEvent) -> String {
    let detail = told.moment.as_ref().and_then(|m| m.kind.as_deref());
    let what = match (told.kind.as_str(), detail) {
        ("goal", Some("own_goal")) => "OWN GOAL",
        ("goal", Some("penalty_goal")) => "PENALTY GOAL",
        ("goal", _) => "GOAL",
        ("goal_updated", _) => "GOAL UPDATED",
        ("goal_cancelled", _) => "GOAL CANCELLED",
        ("card", Some("red_card")) => "RED CARD",
        ("card", Some("second_yellow_card")) => "SECOND YELLOW",
        ("card", _) => "YELLOW CARD",
        ("card_updated", _) => "CARD UPDATED",
        ("card_cancelled", _) => "CARD CANCELLED",
        ("status_changed", _) => match told.status.as_deref() {
            Some("live") => "IN PLAY",
            Some("halftime") => "HALF-TIME",
            Some("finished") => "FULL TIME",
            Some(other) => return other.to_uppercase(),
            None => "STATUS",
        },
        (other, _) => return other.to_uppercase(),
    };
    what.to_string()
}

/// One event as a line: `12:03:04  67'  Arsenal 2-1 Chelsea  GOAL  Saka
/// (Arsenal)`. `at` is the time it arrived (`HH:MM:SS`).
pub fn event_line(at: &str, told: &ToldEvent, teams: &Teams) -> String {
    let status = told.status.as_deref().unwrap_or("live");
    let minute = told
        .moment
        .as_ref()
        .and_then(moment_minute)
        .unwrap_or_else(|| clock(status, told.minute));
    let mut line = format!(
        "{at}  {minute:>6}  {} {}-{} {}  {}",
        teams.home,
        told.home_score.unwrap_or(0),
        told.away_score.unwrap_or(0),
        teams.away,
        headline(told),
    );
    if let Some(moment) = &told.moment {
        let team = moment.team.as_deref().map(|side| teams.side(side));
        match (&moment.player, team) {
            (Some(player), Some(team)) => {
                let _ = write!(line, "  {player} ({team})");
            }
            (Some(player), None) => {
                let _ = write!(line, "  {player}");
            }
            (None, Some(team)) => {
                let _ = write!(line, "  ({team})");
            }
            (None, None) => {}
        }
    }
    if let (Some(before), Some(now)) = (&told.previous, &told.moment) {
        let (was, is) = (moment_minute(before), moment_minute(now));
        if was != is
            && let Some(was) = was
        {
            let _ = write!(line, ", was {was}");
        }
        if before.player != now.player
            && let Some(player) = &before.player
        {
            let _ = write!(line, ", was {player}");
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arsenal_chelsea() -> LiveMatch {
        LiveMatch {
            match_key: "event:api-football:1".to_string(),
            provider: "api-football".to_string(),
            event: "1".to_string(),
            competition: Some("competition:api-football:39".to_string()),
            competition_name: Some("Premier League".to_string()),
            area: Some("England".to_string()),
            home: Some("Arsenal".to_string()),
            away: Some("Chelsea".to_string()),
            status: "live".to_string(),
            minute: Some(67),
            home_score: 2,
            away_score: 1,
            changed_at: String::new(),
            recent: Vec::new(),
        }
    }

    #[test]
    fn the_table_groups_by_competition_and_aligns_the_scores() {
        let a = arsenal_chelsea();
        let b = LiveMatch {
            match_key: "event:api-football:2".to_string(),
            home: Some("Man Utd".to_string()),
            away: None,
            status: "halftime".to_string(),
            home_score: 0,
            away_score: 0,
            ..arsenal_chelsea()
        };
        assert_eq!(
            table(&[&a, &b]),
            "England · Premier League\n\
             \x20   67'  Arsenal 2-1 Chelsea\n\
             \x20    HT  Man Utd 0-0 1 (away)\n\
             2 matches in play\n"
        );
        assert_eq!(table(&[]), "no match in play\n");
    }

    #[test]
    fn an_event_line_names_the_scorer_and_the_team() {
        let teams = Teams::of(&arsenal_chelsea());
        let goal = ToldEvent {
            kind: "goal".to_string(),
            moment: Some(ToldMoment {
                kind: Some("goal".to_string()),
                team: Some("home".to_string()),
                player: Some("Saka".to_string()),
                minute: Some(67),
                extra_minute: None,
            }),
            status: Some("live".to_string()),
            minute: Some(67),
            home_score: Some(2),
            away_score: Some(1),
            ..ToldEvent::default()
        };
        assert_eq!(
            event_line("12:03:04", &goal, &teams),
            "12:03:04     67'  Arsenal 2-1 Chelsea  GOAL  Saka (Arsenal)"
        );
        let retimed = ToldEvent {
            kind: "goal_updated".to_string(),
            previous: Some(ToldMoment {
                minute: Some(66),
                ..goal.moment.clone().unwrap_or_default()
            }),
            ..goal.clone()
        };
        assert!(
            event_line("12:03:04", &retimed, &teams)
                .ends_with("GOAL UPDATED  Saka (Arsenal), was 66'")
        );
        let half_time = ToldEvent {
            kind: "status_changed".to_string(),
            moment: None,
            status: Some("halftime".to_string()),
            ..goal
        };
        assert_eq!(
            event_line("12:03:04", &half_time, &teams),
            "12:03:04      HT  Arsenal 2-1 Chelsea  HALF-TIME"
        );
    }
}
