//! The envelope every API-Football v3 response shares: `errors`, `paging`
//! and the `response` list.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sluice_plugin_sdk::{HttpRequest, PluginError, json};

/// A response's items, not yet read, and where it stands in the pages.
pub struct Envelope<'a> {
    /// The items of `response`, as raw JSON.
    pub items: Vec<&'a RawValue>,
    /// The page this is and how many there are, when the body says.
    pub paging: Option<Paging>,
}

/// `paging`: this page and the number of pages.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// This page, from 1.
    pub current: u32,
    /// How many pages there are.
    pub total: u32,
}

#[derive(Deserialize)]
struct Wire<'a> {
    errors: Option<Value>,
    paging: Option<Paging>,
    #[serde(borrow)]
    response: Option<&'a RawValue>,
}

/// Reads the envelope of `body`.
///
/// A non-empty `errors` (API-Football sends errors with HTTP 200) is a
/// `provider-error` with the provider's messages, whatever `response` holds;
/// a body that is not JSON, or has no `response` list, is
/// `malformed-response`.
pub fn read(body: &[u8]) -> Result<Envelope<'_>, PluginError> {
    let wire: Wire = json::parse(body)?;
    if let Some(message) = wire.errors.as_ref().and_then(error_message) {
        return Err(PluginError::ProviderError(format!(
            "API-Football answered with an error: {message}"
        )));
    }
    let response = wire.response.ok_or_else(|| {
        PluginError::MalformedResponse(
            "body has no `response` list, so it is not an API-Football v3 response".to_string(),
        )
    })?;
    let items: Vec<&RawValue> = serde_json::from_str(response.get()).map_err(|e| {
        PluginError::MalformedResponse(format!("`response` is not a list of items: {e}"))
    })?;
    Ok(Envelope {
        items,
        paging: wire.paging,
    })
}

/// The provider's messages in `errors`, or none when it is empty (`[]`,
/// `{}` or null). An object is written `key: message` per entry, a list one
/// message per item, joined with `; `.
fn error_message(errors: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let parts: Vec<String> = match errors {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().map(text).collect(),
        Value::Object(entries) => entries
            .iter()
            .map(|(key, value)| format!("{key}: {}", text(value)))
            .collect(),
        other => vec![text(other)],
    };
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The request for the page after this one: the same path and query with
/// `page` set to the next page, or none on the last page.
pub fn next_page(request: &HttpRequest, paging: Paging) -> Option<HttpRequest> {
    (paging.current < paging.total)
        .then(|| request.with_query("page", (paging.current + 1).to_string()))
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

    #[test]
    fn an_errors_object_sent_with_http_200_is_a_provider_error() {
        let body = r#"{"get":"injuries","parameters":[],"errors":{"required":"At least one parameter is required."},"results":0,"paging":{"current":1,"total":1},"response":[]}"#;
        assert_eq!(
            error_of(body),
            PluginError::ProviderError(
                "API-Football answered with an error: required: At least one parameter is required."
                    .to_string()
            )
        );
    }

    #[test]
    fn an_errors_list_is_a_provider_error_too() {
        let body = r#"{"errors":["Too many requests", {"code": 7}],"response":[]}"#;
        assert_eq!(
            error_of(body),
            PluginError::ProviderError(
                "API-Football answered with an error: Too many requests; {\"code\":7}".to_string()
            )
        );
    }

    #[test]
    fn an_error_wins_over_a_missing_or_odd_response() {
        let body = r#"{"errors":{"token":"Error/Missing application key."},"response":{}}"#;
        assert!(
            matches!(error_of(body), PluginError::ProviderError(m) if m.contains("token: Error/Missing application key."))
        );
    }

    #[test]
    fn empty_errors_are_a_success() {
        for errors in ["[]", "{}", "null"] {
            let body = format!(r#"{{"errors":{errors},"response":[{{"a":1}},{{"b":2}}]}}"#);
            let envelope = read(body.as_bytes()).unwrap_or_else(|e| panic!("{errors}: {e:?}"));
            assert_eq!(envelope.items.len(), 2, "{errors}");
        }
    }

    #[test]
    fn a_body_without_a_response_list_is_malformed() {
        for body in [
            r#"{"errors":[]}"#,
            r#"{"errors":[],"response":{"a":1}}"#,
            "<html>502</html>",
        ] {
            assert!(
                matches!(error_of(body), PluginError::MalformedResponse(_)),
                "{body}"
            );
        }
    }

    #[test]
    fn a_page_before_the_last_asks_for_the_next_with_the_same_query() {
        let request = HttpRequest::get("/fixtures", &[("league", "39"), ("season", "2022")]);
        let next = next_page(
            &request,
            Paging {
                current: 1,
                total: 3,
            },
        );
        assert_eq!(
            next,
            Some(HttpRequest::get(
                "/fixtures",
                &[("league", "39"), ("season", "2022"), ("page", "2")]
            ))
        );
        let second = next.map(|r| {
            next_page(
                &r,
                Paging {
                    current: 2,
                    total: 3,
                },
            )
        });
        assert_eq!(
            second.flatten().map(|r| r.query),
            Some(
                HttpRequest::get("/", &[("league", "39"), ("season", "2022"), ("page", "3")]).query
            )
        );
        assert_eq!(
            next_page(
                &request,
                Paging {
                    current: 3,
                    total: 3
                }
            ),
            None
        );
        assert_eq!(
            next_page(
                &request,
                Paging {
                    current: 1,
                    total: 1
                }
            ),
            None
        );
    }
}
