//! The `fixtures` stream: fixtures by id, a season's fixtures page by page
//! (resumable through the batch cursor), or a day's fixtures.

use sluice_plugin_sdk::{Batch, HttpRequest, PluginError};

use crate::body::{self, Body};
use crate::cursor::{Progress, SeasonCursor};
use crate::event::{Collected, Context};
use crate::pages;
use crate::params::FixtureSelection;

/// The records of one fixtures response, the request for its next page,
/// and, for a season backfill, the position after it.
pub fn normalize(
    selection: &FixtureSelection,
    request: &HttpRequest,
    body: &[u8],
) -> Result<Batch, PluginError> {
    let read = match body::read(body, "fixture")? {
        Body::Data(items) => items,
        Body::NoResults(message) => {
            let what = match selection {
                FixtureSelection::Ids(_) => format!("fixture of {}", request.path),
                FixtureSelection::Season { season, .. } => format!("fixture of season {season}"),
                FixtureSelection::Date(date) => format!("fixture on {date}"),
            };
            let may_be_empty = matches!(selection, FixtureSelection::Date(_));
            body::nothing_found(request, &message, may_be_empty, &what)?;
            let mut batch = Batch::of(Vec::new());
            batch.cursor = season_cursor(selection, Progress::Complete);
            return Ok(batch);
        }
    };
    let context = Context {
        timezone: read.timezone.as_deref(),
        league: match selection {
            FixtureSelection::Season { league, .. } => Some(*league),
            _ => None,
        },
        ..Context::default()
    };
    let mut collected = Collected::default();
    for raw in &read.items {
        collected.add(raw, &context);
    }
    let mut batch = collected.into_batch();
    let next = pages::next_page(request, read.pagination, read.items.len());
    let progress = match next {
        Some(_) => Progress::Page(pages::current_page(request, read.pagination)),
        None => Progress::Complete,
    };
    batch.cursor = season_cursor(selection, progress);
    batch.follow_ups = next.into_iter().collect();
    Ok(batch)
}

/// The cursor of a season backfill at `progress`; other selections have
/// none.
fn season_cursor(selection: &FixtureSelection, progress: Progress) -> Option<String> {
    match selection {
        FixtureSelection::Season { league, season } => Some(
            SeasonCursor {
                league: *league,
                season: *season,
                progress,
            }
            .encode(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::season_page;

    const SEASON: FixtureSelection = FixtureSelection::Season {
        league: 8,
        season: 23614,
    };

    fn page(has_more: bool, current: u32, items: &str) -> String {
        format!(
            r#"{{"data":[{items}],"pagination":{{"count":1,"per_page":50,"current_page":{current},"next_page":null,"has_more":{has_more}}},"timezone":"UTC"}}"#
        )
    }

    const FIXTURE: &str = r#"{"id":1,"league_id":8,"season_id":23614,"state_id":1,"starting_at_timestamp":1748185200}"#;

    #[test]
    fn each_season_page_records_its_position_and_asks_for_the_next() {
        let request = season_page(23614, 3);
        let batch = normalize(&SEASON, &request, page(true, 3, FIXTURE).as_bytes()).expect("batch");
        assert_eq!(
            batch.cursor.as_deref(),
            Some("v1;league=8;season=23614;page=3")
        );
        assert_eq!(batch.follow_ups, vec![season_page(23614, 4)]);
        assert_eq!(batch.records.len(), 1);
        let last = normalize(
            &SEASON,
            &season_page(23614, 4),
            page(false, 4, FIXTURE).as_bytes(),
        )
        .expect("batch");
        assert_eq!(
            last.cursor.as_deref(),
            Some("v1;league=8;season=23614;complete")
        );
        assert!(last.follow_ups.is_empty());
    }

    #[test]
    fn nothing_found_ends_a_backfill_after_its_first_page_and_fails_it_on_the_first() {
        let none = br#"{"message":"No result(s) found matching your request.","timezone":"UTC"}"#;
        let later = normalize(&SEASON, &season_page(23614, 5), none).expect("batch");
        assert!(later.records.is_empty());
        assert_eq!(
            later.cursor.as_deref(),
            Some("v1;league=8;season=23614;complete")
        );
        assert_eq!(
            normalize(&SEASON, &season_page(23614, 1), none).err(),
            Some(PluginError::ProviderError(
                "Sportmonks found no fixture of season 23614: No result(s) found matching your request."
                    .to_string()
            ))
        );
        let day = FixtureSelection::Date("2025-05-25".to_string());
        let empty = normalize(&day, &day.plan(None)[0], none).expect("batch");
        assert_eq!((empty.records.len(), empty.cursor), (0, None));
        let ids = FixtureSelection::Ids(vec![1, 2]);
        assert!(matches!(
            normalize(&ids, &ids.plan(None)[0], none),
            Err(PluginError::ProviderError(m)) if m.starts_with("Sportmonks found no fixture of /fixtures/multi/1,2")
        ));
    }

    #[test]
    fn a_bare_page_has_no_next_page_so_a_backfill_completes_with_it() {
        let request = season_page(23614, 3);
        let bare = format!("[{FIXTURE}]");
        let batch = normalize(&SEASON, &request, bare.as_bytes()).expect("batch");
        assert_eq!(batch.records.len(), 1);
        assert!(batch.follow_ups.is_empty());
        assert_eq!(
            batch.cursor.as_deref(),
            Some("v1;league=8;season=23614;complete")
        );
        let ids = FixtureSelection::Ids(vec![1]);
        let one = normalize(&ids, &ids.plan(None)[0], FIXTURE.as_bytes()).expect("batch");
        assert_eq!((one.records.len(), one.rejects.len()), (1, 0));
        assert!(matches!(
            normalize(&ids, &ids.plan(None)[0], b"true"),
            Err(PluginError::MalformedResponse(m)) if m.contains("one fixture object with an `id`, or a list of fixture objects")
        ));
    }

    #[test]
    fn an_empty_list_is_zero_records_and_an_error_body_fails() {
        let ids = FixtureSelection::Ids(vec![1]);
        let request = &ids.plan(None)[0];
        let batch = normalize(&ids, request, br#"{"data":[],"timezone":"UTC"}"#).expect("batch");
        assert_eq!((batch.records.len(), batch.rejects.len()), (0, 0));
        assert!(batch.follow_ups.is_empty() && batch.cursor.is_none());
        assert_eq!(
            normalize(&ids, request, br#"{"message":"Too Many Attempts."}"#).err(),
            Some(PluginError::ProviderError(
                "Sportmonks answered with an error: Too Many Attempts.".to_string()
            ))
        );
    }
}
