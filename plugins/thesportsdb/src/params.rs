//! The streams, their parameters checked, and the request each plans.
//!
//! Paths are below `https://www.thesportsdb.com/api/v1/json`; the host puts
//! the key in the path segment after that base (`[auth] scheme = "path"`),
//! so the plugin never sees it.

use sluice_plugin_sdk::{HttpRequest, Params, PluginError, Streams, params};

/// The streams, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "thesportsdb",
    names: &[
        "events",
        "next_events",
        "past_events",
        "livescore",
        "team",
        "event_results",
    ],
};

/// A stream with its parameters, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// A league's season: `eventsseason.php?id=&s=`.
    Events {
        /// The league id.
        league: String,
        /// `2024-2025` or `2024`.
        season: String,
    },
    /// A league's next events: `eventsnextleague.php?id=`.
    NextEvents {
        /// The league id.
        league: String,
    },
    /// A league's last events: `eventspastleague.php?id=`.
    PastEvents {
        /// The league id.
        league: String,
    },
    /// Events in play: `livescore.php?s=` or `?l=` (premium keys only).
    Livescore(LiveSelection),
    /// One team: `lookupteam.php?id=`.
    Team {
        /// The team id.
        id: String,
    },
    /// The results of one event (a race): `eventresults.php?id=`.
    EventResults {
        /// The event id.
        event: String,
    },
}

/// Which events in play a `livescore` run reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSelection {
    /// Every league of a sport, e.g. `Soccer`.
    Sport(String),
    /// One league, by id.
    League(String),
}

impl Stream {
    /// Reads stream `name` and its parameters; an unknown stream is
    /// `unknown-stream`, a missing or malformed parameter `invalid-params`
    /// naming it.
    pub fn read(name: &str, params: &Params) -> Result<Self, PluginError> {
        Ok(match name {
            "events" => Stream::Events {
                league: id(params, "league")?,
                season: season(params)?,
            },
            "next_events" => Stream::NextEvents {
                league: id(params, "league")?,
            },
            "past_events" => Stream::PastEvents {
                league: id(params, "league")?,
            },
            "livescore" => Stream::Livescore(live_selection(params)?),
            "team" => Stream::Team {
                id: id(params, "id")?,
            },
            "event_results" => Stream::EventResults {
                event: id(params, "event")?,
            },
            other => return Err(STREAMS.unknown(other)),
        })
    }

    /// The one request a run of this stream makes: TheSportsDB's v1 API has
    /// no pages and no "changed since".
    pub fn request(&self) -> HttpRequest {
        match self {
            Stream::Events { league, season } => {
                HttpRequest::get("/eventsseason.php", &[("id", league), ("s", season)])
            }
            Stream::NextEvents { league } => {
                HttpRequest::get("/eventsnextleague.php", &[("id", league)])
            }
            Stream::PastEvents { league } => {
                HttpRequest::get("/eventspastleague.php", &[("id", league)])
            }
            Stream::Livescore(LiveSelection::Sport(sport)) => {
                HttpRequest::get("/livescore.php", &[("s", sport)])
            }
            Stream::Livescore(LiveSelection::League(league)) => {
                HttpRequest::get("/livescore.php", &[("l", league)])
            }
            Stream::Team { id } => HttpRequest::get("/lookupteam.php", &[("id", id)]),
            Stream::EventResults { event } => {
                HttpRequest::get("/eventresults.php", &[("id", event)])
            }
        }
    }
}

/// A TheSportsDB id: digits only, e.g. `4328`.
fn id(params: &Params, name: &str) -> Result<String, PluginError> {
    let value = params::require(params, name)?;
    if value.len() <= 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(value.to_string());
    }
    Err(PluginError::InvalidParams(format!(
        "parameter `{name}` must be a TheSportsDB id of digits such as `4328`, not `{value}`"
    )))
}

/// `season`: a year `2024` or two consecutive years `2024-2025`, as
/// TheSportsDB names seasons.
fn season(params: &Params) -> Result<String, PluginError> {
    let value = params::require(params, "season")?;
    let year = |text: &str| {
        (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u32>().ok())
            .flatten()
    };
    let valid = match value.split_once('-') {
        None => year(value).is_some(),
        Some((first, second)) => {
            matches!((year(first), year(second)), (Some(a), Some(b)) if b == a + 1)
        }
    };
    if valid {
        return Ok(value.to_string());
    }
    Err(PluginError::InvalidParams(format!(
        "parameter `season` must be a year such as `2024` or two consecutive years such as `2024-2025`, not `{value}`"
    )))
}

