//! The `teams` and `standings` streams' parameters.
//!
//! `GET /teams` takes any mix of `id`, `name`, `league` + `season`,
//! `country`, `code`, `venue` and `search`, at least one. `GET /standings`
//! is asked for by `league` + `season` only: API-Football also takes a
//! `team`, but then answers with that team's rows alone, and a standings
//! table is loaded whole (the rows it lacks leave the table), so a `team`
//! filter would empty every table but one row.

use sluice_plugin_sdk::{HttpRequest, Params, PluginError, params};

use super::{Given, invalid, league_with_season};

/// Every parameter of `teams`, in the order a request sends them.
const TEAM_NAMES: &[&str] = &[
    "id", "name", "league", "season", "country", "code", "venue", "search",
];

/// The request of the `teams` stream: `GET /teams` with the given filters.
pub fn teams_request(params: &Params) -> Result<HttpRequest, PluginError> {
    let given = Given::read(params, TEAM_NAMES)?;
    if given.is_empty() {
        return Err(invalid(
            "give at least one of `id`, `name`, `league` + `season`, `country`, `code`, `venue` or `search`"
                .to_string(),
        ));
    }
    league_with_season(&given)?;
    Ok(given.request("/teams"))
}

/// The request of the `standings` stream: `GET /standings` with `league`
/// and `season`, both required.
pub fn standings_request(params: &Params) -> Result<HttpRequest, PluginError> {
    for name in ["league", "season"] {
        params::require(params, name)?;
    }
    let given = Given::read(params, &["league", "season"])?;
    Ok(given.request("/standings"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::tests::{message, p};

    fn teams(pairs: &[(&str, &str)]) -> Result<HttpRequest, String> {
        message(teams_request(&p(pairs)))
    }

    #[test]
    fn teams_take_any_mix_of_their_filters() {
        assert_eq!(
            teams(&[("season", "2022"), ("league", "39")]),
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
            teams(&[("search", "Manchester"), ("country", "England")]),
            Ok(HttpRequest::get(
                "/teams",
                &[("country", "England"), ("search", "Manchester")]
            ))
        );
        assert_eq!(
            teams(&[("code", "FRA")]),
            Ok(HttpRequest::get("/teams", &[("code", "FRA")]))
        );
        assert_eq!(
            teams(&[("venue", "789"), ("name", "manchester united")]),
            Ok(HttpRequest::get(
                "/teams",
                &[("name", "manchester united"), ("venue", "789")]
            ))
        );
    }

    #[test]
    fn teams_need_a_filter_and_a_season_with_a_league() {
        assert_eq!(
            teams(&[]).err().as_deref(),
            Some(
                "give at least one of `id`, `name`, `league` + `season`, `country`, `code`, `venue` or `search`"
            )
        );
        assert_eq!(
            teams(&[("league", "39"), ("search", "Manchester")])
                .err()
                .as_deref(),
            Some("parameter `season` is required with `league`")
        );
        for bad in [
            &[("search", "Ma")][..],
            &[("search", "Man&x=1")],
            &[("id", "abc")],
            &[("code", "MANU")],
            &[("venue", "Old Trafford")],
        ] {
            let refused = teams(bad).expect_err("refused");
            assert!(refused.contains("must be"), "{bad:?}: {refused}");
        }
    }

    #[test]
    fn standings_need_a_league_and_a_season() {
        let standings = |pairs: &[(&str, &str)]| message(standings_request(&p(pairs)));
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
