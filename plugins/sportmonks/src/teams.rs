//! The `teams` stream: one team, or the teams of a season, page by page.

use sluice_plugin_sdk::{Batch, HttpRequest, PluginError, Record, Team};

use crate::body::{self, Body};
use crate::event;
use crate::params::TeamSelection;
use crate::wire::TeamItem;

/// The team records of a teams response and the request for its next
/// page; an item that is not a team is rejected with its raw JSON.
pub fn normalize(
    selection: &TeamSelection,
    request: &HttpRequest,
    body: &[u8],
) -> Result<Batch, PluginError> {
    let envelope = match body::read(body)? {
        Body::Data(envelope) => envelope,
        Body::NoResults(message) => {
            let what = match selection {
                TeamSelection::Id(id) => format!("team {id}"),
                TeamSelection::Season(season) => format!("team of season {season}"),
            };
            body::nothing_found(request, &message, false, &what)?;
            return Ok(Batch::of(Vec::new()));
        }
    };
    let mut batch = Batch::of(Vec::with_capacity(envelope.items.len()));
    for raw in &envelope.items {
        match serde_json::from_str::<TeamItem>(raw.get()) {
            Ok(item) => batch.records.push(Record::Team(team(item))),
            Err(e) => batch.rejects.push(event::reject(
                raw,
                format!("team is not of the expected shape: {e}"),
            )),
        }
    }
    batch.follow_ups = body::next_page(request, envelope.pagination, envelope.items.len())
        .into_iter()
        .collect();
    Ok(batch)
}

fn team(item: TeamItem) -> Team {
    Team {
        provider_id: item.id.to_string(),
        name: item.name,
        short_name: None,
        code: item.short_code,
        country: item.country.and_then(|c| c.name),
        founded: item.founded,
        venue: item.venue.and_then(|v| v.name),
        crest_url: item.image_path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_keeps_its_code_country_founding_venue_and_crest_and_a_bad_one_is_rejected() {
        let selection = TeamSelection::Season(23614);
        let request = selection.plan();
        let body = br#"{"data":[
            {"id":19,"name":"Arsenal","short_code":"ARS","image_path":"https://cdn/19.png","founded":1886,"country":{"id":462,"name":"England"},"venue":{"id":204,"name":"Emirates Stadium"}},
            {"id":"x","name":"Broken"},
            {"id":591,"name":"Paris Saint Germain","short_code":null,"image_path":null,"founded":null}],
            "pagination":{"count":3,"per_page":50,"current_page":1,"has_more":true},"timezone":"UTC"}"#;
        let batch = normalize(&selection, &request, body).expect("batch");
        assert_eq!(
            batch.records[0],
            Record::Team(Team {
                provider_id: "19".to_string(),
                name: "Arsenal".to_string(),
                short_name: None,
                code: Some("ARS".to_string()),
                country: Some("England".to_string()),
                founded: Some(1886),
                venue: Some("Emirates Stadium".to_string()),
                crest_url: Some("https://cdn/19.png".to_string()),
            })
        );
        assert_eq!(batch.records.len(), 2);
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("x"));
        assert_eq!(batch.follow_ups, vec![body::with_page(&request, 2)]);
    }
}
