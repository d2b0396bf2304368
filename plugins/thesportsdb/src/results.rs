//! The `event_results` stream: who took part in an event without sides (a
//! race) and how each finished, one participant per item of
//! `eventresults.php`.
//!
//! The participants of an event say the field is whole, so the field loads
//! whole or not at all: an item that cannot be read rejects the field, with
//! its JSON, and the field the host holds stays as it was.

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, Participant, Record, Reject};

use crate::wire::ResultItem;

/// Results that are no classified finish: TheSportsDB still numbers their
/// line (the recorded Singapore Grand Prix has `DNF` in 19th), so such a
/// participant has no position.
const UNCLASSIFIED: &[&str] = &["DNF", "DNS", "DSQ", "DQ", "NC", "RET", "RETIRED", "EX"];

/// The participants of event `event` from the items of a results response,
/// in the order listed; none for an empty or null list (no results yet).
pub fn normalize(event: &str, items: &[&RawValue]) -> Batch {
    let read: Result<Vec<Participant>, String> = items
        .iter()
        .map(|raw| {
            serde_json::from_str::<ResultItem>(raw.get())
                .map_err(|e| format!("result is not of the expected shape: {e}"))
                .and_then(|item| participant(event, &item))
        })
        .collect();
    match read {
        Ok(field) => Batch::of(field.into_iter().map(Record::Participant).collect()),
        Err(reason) => {
            let raws: Vec<&str> = items.iter().map(|r| r.get()).collect();
            let mut batch = Batch::of(Vec::new());
            batch.rejects.push(Reject {
                provider_id: Some(event.to_string()),
                reason: format!("the field is left out: {reason}"),
                raw: format!("[{}]", raws.join(",")),
            });
            batch
        }
    }
}

/// One result as a participant of `event`. A result of another event, one
/// without a name, or a position or points that are not numbers is refused.
fn participant(event: &str, item: &ResultItem) -> Result<Participant, String> {
    let at = |what: String| {
        format!(
            "result {}: {what}",
            item.id.as_deref().unwrap_or("without an id")
        )
    };
    if let Some(other) = item.event.as_deref().filter(|e| *e != event) {
        return Err(at(format!("of event {other}, not {event}")));
    }
    let name = item
        .player
        .clone()
        .ok_or_else(|| at("no participant name (`strPlayer`)".to_string()))?;
    let result = item.detail.clone().or_else(|| item.result.clone());
    let classified = result
        .as_deref()
        .is_none_or(|r| !UNCLASSIFIED.contains(&r.trim().to_ascii_uppercase().as_str()));
    let position = item
        .position
        .as_deref()
        .map(|p| {
            p.trim()
                .parse::<u32>()
                .map_err(|_| at(format!("position `{p}` is not a number")))
        })
        .transpose()?
        .filter(|_| classified);
    let points = item
        .points
        .as_deref()
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| at(format!("points `{p}` are not a number")))
        })
        .transpose()?;
    Ok(Participant {
        event: event.to_string(),
        provider_id: item.player_id.clone(),
        name,
        team_name: item.team.clone(),
        position,
        result,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(json: &str) -> Batch {
        let items: Vec<&RawValue> = serde_json::from_str(json).expect("items");
        normalize("900100", &items)
    }

    fn result(id: u32, driver: &str, position: &str, points: &str, detail: &str) -> String {
        format!(
            r#"{{"idResult":"{id}","idPlayer":"3400{id}","strPlayer":"{driver}","idTeam":"13480{id}","idEvent":"900100","strEvent":"Harbour Grand Prix","strResult":null,"intPosition":"{position}","intPoints":"{points}","strDetail":"{detail}","dateEvent":"2024-09-22","strSeason":"2024"}}"#
        )
    }

    #[test]
    fn a_finisher_has_place_result_and_points() {
        let batch = run(&format!(
            "[{}]",
            result(1, "A. Driver", "1", "25", "1:40:52.571")
        ));
        assert_eq!(
            batch.records,
            [Record::Participant(Participant {
                event: "900100".to_string(),
                provider_id: Some("34001".to_string()),
                name: "A. Driver".to_string(),
                team_name: None,
                position: Some(1),
                result: Some("1:40:52.571".to_string()),
                points: Some(25.0),
            })]
        );
    }

    #[test]
    fn zero_points_are_points_and_a_retirement_has_no_place() {
        let batch = run(&format!(
            "[{},{},{}]",
            result(1, "A. Driver", "11", "0", "+1 lap"),
            result(2, "B. Driver", "19", "0", "DNF"),
            result(3, "C. Driver", "20", "", "dns"),
        ));
        let summary: Vec<(Option<u32>, Option<f64>, Option<&str>)> = batch
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Participant(p) => Some((p.position, p.points, p.result.as_deref())),
                _ => None,
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Some(11), Some(0.0), Some("+1 lap")),
                (None, Some(0.0), Some("DNF")),
                (None, None, Some("dns")),
            ]
        );
    }

    #[test]
    fn a_team_name_is_kept_when_sent() {
        let with_team = result(1, "A. Driver", "1", "25", "1:40:52.571")
            .replace(r#""idTeam""#, r#""strTeam":"Harbour Racing","idTeam""#);
        let batch = run(&format!("[{with_team}]"));
        assert!(matches!(
            &batch.records[0],
            Record::Participant(p) if p.team_name.as_deref() == Some("Harbour Racing")
        ));
    }

    #[test]
    fn a_bad_result_leaves_out_the_whole_field() {
        for (bad, reason) in [
            (
                result(2, "B. Driver", "second", "18", "+2s"),
                "the field is left out: result 2: position `second` is not a number",
            ),
            (
                result(2, "B. Driver", "2", "many", "+2s"),
                "the field is left out: result 2: points `many` are not a number",
            ),
            (
                result(2, "", "2", "18", "+2s"),
                "the field is left out: result 2: no participant name (`strPlayer`)",
            ),
            (
                result(2, "B. Driver", "2", "18", "+2s").replace("900100", "900101"),
                "the field is left out: result 2: of event 900101, not 900100",
            ),
        ] {
            let batch = run(&format!(
                "[{},{bad}]",
                result(1, "A. Driver", "1", "25", "1:40:52.571")
            ));
            assert!(batch.records.is_empty(), "{reason}");
            assert_eq!(batch.rejects.len(), 1, "{reason}");
            assert_eq!(batch.rejects[0].reason, reason);
            assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("900100"));
            assert!(batch.rejects[0].raw.contains("A. Driver"), "{reason}");
        }
    }

    #[test]
    fn no_results_yet_is_no_participants() {
        let batch = run("[]");
        assert!(batch.records.is_empty() && batch.rejects.is_empty());
    }
}
