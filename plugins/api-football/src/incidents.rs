//! A fixture's `events` as incidents: goals, cards, substitutions, VAR
//! decisions and the kicks of a penalty shoot-out.
//!
//! API-Football marks a shoot-out kick with `comments: "Penalty Shootout"`
//! (type `Goal`, detail `Penalty` or `Missed Penalty`), `time.elapsed` 120
//! and the kick's number in `time.extra`, and lists the kicks out of order.
//! For a substitution `player` is the one going off and `assist` the one
//! coming on: in the recorded CL ties the players under `assist` are booked,
//! score and take kicks after they came on.

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Incident, IncidentKind};

use crate::wire::{IdName, MatchEvent};

/// The comment API-Football puts on every kick of a penalty shoot-out.
const SHOOTOUT: &str = "Penalty Shootout";

/// The incidents of fixture `fixture` from its `events`, in the order they
/// happened: the events of play as listed, then the shoot-out kicks by
/// their number. An item that cannot be read fails the whole list: loaded
/// with a gap, the list would make the host remove the missing incident.
pub fn incidents(fixture: u64, events: &RawValue) -> Result<Vec<Incident>, String> {
    let items: Vec<MatchEvent> = serde_json::from_str(events.get())
        .map_err(|e| format!("`events` is not a list of match events: {e}"))?;
    let (mut kicks, play): (Vec<MatchEvent>, Vec<MatchEvent>) =
        items.into_iter().partition(is_kick);
    kicks.sort_by_key(|kick| kick.time.extra);
    let event = fixture.to_string();
    Ok(play
        .iter()
        .map(|e| of_play(&event, e))
        .chain(kicks.iter().map(|k| kick(&event, k)))
        .collect())
}

fn is_kick(e: &MatchEvent) -> bool {
    e.comments
        .as_deref()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case(SHOOTOUT))
}

/// What an event of play is, from its `type` and `detail`; one this plugin
/// does not know is `other`, its words kept in `detail`.
fn kind(e: &MatchEvent) -> IncidentKind {
    use IncidentKind as K;
    let detail = e.detail.as_deref().unwrap_or_default().to_ascii_lowercase();
    match (e.kind.to_ascii_lowercase().as_str(), detail.as_str()) {
        ("goal", "normal goal") => K::Goal,
        ("goal", "own goal") => K::OwnGoal,
        ("goal", "penalty") => K::PenaltyGoal,
        ("goal", "missed penalty") => K::MissedPenalty,
        ("card", "yellow card") => K::YellowCard,
        // API-Football writes `Second Yellow card`.
        ("card", "second yellow card") => K::SecondYellowCard,
        ("card", "red card") => K::RedCard,
        ("subst", _) => K::Substitution,
        ("var", _) => K::VarDecision,
        _ => K::Other,
    }
}

fn of_play(event: &str, e: &MatchEvent) -> Incident {
    let kind = kind(e);
    let (player, related) = if kind == IncidentKind::Substitution {
        (name(e.assist.as_ref()), name(e.player.as_ref()))
    } else {
        // A missed penalty names the taker under `assist` too: no one
        // assisted him.
        let player = name(e.player.as_ref());
        let assist = name(e.assist.as_ref()).filter(|a| Some(a) != player.as_ref());
        (player, assist)
    };
    Incident {
        event: event.to_string(),
        kind,
        minute: e.time.elapsed,
        extra_minute: e.time.extra,
        team: team(e),
        player,
        related_player: related,
        detail: detail(e),
    }
}

/// A shoot-out kick: no minute of play (`elapsed` 120 and the kick's
/// number in `extra` are not one), its order in the list instead.
fn kick(event: &str, e: &MatchEvent) -> Incident {
    let words = e.detail.as_deref().unwrap_or_default().to_ascii_lowercase();
    let kind = match words.as_str() {
        "penalty" => IncidentKind::ShootoutGoal,
        "missed penalty" => IncidentKind::ShootoutMiss,
        _ => IncidentKind::Other,
    };
    Incident {
        event: event.to_string(),
        kind,
        minute: None,
        extra_minute: None,
        team: team(e),
        player: name(e.player.as_ref()),
        related_player: None,
        detail: detail(e),
    }
}

