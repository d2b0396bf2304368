//! The streams' parameters, checked, and the request each set asks for.

use sluice_plugin_sdk::{HttpRequest, Params, PluginError, params};

/// The most fixture ids `/fixtures?ids=` takes in one request.
const MAX_IDS: usize = 20;

/// The parameter sets of `fixtures`, for messages.
const FIXTURE_SETS: &str =
    "`league` + `season`, `live`, `ids`, `date`, or `h2h` (with optional `from`/`to`)";

/// The parameter sets of `teams`, for messages.
const TEAM_SETS: &str = "`league` + `season`, `search`, or `id`";

/// The request of the `fixtures` stream: `GET /fixtures` with exactly one
/// parameter set, or `GET /fixtures/headtohead` for `h2h`.
pub fn fixtures_request(params: &Params) -> Result<HttpRequest, PluginError> {
    let set = params::one_set(
        params,
        &[
            &["league", "season"],
            &["live"],
            &["ids"],
            &["date"],
            &["h2h"],
        ],
        FIXTURE_SETS,
    )?;
    if set != "h2h" {
        for dependent in ["from", "to"] {
            if params::get(params, dependent).is_some() {
                return Err(invalid(format!(
                    "parameter `{dependent}` only goes with `h2h`"
                )));
            }
        }
    }
    match set {
        "league" => {
            let (league, season) = league_season(params)?;
            Ok(HttpRequest::get(
                "/fixtures",
                &[("league", league), ("season", season)],
            ))
        }
        "live" => {
            let live = params::require(params, "live")?;
            if live != "all" && !is_id_list(live, usize::MAX) {
                return Err(invalid(format!(
                    "parameter `live` must be `all` or dash-separated league ids such as `39-61`, not `{live}`"
                )));
            }
            Ok(HttpRequest::get("/fixtures", &[("live", live)]))
        }
        "ids" => {
            let ids = params::require(params, "ids")?;
            if !is_id_list(ids, MAX_IDS) {
                return Err(invalid(format!(
                    "parameter `ids` must be 1 to {MAX_IDS} distinct numeric fixture ids separated by dashes, such as `1149523-1149519`, not `{ids}`"
                )));
            }
            Ok(HttpRequest::get("/fixtures", &[("ids", ids)]))
        }
        "date" => {
            let date = day(params, "date")?;
            Ok(HttpRequest::get("/fixtures", &[("date", date)]))
        }
        _ => {
            let h2h = params::require(params, "h2h")?;
            let teams: Vec<&str> = h2h.split('-').collect();
            if teams.len() != 2 || !is_id_list(h2h, 2) {
                return Err(invalid(format!(
                    "parameter `h2h` must be two different numeric team ids joined by a dash, such as `33-50`, not `{h2h}`"
                )));
            }
            let mut query = vec![("h2h", h2h)];
            let from = params::get(params, "from")
                .map(|_| day(params, "from"))
                .transpose()?;
            let to = params::get(params, "to")
                .map(|_| day(params, "to"))
                .transpose()?;
            if let (Some(from), Some(to)) = (from, to)
                && from > to
            {
                return Err(invalid(format!(
                    "parameter `from` ({from}) is after `to` ({to})"
                )));
            }
            query.extend(from.map(|d| ("from", d)));
            query.extend(to.map(|d| ("to", d)));
            Ok(HttpRequest::get("/fixtures/headtohead", &query))
        }
    }
}

/// The request of the `teams` stream: `GET /teams` with exactly one
/// parameter set.
pub fn teams_request(params: &Params) -> Result<HttpRequest, PluginError> {
    match params::one_set(
        params,
        &[&["league", "season"], &["search"], &["id"]],
        TEAM_SETS,
    )? {
        "league" => {
            let (league, season) = league_season(params)?;
            Ok(HttpRequest::get(
                "/teams",
                &[("league", league), ("season", season)],
            ))
        }
        "search" => {
            let search = params::require(params, "search")?;
            // API-Football wants at least three characters, and letters,
            // digits and spaces only.
            let ok = search.trim().chars().count() >= 3
                && search.chars().all(|c| c.is_alphanumeric() || c == ' ');
            if !ok {
                return Err(invalid(format!(
                    "parameter `search` must be at least 3 letters, digits or spaces, such as `Manchester`, not `{search}`"
                )));
            }
            Ok(HttpRequest::get("/teams", &[("search", search)]))
        }
        _ => {
            let id = params::require(params, "id")?;
            if !is_id(id) {
                return Err(invalid(format!(
                    "parameter `id` must be a numeric team id such as `33`, not `{id}`"
                )));
            }
            Ok(HttpRequest::get("/teams", &[("id", id)]))
        }
    }
}

/// The request of the `standings` stream: `GET /standings` with `league`
/// and `season`, both required.
pub fn standings_request(params: &Params) -> Result<HttpRequest, PluginError> {
    let (league, season) = league_season(params)?;
    Ok(HttpRequest::get(
        "/standings",
        &[("league", league), ("season", season)],
    ))
}

/// `league` (a numeric id) and `season` (the starting year).
fn league_season(params: &Params) -> Result<(&str, &str), PluginError> {
    let league = params::require(params, "league")?;
    if !is_id(league) {
        return Err(invalid(format!(
            "parameter `league` must be a numeric league id such as `39`, not `{league}`"
        )));
    }
    let season = params::require(params, "season")?;
    if season.len() != 4 || !season.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "parameter `season` must be the starting year, such as `2022`, not `{season}`"
        )));
    }
    Ok((league, season))
}

