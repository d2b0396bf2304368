//! The `scoreboard` stream's parameters, checked.

use sluice_plugin_sdk::{Params, PluginError, params};

/// The sports this plugin knows the statuses and periods of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sport {
    /// Association football: two halves, a live minute.
    Soccer,
    /// American football: four quarters, no minute.
    Football,
}

impl Sport {
    /// ESPN's path segment for the sport.
    pub fn slug(self) -> &'static str {
        match self {
            Sport::Soccer => "soccer",
            Sport::Football => "football",
        }
    }

    /// The sport as the competition record names it.
    pub fn label(self) -> &'static str {
        match self {
            Sport::Soccer => "Soccer",
            Sport::Football => "American Football",
        }
    }

    /// Periods of regular time: halves or quarters.
    pub fn regular_periods(self) -> usize {
        match self {
            Sport::Soccer => 2,
            Sport::Football => 4,
        }
    }
}

/// `sport`, `league` and `dates`, each checked.
#[derive(Debug)]
pub struct ScoreboardParams {
    /// The sport of the board.
    pub sport: Sport,
    /// ESPN's league slug, e.g. `usa.1`, `eng.1`, `nfl`.
    pub league: String,
    /// `YYYYMMDD` or `YYYYMMDD-YYYYMMDD`, passed through as `dates`.
    pub dates: Option<String>,
}

impl ScoreboardParams {
    /// Reads and checks the parameters; a missing or malformed one is
    /// `invalid-params`, naming it and saying what it should look like.
    pub fn read(params: &Params) -> Result<Self, PluginError> {
        let sport_text = params::require(params, "sport")?;
        if !is_slug(sport_text) {
            return Err(PluginError::InvalidParams(format!(
                "parameter `sport` must be an ESPN sport slug of lower-case letters, digits, dots and dashes such as `soccer` or `football`, not `{sport_text}`"
            )));
        }
        let sport = match sport_text {
            "soccer" => Sport::Soccer,
            "football" => Sport::Football,
            other => {
                return Err(PluginError::InvalidParams(format!(
                    "parameter `sport` must be `soccer` or `football` (the sports whose statuses this plugin knows), not `{other}`"
                )));
            }
        };
        let league = params::require(params, "league")?;
        if !is_slug(league) {
            return Err(PluginError::InvalidParams(format!(
                "parameter `league` must be an ESPN league slug of lower-case letters, digits, dots and dashes such as `usa.1`, `eng.1` or `nfl`, not `{league}`"
            )));
        }
        let dates = match params::get(params, "dates") {
            None => None,
            Some(dates) if is_dates(dates) => Some(dates.to_string()),
            Some(dates) => {
                return Err(PluginError::InvalidParams(format!(
                    "parameter `dates` must be a day `YYYYMMDD` or a range `YYYYMMDD-YYYYMMDD`, not `{dates}`"
                )));
            }
        };
        Ok(ScoreboardParams {
            sport,
            league: league.to_string(),
            dates,
        })
    }
}

/// Lower-case letters, digits, dots and dashes, starting with a letter or
/// digit (so no `..` path tricks): `usa.1`, `uefa.champions`, `nfl`.
fn is_slug(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_alphanumeric()
        && !text.contains("..")
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// `YYYYMMDD` or `YYYYMMDD-YYYYMMDD`, each a plausible calendar day, the
/// range not backwards.
fn is_dates(text: &str) -> bool {
    match text.split_once('-') {
        None => is_day(text),
        Some((first, last)) => is_day(first) && is_day(last) && first <= last,
    }
}

/// Eight digits with a month of 01-12 and a day of 01-31.
fn is_day(text: &str) -> bool {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let month: u32 = text[4..6].parse().unwrap_or(0);
    let day: u32 = text[6..8].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<ScoreboardParams, PluginError> {
        let params: Params = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        ScoreboardParams::read(&params)
    }

    fn invalid(pairs: &[(&str, &str)]) -> String {
        match read(pairs) {
            Err(PluginError::InvalidParams(message)) => message,
            Err(other) => panic!("expected invalid-params, got {other:?}"),
            Ok(p) => panic!("expected invalid-params, got {p:?}"),
        }
    }

    #[test]
    fn valid_parameters_are_kept() {
        let p = read(&[("sport", "soccer"), ("league", "usa.1")]).expect("valid");
        assert_eq!(
            (p.sport, p.league.as_str(), p.dates),
            (Sport::Soccer, "usa.1", None)
        );
        let p = read(&[
            ("sport", "football"),
            ("league", "nfl"),
            ("dates", "20220911"),
        ])
        .expect("valid");
        assert_eq!(p.sport, Sport::Football);
        assert_eq!(p.dates.as_deref(), Some("20220911"));
        let p = read(&[
            ("sport", "soccer"),
            ("league", "uefa.europa-conf"),
            ("dates", "20220901-20220930"),
        ])
        .expect("valid");
        assert_eq!(p.dates.as_deref(), Some("20220901-20220930"));
    }

    #[test]
    fn missing_parameters_are_named() {
        assert_eq!(
            invalid(&[("league", "usa.1")]),
            "parameter `sport` is required"
        );
        assert_eq!(
            invalid(&[("sport", "soccer")]),
            "parameter `league` is required"
        );
        assert_eq!(
            invalid(&[("sport", "soccer"), ("league", " ")]),
            "parameter `league` is empty"
        );
    }

    #[test]
    fn malformed_parameters_say_what_is_expected() {
        for league in [
            "USA.1",
            "../nfl",
            "usa/1",
            ".usa",
            "usa..1",
            "usa 1",
            "usa.1?x=1",
        ] {
            assert_eq!(
                invalid(&[("sport", "soccer"), ("league", league)]),
                format!(
                    "parameter `league` must be an ESPN league slug of lower-case letters, digits, dots and dashes such as `usa.1`, `eng.1` or `nfl`, not `{league}`"
                ),
                "{league}"
            );
        }
        assert_eq!(
            invalid(&[("sport", "Soccer"), ("league", "usa.1")]),
            "parameter `sport` must be an ESPN sport slug of lower-case letters, digits, dots and dashes such as `soccer` or `football`, not `Soccer`"
        );
        assert_eq!(
            invalid(&[("sport", "basketball"), ("league", "nba")]),
            "parameter `sport` must be `soccer` or `football` (the sports whose statuses this plugin knows), not `basketball`"
        );
        for dates in [
            "2022-09-11",
            "2022091",
            "20221301",
            "20220932",
            "20220930-20220901",
            "20220901-",
            "x",
        ] {
            assert_eq!(
                invalid(&[("sport", "football"), ("league", "nfl"), ("dates", dates)]),
                format!(
                    "parameter `dates` must be a day `YYYYMMDD` or a range `YYYYMMDD-YYYYMMDD`, not `{dates}`"
                ),
                "{dates}"
            );
        }
    }
}
