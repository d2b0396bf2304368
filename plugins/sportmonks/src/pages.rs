//! Where a response stands in the pages of a paginated endpoint, and the
//! request for the page after it.

use serde::Deserialize;
use sluice_plugin_sdk::HttpRequest;

/// `pagination` of an enveloped response: how the streams know whether to
/// ask for another page.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pagination {
    /// This page, from 1.
    pub current_page: Option<u32>,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
}

/// The page a request asks for: its `page` parameter, or 1.
pub fn page_of(request: &HttpRequest) -> u32 {
    request
        .query
        .iter()
        .find(|(key, _)| key == "page")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(1)
}

/// The page this response is: `pagination.current_page`, or what the
/// request asked for.
pub fn current_page(request: &HttpRequest, pagination: Option<Pagination>) -> u32 {
    pagination
        .and_then(|p| p.current_page)
        .unwrap_or_else(|| page_of(request))
}

/// The request for the page after this one: the same path and query with
/// `page` set to the next page; none when no page follows, when the body
/// says nothing of pages (a bare `data` value), or when this page was empty
/// (a `has_more` on an empty page would never end).
pub fn next_page(
    request: &HttpRequest,
    pagination: Option<Pagination>,
    items: usize,
) -> Option<HttpRequest> {
    let pagination = pagination?;
    if !pagination.has_more || items == 0 {
        return None;
    }
    let next = current_page(request, Some(pagination)) + 1;
    Some(request.with_query("page", next.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_more_asks_for_the_next_with_the_same_query() {
        let request = HttpRequest::get(
            "/fixtures",
            &[("filters", "fixtureSeasons:1"), ("page", "2")],
        );
        let more = Some(Pagination {
            current_page: Some(2),
            has_more: true,
        });
        assert_eq!(
            next_page(&request, more, 50),
            Some(HttpRequest::get(
                "/fixtures",
                &[("filters", "fixtureSeasons:1"), ("page", "3")]
            ))
        );
        let first = HttpRequest::get("/fixtures/date/2025-05-25", &[("include", "state")]);
        let pagination = Some(Pagination {
            current_page: None,
            has_more: true,
        });
        assert_eq!(
            next_page(&first, pagination, 50).map(|r| r.query),
            Some(HttpRequest::get("/", &[("include", "state"), ("page", "2")]).query)
        );
        let last = Some(Pagination {
            current_page: Some(2),
            has_more: false,
        });
        assert_eq!(next_page(&request, last, 50), None);
        assert_eq!(next_page(&request, more, 0), None);
        assert_eq!(next_page(&request, None, 50), None);
    }

    #[test]
    fn the_current_page_is_the_one_sent_else_the_one_asked_for() {
        let request = HttpRequest::get("/teams/seasons/1", &[("page", "4")]);
        assert_eq!(page_of(&request), 4);
        assert_eq!(page_of(&HttpRequest::get("/teams/1", &[])), 1);
        assert_eq!(current_page(&request, None), 4);
        let sent = Some(Pagination {
            current_page: Some(5),
            has_more: false,
        });
        assert_eq!(current_page(&request, sent), 5);
    }
}
