//! The parts of TheSportsDB v1 JSON this plugin reads; the rest (artwork,
//! descriptions, tweets, spectators) is skipped.
//!
//! TheSportsDB writes every value as a string or null, numbers included
//! (`"intHomeScore": "3"`), and uses `""` as often as null for "nothing".
//! Both are read here as none, and a number sent as a JSON number is read as
//! its text, so the conversion has one form to check.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One item of `eventsseason.php`, `eventsnextleague.php`,
/// `eventspastleague.php` or `livescore.php`: a match, race or other event.
#[derive(Deserialize, Default, Debug)]
pub struct EventItem {
    /// The event id.
    #[serde(rename = "idEvent", default, deserialize_with = "text")]
    pub id: Option<String>,
    /// `Arsenal vs Chelsea`, or a race's name.
    #[serde(rename = "strEvent", default, deserialize_with = "text")]
    pub name: Option<String>,
    /// `Soccer`, `Motorsport`, …
    #[serde(rename = "strSport", default, deserialize_with = "text")]
    pub sport: Option<String>,
    /// The league id.
    #[serde(rename = "idLeague", default, deserialize_with = "text")]
    pub league_id: Option<String>,
    /// The league's name.
    #[serde(rename = "strLeague", default, deserialize_with = "text")]
    pub league: Option<String>,
    /// The league's badge.
    #[serde(rename = "strLeagueBadge", default, deserialize_with = "text")]
    pub league_badge: Option<String>,
    /// `2024-2025` or `2024`.
    #[serde(rename = "strSeason", default, deserialize_with = "text")]
    pub season: Option<String>,
    /// The round: a matchday, or one of TheSportsDB's stage codes (`500`).
    #[serde(rename = "intRound", default, deserialize_with = "text")]
    pub round: Option<String>,
    /// The home team's id; none in sports without sides (motorsport, golf).
    #[serde(rename = "idHomeTeam", default, deserialize_with = "text")]
    pub home_id: Option<String>,
    /// The home team's name.
    #[serde(rename = "strHomeTeam", default, deserialize_with = "text")]
    pub home_name: Option<String>,
    /// The home team's badge.
    #[serde(rename = "strHomeTeamBadge", default, deserialize_with = "text")]
    pub home_badge: Option<String>,
    /// The away team's id.
    #[serde(rename = "idAwayTeam", default, deserialize_with = "text")]
    pub away_id: Option<String>,
    /// The away team's name.
    #[serde(rename = "strAwayTeam", default, deserialize_with = "text")]
    pub away_name: Option<String>,
    /// The away team's badge.
    #[serde(rename = "strAwayTeamBadge", default, deserialize_with = "text")]
    pub away_badge: Option<String>,
    /// The home score, as text; null until there is one.
    #[serde(rename = "intHomeScore", default, deserialize_with = "text")]
    pub home_score: Option<String>,
    /// The away score, as text.
    #[serde(rename = "intAwayScore", default, deserialize_with = "text")]
    pub away_score: Option<String>,
    /// The start, `2024-10-13T18:45:00`: UTC, written without an offset.
    #[serde(rename = "strTimestamp", default, deserialize_with = "text")]
    pub timestamp: Option<String>,
    /// The start's date in UTC, `2024-10-13`.
    #[serde(rename = "dateEvent", default, deserialize_with = "text")]
    pub date: Option<String>,
    /// The start's time in UTC, `18:45:00`.
    #[serde(rename = "strTime", default, deserialize_with = "text")]
    pub time: Option<String>,
    /// The start's time at the venue: absent from live scores, present but
    /// empty when TheSportsDB does not know the time.
    #[serde(rename = "strTimeLocal", default, deserialize_with = "present_text")]
    pub local_time: Option<Option<String>>,
    /// The start's time in live scores, `17:50`.
    #[serde(rename = "strEventTime", default, deserialize_with = "text")]
    pub event_time: Option<String>,
    /// Where the event stands: a code (`NS`, `2H`, `FT`) or words
    /// (`Match Finished`, `Time to be defined`); often empty.
    #[serde(rename = "strStatus", default, deserialize_with = "text")]
    pub status: Option<String>,
    /// `yes` when the event is postponed.
    #[serde(rename = "strPostponed", default, deserialize_with = "text")]
    pub postponed: Option<String>,
    /// Live scores' progress: the minute in soccer (`67`), a clock or
    /// `Final` in other sports.
    #[serde(rename = "strProgress", default, deserialize_with = "text")]
    pub progress: Option<String>,
    /// Free text with the result (a race's standings), once there is one.
    #[serde(rename = "strResult", default, deserialize_with = "text")]
    pub result: Option<String>,
    /// The venue's name.
    #[serde(rename = "strVenue", default, deserialize_with = "text")]
    pub venue: Option<String>,
}

