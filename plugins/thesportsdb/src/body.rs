//! The envelope of a TheSportsDB v1 response: one object holding one list
//! (`{"events": [...]}`, `{"teams": [...]}`), null when nothing matched.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use sluice_plugin_sdk::{PluginError, json};

/// The items of the list under the first of `keys` the body has, still raw
/// so that one bad item is rejected with its own JSON while the others load.
///
/// An empty body and a null list (`{"events": null}`, TheSportsDB's answer
/// when nothing matches) are no items. A body that is not JSON (an HTML
/// error page), not an object, or without any of `keys` is
/// `malformed-response`, quoting how it starts.
pub fn items<'a>(body: &'a [u8], keys: &[&str]) -> Result<Vec<&'a RawValue>, PluginError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let envelope: BTreeMap<String, &RawValue> = json::parse(body)?;
    let Some((key, list)) = keys
        .iter()
        .find_map(|key| envelope.get(*key).map(|list| (*key, *list)))
    else {
        let found: Vec<&str> = envelope.keys().map(String::as_str).collect();
        return Err(PluginError::MalformedResponse(format!(
            "body has no `{}` list (it has: {}), so it is not this TheSportsDB response",
            keys.join("` or `"),
            if found.is_empty() {
                "nothing".to_string()
            } else {
                found.join(", ")
            }
        )));
    };
    let items: Option<Vec<&RawValue>> = serde_json::from_str(list.get()).map_err(|e| {
        PluginError::MalformedResponse(format!("`{key}` is not a list of items: {e}"))
    })?;
    Ok(items.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn malformed(body: &str, keys: &[&str]) -> String {
        match items(body.as_bytes(), keys) {
            Err(PluginError::MalformedResponse(m)) => m,
            other => panic!("{body}: expected malformed-response, got {other:?}"),
        }
    }

    #[test]
    fn the_list_is_read_and_nothing_is_no_items() {
        let found = items(
            br#"{"events":[{"idEvent":"1"},{"idEvent":"2"}]}"#,
            &["events"],
        )
        .expect("list");
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].get(), r#"{"idEvent":"2"}"#);
        for empty in [r#"{"events":null}"#, r#"{"events":[]}"#, "", " \n"] {
            let found = items(empty.as_bytes(), &["events"]).expect("no items");
            assert!(found.is_empty(), "{empty:?}");
        }
    }

    #[test]
    fn any_of_the_keys_is_taken() {
        let body = br#"{"livescore":[{"idEvent":"1"}]}"#;
        assert_eq!(
            items(body, &["events", "livescore"]).map(|i| i.len()),
            Ok(1)
        );
    }

    #[test]
    fn an_html_page_or_another_shape_is_malformed() {
        let html = malformed(
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>",
            &["events"],
        );
        assert!(html.starts_with("body is not JSON"), "{html}");
        assert!(
            html.contains("<!DOCTYPE html><html><head><title>502"),
            "{html}"
        );
        assert_eq!(
            malformed(r#"{"teams":[]}"#, &["events"]),
            "body has no `events` list (it has: teams), so it is not this TheSportsDB response"
        );
        assert_eq!(
            malformed("{}", &["events", "livescore"]),
            "body has no `events` or `livescore` list (it has: nothing), so it is not this TheSportsDB response"
        );
        assert!(
            malformed(r#"{"events":"no data"}"#, &["events"])
                .starts_with("`events` is not a list of items")
        );
        assert!(malformed("[1,2]", &["events"]).contains("does not have the expected shape"));
    }
}
