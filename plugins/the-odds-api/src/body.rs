//! The shape of a whole response: a list of items, or one object, or the
//! error The Odds API sends in place of either.

use crate::wire;
use serde_json::value::RawValue;
use sluice_plugin_sdk::{PluginError, json};

/// The items of a body that must be a JSON array, each kept raw so that one
/// bad item is rejected alone.
pub fn list(body: &[u8]) -> Result<Vec<&RawValue>, PluginError> {
    json::parse::<Vec<&RawValue>>(body)
        .map_err(|malformed| provider_error(body).unwrap_or(malformed))
}

/// A body that must be one JSON object, such as the odds of one event.
pub fn object(body: &[u8]) -> Result<&RawValue, PluginError> {
    let raw: &RawValue = json::parse(body)?;
    if !raw.get().trim_start().starts_with('{') {
        return Err(PluginError::MalformedResponse(format!(
            "body is not the JSON object of one event; it starts with {:?}",
            raw.get().chars().take(80).collect::<String>()
        )));
    }
    match provider_error(body) {
        Some(err) => Err(err),
        None => Ok(raw),
    }
}

/// The provider's refusal, when the body is an object with a `message` and
/// no event `id` (`{"message": "…", "error_code": "…"}`).
fn provider_error(body: &[u8]) -> Option<PluginError> {
    let error: wire::ErrorBody = serde_json::from_slice(body).ok()?;
    if error.id.is_some() {
        return None;
    }
    let message = error.message?;
    Some(PluginError::ProviderError(match error.error_code {
        Some(code) => format!("The Odds API: {} ({})", message.as_str(), code.as_str()),
        None => format!("The Odds API: {}", message.as_str()),
    }))
}

/// The `id` of an item, for a reject of an item that did not parse as a
/// whole.
pub fn item_id(raw: &RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<String>,
    }
    serde_json::from_str::<Id>(raw.get()).ok()?.id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_object_where_a_list_was_expected_is_the_providers_error() {
        let body = br#"{"message":"Unknown sport. Check the sport key.","error_code":"UNKNOWN_SPORT","details_url":"https://example.invalid/errors#unknown-sport"}"#;
        assert_eq!(
            list(body).err(),
            Some(PluginError::ProviderError(
                "The Odds API: Unknown sport. Check the sport key. (UNKNOWN_SPORT)".to_string()
            ))
        );
        assert_eq!(
            object(body).err(),
            Some(PluginError::ProviderError(
                "The Odds API: Unknown sport. Check the sport key. (UNKNOWN_SPORT)".to_string()
            ))
        );
        assert_eq!(
            list(br#"{"message":"API key is missing"}"#).err(),
            Some(PluginError::ProviderError(
                "The Odds API: API key is missing".to_string()
            ))
        );
    }

    #[test]
    fn anything_else_of_the_wrong_shape_is_malformed() {
        for body in [
            &b"<html>502 Bad Gateway</html>"[..],
            br#"{"data": []}"#,
            br#"{"id": "e1", "message": "an event that happens to have a message"}"#,
            b"42",
        ] {
            assert!(
                matches!(list(body), Err(PluginError::MalformedResponse(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(matches!(
            object(b"[]"),
            Err(PluginError::MalformedResponse(m)) if m.contains("not the JSON object of one event")
        ));
        assert!(object(br#"{"id": "e1", "bookmakers": []}"#).is_ok());
    }
}
