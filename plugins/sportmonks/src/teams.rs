//! The `teams` stream: one team, or the teams of a season, page by page;
//! and the fixtures a team's `latest` and `upcoming` includes nest in it,
//! as the `fixtures` stream's records.

use sluice_plugin_sdk::{Batch, HttpRequest, PluginError, Team};

use crate::body::{self, Body};
use crate::event::{self, Collected, Context};
use crate::nested;
use crate::pages;
use crate::params::TeamSelection;
use crate::wire::{FixtureIncludes, TeamItem};

/// The records of a teams response and the request for its next page: a
/// team per item (an item that is not a team is rejected with its raw
/// JSON), then the competitions, teams and events of the fixtures its
/// `latest` and `upcoming` includes hold, when the body has them.
pub fn normalize(
    selection: &TeamSelection,
    request: &HttpRequest,
    body: &[u8],
) -> Result<Batch, PluginError> {
    let read = match body::read(body, "team")? {
        Body::Data(items) => items,
        Body::NoResults(message) => {
            let what = match selection {
                TeamSelection::Id(id) => format!("team {id}"),
                TeamSelection::Season(season) => format!("team of season {season}"),
            };
            body::nothing_found(request, &message, false, &what)?;
            return Ok(Batch::of(Vec::new()));
        }
    };
    let context = Context {
        timezone: read.timezone.as_deref(),
        ..Context::default()
    };
    let mut collected = Collected::default();
    let mut nested = Vec::new();
    for raw in &read.items {
        let parsed = serde_json::from_str::<TeamItem>(raw.get()).and_then(|item| {
            serde_json::from_str::<FixtureIncludes>(raw.get()).map(|includes| (item, includes))
        });
        match parsed {
            Ok((item, includes)) => {
                nested.push((item.id, includes));
                collected.add_team(item.id, team(item));
            }
            Err(e) => collected.reject(event::reject(
                raw,
                format!("team is not of the expected shape: {e}"),
            )),
        }
    }
    // Every team of the body first: a team met both as an item and as a
    // fixture's participant keeps the item's fuller record.
    for (team, includes) in nested {
        for (include, list) in [("latest", includes.latest), ("upcoming", includes.upcoming)] {
            if let Some(list) = list {
                nested::add_fixtures(&mut collected, team, include, list, &context);
            }
        }
    }
    let mut batch = collected.into_batch();
    batch.follow_ups = pages::next_page(request, read.pagination, read.items.len())
        .into_iter()
        .collect();
    Ok(batch)
}

/// A team entity as a canonical team; the `standings` stream names its
/// rows' teams so too.
pub fn team(item: TeamItem) -> Team {
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
    use crate::team_fixtures::TeamFixtures;
    use sluice_plugin_sdk::testing::labels;
    use sluice_plugin_sdk::{EventStatus, Record};

    #[test]
    fn a_team_keeps_its_code_country_founding_venue_and_crest_and_a_bad_one_is_rejected() {
        let selection = TeamSelection::Season(23614);
        let request = selection.plan(TeamFixtures::default());
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
        assert_eq!(batch.follow_ups, vec![request.with_query("page", "2")]);
    }

    #[test]
    fn bare_teams_are_the_same_records_with_no_next_page() {
        let selection = TeamSelection::Season(23614);
        let request = selection.plan(TeamFixtures::default());
        let list = br#"[{"id":19,"name":"Arsenal"},{"id":8,"name":"Liverpool"}]"#;
        let batch = normalize(&selection, &request, list).expect("batch");
        assert_eq!(labels(&batch.records), ["t19", "t8"]);
        assert!(batch.follow_ups.is_empty() && batch.rejects.is_empty());
        let one = TeamSelection::Id(19);
        let object = br#"{"id":19,"name":"Arsenal","country":{"name":"England"}}"#;
        let batch = normalize(&one, &one.plan(TeamFixtures::default()), object).expect("batch");
        assert_eq!(labels(&batch.records), ["t19"]);
        assert!(matches!(
            &batch.records[0],
            Record::Team(t) if t.country.as_deref() == Some("England")
        ));
        assert!(matches!(
            normalize(&one, &one.plan(TeamFixtures::default()), br#"{"name":"Arsenal"}"#),
            Err(PluginError::MalformedResponse(m)) if m.contains("one team object with an `id`")
        ));
    }

    #[test]
    fn nested_fixtures_are_events_and_the_team_keeps_its_own_record() {
        let selection = TeamSelection::Id(19);
        let fixture = |id: u64, state: u32, opponent: u64| {
            format!(
                r#"{{"id":{id},"state_id":{state},"starting_at_timestamp":1748185200,"participants":[
                {{"id":19,"name":"Arsenal FC","meta":{{"location":"home"}}}},{{"id":{opponent},"name":"Team {opponent}","meta":{{"location":"away"}}}}]}}"#
            )
        };
        let body = format!(
            r#"{{"data":{{"id":19,"name":"Arsenal","country":{{"name":"England"}},"latest":[{}],"upcoming":[{},{}]}},"timezone":"UTC"}}"#,
            fixture(1, 5, 8),
            fixture(2, 1, 9),
            fixture(1, 5, 8)
        );
        let batch = normalize(
            &selection,
            &selection.plan(TeamFixtures::default()),
            body.as_bytes(),
        )
        .expect("batch");
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        // The team from its item (not its participant copy), each opponent
        // once, each fixture once.
        assert_eq!(labels(&batch.records), ["t19", "t8", "t9", "e1", "e2"]);
        assert!(matches!(
            &batch.records[0],
            Record::Team(t) if t.name == "Arsenal" && t.country.as_deref() == Some("England")
        ));
        let statuses: Vec<EventStatus> = batch
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Event(e) => Some(e.status),
                _ => None,
            })
            .collect();
        assert_eq!(statuses, [EventStatus::Finished, EventStatus::Scheduled]);
    }

    #[test]
    fn an_include_that_is_not_a_list_is_rejected_and_the_team_loads() {
        let selection = TeamSelection::Id(19);
        let body = br#"[{"id":19,"name":"Arsenal","upcoming":{"id":2}}]"#;
        let batch =
            normalize(&selection, &selection.plan(TeamFixtures::default()), body).expect("batch");
        assert_eq!(labels(&batch.records), ["t19"]);
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(batch.rejects[0].raw, r#"{"id":2}"#);
    }
}