/// Exactly one of `sport` (letters, spaces and `_`, e.g. `Soccer`,
/// `Ice Hockey`) and `league` (an id).
fn live_selection(params: &Params) -> Result<LiveSelection, PluginError> {
    match (params::get(params, "sport"), params::get(params, "league")) {
        (Some(_), Some(_)) | (None, None) => Err(PluginError::InvalidParams(
            "set exactly one of parameter `sport` (e.g. `Soccer`) or `league` (a league id)"
                .to_string(),
        )),
        (Some(_), None) => {
            let sport = params::require(params, "sport")?;
            let valid = sport.len() <= 40
                && sport.starts_with(|c: char| c.is_ascii_alphabetic())
                && sport
                    .chars()
                    .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '_');
            if valid {
                Ok(LiveSelection::Sport(sport.to_string()))
            } else {
                Err(PluginError::InvalidParams(format!(
                    "parameter `sport` must be a sport name of letters, spaces and `_` such as `Soccer`, not `{sport}`"
                )))
            }
        }
        (None, Some(_)) => Ok(LiveSelection::League(id(params, "league")?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::params::of as params;

    fn planned(stream: &str, pairs: &[(&str, &str)]) -> Result<HttpRequest, PluginError> {
        Stream::read(stream, &params(pairs)).map(|s| s.request())
    }

    fn invalid(stream: &str, pairs: &[(&str, &str)]) -> String {
        match planned(stream, pairs) {
            Err(PluginError::InvalidParams(message)) => message,
            other => panic!("{stream} {pairs:?}: expected invalid-params, got {other:?}"),
        }
    }

    #[test]
    fn each_stream_plans_its_v1_request_without_the_key() {
        assert_eq!(
            planned("events", &[("league", "4328"), ("season", "2023-2024")]),
            Ok(HttpRequest::get(
                "/eventsseason.php",
                &[("id", "4328"), ("s", "2023-2024")]
            ))
        );
        assert_eq!(
            planned("events", &[("league", "4407"), ("season", "2024")]),
            Ok(HttpRequest::get(
                "/eventsseason.php",
                &[("id", "4407"), ("s", "2024")]
            ))
        );
        assert_eq!(
            planned("next_events", &[("league", "4328")]),
            Ok(HttpRequest::get("/eventsnextleague.php", &[("id", "4328")]))
        );
        assert_eq!(
            planned("past_events", &[("league", "4328")]),
            Ok(HttpRequest::get("/eventspastleague.php", &[("id", "4328")]))
        );
        assert_eq!(
            planned("livescore", &[("sport", "Soccer")]),
            Ok(HttpRequest::get("/livescore.php", &[("s", "Soccer")]))
        );
        assert_eq!(
            planned("livescore", &[("sport", "Ice Hockey")]),
            Ok(HttpRequest::get("/livescore.php", &[("s", "Ice Hockey")]))
        );
        assert_eq!(
            planned("livescore", &[("league", "4328")]),
            Ok(HttpRequest::get("/livescore.php", &[("l", "4328")]))
        );
        assert_eq!(
            planned("team", &[("id", "133604")]),
            Ok(HttpRequest::get("/lookupteam.php", &[("id", "133604")]))
        );
        assert_eq!(
            planned("event_results", &[("event", "1963827")]),
            Ok(HttpRequest::get("/eventresults.php", &[("id", "1963827")]))
        );
    }

    #[test]
    fn a_missing_or_malformed_parameter_is_named() {
        assert_eq!(
            invalid("events", &[("league", "4328")]),
            "parameter `season` is required"
        );
        assert_eq!(
            invalid("events", &[("season", "2024")]),
            "parameter `league` is required"
        );
        assert_eq!(
            invalid("next_events", &[("league", "")]),
            "parameter `league` is empty"
        );
        assert_eq!(
            invalid("team", &[("id", "../lookupall")]),
            "parameter `id` must be a TheSportsDB id of digits such as `4328`, not `../lookupall`"
        );
        assert!(invalid("past_events", &[("league", "EPL")]).contains("parameter `league`"));
        for season in ["23-24", "2023-2025", "2023/2024", "2024-", "season"] {
            assert_eq!(
                invalid("events", &[("league", "4328"), ("season", season)]),
                format!(
                    "parameter `season` must be a year such as `2024` or two consecutive years such as `2024-2025`, not `{season}`"
                ),
                "{season}"
            );
        }
        assert!(invalid("livescore", &[("sport", "Soccer&l=1")]).contains("parameter `sport`"));
        assert!(invalid("livescore", &[("league", "x")]).contains("parameter `league`"));
        assert_eq!(
            invalid("event_results", &[]),
            "parameter `event` is required"
        );
        assert!(
            invalid("event_results", &[("event", "1963827&s=1")]).contains("parameter `event`")
        );
    }

    #[test]
    fn livescore_takes_exactly_one_of_sport_and_league() {
        let message =
            "set exactly one of parameter `sport` (e.g. `Soccer`) or `league` (a league id)";
        assert_eq!(invalid("livescore", &[]), message);
        assert_eq!(
            invalid("livescore", &[("sport", "Soccer"), ("league", "4328")]),
            message
        );
    }

    #[test]
    fn an_unknown_stream_lists_the_streams() {
        assert_eq!(
            planned("fixtures", &[]),
            Err(PluginError::UnknownStream(
                "thesportsdb has no stream `fixtures` (streams: events, next_events, past_events, livescore, team, event_results)"
                    .to_string()
            ))
        );
    }
}
