//! The `teams` stream: one team record per `/teams` item.

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, Record, Reject, Team};

use crate::wire::TeamItem;

/// Team records from the items of a `/teams` response; an item that is not
/// a team is rejected with its raw JSON.
pub fn normalize(items: &[&RawValue]) -> Batch {
    let mut batch = Batch::of(Vec::with_capacity(items.len()));
    for raw in items {
        match serde_json::from_str::<TeamItem>(raw.get()) {
            Ok(item) => batch.records.push(Record::Team(Team {
                provider_id: item.team.id.to_string(),
                name: item.team.name,
                short_name: None,
                code: item.team.code,
                country: item.team.country,
                founded: item.team.founded,
                venue: item.venue.and_then(|v| v.name),
                crest_url: item.team.logo,
            })),
            Err(e) => batch.rejects.push(Reject {
                provider_id: raw_id(raw.get(), "team"),
                reason: format!("team is not of the expected shape: {e}"),
                raw: raw.get().to_string(),
            }),
        }
    }
    batch
}

/// `item[key].id`, for a reject whose item did not parse as a whole.
pub fn raw_id(raw: &str, key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    match value.get(key)?.get("id")? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_items(json: &str) -> Vec<&RawValue> {
        serde_json::from_str(json).expect("list")
    }

    #[test]
    fn a_team_keeps_its_code_country_founding_venue_and_logo_and_a_bad_one_is_rejected() {
        let items = raw_items(
            r#"[{"team":{"id":33,"name":"Manchester United","code":"MUN","country":"England","founded":1878,"national":false,"logo":"https://x/33.png"},"venue":{"id":556,"name":"Old Trafford"}},
                {"team":{"id":"x","name":"Broken"},"venue":null},
                {"team":{"id":16136,"name":"Manchester 62","code":null,"country":"Gibraltar","founded":null,"logo":null},"venue":null}]"#,
        );
        let batch = normalize(&items);
        assert_eq!(
            batch.records[0],
            Record::Team(Team {
                provider_id: "33".to_string(),
                name: "Manchester United".to_string(),
                short_name: None,
                code: Some("MUN".to_string()),
                country: Some("England".to_string()),
                founded: Some(1878),
                venue: Some("Old Trafford".to_string()),
                crest_url: Some("https://x/33.png".to_string()),
            })
        );
        assert_eq!(batch.records.len(), 2);
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("x"));
        assert!(batch.rejects[0].raw.contains("Broken"));
    }
}
