//! A Sportmonks v3 body in either form it is met in: the envelope
//! Sportmonks sends (`data`, one object or a list, beside `pagination`,
//! `rate_limit`, `subscription` and `timezone`; or, instead of `data`, a
//! `message`), or the bare `data` value (one object or a list) that
//! recordings people keep often hold. Every stream reads its body here, so
//! both forms mean the same to all of them.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sluice_plugin_sdk::{HttpRequest, PluginError, json};

use crate::pages::{self, Pagination};

/// The message Sportmonks sends, with HTTP 200 and no `data`, when a
/// request found nothing, or nothing the subscription may see.
const NO_RESULTS: &str = "No result(s) found";

/// How many of an object's keys an error names.
const KEYS_NAMED: usize = 6;

/// What a response holds.
pub enum Body<'a> {
    /// Items, not yet read.
    Data(Items<'a>),
    /// Sportmonks found nothing (or nothing within the subscription); the
    /// message as sent.
    NoResults(String),
}

/// A response's items and what its envelope says about them; a bare
/// `data` value has no envelope, so it has neither pages nor a time zone.
pub struct Items<'a> {
    /// The items as raw JSON; one item when `data` is an object.
    pub items: Vec<&'a RawValue>,
    /// This page and whether more follow, when the endpoint pages.
    pub pagination: Option<Pagination>,
    /// The time zone of the response's local times (`UTC` unless the
    /// request asked otherwise, which this plugin never does).
    pub timezone: Option<String>,
}

/// The top level of an object body, each member unread, so that a bare
/// item's own fields never fail the envelope's types.
#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(borrow)]
    pagination: Option<&'a RawValue>,
    #[serde(borrow)]
    timezone: Option<&'a RawValue>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
}

/// Reads `body`, a response whose items are `item`s (`team`, `fixture`,
/// …, named in errors).
///
/// - An object with `data` is the envelope: `data` is the items,
///   `pagination` and `timezone` are read beside it.
/// - An object without `data` but with a `message` is Sportmonks' "nothing
///   found" answer when the message says so, a `provider-error` with the
///   message otherwise (a 429's `Too Many Attempts.`, an unknown token).
/// - Any other object with an `id` is one bare item, and a list is bare
///   items: no pages, no time zone (local times are then UTC, Sportmonks'
///   default).
///
/// A body that is not JSON, that is none of these, or whose `data` is
/// neither an object nor a list, is `malformed-response`, saying what was
/// expected.
pub fn read<'a>(body: &'a [u8], item: &str) -> Result<Body<'a>, PluginError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Ok(Body::Data(bare(json::parse(body)?))),
        Some(b'{') => object(body, item),
        _ => {
            let _: &RawValue = json::parse(body)?;
            Err(neither(body, item))
        }
    }
}

/// An object body: the envelope, a message, or one bare item. The body is
/// read once, its members left unread, unless it is a bare item.
fn object<'a>(body: &'a [u8], item: &str) -> Result<Body<'a>, PluginError> {
    let top: Top = json::parse(body)?;
    if let Some(data) = top.data {
        return Ok(Body::Data(Items {
            items: items_of(data)?,
            pagination: member(top.pagination, "pagination")?,
            timezone: member(top.timezone, "timezone")?,
        }));
    }
    if let Some(message) = top.message {
        let message = match serde_json::from_str::<Value>(message.get()) {
            Ok(Value::String(text)) => text,
            _ => message.get().to_string(),
        };
        if message.starts_with(NO_RESULTS) {
            return Ok(Body::NoResults(message));
        }
        return Err(PluginError::ProviderError(format!(
            "Sportmonks answered with an error: {message}"
        )));
    }
    if top.id.is_some() {
        return Ok(Body::Data(bare(vec![json::parse(body)?])));
    }
    Err(neither(body, item))
}

/// Bare items: no envelope, so no pages and no time zone.
fn bare(items: Vec<&RawValue>) -> Items<'_> {
    Items {
        items,
        pagination: None,
        timezone: None,
    }
}

/// The items of an envelope's `data`: itself when it is an object, its
/// members when it is a list.
fn items_of(data: &RawValue) -> Result<Vec<&RawValue>, PluginError> {
    match data.get().trim_start().as_bytes().first() {
        Some(b'[') => list(data.get(), "`data`"),
        Some(b'{') => Ok(vec![data]),
        _ => Err(malformed(format!(
            "`data` is `{}`, neither an object nor a list",
            data.get()
        ))),
    }
}

/// The members of the JSON list `text` (`what` names it in the error).
fn list<'a>(text: &'a str, what: &str) -> Result<Vec<&'a RawValue>, PluginError> {
    serde_json::from_str(text).map_err(|e| malformed(format!("{what} is not a list of items: {e}")))
}

/// An envelope member of type `T`, when present and not null.
fn member<'a, T: Deserialize<'a>>(
    raw: Option<&'a RawValue>,
    name: &str,
) -> Result<Option<T>, PluginError> {
    raw.map(|raw| {
        serde_json::from_str(raw.get())
            .map_err(|e| malformed(format!("`{name}` is not of the expected shape: {e}")))
    })
    .transpose()
}

/// The error of a body that is neither form, saying what was expected and
/// what came.
fn neither(body: &[u8], item: &str) -> PluginError {
    malformed(format!(
        "the body is neither a Sportmonks response (an object with `data` or `message`) nor a bare `data` value (one {item} object with an `id`, or a list of {item} objects): it is {}",
        describe(body)
    ))
}

