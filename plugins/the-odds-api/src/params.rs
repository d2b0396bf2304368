//! The streams' parameters, checked, and the requests each plans.
//!
//! Every request asks for ISO dates, and odds requests for decimal odds
//! unless the `oddsFormat` parameter asks for American ones; the normalizer
//! still reads unix dates, which older recordings and other clients' caches
//! hold, and reads the prices in the format the request asked for.

use crate::format::{self, OddsFormat};
use sluice_plugin_sdk::{HttpRequest, Params, PluginError, params, timestamp};

/// The pseudo sport key of the odds endpoint: the next events of any sport.
const UPCOMING: &str = "upcoming";

/// `GET /v4/sports`; `all = "true"` lists the sports out of season too.
pub fn sports(params: &Params) -> Result<Vec<HttpRequest>, PluginError> {
    let query: &[(&str, &str)] = match params::get(params, "all") {
        None | Some("false") => &[],
        Some("true") => &[("all", "true")],
        Some(other) => {
            return Err(invalid(format!(
                "parameter `all` must be `true` or `false`, not `{other}`"
            )));
        }
    };
    Ok(vec![HttpRequest::get("/v4/sports", query)])
}

/// `GET /v4/sports/{sport}/odds` per sport, or the odds of one event.
pub fn odds(params: &Params) -> Result<Vec<HttpRequest>, PluginError> {
    let sports = sport_keys(params, true)?;
    let odds_format = odds_format(params)?;
    let mut query: Vec<(&str, String)> = Vec::with_capacity(6);
    // The API documents that `bookmakers` takes precedence over `regions`;
    // sending one keeps the credits charged predictable.
    match params::get(params, "bookmakers") {
        Some(_) => query.push(("bookmakers", key_list(params, "bookmakers", "")?)),
        None => query.push(("regions", key_list(params, "regions", "eu")?)),
    }
    query.push(("markets", key_list(params, "markets", "h2h")?));
    query.push((format::PARAM, odds_format.as_str().to_string()));
    query.push(("dateFormat", "iso".to_string()));
    if let Some(event) = params::get(params, "event") {
        return event_odds(params, &sports, event, &query).map(|r| vec![r]);
    }
    commence_times(params, &mut query)?;
    Ok(sports
        .iter()
        .map(|sport| request(format!("/v4/sports/{sport}/odds"), &query))
        .collect())
}

/// The `oddsFormat` parameter: decimal odds unless it asks for `american`
/// (the normalizer converts them, so both store the same decimal odds, up to
/// the rounding of American prices to whole numbers).
fn odds_format(params: &Params) -> Result<OddsFormat, PluginError> {
    match params::get(params, format::PARAM) {
        None => Ok(OddsFormat::Decimal),
        Some(value) => OddsFormat::parse(value).ok_or_else(|| {
            invalid(format!(
                "parameter `oddsFormat` must be `decimal` or `american` (prices are stored as decimal odds either way), not `{value}`"
            ))
        }),
    }
}

/// `GET /v4/sports/{sport}/events/{event}/odds`: one event of one sport.
fn event_odds(
    params: &Params,
    sports: &[&str],
    event: &str,
    query: &[(&str, String)],
) -> Result<HttpRequest, PluginError> {
    if event.is_empty() || !event.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(invalid(format!(
            "parameter `event` must be an event id such as `5a2fa066190fb45e3934bbe943d5f56e` (letters and digits), not `{event}`"
        )));
    }
    let sport = match sports {
        [one] if *one != UPCOMING => one,
        _ => {
            return Err(invalid(
                "with `event`, parameter `sport` must be the one sport key of that event, such as `soccer_epl`".to_string(),
            ));
        }
    };
    for name in ["commence_time_from", "commence_time_to"] {
        if params::get(params, name).is_some() {
            return Err(invalid(format!(
                "parameter `{name}` does not apply to the odds of one `event`"
            )));
        }
    }
    Ok(request(
        format!("/v4/sports/{sport}/events/{event}/odds"),
        query,
    ))
}

