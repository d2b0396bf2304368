//! The `teams` stream.

use crate::wire;
use sluice_plugin_sdk::{Batch, PluginError, Record, Reject, Team, json};

pub fn normalize(body: &[u8]) -> Result<Batch, PluginError> {
    let list: wire::TeamList = json::parse(body)?;
    let mut batch = Batch::of(Vec::with_capacity(list.teams.len()));
    for raw in list.teams {
        match serde_json::from_str::<wire::Team>(raw.get()) {
            Ok(team) => batch.records.push(Record::Team(Team {
                provider_id: team.id.to_string(),
                name: team.name,
                short_name: team.short_name,
                code: team.tla,
                country: team.area.and_then(|a| a.name),
                founded: team.founded,
                venue: team.venue,
                crest_url: team.crest,
            })),
            Err(err) => batch.rejects.push(Reject {
                provider_id: None,
                reason: format!("team is not of the expected shape: {err}"),
                raw: raw.get().to_string(),
            }),
        }
    }
    Ok(batch)
}
