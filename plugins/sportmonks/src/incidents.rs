//! A fixture's `events` include as incidents: goals, cards, substitutions,
//! VAR decisions and the kicks of a penalty shoot-out.
//!
//! Sportmonks' event types (its documentation's ids, borne out by the
//! recordings' `events.type` names): 10 `VAR`, 14 `GOAL`, 15 `OWNGOAL`,
//! 16 `PENALTY`, 17 `MISSED_PENALTY`, 18 `SUBSTITUTION`, 19 `YELLOWCARD`,
//! 20 `REDCARD`, 21 `YELLOWREDCARD`, 22 `PENALTY_SHOOTOUT_MISS`, 23
//! `PENALTY_SHOOTOUT_GOAL`. The list comes in no particular order (grouped
//! by type in the recordings), a shoot-out kick has its number in the
//! shoot-out as `minute`, and a substitution names the player coming on as
//! `player_name` and the one going off as `related_player_name`.

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Incident, IncidentKind};

use crate::wire::EventItem;

/// What each known type id is, and the name `events.type` gives it.
const TYPES: &[(u32, &str, IncidentKind)] = &[
    (10, "VAR", IncidentKind::VarDecision),
    (14, "GOAL", IncidentKind::Goal),
    (15, "OWNGOAL", IncidentKind::OwnGoal),
    (16, "PENALTY", IncidentKind::PenaltyGoal),
    (17, "MISSED_PENALTY", IncidentKind::MissedPenalty),
    (18, "SUBSTITUTION", IncidentKind::Substitution),
    (19, "YELLOWCARD", IncidentKind::YellowCard),
    (20, "REDCARD", IncidentKind::RedCard),
    (21, "YELLOWREDCARD", IncidentKind::SecondYellowCard),
    (22, "PENALTY_SHOOTOUT_MISS", IncidentKind::ShootoutMiss),
    (23, "PENALTY_SHOOTOUT_GOAL", IncidentKind::ShootoutGoal),
];

/// The incidents of fixture `fixture` from its `events`, in the order they
/// happened: by minute and stoppage time (then id), the shoot-out's kicks
/// last by their number. Rescinded events (a goal the VAR cancelled) are
/// left out. An item that cannot be read, or whose type is named otherwise
/// than its id says, fails the whole list: loaded with a gap, the list
/// would make the host remove the missing incident.
pub fn incidents(fixture: u64, events: &RawValue) -> Result<Vec<Incident>, String> {
    let mut items: Vec<EventItem> = serde_json::from_str(events.get())
        .map_err(|e| format!("`events` is not a list of fixture events: {e}"))?;
    items.retain(|e| e.rescinded != Some(true));
    let mut read = items
        .iter()
        .map(|e| kind(e).map(|kind| (kind, e)))
        .collect::<Result<Vec<_>, String>>()?;
    read.sort_by_key(|(kind, e)| (is_kick(*kind), e.minute, e.extra_minute, e.id));
    let event = fixture.to_string();
    Ok(read
        .into_iter()
        .map(|(kind, e)| incident(&event, kind, e))
        .collect())
}

fn is_kick(kind: IncidentKind) -> bool {
    matches!(
        kind,
        IncidentKind::ShootoutGoal | IncidentKind::ShootoutMiss
    )
}

/// What an event is, from its type id; an id this plugin does not know is
/// `other`, its words kept in `detail`.
fn kind(e: &EventItem) -> Result<IncidentKind, String> {
    let Some((id, name, kind)) = TYPES.iter().find(|(id, _, _)| Some(*id) == e.type_id) else {
        return Ok(IncidentKind::Other);
    };
    let named = e.kind.as_ref().and_then(|k| k.developer_name.as_deref());
    if named.is_some_and(|n| n != *name) {
        return Err(format!(
            "event {}: type {id} is named {named:?}, not {name}: Sportmonks' type ids changed",
            e.id
        ));
    }
    Ok(*kind)
}