/// `GET /v4/sports/{sport}/scores` per sport, with `daysFrom` from
/// `days_from` (1 to 3) to include completed games.
pub fn scores(params: &Params) -> Result<Vec<HttpRequest>, PluginError> {
    let sports = sport_keys(params, false)?;
    let mut query: Vec<(&str, String)> = vec![("dateFormat", "iso".to_string())];
    if let Some(days) = params::get(params, "days_from") {
        match days.trim().parse::<u8>() {
            Ok(n @ 1..=3) => query.push(("daysFrom", n.to_string())),
            _ => {
                return Err(invalid(format!(
                    "parameter `days_from` must be 1, 2 or 3 (days of completed games to include), not `{days}`"
                )));
            }
        }
    }
    Ok(sports
        .iter()
        .map(|sport| request(format!("/v4/sports/{sport}/scores"), &query))
        .collect())
}

/// `GET /v4/sports/{sport}/events` per sport: upcoming and in-play events,
/// which cost no credits.
pub fn events(params: &Params) -> Result<Vec<HttpRequest>, PluginError> {
    let sports = sport_keys(params, false)?;
    let mut query: Vec<(&str, String)> = vec![("dateFormat", "iso".to_string())];
    commence_times(params, &mut query)?;
    Ok(sports
        .iter()
        .map(|sport| request(format!("/v4/sports/{sport}/events"), &query))
        .collect())
}

/// Whether `request` is the odds of one event, whose body is one object
/// rather than a list.
pub fn is_event_odds(request: &HttpRequest) -> bool {
    request.path.contains("/events/")
}

fn request(path: String, query: &[(&str, String)]) -> HttpRequest {
    HttpRequest {
        path,
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
    }
}

/// The sport keys of `sport`: one, several comma-separated, or (for odds
/// only) `upcoming`.
fn sport_keys(params: &Params, allow_upcoming: bool) -> Result<Vec<&str>, PluginError> {
    let value = params::require(params, "sport")?;
    let keys: Vec<&str> = value.split(',').map(str::trim).collect();
    for key in &keys {
        if !is_key(key) || (*key == UPCOMING && !allow_upcoming) {
            let allowed = if allow_upcoming {
                "sport keys such as `soccer_epl` (lower-case letters, digits and `_`), comma-separated, or `upcoming`"
            } else {
                "sport keys such as `soccer_epl` (lower-case letters, digits and `_`), comma-separated"
            };
            return Err(invalid(format!(
                "parameter `sport` must be {allowed}; `{key}` is not one"
            )));
        }
    }
    Ok(keys)
}

/// A comma-separated list of keys (`us,eu`, `h2h,spreads`), or `default`.
fn key_list(params: &Params, name: &str, default: &str) -> Result<String, PluginError> {
    let Some(value) = params::get(params, name) else {
        return Ok(default.to_string());
    };
    let keys: Vec<&str> = value.split(',').map(str::trim).collect();
    if keys.iter().all(|k| is_key(k)) {
        Ok(keys.join(","))
    } else {
        Err(invalid(format!(
            "parameter `{name}` must be comma-separated keys such as `{}` (lower-case letters, digits and `_`), not `{value}`",
            match name {
                "regions" => "eu,uk",
                "markets" => "h2h,spreads,totals",
                _ => "pinnacle,betfair_ex_eu",
            }
        )))
    }
}

