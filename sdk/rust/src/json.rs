//! Parsing a provider's JSON body into the plugin's own types.

use crate::PluginError;
use serde::Deserialize;

/// How much of a body that failed to parse is quoted in the error.
const SNIPPET_CHARS: usize = 80;

/// How much of a JSON value a reject's reason quotes.
const EXCERPT_CHARS: usize = 40;

/// Parses `body` as JSON into `T`.
///
/// A body that is not JSON, or not of the expected shape, becomes a
/// `malformed-response` error that quotes where it failed and how the body
/// starts, so the person reading the log can tell an HTML error page from a
/// changed schema.
pub fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, PluginError> {
    serde_json::from_slice(body).map_err(|err| {
        let what = if err.is_syntax() || err.is_eof() {
            "body is not JSON"
        } else {
            "body does not have the expected shape"
        };
        PluginError::MalformedResponse(format!(
            "{what} ({err}); it starts with {:?}",
            snippet(body)
        ))
    })
}

/// The start of a JSON value (its first 40 characters, then `…`), for a
/// reason that quotes it.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(SNIPPET_CHARS).collect();
    if text.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Shape {
        #[allow(dead_code)]
        matches: Vec<u32>,
    }

    fn malformed(result: Result<Shape, PluginError>) -> String {
        match result {
            Err(PluginError::MalformedResponse(m)) => m,
            other => panic!("expected a malformed-response error, got {other:?}"),
        }
    }

    #[test]
    fn html_error_page_is_reported_as_not_json() {
        let err = malformed(parse(b"<html><body>502 Bad Gateway</body></html>"));
        assert!(err.starts_with("body is not JSON"), "{err}");
        assert!(err.contains("<html><body>502"), "{err}");
    }

    #[test]
    fn wrong_shape_is_reported_as_such() {
        let err = malformed(parse(br#"{"matches": "none"}"#));
        assert!(err.contains("does not have the expected shape"), "{err}");
    }

    #[test]
    fn an_excerpt_cuts_a_long_value_at_forty_characters() {
        assert_eq!(excerpt("\"1.85\""), "\"1.85\"");
        let long = format!("[{}]", "1,".repeat(30));
        assert_eq!(excerpt(&long), format!("{}…", &long[..40]));
        assert_eq!(excerpt(&"é".repeat(41)), format!("{}…", "é".repeat(40)));
    }
}
