//! The `fixtures` stream's parameters: the combinations API-Football v3
//! documents for `GET /fixtures` and `GET /fixtures/headtohead`.
//!
//! - `id`, `ids` or `live` alone (with `timezone`);
//! - `h2h` (`/fixtures/headtohead`) with optional `date`, `league` +
//!   `season`, `last` or `next`, `from` + `to`, `status`, `venue`,
//!   `timezone`;
//! - otherwise a list of `/fixtures` narrowed by filters that mix: `league` +
//!   `season` (optionally `from` + `to`, `round`, `status`, `team`, `venue`),
//!   `team` with `season` or `last`/`next`, `date` (optionally `league`,
//!   `season`, `status`), `last` or `next` (optionally `league`, `team`,
//!   `venue`, `status`), each with `timezone`.

use sluice_plugin_sdk::{HttpRequest, Params, PluginError};

use super::{Given, invalid, league_with_season};

/// Every parameter of the stream, in the order a request sends them.
const NAMES: &[&str] = &[
    "id", "ids", "live", "h2h", "league", "season", "team", "venue", "date", "from", "to", "round",
    "status", "last", "next", "timezone",
];

/// What the stream needs, for messages.
const SETS: &str =
    "`id`, `ids`, `live`, `h2h`, `league` + `season`, `team` + `season`, `date`, `last` or `next`";

/// What `/fixtures/headtohead` takes besides `h2h`.
const HEAD_TO_HEAD: &[&str] = &[
    "date", "league", "season", "last", "next", "from", "to", "status", "venue", "timezone",
];

/// The request of the `fixtures` stream for an accepted combination of
/// parameters, or `invalid-params` saying what is wrong with it.
pub fn fixtures_request(params: &Params) -> Result<HttpRequest, PluginError> {
    let given = Given::read(params, NAMES)?;
    if given.is_empty() {
        return Err(invalid(format!("give one of {SETS}")));
    }
    for single in ["id", "ids", "live"] {
        if given.has(single) {
            if let Some(other) = given.names().find(|n| *n != single && *n != "timezone") {
                return Err(invalid(format!(
                    "parameter `{other}` does not go with `{single}`, which takes only `timezone`"
                )));
            }
            return Ok(given.request("/fixtures"));
        }
    }
    window(&given)?;
    if given.has("h2h") {
        if let Some(other) = given
            .names()
            .find(|n| *n != "h2h" && !HEAD_TO_HEAD.contains(n))
        {
            return Err(invalid(format!(
                "parameter `{other}` does not go with `h2h` (head to head takes `date`, `league` + `season`, `last`, `next`, `from` + `to`, `status`, `venue`, `timezone`)"
            )));
        }
        league_with_season(&given)?;
        return Ok(given.request("/fixtures/headtohead"));
    }
    list(&given)?;
    Ok(given.request("/fixtures"))
}

/// The rules of the days and counts, with or without `h2h`: one of `last`
/// and `next`; `from` and `to` both, in order; a day or a window, not both.
fn window(given: &Given<'_>) -> Result<(), PluginError> {
    if given.has("last") && given.has("next") {
        return Err(invalid(
            "give `last` or `next`, not both: they count fixtures back and forward from today"
                .to_string(),
        ));
    }
    match (given.get("from"), given.get("to")) {
        (Some(_), None) | (None, Some(_)) => Err(invalid(
            "parameters `from` and `to` go together: give both days of the window".to_string(),
        )),
        (Some(from), Some(to)) if given.has("date") => Err(invalid(format!(
            "parameter `date` does not go with `from`/`to` ({from} to {to}): give one day or a window"
        ))),
        (Some(from), Some(to)) if from > to => Err(invalid(format!(
            "parameter `from` ({from}) is after `to` ({to})"
        ))),
        _ => Ok(()),
    }
}

