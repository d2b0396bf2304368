//! The `matches` stream's parameters, checked.

use jiff::tz::TimeZone;
use sluice_plugin_sdk::{Params, PluginError, params};

use crate::kickoff;

/// `league`, `season` and `timezone`, each checked.
pub struct MatchParams {
    /// The league's file name in football.json, e.g. `de.1`.
    pub league: String,
    /// The season folder, e.g. `2023-24` (or `2024` for a calendar-year league).
    pub season: String,
    /// The zone the file's local kick-off times are in.
    pub timezone: TimeZone,
}

impl MatchParams {
    /// Reads and checks the parameters; a missing or malformed one is
    /// `invalid-params`, naming it and saying what it should look like.
    pub fn read(params: &Params) -> Result<Self, PluginError> {
        let league = params::require(params, "league")?;
        if !is_league_code(league) {
            return Err(PluginError::InvalidParams(format!(
                "parameter `league` must be a football.json league code such as `de.1` or `en.1`, not `{league}`"
            )));
        }
        let season = params::require(params, "season")?;
        if !is_season(season) {
            return Err(PluginError::InvalidParams(format!(
                "parameter `season` must be a football.json season such as `2023-24` (or `2024` for a calendar-year league), not `{season}`"
            )));
        }
        let timezone = kickoff::zone(params::require(params, "timezone")?)
            .map_err(PluginError::InvalidParams)?;
        Ok(MatchParams {
            league: league.to_string(),
            season: season.to_string(),
            timezone,
        })
    }
}

/// Lower-case letters and digits in dot-separated parts: `de.1`, `uefa.cl`.
fn is_league_code(code: &str) -> bool {
    code.len() <= 32
        && code.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `YYYY-YY` where the second year follows the first, or `YYYY`.
fn is_season(season: &str) -> bool {
    let year = |digits: &str| -> Option<u32> {
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    match (season.len(), season.split_once('-')) {
        (4, None) => year(season).is_some(),
        (7, Some((first, second))) if first.len() == 4 && second.len() == 2 => {
            match (year(first), year(second)) {
                (Some(first), Some(second)) => (first + 1) % 100 == second,
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<MatchParams, PluginError> {
        let params: Params = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        MatchParams::read(&params)
    }

    fn invalid(pairs: &[(&str, &str)]) -> String {
        match read(pairs) {
            Err(PluginError::InvalidParams(message)) => message,
            Err(other) => panic!("expected invalid-params, got {other:?}"),
            Ok(_) => panic!("expected invalid-params, got valid parameters"),
        }
    }

    #[test]
    fn valid_parameters_are_kept() {
        let p = read(&[
            ("league", "de.1"),
            ("season", "2023-24"),
            ("timezone", "Europe/Berlin"),
        ])
        .expect("valid");
        assert_eq!((p.league.as_str(), p.season.as_str()), ("de.1", "2023-24"));
        assert_eq!(p.timezone.iana_name(), Some("Europe/Berlin"));
        assert!(
            read(&[
                ("league", "br.1"),
                ("season", "2024"),
                ("timezone", "America/Sao_Paulo")
            ])
            .is_ok()
        );
        assert!(
            read(&[
                ("league", "en.1"),
                ("season", "1999-00"),
                ("timezone", "Europe/London")
            ])
            .is_ok()
        );
    }

    #[test]
    fn each_missing_parameter_is_named() {
        assert_eq!(
            invalid(&[("season", "2023-24"), ("timezone", "Europe/Berlin")]),
            "parameter `league` is required"
        );
        assert_eq!(
            invalid(&[("league", "de.1"), ("timezone", "Europe/Berlin")]),
            "parameter `season` is required"
        );
        assert_eq!(
            invalid(&[("league", "de.1"), ("season", "2023-24")]),
            "parameter `timezone` is required"
        );
    }

    #[test]
    fn malformed_parameters_say_what_is_expected() {
        for league in ["../de.1", "de..1", "DE.1", "de/1", ".de"] {
            assert_eq!(
                invalid(&[
                    ("league", league),
                    ("season", "2023-24"),
                    ("timezone", "Europe/Berlin")
                ]),
                format!(
                    "parameter `league` must be a football.json league code such as `de.1` or `en.1`, not `{league}`"
                )
            );
        }
        for season in ["2023-25", "2023/24", "23-24", "2023-2024", "20a3"] {
            assert_eq!(
                invalid(&[
                    ("league", "de.1"),
                    ("season", season),
                    ("timezone", "Europe/Berlin")
                ]),
                format!(
                    "parameter `season` must be a football.json season such as `2023-24` (or `2024` for a calendar-year league), not `{season}`"
                )
            );
        }
        assert_eq!(
            invalid(&[
                ("league", "de.1"),
                ("season", "2023-24"),
                ("timezone", "Europe/Bonn")
            ]),
            "parameter `timezone` must be an IANA time zone name such as `Europe/Berlin`, not `Europe/Bonn`"
        );
    }
}