fn team(e: &MatchEvent) -> Option<String> {
    e.team.as_ref().and_then(|t| t.id).map(|id| id.to_string())
}

fn name(who: Option<&IdName>) -> Option<String> {
    who.and_then(|w| w.name.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// `detail`, with `comments` after it in brackets when there are some
/// (`Yellow Card (Foul)`).
fn detail(e: &MatchEvent) -> Option<String> {
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    match (text(&e.detail), text(&e.comments)) {
        (Some(d), Some(c)) => Some(format!("{d} ({c})")),
        (d, c) => d.or(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Vec<Incident>, String> {
        let raw: Box<RawValue> = serde_json::from_str(json).expect("raw JSON");
        incidents(7, &raw)
    }

    fn one(json: &str) -> Incident {
        let list = read(&format!("[{json}]")).expect("incidents");
        assert_eq!(list.len(), 1);
        list.into_iter().next().expect("one incident")
    }

    const ATLETICO: &str = r#"{"id":530,"name":"Atletico Madrid"}"#;
    const INTER: &str = r#"{"id":505,"name":"Inter"}"#;

    #[test]
    fn a_goal_names_its_scorer_and_assist() {
        let goal = one(&format!(
            r#"{{"time":{{"elapsed":33,"extra":null}},"team":{INTER},"player":{{"id":31010,"name":"F. Dimarco"}},"assist":{{"id":30558,"name":"N. Barella"}},"type":"Goal","detail":"Normal Goal","comments":null}}"#
        ));
        assert_eq!(
            goal,
            Incident {
                event: "7".to_string(),
                kind: IncidentKind::Goal,
                minute: Some(33),
                extra_minute: None,
                team: Some("505".to_string()),
                player: Some("F. Dimarco".to_string()),
                related_player: Some("N. Barella".to_string()),
                detail: Some("Normal Goal".to_string()),
            }
        );
    }

    #[test]
    fn a_substitution_has_the_player_coming_on_first() {
        // Samuel Lino off, Rodrigo Riquelme on: Riquelme scores a kick of
        // the shoot-out later.
        let sub = one(&format!(
            r#"{{"time":{{"elapsed":71,"extra":null}},"team":{ATLETICO},"player":{{"id":126936,"name":"Samuel Lino"}},"assist":{{"id":136117,"name":"Rodrigo Riquelme"}},"type":"subst","detail":"Substitution 1","comments":null}}"#
        ));
        assert_eq!(sub.kind, IncidentKind::Substitution);
        assert_eq!(sub.player.as_deref(), Some("Rodrigo Riquelme"));
        assert_eq!(sub.related_player.as_deref(), Some("Samuel Lino"));
    }

    #[test]
    fn a_card_keeps_its_stoppage_time_and_reason() {
        let card = one(&format!(
            r#"{{"time":{{"elapsed":105,"extra":2}},"team":{INTER},"player":{{"id":1836,"name":"Francesco Acerbi"}},"assist":{{"id":null,"name":null}},"type":"Card","detail":"Yellow Card","comments":"Foul"}}"#
        ));
        assert_eq!(card.kind, IncidentKind::YellowCard);
        assert_eq!((card.minute, card.extra_minute), (Some(105), Some(2)));
        assert_eq!(card.related_player, None);
        assert_eq!(card.detail.as_deref(), Some("Yellow Card (Foul)"));
    }

    #[test]
    fn every_known_type_and_detail_maps_and_an_unknown_one_is_other() {
        let of = |kind: &str, detail: &str| {
            one(&format!(
                r#"{{"time":{{"elapsed":10,"extra":null}},"team":{INTER},"player":{{"id":1,"name":"P"}},"assist":{{"id":null,"name":null}},"type":"{kind}","detail":"{detail}","comments":null}}"#
            ))
            .kind
        };
        use IncidentKind as K;
        assert_eq!(of("Goal", "Own Goal"), K::OwnGoal);
        assert_eq!(of("Goal", "Penalty"), K::PenaltyGoal);
        assert_eq!(of("Goal", "Missed Penalty"), K::MissedPenalty);
        assert_eq!(of("Card", "Red Card"), K::RedCard);
        assert_eq!(of("Card", "Second Yellow card"), K::SecondYellowCard);
        assert_eq!(of("Var", "Goal Disallowed - offside"), K::VarDecision);
        assert_eq!(of("Goal", "Header"), K::Other);
        assert_eq!(of("Injury", "Knee"), K::Other);
    }

    #[test]
    fn a_missed_penalty_does_not_name_its_taker_as_the_assist() {
        // As on the live board: the taker under `player` and `assist`.
        let missed = one(&format!(
            r#"{{"time":{{"elapsed":18,"extra":null}},"team":{INTER},"player":{{"id":37962,"name":"M. Afaker"}},"assist":{{"id":37962,"name":"M. Afaker"}},"type":"Goal","detail":"Missed Penalty","comments":null}}"#
        ));
        assert_eq!(missed.kind, IncidentKind::MissedPenalty);
        assert_eq!(missed.related_player, None);
    }

    #[test]
    fn a_goal_without_a_known_scorer_is_still_a_goal() {
        let goal = one(
            r#"{"time":{"elapsed":4,"extra":null},"team":{"id":14550,"name":"Hadamar"},"player":{"id":null,"name":null},"assist":{"id":null,"name":null},"type":"Goal","detail":"Normal Goal","comments":null}"#,
        );
        assert_eq!((goal.kind, goal.player), (IncidentKind::Goal, None));
    }

    #[test]
    fn shoot_out_kicks_come_last_in_the_order_they_were_taken_without_a_minute() {
        let kick = |n: u32, name: &str, detail: &str| {
            format!(
                r#"{{"time":{{"elapsed":120,"extra":{n}}},"team":{INTER},"player":{{"id":{n},"name":"{name}"}},"assist":{{"id":null,"name":null}},"type":"Goal","detail":"{detail}","comments":"Penalty Shootout"}}"#
            )
        };
        let late_card = format!(
            r#"{{"time":{{"elapsed":118,"extra":null}},"team":{ATLETICO},"player":{{"id":9,"name":"Yann Bisseck"}},"assist":{{"id":null,"name":null}},"type":"Card","detail":"Yellow Card","comments":"Foul"}}"#
        );
        let list = read(&format!(
            "[{},{},{late_card},{}]",
            kick(3, "A. Sánchez", "Missed Penalty"),
            kick(1, "H. Çalhanoğlu", "Penalty"),
            kick(2, "M. Depay", "Penalty"),
        ))
        .expect("incidents");
        let summary: Vec<(IncidentKind, Option<&str>, Option<u32>)> = list
            .iter()
            .map(|i| (i.kind, i.player.as_deref(), i.minute))
            .collect();
        assert_eq!(
            summary,
            [
                (IncidentKind::YellowCard, Some("Yann Bisseck"), Some(118)),
                (IncidentKind::ShootoutGoal, Some("H. Çalhanoğlu"), None),
                (IncidentKind::ShootoutGoal, Some("M. Depay"), None),
                (IncidentKind::ShootoutMiss, Some("A. Sánchez"), None),
            ]
        );
        // The kick's number in `time.extra` is no stoppage time.
        assert!(list[1..].iter().all(|i| i.extra_minute.is_none()));
        assert_eq!(
            list[3].detail.as_deref(),
            Some("Missed Penalty (Penalty Shootout)")
        );
    }

    #[test]
    fn an_empty_list_is_no_incidents_and_an_unreadable_item_fails_the_list() {
        assert_eq!(read("[]"), Ok(Vec::new()));
        let err = read(r#"[{"time":{"elapsed":"ten"},"type":"Goal"}]"#).err();
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with("`events` is not a list of match events")),
            "{err:?}"
        );
    }
}
