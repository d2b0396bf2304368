//! The `odds` stream's parameters: `GET /odds` by `fixture`, `league` +
//! `season` or `date`, which API-Football lets mix (its own recording asks
//! for a fixture with its league and season), narrowed by `bookmaker` and
//! `bet`, with `timezone`. `page` is the plugin's: later pages are
//! follow-up requests.

use sluice_plugin_sdk::{HttpRequest, Params, PluginError};

use super::{Given, invalid, league_with_season};

/// Every parameter of the stream, in the order a request sends them.
const NAMES: &[&str] = &[
    "fixture",
    "league",
    "season",
    "date",
    "bookmaker",
    "bet",
    "timezone",
];

/// The request of the `odds` stream, or `invalid-params` saying what is
/// missing.
pub fn odds_request(params: &Params) -> Result<HttpRequest, PluginError> {
    let given = Given::read(params, NAMES)?;
    league_with_season(&given)?;
    if !(given.has("fixture") || given.has("league") || given.has("date")) {
        return Err(invalid(
            "give `fixture`, `league` + `season` or `date` (optionally with `bookmaker`, `bet` and `timezone`)"
                .to_string(),
        ));
    }
    Ok(given.request("/odds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::tests::{message, p};

    fn odds(pairs: &[(&str, &str)]) -> Result<HttpRequest, String> {
        message(odds_request(&p(pairs)))
    }

    #[test]
    fn the_documented_requests_and_the_recorded_one() {
        type Pairs = &'static [(&'static str, &'static str)];
        let cases: &[(Pairs, Pairs)] = &[
            (&[("fixture", "164327")], &[("fixture", "164327")]),
            (
                &[("league", "39"), ("season", "2019")],
                &[("league", "39"), ("season", "2019")],
            ),
            (&[("date", "2020-05-15")], &[("date", "2020-05-15")]),
            (
                &[
                    ("bookmaker", "1"),
                    ("bet", "4"),
                    ("league", "39"),
                    ("season", "2019"),
                ],
                &[
                    ("league", "39"),
                    ("season", "2019"),
                    ("bookmaker", "1"),
                    ("bet", "4"),
                ],
            ),
            (
                &[("bet", "4"), ("fixture", "164327")],
                &[("fixture", "164327"), ("bet", "4")],
            ),
            (
                &[
                    ("date", "2020-05-15"),
                    ("bet", "4"),
                    ("timezone", "Europe/London"),
                ],
                &[
                    ("date", "2020-05-15"),
                    ("bet", "4"),
                    ("timezone", "Europe/London"),
                ],
            ),
            // As recorded: GET /odds?season=2024&bet=1&bookmaker=8&fixture=1226178&league=79
            (
                &[
                    ("season", "2024"),
                    ("bet", "1"),
                    ("bookmaker", "8"),
                    ("fixture", "1226178"),
                    ("league", "79"),
                ],
                &[
                    ("fixture", "1226178"),
                    ("league", "79"),
                    ("season", "2024"),
                    ("bookmaker", "8"),
                    ("bet", "1"),
                ],
            ),
        ];
        for (params, query) in cases {
            assert_eq!(
                odds(params),
                Ok(HttpRequest::get("/odds", query)),
                "{params:?}"
            );
        }
    }

    #[test]
    fn odds_need_a_fixture_a_league_season_or_a_day() {
        let selects = "give `fixture`, `league` + `season` or `date` (optionally with `bookmaker`, `bet` and `timezone`)";
        assert_eq!(odds(&[]).err().as_deref(), Some(selects));
        assert_eq!(
            odds(&[("bookmaker", "8"), ("bet", "1")]).err().as_deref(),
            Some(selects)
        );
        assert_eq!(
            odds(&[("league", "79")]).err().as_deref(),
            Some("parameter `season` is required with `league`")
        );
        assert_eq!(
            odds(&[("fixture", "1"), ("season", "2024")])
                .err()
                .as_deref(),
            Some("parameter `league` is required with `season`")
        );
        for bad in [
            &[("fixture", "x")][..],
            &[("fixture", "1"), ("bookmaker", "Bet365")],
            &[("fixture", "1"), ("bet", "Match Winner")],
            &[("date", "15/05/2020")],
        ] {
            let refused = odds(bad).expect_err("refused");
            assert!(refused.contains("must be"), "{bad:?}: {refused}");
        }
    }
}
