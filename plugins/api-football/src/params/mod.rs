//! The streams' parameters, checked, and the request each accepted
//! combination asks for: one file per stream, and here the checks of single
//! values they share.
//!
//! Every value is checked before the combination, so a malformed value is
//! named as such; the query lists the given parameters in one fixed order,
//! whatever order the pipeline wrote them in.

mod fixtures;
mod odds;
mod teams;

pub use fixtures::fixtures_request;
pub use odds::odds_request;
pub use teams::{standings_request, teams_request};

use sluice_plugin_sdk::{HttpRequest, Params, PluginError, params};

use crate::status;

/// The most fixture ids `/fixtures?ids=` takes in one request.
const MAX_IDS: usize = 20;

/// The parameters of one request that were given, each value checked.
pub(crate) struct Given<'a> {
    pairs: Vec<(&'static str, &'a str)>,
}

impl<'a> Given<'a> {
    /// The parameters of `names` that `params` holds, in the order of
    /// `names`, each checked by [`check`]; a parameter given twice counts
    /// once (its first value), as the host passes it.
    pub(crate) fn read(params: &'a Params, names: &[&'static str]) -> Result<Self, PluginError> {
        let mut pairs = Vec::new();
        for name in names {
            if let Some(value) = params::get(params, name) {
                check(name, value)?;
                pairs.push((*name, value));
            }
        }
        Ok(Given { pairs })
    }

    /// Whether `name` was given.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| *k == name)
    }

    /// The value of `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }

    /// The names given, in query order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.pairs.iter().map(|(k, _)| *k)
    }

    /// Whether nothing was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// A GET of `path` with every given parameter.
    pub(crate) fn request(&self, path: &str) -> HttpRequest {
        HttpRequest::get(path, &self.pairs)
    }
}

/// A check of one value, and what it wants, for the message.
type Form = (fn(&str) -> bool, &'static str);

/// What a value of parameter `name` must look like; none for a name with no
/// check of its own.
fn expected(name: &str) -> Option<Form> {
    Some(match name {
        "league" => (is_id, "a numeric league id such as `39`"),
        "season" => (is_year, "the starting year, such as `2022`"),
        "team" => (is_id, "a numeric team id such as `33`"),
        "venue" => (is_id, "a numeric venue id such as `556`"),
        "id" => (is_id, "a numeric id such as `33`"),
        "fixture" => (is_id, "a numeric fixture id such as `1226178`"),
        "bookmaker" => (is_id, "a numeric bookmaker id such as `8`"),
        "bet" => (is_id, "a numeric bet id such as `1`"),
        "date" | "from" | "to" => (params::is_day, "a day `YYYY-MM-DD`, such as `2023-05-13`"),
        "timezone" => (
            is_timezone,
            "a time zone of API-Football's `/timezone` list, such as `Europe/London`",
        ),
        "last" | "next" => (is_count, "a number of fixtures from 1 to 99"),
        "status" => (
            is_status_list,
            "fixture status codes separated by dashes, such as `NS-PST` (TBD, NS, 1H, HT, 2H, ET, BT, P, SUSP, INT, FT, AET, PEN, PST, CANC, ABD, AWD, WO, LIVE)",
        ),
        "round" => (is_text, "a round name such as `Regular Season - 1`"),
        "live" => (
            |v| v == "all" || is_id_list(v, usize::MAX),
            "`all` or dash-separated league ids such as `39-61`",
        ),
        "ids" => (
            |v| is_id_list(v, MAX_IDS),
            "1 to 20 distinct numeric fixture ids separated by dashes, such as `1149523-1149519`",
        ),
        "h2h" => (
            |v| v.split('-').count() == 2 && is_id_list(v, 2),
            "two different numeric team ids joined by a dash, such as `33-50`",
        ),
        // API-Football wants at least three characters, and letters, digits
        // and spaces only.
        "search" => (
            |v| v.trim().chars().count() >= 3 && v.chars().all(|c| c.is_alphanumeric() || c == ' '),
            "at least 3 letters, digits or spaces, such as `Manchester`",
        ),
        "code" => (
            |v| v.chars().count() == 3 && v.chars().all(char::is_alphanumeric),
            "a team code of 3 letters or digits, such as `MUN`",
        ),
        "name" | "country" => (is_text, "a name such as `England`"),
        _ => return None,
    })
}

/// Checks one value of parameter `name`: a blank value is an error, and so
/// is one its [`expected`] form refuses.
fn check(name: &str, value: &str) -> Result<(), PluginError> {
    if value.trim().is_empty() {
        return Err(invalid(format!("parameter `{name}` is empty")));
    }
    match expected(name) {
        Some((ok, what)) if !ok(value) => Err(invalid(format!(
            "parameter `{name}` must be {what}, not `{value}`"
        ))),
        _ => Ok(()),
    }
}

/// A numeric id: 1 to 10 digits, not all zeros.
fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 10
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.bytes().any(|b| b != b'0')
}