/// A `YYYY-MM-DD` day parameter.
fn day<'a>(params: &'a Params, name: &str) -> Result<&'a str, PluginError> {
    let value = params::require(params, name)?;
    if !params::is_day(value) {
        return Err(invalid(format!(
            "parameter `{name}` must be a day `YYYY-MM-DD`, such as `2023-05-13`, not `{value}`"
        )));
    }
    Ok(value)
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

fn invalid(message: String) -> PluginError {
    PluginError::InvalidParams(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn fixtures(pairs: &[(&str, &str)]) -> Result<HttpRequest, String> {
        fixtures_request(&p(pairs)).map_err(|e| match e {
            PluginError::InvalidParams(m) => m,
            other => panic!("expected invalid-params, got {other:?}"),
        })
    }

    fn teams(pairs: &[(&str, &str)]) -> Result<HttpRequest, String> {
        teams_request(&p(pairs)).map_err(|e| match e {
            PluginError::InvalidParams(m) => m,
            other => panic!("expected invalid-params, got {other:?}"),
        })
    }

    #[test]
    fn each_fixture_set_asks_for_its_query() {
        type Pairs = &'static [(&'static str, &'static str)];
        let cases: &[(Pairs, &str, Pairs)] = &[
            (
                &[("league", "39"), ("season", "2022")],
                "/fixtures",
                &[("league", "39"), ("season", "2022")],
            ),
            (&[("live", "all")], "/fixtures", &[("live", "all")]),
            (&[("live", "39-61")], "/fixtures", &[("live", "39-61")]),
            (
                &[("ids", "1149523-1149519")],
                "/fixtures",
                &[("ids", "1149523-1149519")],
            ),
            (
                &[("date", "2024-02-29")],
                "/fixtures",
                &[("date", "2024-02-29")],
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
    fn fixture_sets_must_be_exactly_one_and_whole() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[],
                "give one of `league` + `season`, `live`, `ids`, `date`, or `h2h` (with optional `from`/`to`)",
            ),
            (
                &[("league", "39")],
                "parameter `season` is required with `league`",
            ),
            (
                &[("season", "2022")],
                "parameter `league` is required with `season`",
            ),
            (
                &[("live", "all"), ("date", "2023-05-13")],
                "give only one of `league` + `season`, `live`, `ids`, `date`, or `h2h` (with optional `from`/`to`), not `live` and `date` together",
            ),
            (
                &[("date", "2023-05-13"), ("from", "2023-01-01")],
                "parameter `from` only goes with `h2h`",
            ),
            (
                &[("from", "2023-01-01")],
                "give one of `league` + `season`, `live`, `ids`, `date`, or `h2h` (with optional `from`/`to`)",
            ),
        ];
        for (params, message) in cases {
            assert_eq!(
                fixtures(params).err().as_deref(),
                Some(*message),
                "{params:?}"
            );
        }
    }

    #[test]
    fn fixture_values_are_checked() {
        let bad: &[&[(&str, &str)]] = &[
            &[("league", "EPL"), ("season", "2022")],
            &[("league", "39"), ("season", "22")],
            &[("league", "39"), ("season", "2022-23")],
            &[("live", "yes")],
            &[("live", "")],
            &[("ids", "1-2-x")],
            &[("ids", "5-5")],
            &[("ids", "")],
            &[("date", "2023-5-13")],
            &[("date", "2023-02-29")],
            &[("date", "2023-13-01")],
            &[("h2h", "33")],
            &[("h2h", "33-50-40")],
            &[("h2h", "33-33")],
            &[("h2h", "33-50"), ("from", "2021/01/01")],
            &[
                ("h2h", "33-50"),
                ("from", "2023-01-01"),
                ("to", "2022-01-01"),
            ],
        ];
        for params in bad {
            assert!(fixtures(params).is_err(), "{params:?} was accepted");
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

    #[test]
    fn each_team_set_asks_for_its_query() {
        assert_eq!(
            teams(&[("league", "39"), ("season", "2022")]),
            Ok(HttpRequest::get(
                "/teams",
                &[("league", "39"), ("season", "2022")]
            ))
        );
        assert_eq!(
            teams(&[("search", "Manchester")]),
            Ok(HttpRequest::get("/teams", &[("search", "Manchester")]))
        );
        assert_eq!(
            teams(&[("id", "33")]),
            Ok(HttpRequest::get("/teams", &[("id", "33")]))
        );
        assert_eq!(
            teams(&[("id", "33"), ("search", "Manchester")])
                .err()
                .as_deref(),
            Some(
                "give only one of `league` + `season`, `search`, or `id`, not `search` and `id` together"
            )
        );
        for bad in [
            &[("search", "Ma")][..],
            &[("search", "Man&x=1")],
            &[("id", "abc")],
            &[("league", "39")],
            &[],
        ] {
            assert!(teams(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn standings_need_a_league_and_a_season() {
        let standings = |pairs: &[(&str, &str)]| {
            standings_request(&p(pairs)).map_err(|e| match e {
                PluginError::InvalidParams(m) => m,
                other => panic!("expected invalid-params, got {other:?}"),
            })
        };
        assert_eq!(
            standings(&[("season", "2022"), ("league", "39")]),
            Ok(HttpRequest::get(
                "/standings",
                &[("league", "39"), ("season", "2022")]
            ))
        );
        assert_eq!(
            standings(&[("league", "39")]).err().as_deref(),
            Some("parameter `season` is required")
        );
        assert!(standings(&[("league", "EPL"), ("season", "2022")]).is_err());
        assert!(standings(&[("league", "39"), ("season", "2022-23")]).is_err());
    }
}
