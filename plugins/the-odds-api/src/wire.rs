//! The parts of The Odds API v4 JSON this plugin reads.
//!
//! Strings borrow from the body where they hold no escapes, so the tens of
//! thousands of outcomes of an odds response cost no copies until they become
//! records.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use sluice_plugin_sdk::timestamp;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// One item of `GET /v4/sports`.
#[derive(Deserialize)]
pub struct Sport<'a> {
    #[serde(borrow)]
    pub key: Text<'a>,
    #[serde(borrow)]
    pub title: Text<'a>,
    #[serde(borrow)]
    pub group: Option<Text<'a>>,
    pub has_outrights: Option<bool>,
}

/// One item of `GET /v4/sports/{sport}/scores` or `/events`; the events
/// endpoint leaves out `completed`, `scores` and `last_update`.
#[derive(Deserialize)]
pub struct Game<'a> {
    #[serde(borrow)]
    pub id: Option<Text<'a>>,
    #[serde(borrow)]
    pub sport_key: Option<Text<'a>>,
    #[serde(borrow)]
    pub sport_title: Option<Text<'a>>,
    #[serde(borrow)]
    pub commence_time: Option<Timestamp<'a>>,
    pub completed: Option<bool>,
    #[serde(borrow)]
    pub home_team: Option<Text<'a>>,
    #[serde(borrow)]
    pub away_team: Option<Text<'a>>,
    /// Null until the game starts.
    #[serde(borrow)]
    pub scores: Option<Vec<TeamScore<'a>>>,
    #[serde(borrow)]
    pub last_update: Option<Timestamp<'a>>,
}

/// One team's score in a game, in no particular order.
#[derive(Deserialize)]
pub struct TeamScore<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    /// A number written as a string, e.g. `"26"`.
    #[serde(borrow)]
    pub score: Option<Text<'a>>,
}

/// One event of an odds response, with its outcomes read as `O`: typed
/// [`Outcome`]s on the fast path, raw JSON where outcomes must be rejected
/// one by one.
#[derive(Deserialize)]
pub struct OddsEvent<'a, O> {
    #[serde(borrow)]
    pub id: Option<Text<'a>>,
    #[serde(borrow)]
    pub bookmakers: Option<Vec<Bookmaker<'a, O>>>,
}

/// One bookmaker's markets for an event.
#[derive(Deserialize)]
pub struct Bookmaker<'a, O> {
    #[serde(borrow)]
    pub key: Text<'a>,
    #[serde(borrow)]
    pub title: Option<Text<'a>>,
    #[serde(borrow)]
    pub last_update: Option<Timestamp<'a>>,
    #[serde(borrow)]
    pub markets: Option<Vec<Market<'a, O>>>,
}

/// One market of a bookmaker; `last_update` is absent in older responses.
#[derive(Deserialize)]
pub struct Market<'a, O> {
    #[serde(borrow)]
    pub key: Text<'a>,
    #[serde(borrow)]
    pub last_update: Option<Timestamp<'a>>,
    pub outcomes: Option<Vec<O>>,
}

/// One priced outcome, as the fast path reads it: anything else fails the
/// event's parse and sends it to the one-by-one path.
#[derive(Deserialize)]
pub struct Outcome<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    /// The player of a player market.
    #[serde(borrow)]
    pub description: Option<Text<'a>>,
    pub price: f64,
    pub point: Option<f64>,
}

/// One outcome with each field kept as its raw JSON, so that whatever is
/// wrong with it can be told in words.
#[derive(Deserialize)]
pub struct LooseOutcome<'a> {
    #[serde(borrow)]
    pub name: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow)]
    pub description: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow)]
    pub price: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow)]
    pub point: Option<&'a serde_json::value::RawValue>,
}

/// The body The Odds API sends instead of data when it refuses a request.
#[derive(Deserialize)]
pub struct ErrorBody<'a> {
    #[serde(borrow)]
    pub message: Option<Text<'a>>,
    #[serde(borrow)]
    pub error_code: Option<Text<'a>>,
    /// Present on an event, absent on an error.
    pub id: Option<de::IgnoredAny>,
}

/// A string that borrows from the body unless it holds escapes. serde's own
/// `Cow<str>` borrows only as a direct field, never inside an `Option`.
#[derive(Clone, Debug, PartialEq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Text<'_> {
    /// The text, borrowed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Text<'_>> for String {
    fn from(text: Text<'_>) -> String {
        text.0.into_owned()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor(PhantomData))
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }
}

/// A date as The Odds API writes it: ISO 8601 text with `dateFormat=iso`,
/// unix seconds with `dateFormat=unix`.
#[derive(Clone, Debug, PartialEq)]
pub enum Timestamp<'a> {
    /// `2021-11-13T17:31:40Z`.
    Iso(Cow<'a, str>),
    /// `1636824700`.
    Unix(i64),
}

impl Timestamp<'_> {
    /// The date in the canonical RFC 3339 UTC form.
    pub fn to_rfc3339(&self) -> Result<String, String> {
        match self {
            Timestamp::Iso(text) => timestamp::to_utc_rfc3339(text),
            Timestamp::Unix(seconds) => timestamp::from_unix(*seconds),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Timestamp<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimestampVisitor(PhantomData))
    }
}

struct TimestampVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TimestampVisitor<'a> {
    type Value = Timestamp<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISO 8601 date or unix seconds")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Timestamp::Iso(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Timestamp::Iso(Cow::Owned(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Timestamp::Unix(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Timestamp::Unix)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<String, String> {
        serde_json::from_str::<Timestamp>(json)
            .map_err(|e| e.to_string())?
            .to_rfc3339()
    }

    #[test]
    fn dates_are_read_as_iso_text_or_unix_seconds() {
        assert_eq!(
            read(r#""2021-11-13T17:31:40Z""#).as_deref(),
            Ok("2021-11-13T17:31:40Z")
        );
        assert_eq!(read("1731633300").as_deref(), Ok("2024-11-15T01:15:00Z"));
        assert!(read(r#""next sunday""#).is_err());
        let err = read("true").err().unwrap_or_default();
        assert!(err.contains("an ISO 8601 date or unix seconds"), "{err}");
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let event: Game = serde_json::from_str(
            r#"{"id":"e1","home_team":"Bodø/Glimt","away_team":"Mt. St. Mary\u0027s"}"#,
        )
        .expect("valid game");
        assert!(matches!(event.home_team, Some(Text(Cow::Borrowed(_)))));
        assert!(matches!(event.id, Some(Text(Cow::Borrowed("e1")))));
        assert_eq!(event.away_team.as_deref(), Some("Mt. St. Mary's"));
    }
}
