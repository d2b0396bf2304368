//! The envelope every Sportmonks v3 response shares: `data` (one object or
//! a list), `pagination`, `rate_limit`, `subscription` and `timezone`; or,
//! instead of `data`, a `message`.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sluice_plugin_sdk::{HttpRequest, PluginError, json};

/// The message Sportmonks sends, with HTTP 200 and no `data`, when a
/// request found nothing, or nothing the subscription may see.
const NO_RESULTS: &str = "No result(s) found";

/// What a response holds.
pub enum Body<'a> {
    /// Items, not yet read.
    Data(Envelope<'a>),
    /// Sportmonks found nothing (or nothing within the subscription); the
    /// message as sent.
    NoResults(String),
}

/// A response's items and where it stands in the pages.
pub struct Envelope<'a> {
    /// The items of `data` as raw JSON; one item when `data` is an object.
    pub items: Vec<&'a RawValue>,
    /// This page and whether more follow, when the endpoint pages.
    pub pagination: Option<Pagination>,
    /// The time zone of the response's local times (`UTC` unless the
    /// request asked otherwise, which this plugin never does).
    pub timezone: Option<String>,
}

/// `pagination`.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pagination {
    /// This page, from 1.
    pub current_page: Option<u32>,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    pagination: Option<Pagination>,
    timezone: Option<String>,
    message: Option<Value>,
}

/// Reads the envelope of `body`.
///
/// A body without `data` is Sportmonks' "nothing found" answer when its
/// `message` says so, a `provider-error` with the message otherwise (a
/// 429's `Too Many Attempts.`, an unknown token); a body that is not JSON,
/// or whose `data` is neither an object nor a list, is `malformed-response`.
pub fn read(body: &[u8]) -> Result<Body<'_>, PluginError> {
    let wire: Wire = json::parse(body)?;
    let Some(data) = wire.data else {
        let message = match &wire.message {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => {
                return Err(PluginError::MalformedResponse(
                    "body has no `data` (or a null one) and no `message`, so it is not a Sportmonks v3 response"
                        .to_string(),
                ));
            }
        };
        if message.starts_with(NO_RESULTS) {
            return Ok(Body::NoResults(message));
        }
        return Err(PluginError::ProviderError(format!(
            "Sportmonks answered with an error: {message}"
        )));
    };
    let items = match data.get().trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(data.get()).map_err(|e| {
            PluginError::MalformedResponse(format!("`data` is not a list of items: {e}"))
        })?,
        Some(b'{') => vec![data],
        _ => {
            return Err(PluginError::MalformedResponse(format!(
                "`data` is `{}`, neither an object nor a list",
                data.get()
            )));
        }
    };
    Ok(Body::Data(Envelope {
        items,
        pagination: wire.pagination,
        timezone: wire.timezone,
    }))
}

/// What Sportmonks' "nothing found" means for `request`.
///
/// A later page, or a request that may find nothing (a day without
/// fixtures), is simply empty. A request for what must exist (fixtures by
/// id, a team, a season's first page) fails as a `provider-error` quoting
/// the message: Sportmonks sends the same words when the subscription does
/// not cover what was asked, and loading nothing would hide that.
pub fn nothing_found(
    request: &HttpRequest,
    message: &str,
    may_be_empty: bool,
    what: &str,
) -> Result<(), PluginError> {
    if may_be_empty || page_of(request) > 1 {
        return Ok(());
    }
    Err(PluginError::ProviderError(format!(
        "Sportmonks found no {what}: {message}"
    )))
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
/// `page` set to the next page; none when no page follows, or when this
/// page was empty (a `has_more` on an empty page would never end).
pub fn next_page(
    request: &HttpRequest,
    pagination: Option<Pagination>,
    items: usize,
) -> Option<HttpRequest> {
    let pagination = pagination?;
    if !pagination.has_more || items == 0 {
        return None;
    }
    Some(with_page(
        request,
        current_page(request, Some(pagination)) + 1,
    ))
}

/// `request` asking for `page`, its other parameters unchanged and in order.
pub fn with_page(request: &HttpRequest, page: u32) -> HttpRequest {
    let page = page.to_string();
    let mut query = request.query.clone();
    match query.iter_mut().find(|(key, _)| key == "page") {
        Some((_, value)) => *value = page,
        None => query.push(("page".to_string(), page)),
    }
    HttpRequest {
        path: request.path.clone(),
        query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(body: &str) -> PluginError {
        match read(body.as_bytes()) {
            Err(e) => e,
            Ok(_) => panic!("expected an error for {body}"),
        }
    }

    fn items_of(body: &str) -> usize {
        match read(body.as_bytes()) {
            Ok(Body::Data(envelope)) => envelope.items.len(),
            Ok(Body::NoResults(m)) => panic!("no results: {m}"),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn data_is_one_object_or_a_list() {
        assert_eq!(items_of(r#"{"data":{"id":1},"timezone":"UTC"}"#), 1);
        assert_eq!(items_of(r#"{"data":[{"id":1},{"id":2}]}"#), 2);
        assert_eq!(items_of(r#"{"data":[]}"#), 0);
        assert!(matches!(
            error_of(r#"{"data":null}"#),
            PluginError::MalformedResponse(m) if m.starts_with("body has no `data` (or a null one)")
        ));
    }

    #[test]
    fn a_message_without_data_is_a_provider_error_unless_nothing_was_found() {
        assert_eq!(
            error_of(r#"{"message":"Too Many Attempts."}"#),
            PluginError::ProviderError(
                "Sportmonks answered with an error: Too Many Attempts.".to_string()
            )
        );
        let none = r#"{"message":"No result(s) found matching your request. Either the query did not return any results or you don't have access to it via your current subscription.","rate_limit":{"remaining":10}}"#;
        assert!(matches!(
            read(none.as_bytes()),
            Ok(Body::NoResults(m)) if m.starts_with("No result(s) found matching")
        ));
        // A message beside `data` is not an error.
        assert_eq!(items_of(r#"{"data":[{"id":1}],"message":"note"}"#), 1);
    }

    #[test]
    fn nothing_found_fails_only_a_first_request_for_what_must_exist() {
        let first = HttpRequest::get("/teams/19", &[]);
        assert_eq!(
            nothing_found(&first, "No result(s) found.", false, "team 19"),
            Err(PluginError::ProviderError(
                "Sportmonks found no team 19: No result(s) found.".to_string()
            ))
        );
        assert_eq!(
            nothing_found(&first, "No result(s) found.", true, "x"),
            Ok(())
        );
        let later = with_page(&first, 3);
        assert_eq!(
            nothing_found(&later, "No result(s) found.", false, "x"),
            Ok(())
        );
    }

    #[test]
    fn a_body_that_is_not_a_sportmonks_response_is_malformed() {
        for body in [
            "<html>502</html>",
            r#"{"errors":[]}"#,
            r#"{"data":"x"}"#,
            r#"{"data":3}"#,
        ] {
            assert!(
                matches!(error_of(body), PluginError::MalformedResponse(_)),
                "{body}"
            );
        }
    }

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
}