fn incident(event: &str, kind: IncidentKind, e: &EventItem) -> Incident {
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    // A kick's `minute` is its number in the shoot-out, no minute of play.
    let (minute, extra_minute) = if is_kick(kind) {
        (None, None)
    } else {
        (e.minute, e.extra_minute)
    };
    Incident {
        event: event.to_string(),
        kind,
        minute,
        extra_minute,
        team: e.participant_id.map(|id| id.to_string()),
        player: text(&e.player_name),
        related_player: text(&e.related_player_name),
        detail: text(&e.info).or_else(|| text(&e.addition)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(items: &[String]) -> Result<Vec<Incident>, String> {
        let raw: Box<RawValue> =
            serde_json::from_str(&format!("[{}]", items.join(","))).expect("raw JSON");
        incidents(19683241, &raw)
    }

    fn event(id: u64, type_id: u32, minute: u32, extra: Option<u32>, more: &str) -> String {
        let extra = extra.map_or("null".to_string(), |e| e.to_string());
        format!(
            r#"{{"id":{id},"fixture_id":19683241,"participant_id":19,"type_id":{type_id},"player_name":"P{id}","related_player_name":null,"info":null,"addition":null,"minute":{minute},"extra_minute":{extra}{more}}}"#
        )
    }

    #[test]
    fn a_goal_names_its_scorer_assist_and_how() {
        let goal = read(&[
            r#"{"id":157087821,"participant_id":19,"type_id":14,"player_name":"Kai Havertz","related_player_name":"Leandro Trossard","info":"Left foot shot","addition":"1st Goal","minute":6,"extra_minute":null,"rescinded":null}"#.to_string(),
        ]);
        assert_eq!(
            goal,
            Ok(vec![Incident {
                event: "19683241".to_string(),
                kind: IncidentKind::Goal,
                minute: Some(6),
                extra_minute: None,
                team: Some("19".to_string()),
                player: Some("Kai Havertz".to_string()),
                related_player: Some("Leandro Trossard".to_string()),
                detail: Some("Left foot shot".to_string()),
            }])
        );
    }

    #[test]
    fn a_substitution_has_the_player_coming_on_first() {
        // Gyökeres on for Ødegaard: Gyökeres is booked and takes a kick later.
        let sub = read(&[
            r#"{"id":157088679,"participant_id":19,"type_id":18,"player_name":"Viktor Gyökeres","related_player_name":"Martin Ødegaard","info":null,"addition":"1st Substitution","minute":66,"extra_minute":null}"#.to_string(),
        ])
        .expect("incidents");
        assert_eq!(sub[0].kind, IncidentKind::Substitution);
        assert_eq!(sub[0].player.as_deref(), Some("Viktor Gyökeres"));
        assert_eq!(sub[0].related_player.as_deref(), Some("Martin Ødegaard"));
        assert_eq!(sub[0].detail.as_deref(), Some("1st Substitution"));
    }

    #[test]
    fn every_known_type_maps_and_an_unknown_one_is_other() {
        let kinds: Vec<IncidentKind> = TYPES
            .iter()
            .map(|(id, _, _)| event(u64::from(*id), *id, 10, None, ""))
            .chain([event(99, 1, 10, None, "")])
            .map(|e| read(&[e]).expect("incidents")[0].kind)
            .collect();
        use IncidentKind as K;
        assert_eq!(
            kinds,
            [
                K::VarDecision,
                K::Goal,
                K::OwnGoal,
                K::PenaltyGoal,
                K::MissedPenalty,
                K::Substitution,
                K::YellowCard,
                K::RedCard,
                K::SecondYellowCard,
                K::ShootoutMiss,
                K::ShootoutGoal,
                K::Other,
            ]
        );
    }

    #[test]
    fn events_are_put_in_the_order_they_happened_kicks_last() {
        let list = read(&[
            event(1, 23, 2, None, ""),
            event(2, 19, 90, Some(6), ""),
            event(3, 18, 46, None, ""),
            event(4, 22, 1, None, ""),
            event(5, 20, 45, Some(1), ""),
            event(6, 18, 91, None, ""),
            event(7, 14, 46, None, ""),
        ])
        .expect("incidents");
        let order: Vec<(&str, Option<u32>, Option<u32>)> = list
            .iter()
            .map(|i| {
                (
                    i.player.as_deref().unwrap_or_default(),
                    i.minute,
                    i.extra_minute,
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("P5", Some(45), Some(1)),
                ("P3", Some(46), None),
                ("P7", Some(46), None),
                ("P2", Some(90), Some(6)),
                ("P6", Some(91), None),
                // The kicks, by number, without a minute of play.
                ("P4", None, None),
                ("P1", None, None),
            ]
        );
    }

    #[test]
    fn a_rescinded_event_is_left_out() {
        let list = read(&[
            event(1, 14, 30, None, r#","rescinded":true"#),
            event(2, 19, 31, None, r#","rescinded":false"#),
            event(3, 19, 32, None, r#","rescinded":null"#),
        ])
        .expect("incidents");
        let ids: Vec<&str> = list.iter().filter_map(|i| i.player.as_deref()).collect();
        assert_eq!(ids, ["P2", "P3"]);
    }

    #[test]
    fn a_misnamed_type_or_an_unreadable_item_fails_the_list() {
        let misnamed = event(
            1,
            14,
            30,
            None,
            r#","type":{"id":14,"developer_name":"OWNGOAL"}"#,
        );
        assert_eq!(
            read(&[misnamed]),
            Err(
                "event 1: type 14 is named Some(\"OWNGOAL\"), not GOAL: Sportmonks' type ids changed"
                    .to_string()
            )
        );
        let named = event(
            1,
            14,
            30,
            None,
            r#","type":{"id":14,"developer_name":"GOAL"}"#,
        );
        assert!(read(&[named]).is_ok());
        assert!(
            read(&[r#"{"id":"x"}"#.to_string()])
                .is_err_and(|e| e.starts_with("`events` is not a list of fixture events"))
        );
        assert_eq!(read(&[]), Ok(Vec::new()));
    }
}
