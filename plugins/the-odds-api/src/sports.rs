//! The `sports` stream: every sport key as a competition.

use crate::{body, wire};
use sluice_plugin_sdk::{Batch, Competition, PluginError, Record, Reject};

/// One competition per sport: its key, title and group (`Soccer`), with the
/// format `outrights` for futures such as `golf_masters_tournament_winner`.
pub fn normalize(body: &[u8]) -> Result<Batch, PluginError> {
    let items = body::list(body)?;
    let mut batch = Batch::of(Vec::with_capacity(items.len()));
    for raw in items {
        match serde_json::from_str::<wire::Sport>(raw.get()) {
            Ok(sport) => batch.records.push(Record::Competition(Competition {
                provider_id: sport.key.into(),
                name: sport.title.into(),
                sport: sport.group.map(Into::into),
                code: None,
                area: None,
                format: (sport.has_outrights == Some(true)).then(|| "outrights".to_string()),
                emblem_url: None,
            })),
            Err(err) => batch.rejects.push(Reject {
                provider_id: None,
                reason: format!("sport is not of the expected shape: {err}"),
                raw: raw.get().to_string(),
            }),
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sports_become_competitions_and_outrights_say_so() {
        let batch = normalize(
            br#"[{"key":"golf_masters_tournament_winner","group":"Golf","title":"Masters Tournament Winner","description":"2025 WInner","active":true,"has_outrights":true},
                 {"key":"soccer_epl","group":"Soccer","title":"EPL","active":true,"has_outrights":false},
                 {"group":"Soccer","title":"No key"}]"#,
        )
        .expect("a list");
        assert_eq!(
            batch.records[0],
            Record::Competition(Competition {
                provider_id: "golf_masters_tournament_winner".to_string(),
                name: "Masters Tournament Winner".to_string(),
                sport: Some("Golf".to_string()),
                code: None,
                area: None,
                format: Some("outrights".to_string()),
                emblem_url: None,
            })
        );
        assert!(matches!(&batch.records[1], Record::Competition(c) if c.format.is_none()));
        assert_eq!(batch.records.len(), 2);
        assert_eq!(batch.rejects.len(), 1);
        assert!(
            batch.rejects[0].reason.contains("missing field `key`"),
            "{}",
            batch.rejects[0].reason
        );
    }
}