/// `commence_time_from` and `commence_time_to`, as the API's
/// `commenceTimeFrom` and `commenceTimeTo` in UTC.
fn commence_times(params: &Params, query: &mut Vec<(&str, String)>) -> Result<(), PluginError> {
    for (name, api_name) in [
        ("commence_time_from", "commenceTimeFrom"),
        ("commence_time_to", "commenceTimeTo"),
    ] {
        if let Some(value) = params::get(params, name) {
            let utc = timestamp::to_utc_rfc3339(value.trim()).map_err(|_| {
                invalid(format!(
                    "parameter `{name}` must be an RFC 3339 time such as `2024-11-28T00:00:00Z`, not `{value}`"
                ))
            })?;
            query.push((api_name, utc));
        }
    }
    Ok(())
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn invalid(message: String) -> PluginError {
    PluginError::InvalidParams(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::params::of as params;

    fn query(request: &HttpRequest) -> Vec<(&str, &str)> {
        request
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn invalid_message(result: Result<Vec<HttpRequest>, PluginError>) -> String {
        match result {
            Err(PluginError::InvalidParams(m)) => m,
            other => panic!("expected invalid-params, got {other:?}"),
        }
    }

    #[test]
    fn several_sports_are_one_request_each_with_the_defaults() {
        let requests = odds(&params(&[("sport", "soccer_epl, basketball_nba")])).expect("valid");
        let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/v4/sports/soccer_epl/odds",
                "/v4/sports/basketball_nba/odds"
            ]
        );
        assert_eq!(
            query(&requests[1]),
            [
                ("regions", "eu"),
                ("markets", "h2h"),
                ("oddsFormat", "decimal"),
                ("dateFormat", "iso")
            ]
        );
    }

    #[test]
    fn bookmakers_replace_regions_and_times_pass_through_in_utc() {
        let requests = odds(&params(&[
            ("sport", "upcoming"),
            ("bookmakers", "pinnacle,betfair_ex_eu"),
            ("regions", "us"),
            ("markets", "h2h,totals"),
            ("commence_time_from", "2024-11-28T01:00:00+01:00"),
            ("commence_time_to", "2024-11-29T00:00:00Z"),
        ]))
        .expect("valid");
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].path, "/v4/sports/upcoming/odds");
        assert_eq!(
            query(&requests[0]),
            [
                ("bookmakers", "pinnacle,betfair_ex_eu"),
                ("markets", "h2h,totals"),
                ("oddsFormat", "decimal"),
                ("dateFormat", "iso"),
                ("commenceTimeFrom", "2024-11-28T00:00:00Z"),
                ("commenceTimeTo", "2024-11-29T00:00:00Z")
            ]
        );
    }

    #[test]
    fn odds_format_passes_through_and_is_checked() {
        for (given, sent) in [
            (None, "decimal"),
            (Some("decimal"), "decimal"),
            (Some("american"), "american"),
            (Some(" american "), "american"),
        ] {
            let mut pairs = vec![("sport", "americanfootball_nfl"), ("regions", "us")];
            pairs.extend(given.map(|v| ("oddsFormat", v)));
            let requests = odds(&params(&pairs)).expect("valid");
            assert_eq!(
                query(&requests[0]),
                [
                    ("regions", "us"),
                    ("markets", "h2h"),
                    ("oddsFormat", sent),
                    ("dateFormat", "iso")
                ],
                "{given:?}"
            );
            assert_eq!(
                OddsFormat::of_request(&requests[0]).map(OddsFormat::as_str),
                Ok(sent),
                "the normalizer reads the format the plan asked for"
            );
        }
        let one_event = odds(&params(&[
            ("sport", "americanfootball_nfl"),
            ("event", "e1"),
            ("oddsFormat", "american"),
        ]))
        .expect("valid");
        assert_eq!(
            OddsFormat::of_request(&one_event[0]),
            Ok(OddsFormat::American)
        );
        for bad in ["fractional", "American", "hongkong", ""] {
            assert_eq!(
                invalid_message(odds(&params(&[("sport", "x"), ("oddsFormat", bad)]))),
                format!(
                    "parameter `oddsFormat` must be `decimal` or `american` (prices are stored as decimal odds either way), not `{bad}`"
                )
            );
        }
    }

    #[test]
    fn one_event_has_its_own_path() {
        let requests = odds(&params(&[
            ("sport", "soccer_germany_bundesliga"),
            ("event", "5a2fa066190fb45e3934bbe943d5f56e"),
            ("markets", "h2h,player_shots"),
        ]))
        .expect("valid");
        assert_eq!(requests.len(), 1);
        assert_eq!(
            requests[0].path,
            "/v4/sports/soccer_germany_bundesliga/events/5a2fa066190fb45e3934bbe943d5f56e/odds"
        );
        assert!(is_event_odds(&requests[0]));
        assert!(!is_event_odds(&HttpRequest::get(
            "/v4/sports/upcoming/odds",
            &[]
        )));
        let err = invalid_message(odds(&params(&[("sport", "a,b"), ("event", "e1")])));
        assert!(err.contains("the one sport key of that event"), "{err}");
        let err = invalid_message(odds(&params(&[("sport", "a"), ("event", "../x")])));
        assert!(
            err.starts_with("parameter `event` must be an event id"),
            "{err}"
        );
    }

    #[test]
    fn bad_parameters_name_the_parameter_and_the_allowed_form() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "parameter `sport` is required"),
            (&[("sport", " ")], "parameter `sport` is empty"),
            (
                &[("sport", "soccer_epl,")],
                "parameter `sport` must be sport keys such as `soccer_epl` (lower-case letters, digits and `_`), comma-separated, or `upcoming`; `` is not one",
            ),
            (
                &[("sport", "Soccer-EPL")],
                "parameter `sport` must be sport keys such as `soccer_epl` (lower-case letters, digits and `_`), comma-separated, or `upcoming`; `Soccer-EPL` is not one",
            ),
            (
                &[("sport", "soccer_epl"), ("markets", "h2h;spreads")],
                "parameter `markets` must be comma-separated keys such as `h2h,spreads,totals` (lower-case letters, digits and `_`), not `h2h;spreads`",
            ),
            (
                &[("sport", "soccer_epl"), ("commence_time_from", "tomorrow")],
                "parameter `commence_time_from` must be an RFC 3339 time such as `2024-11-28T00:00:00Z`, not `tomorrow`",
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(
                invalid_message(odds(&params(given))),
                *expected,
                "{given:?}"
            );
        }
    }

    #[test]
    fn scores_take_days_from_one_to_three() {
        let requests = scores(&params(&[
            ("sport", "americanfootball_nfl"),
            ("days_from", "3"),
        ]))
        .expect("valid");
        assert_eq!(requests[0].path, "/v4/sports/americanfootball_nfl/scores");
        assert_eq!(
            query(&requests[0]),
            [("dateFormat", "iso"), ("daysFrom", "3")]
        );
        for bad in ["0", "4", "-1", "two"] {
            let err = invalid_message(scores(&params(&[("sport", "x"), ("days_from", bad)])));
            assert_eq!(
                err,
                format!(
                    "parameter `days_from` must be 1, 2 or 3 (days of completed games to include), not `{bad}`"
                )
            );
        }
        let err = invalid_message(scores(&params(&[("sport", "upcoming")])));
        assert!(
            err.ends_with("comma-separated; `upcoming` is not one"),
            "{err}"
        );
    }

    #[test]
    fn events_and_sports_requests() {
        let requests = events(&params(&[("sport", "soccer_germany_bundesliga")])).expect("valid");
        assert_eq!(
            requests[0].path,
            "/v4/sports/soccer_germany_bundesliga/events"
        );
        assert_eq!(query(&requests[0]), [("dateFormat", "iso")]);
        let all = sports(&params(&[("all", "true")])).expect("valid");
        assert_eq!(all[0].path, "/v4/sports");
        assert_eq!(query(&all[0]), [("all", "true")]);
        assert!(query(&sports(&params(&[])).expect("valid")[0]).is_empty());
        let err = invalid_message(sports(&params(&[("all", "yes")])));
        assert_eq!(err, "parameter `all` must be `true` or `false`, not `yes`");
    }
}