/// One item of `lookupteam.php`.
#[derive(Deserialize, Default, Debug)]
pub struct TeamItem {
    /// The team id.
    #[serde(rename = "idTeam", default, deserialize_with = "text")]
    pub id: Option<String>,
    /// Its name.
    #[serde(rename = "strTeam", default, deserialize_with = "text")]
    pub name: Option<String>,
    /// Its short code, e.g. `ARS`.
    #[serde(rename = "strTeamShort", default, deserialize_with = "text")]
    pub short: Option<String>,
    /// The year it was formed, as text; `0` when unknown.
    #[serde(rename = "intFormedYear", default, deserialize_with = "text")]
    pub formed_year: Option<String>,
    /// Its home ground.
    #[serde(rename = "strStadium", default, deserialize_with = "text")]
    pub stadium: Option<String>,
    /// Its badge (current responses).
    #[serde(rename = "strBadge", default, deserialize_with = "text")]
    pub badge: Option<String>,
    /// Its badge (older responses).
    #[serde(rename = "strTeamBadge", default, deserialize_with = "text")]
    pub team_badge: Option<String>,
    /// Its country.
    #[serde(rename = "strCountry", default, deserialize_with = "text")]
    pub country: Option<String>,
}

/// One item of `eventresults.php`: one participant's result in an event
/// (a driver in a race).
#[derive(Deserialize, Default, Debug)]
pub struct ResultItem {
    /// The result's id.
    #[serde(rename = "idResult", default, deserialize_with = "text")]
    pub id: Option<String>,
    /// The event it is a result of.
    #[serde(rename = "idEvent", default, deserialize_with = "text")]
    pub event: Option<String>,
    /// The participant's id (a driver is a player to TheSportsDB).
    #[serde(rename = "idPlayer", default, deserialize_with = "text")]
    pub player_id: Option<String>,
    /// The participant's name.
    #[serde(rename = "strPlayer", default, deserialize_with = "text")]
    pub player: Option<String>,
    /// Their team's name; the recordings give only `idTeam`.
    #[serde(rename = "strTeam", default, deserialize_with = "text")]
    pub team: Option<String>,
    /// The place, as text (`1`); TheSportsDB numbers every line,
    /// retirements included.
    #[serde(rename = "intPosition", default, deserialize_with = "text")]
    pub position: Option<String>,
    /// Championship points, as text (`25`).
    #[serde(rename = "intPoints", default, deserialize_with = "text")]
    pub points: Option<String>,
    /// The result: a time (`1:40:52.571`), a gap (`+20.945s`, `+1 lap`) or
    /// `DNF`.
    #[serde(rename = "strDetail", default, deserialize_with = "text")]
    pub detail: Option<String>,
    /// A result in words; null in the recordings.
    #[serde(rename = "strResult", default, deserialize_with = "text")]
    pub result: Option<String>,
}

/// A string, or a number or boolean as its text; null and blank strings are
/// none. Objects and lists are not a value TheSportsDB sends in these fields.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or null, found {other}"
        ))),
    }
}

/// Like [`text`], but telling a field that is present and empty
/// (`Some(None)`) from one that is absent (`None`, by `default`).
fn present_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    text(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_numbers_nulls_and_blanks_are_read_as_text_or_none() {
        let item: EventItem = serde_json::from_str(
            r#"{"idEvent": 42, "intHomeScore": "3", "intAwayScore": null, "strVenue": "  ", "strStatus": ""}"#,
        )
        .expect("event");
        assert_eq!(item.id.as_deref(), Some("42"));
        assert_eq!(item.home_score.as_deref(), Some("3"));
        assert_eq!(item.away_score, None);
        assert_eq!(item.venue, None);
        assert_eq!(item.status, None);
        assert!(serde_json::from_str::<EventItem>(r#"{"idEvent": {"a": 1}}"#).is_err());
    }

    #[test]
    fn a_blank_local_time_is_told_from_an_absent_one() {
        let blank: EventItem = serde_json::from_str(r#"{"strTimeLocal": ""}"#).expect("event");
        let null: EventItem = serde_json::from_str(r#"{"strTimeLocal": null}"#).expect("event");
        let absent: EventItem = serde_json::from_str("{}").expect("event");
        let given: EventItem =
            serde_json::from_str(r#"{"strTimeLocal": "20:45:00"}"#).expect("event");
        assert_eq!(blank.local_time, Some(None));
        assert_eq!(null.local_time, Some(None));
        assert_eq!(absent.local_time, None);
        assert_eq!(given.local_time, Some(Some("20:45:00".to_string())));
    }
}