/// 1 to `max` distinct numeric ids separated by dashes.
fn is_id_list(text: &str, max: usize) -> bool {
    let ids: Vec<&str> = text.split('-').collect();
    let mut seen = std::collections::HashSet::new();
    ids.len() <= max && ids.iter().all(|id| is_id(id) && seen.insert(*id))
}

/// A season: its starting year, four digits.
fn is_year(text: &str) -> bool {
    text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `last`/`next`: API-Football takes at most two digits.
fn is_count(text: &str) -> bool {
    (1..=2).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.bytes().any(|b| b != b'0')
}

/// A name of the IANA time zone database, as API-Football's `/timezone`
/// lists them (`UTC`, `Europe/London`, `America/Argentina/Buenos_Aires`,
/// `Etc/GMT+3`).
fn is_timezone(text: &str) -> bool {
    text.len() <= 64
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
}

/// Status codes separated by dashes, each one API-Football documents (in
/// any case: its own examples write `ft`).
fn is_status_list(text: &str) -> bool {
    text.split('-')
        .all(|code| !code.is_empty() && status::map(&code.to_ascii_uppercase()).is_ok())
}

/// Free text with no control characters.
fn is_text(text: &str) -> bool {
    !text.trim().is_empty() && text.len() <= 100 && !text.chars().any(char::is_control)
}

/// `league` and `season` come together: a league's fixtures, odds or teams
/// are of one season, and a season alone names no league.
pub(crate) fn league_with_season(given: &Given<'_>) -> Result<(), PluginError> {
    match (given.has("league"), given.has("season")) {
        (true, false) => Err(invalid(
            "parameter `season` is required with `league`".to_string(),
        )),
        (false, true) => Err(invalid(
            "parameter `league` is required with `season`".to_string(),
        )),
        _ => Ok(()),
    }
}

/// The `invalid-params` error every refusal is.
pub(crate) fn invalid(message: String) -> PluginError {
    PluginError::InvalidParams(message)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Params from pairs.
    pub(crate) fn p(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The message of an `invalid-params` error, or the request.
    pub(crate) fn message(result: Result<HttpRequest, PluginError>) -> Result<HttpRequest, String> {
        result.map_err(|e| match e {
            PluginError::InvalidParams(m) => m,
            other => panic!("expected invalid-params, got {other:?}"),
        })
    }

    #[test]
    fn values_are_checked_one_by_one() {
        let good = [
            ("league", "39"),
            ("season", "2022"),
            ("date", "2024-02-29"),
            ("timezone", "Europe/London"),
            ("timezone", "America/Argentina/Buenos_Aires"),
            ("timezone", "Etc/GMT+3"),
            ("timezone", "UTC"),
            ("last", "5"),
            ("next", "99"),
            ("status", "NS-PST-FT"),
            ("status", "ft"),
            ("round", "Regular Season - 1"),
            ("code", "MUN"),
        ];
        for (name, value) in good {
            assert_eq!(check(name, value), Ok(()), "{name}={value}");
        }
        let bad = [
            ("league", "EPL"),
            ("league", "0"),
            ("season", "22"),
            ("season", "2022-23"),
            ("date", "2023-02-29"),
            ("timezone", "Europe/London&x=1"),
            ("timezone", "/London"),
            ("last", "100"),
            ("last", "0"),
            ("next", "-1"),
            ("status", "NS-"),
            ("status", "XYZ"),
            ("round", " "),
            ("round", "Round\n1"),
            ("code", "MANU"),
            ("bookmaker", "bet365"),
            ("bet", "1.5"),
        ];
        for (name, value) in bad {
            assert!(check(name, value).is_err(), "{name}={value} was accepted");
        }
        assert_eq!(
            check("status", "NS-XYZ"),
            Err(invalid(
                "parameter `status` must be fixture status codes separated by dashes, such as `NS-PST` (TBD, NS, 1H, HT, 2H, ET, BT, P, SUSP, INT, FT, AET, PEN, PST, CANC, ABD, AWD, WO, LIVE), not `NS-XYZ`".to_string()
            ))
        );
        assert_eq!(
            check("season", ""),
            Err(invalid("parameter `season` is empty".to_string()))
        );
    }

    #[test]
    fn a_league_and_a_season_come_together() {
        let given = |pairs: &[(&str, &str)]| {
            let params = p(pairs);
            let given = Given::read(&params, &["league", "season"]).expect("values");
            league_with_season(&given)
        };
        assert_eq!(given(&[("league", "39"), ("season", "2022")]), Ok(()));
        assert_eq!(given(&[]), Ok(()));
        assert_eq!(
            given(&[("league", "39")]),
            Err(invalid(
                "parameter `season` is required with `league`".to_string()
            ))
        );
        assert_eq!(
            given(&[("season", "2022")]),
            Err(invalid(
                "parameter `league` is required with `season`".to_string()
            ))
        );
    }
}