/// The filters of a `/fixtures` list: each needs what narrows it to a
/// league's or a team's season, a day, or a count of fixtures.
fn list(given: &Given<'_>) -> Result<(), PluginError> {
    let has = |name: &str| given.has(name);
    let season = has("season");
    let counted = has("last") || has("next");
    if season && !has("league") && !has("team") {
        return Err(invalid(
            "parameter `season` goes with `league` or `team`".to_string(),
        ));
    }
    if has("league") && !season && !has("date") && !counted {
        return Err(invalid(
            "parameter `season` is required with `league` (or give `date`, `last` or `next`)"
                .to_string(),
        ));
    }
    if has("team") && !season && !counted {
        return Err(invalid(
            "parameter `team` needs `season`, `last` or `next`".to_string(),
        ));
    }
    if has("from") && !season {
        return Err(invalid(
            "parameters `from` and `to` narrow a season: give `league` + `season` or `team` + `season` with them"
                .to_string(),
        ));
    }
    if has("round") && !(has("league") && season) {
        return Err(invalid(
            "parameter `round` goes with `league` + `season`".to_string(),
        ));
    }
    if has("venue") && !season && !counted {
        return Err(invalid(
            "parameter `venue` goes with a season (`league` + `season`) or with `last`/`next`"
                .to_string(),
        ));
    }
    if !(has("league") || has("team") || has("date") || counted) {
        let filters: Vec<String> = given.names().map(|n| format!("`{n}`")).collect();
        return Err(invalid(format!(
            "give one of {SETS}; {} only narrow what they select",
            filters.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::tests::{message, p};

    fn fixtures(pairs: &[(&str, &str)]) -> Result<HttpRequest, String> {
        message(fixtures_request(&p(pairs)))
    }

    type Pairs = &'static [(&'static str, &'static str)];

    /// Every combination API-Football's documentation shows for
    /// `/fixtures` and `/fixtures/headtohead`, and the query sent.
    #[test]
    fn each_documented_combination_asks_for_its_query() {
        let cases: &[(Pairs, &str, Pairs)] = &[
            (&[("id", "215662")], "/fixtures", &[("id", "215662")]),
            (
                &[("ids", "1149523-1149519"), ("timezone", "Europe/London")],
                "/fixtures",
                &[("ids", "1149523-1149519"), ("timezone", "Europe/London")],
            ),
            (&[("live", "all")], "/fixtures", &[("live", "all")]),
            (&[("live", "39-61")], "/fixtures", &[("live", "39-61")]),
            (
                &[("season", "2022"), ("league", "39")],
                "/fixtures",
                &[("league", "39"), ("season", "2022")],
            ),
            (
                &[("date", "2024-02-29")],
                "/fixtures",
                &[("date", "2024-02-29")],
            ),
            (&[("next", "15")], "/fixtures", &[("next", "15")]),
            (&[("last", "15")], "/fixtures", &[("last", "15")]),
            (
                &[("date", "2020-01-30"), ("league", "61"), ("season", "2019")],
                "/fixtures",
                &[("league", "61"), ("season", "2019"), ("date", "2020-01-30")],
            ),
            (
                &[("league", "61"), ("next", "10")],
                "/fixtures",
                &[("league", "61"), ("next", "10")],
            ),
            (
                &[("venue", "358"), ("next", "10")],
                "/fixtures",
                &[("venue", "358"), ("next", "10")],
            ),
            (
                &[("league", "61"), ("last", "10"), ("status", "ft")],
                "/fixtures",
                &[("league", "61"), ("status", "ft"), ("last", "10")],
            ),
            (
                &[
                    ("team", "85"),
                    ("last", "10"),
                    ("timezone", "Europe/London"),
                ],
                "/fixtures",
                &[
                    ("team", "85"),
                    ("last", "10"),
                    ("timezone", "Europe/London"),
                ],
            ),
            (
                &[
                    ("team", "85"),
                    ("season", "2019"),
                    ("from", "2019-07-01"),
                    ("to", "2020-10-31"),
                ],
                "/fixtures",
                &[
                    ("season", "2019"),
                    ("team", "85"),
                    ("from", "2019-07-01"),
                    ("to", "2020-10-31"),
                ],
            ),
            (
                &[
                    ("league", "61"),
                    ("season", "2019"),
                    ("from", "2019-07-01"),
                    ("to", "2020-10-31"),
                    ("timezone", "Europe/London"),
                ],
                "/fixtures",
                &[
                    ("league", "61"),
                    ("season", "2019"),
                    ("from", "2019-07-01"),
                    ("to", "2020-10-31"),
                    ("timezone", "Europe/London"),
                ],
            ),
            (
                &[
                    ("league", "61"),
                    ("season", "2019"),
                    ("round", "Regular Season - 1"),
                ],
                "/fixtures",
                &[
                    ("league", "61"),
                    ("season", "2019"),
                    ("round", "Regular Season - 1"),
                ],
            ),
            (
                &[("league", "78"), ("season", "2023"), ("status", "NS-PST")],
                "/fixtures",
                &[("league", "78"), ("season", "2023"), ("status", "NS-PST")],
            ),
            (
                &[("h2h", "33-50")],
                "/fixtures/headtohead",
                &[("h2h", "33-50")],
            ),
            (
                &[
                    ("to", "2023-12-31"),
                    ("h2h", "33-50"),
                    ("from", "2021-01-01"),
                ],
                "/fixtures/headtohead",
                &[
                    ("h2h", "33-50"),
                    ("from", "2021-01-01"),
                    ("to", "2023-12-31"),
                ],
            ),
            (
                &[("h2h", "33-34"), ("status", "ns")],
                "/fixtures/headtohead",
                &[("h2h", "33-34"), ("status", "ns")],
            ),
            (
                &[("date", "2019-10-22"), ("h2h", "33-34")],
                "/fixtures/headtohead",
                &[("h2h", "33-34"), ("date", "2019-10-22")],
            ),
            (
                &[
                    ("league", "39"),
                    ("season", "2019"),
                    ("h2h", "33-34"),
                    ("next", "10"),
                    ("from", "2019-10-01"),
                    ("to", "2019-10-31"),
                ],
                "/fixtures/headtohead",
                &[
                    ("h2h", "33-34"),
                    ("league", "39"),
                    ("season", "2019"),
                    ("from", "2019-10-01"),
                    ("to", "2019-10-31"),
                    ("next", "10"),
                ],
            ),
        ];
        for (params, path, query) in cases {
            assert_eq!(
                fixtures(params),
                Ok(HttpRequest::get(*path, query)),
                "{params:?}"
            );
        }
    }

    #[test]
    fn combinations_api_football_does_not_take_are_refused_saying_why() {
        let cases: &[(Pairs, &str)] = &[
            (
                &[],
                "give one of `id`, `ids`, `live`, `h2h`, `league` + `season`, `team` + `season`, `date`, `last` or `next`",
            ),
            (
                &[("league", "39")],
                "parameter `season` is required with `league` (or give `date`, `last` or `next`)",
            ),
            (
                &[("season", "2022")],
                "parameter `season` goes with `league` or `team`",
            ),
            (
                &[("team", "33")],
                "parameter `team` needs `season`, `last` or `next`",
            ),
            (
                &[("live", "all"), ("date", "2023-05-13")],
                "parameter `date` does not go with `live`, which takes only `timezone`",
            ),
            (
                &[("ids", "1-2"), ("league", "39"), ("season", "2022")],
                "parameter `league` does not go with `ids`, which takes only `timezone`",
            ),
            (
                &[
                    ("date", "2023-05-13"),
                    ("from", "2023-01-01"),
                    ("to", "2023-06-01"),
                ],
                "parameter `date` does not go with `from`/`to` (2023-01-01 to 2023-06-01): give one day or a window",
            ),
            (
                &[("league", "39"), ("season", "2022"), ("from", "2023-01-01")],
                "parameters `from` and `to` go together: give both days of the window",
            ),
            (
                &[
                    ("league", "39"),
                    ("season", "2022"),
                    ("from", "2023-01-01"),
                    ("to", "2022-09-01"),
                ],
                "parameter `from` (2023-01-01) is after `to` (2022-09-01)",
            ),
            (
                &[("from", "2023-01-01"), ("to", "2023-06-01")],
                "parameters `from` and `to` narrow a season: give `league` + `season` or `team` + `season` with them",
            ),
            (
                &[
                    ("team", "33"),
                    ("last", "5"),
                    ("from", "2023-01-01"),
                    ("to", "2023-06-01"),
                ],
                "parameters `from` and `to` narrow a season: give `league` + `season` or `team` + `season` with them",
            ),
            (
                &[("date", "2023-05-13"), ("round", "Regular Season - 1")],
                "parameter `round` goes with `league` + `season`",
            ),
            (
                &[("date", "2023-05-13"), ("venue", "556")],
                "parameter `venue` goes with a season (`league` + `season`) or with `last`/`next`",
            ),
            (
                &[("league", "39"), ("last", "5"), ("next", "5")],
                "give `last` or `next`, not both: they count fixtures back and forward from today",
            ),
            (
                &[("status", "NS"), ("timezone", "UTC")],
                "give one of `id`, `ids`, `live`, `h2h`, `league` + `season`, `team` + `season`, `date`, `last` or `next`; `status`, `timezone` only narrow what they select",
            ),
            (
                &[("h2h", "33-50"), ("team", "33")],
                "parameter `team` does not go with `h2h` (head to head takes `date`, `league` + `season`, `last`, `next`, `from` + `to`, `status`, `venue`, `timezone`)",
            ),
            (
                &[("h2h", "33-50"), ("league", "39")],
                "parameter `season` is required with `league`",
            ),
            (
                &[("h2h", "33-50"), ("season", "2022")],
                "parameter `league` is required with `season`",
            ),
        ];
        for (params, expected) in cases {
            assert_eq!(
                fixtures(params).err().as_deref(),
                Some(*expected),
                "{params:?}"
            );
        }
    }

    #[test]
    fn malformed_values_are_refused_before_the_combination() {
        let bad: &[Pairs] = &[
            &[("league", "EPL"), ("season", "2022")],
            &[("league", "39"), ("season", "22")],
            &[("live", "yes")],
            &[("live", "")],
            &[("ids", "1-2-x")],
            &[("ids", "5-5")],
            &[("id", "x")],
            &[("date", "2023-5-13")],
            &[("h2h", "33")],
            &[("h2h", "33-50-40")],
            &[("h2h", "33-33")],
            &[
                ("h2h", "33-50"),
                ("from", "2021/01/01"),
                ("to", "2021-02-01"),
            ],
            &[("last", "100")],
            &[("league", "39"), ("season", "2022"), ("status", "DONE")],
            &[
                ("league", "39"),
                ("season", "2022"),
                ("timezone", "Europe London"),
            ],
        ];
        for params in bad {
            let refused = fixtures(params).expect_err("refused");
            assert!(
                refused.starts_with("parameter `")
                    && (refused.contains("must be") || refused.ends_with("is empty")),
                "{params:?}: {refused}"
            );
        }
        let twenty: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
        assert!(fixtures(&[("ids", &twenty.join("-"))]).is_ok());
        let twenty_one: Vec<String> = (1..=21).map(|i| i.to_string()).collect();
        assert_eq!(
            fixtures(&[("ids", &twenty_one.join("-"))])
                .err()
                .map(|m| m.starts_with("parameter `ids` must be 1 to 20")),
            Some(true)
        );
    }
}