/// What a JSON body is, in a few words.
fn describe(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) if map.get("data") == Some(&Value::Null) => {
            "an object whose `data` is null".to_string()
        }
        Ok(Value::Object(map)) if map.is_empty() => "an empty object".to_string(),
        Ok(Value::Object(map)) => {
            let mut keys: Vec<String> = map
                .keys()
                .take(KEYS_NAMED)
                .map(|k| format!("`{k}`"))
                .collect();
            if map.len() > KEYS_NAMED {
                keys.push("…".to_string());
            }
            format!("an object with the keys {}", keys.join(", "))
        }
        Ok(Value::String(_)) => "a string".to_string(),
        Ok(Value::Number(n)) => format!("the number {n}"),
        Ok(other) => format!("`{other}`"),
        Err(_) => "not JSON".to_string(),
    }
}

fn malformed(message: String) -> PluginError {
    PluginError::MalformedResponse(message)
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
    if may_be_empty || pages::page_of(request) > 1 {
        return Ok(());
    }
    Err(PluginError::ProviderError(format!(
        "Sportmonks found no {what}: {message}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(body: &str) -> PluginError {
        match read(body.as_bytes(), "team") {
            Err(e) => e,
            Ok(_) => panic!("expected an error for {body}"),
        }
    }

    fn items_of_body(body: &str) -> Items<'_> {
        match read(body.as_bytes(), "team") {
            Ok(Body::Data(items)) => items,
            Ok(Body::NoResults(m)) => panic!("no results: {m}"),
            Err(e) => panic!("{e:?}"),
        }
    }

    fn count(body: &str) -> usize {
        items_of_body(body).items.len()
    }

    #[test]
    fn data_is_one_object_or_a_list() {
        assert_eq!(count(r#"{"data":{"id":1},"timezone":"UTC"}"#), 1);
        assert_eq!(count(r#"{"data":[{"id":1},{"id":2}]}"#), 2);
        assert_eq!(count(r#"{"data":[]}"#), 0);
        let enveloped = items_of_body(
            r#"{"data":[{"id":1}],"pagination":{"current_page":2,"has_more":true},"timezone":"Europe/London","rate_limit":{"remaining":1}}"#,
        );
        assert_eq!(
            enveloped.pagination,
            Some(Pagination {
                current_page: Some(2),
                has_more: true
            })
        );
        assert_eq!(enveloped.timezone.as_deref(), Some("Europe/London"));
    }

    #[test]
    fn a_bare_list_or_a_bare_object_with_an_id_is_the_items_without_pages() {
        let list = items_of_body(r#" [{"id":1,"name":"A"},{"id":2,"name":"B"}]"#);
        assert_eq!(list.items.len(), 2);
        assert_eq!(list.items[1].get(), r#"{"id":2,"name":"B"}"#);
        assert_eq!((list.pagination, list.timezone), (None, None));
        assert_eq!(count("[]"), 0);
        let one = items_of_body(r#"{"id":19,"name":"Arsenal","upcoming":[]}"#);
        assert_eq!(one.items.len(), 1);
        assert_eq!(
            one.items[0].get(),
            r#"{"id":19,"name":"Arsenal","upcoming":[]}"#
        );
        assert_eq!((one.pagination, one.timezone), (None, None));
        // A bare item's own fields are not taken for the envelope's.
        assert_eq!(count(r#"{"id":1,"timezone":3,"pagination":"x"}"#), 1);
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
            read(none.as_bytes(), "team"),
            Ok(Body::NoResults(m)) if m.starts_with("No result(s) found matching")
        ));
        // A message beside `data` is not an error.
        assert_eq!(count(r#"{"data":[{"id":1}],"message":"note"}"#), 1);
    }

    #[test]
    fn a_body_of_neither_form_says_what_was_expected_and_what_came() {
        let expected = "the body is neither a Sportmonks response (an object with `data` or `message`) nor a bare `data` value (one team object with an `id`, or a list of team objects): it is ";
        for (body, came) in [
            (
                r#"{"errors":[],"status":500}"#,
                "an object with the keys `errors`, `status`",
            ),
            (r#"{"data":null}"#, "an object whose `data` is null"),
            ("{}", "an empty object"),
            (r#""x""#, "a string"),
            ("3", "the number 3"),
            ("null", "`null`"),
        ] {
            assert_eq!(
                error_of(body),
                PluginError::MalformedResponse(format!("{expected}{came}")),
                "{body}"
            );
        }
    }

    #[test]
    fn a_body_that_is_not_json_or_whose_data_is_no_item_is_malformed() {
        for cut in ["<html>502</html>", r#"[{"id":1},"#, r#"{"data":[{"id":1}"#] {
            assert!(
                matches!(
                    error_of(cut),
                    PluginError::MalformedResponse(m) if m.starts_with("body is not JSON")
                ),
                "{cut}"
            );
        }
        for (body, message) in [
            (
                r#"{"data":"x"}"#,
                "`data` is `\"x\"`, neither an object nor a list",
            ),
            (
                r#"{"data":3}"#,
                "`data` is `3`, neither an object nor a list",
            ),
        ] {
            assert_eq!(
                error_of(body),
                PluginError::MalformedResponse(message.to_string())
            );
        }
        assert!(matches!(
            error_of(r#"{"data":[],"pagination":"x"}"#),
            PluginError::MalformedResponse(m) if m.starts_with("`pagination` is not of the expected shape")
        ));
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
        let later = first.with_query("page", "3");
        assert_eq!(
            nothing_found(&later, "No result(s) found.", false, "x"),
            Ok(())
        );
    }
}
