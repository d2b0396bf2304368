//! sluice normalizer for the football-data.org v4 API.
//!
//! Streams:
//! - `matches` (`competition`, optional `season`): the competition and every
//!   match of it, `GET /v4/competitions/{competition}/matches?season=`;
//! - `teams` (`competition`, optional `season`): its teams,
//!   `GET /v4/competitions/{competition}/teams?season=`;
//! - `match` (`id`): one match, `GET /v4/matches/{id}`;
//! - `standings` (`competition`, optional `season`): the competition and a
//!   standing per row of each table (total, home, away; per group),
//!   `GET /v4/competitions/{competition}/standings?season=`.
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod matches;
mod standings;
mod teams;
mod wire;

use sluice_plugin_sdk::{
    Batch, HttpRequest, HttpResponse, Params, PluginError, Source, Streams, params,
};

/// The streams this plugin serves, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "football-data",
    names: &["matches", "teams", "match", "standings"],
};

/// The football-data.org v4 normalizer.
pub struct FootballData;

impl Source for FootballData {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        // The v4 API has no "changed since" filter, so every run reads the
        // whole season again; the host's upserts keep unchanged rows untouched.
        let resource = match stream.as_str() {
            "matches" => "matches",
            "teams" => "teams",
            "standings" => "standings",
            "match" => {
                let id = params::require(&params, "id")?;
                if !id.chars().all(|c| c.is_ascii_digit()) {
                    return Err(PluginError::InvalidParams(format!(
                        "parameter `id` must be a numeric match id, not `{id}`"
                    )));
                }
                return Ok(vec![HttpRequest::get(format!("/v4/matches/{id}"), &[])]);
            }
            other => return Err(STREAMS.unknown(other)),
        };
        let competition = params::require(&params, "competition")?;
        if !competition.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(PluginError::InvalidParams(format!(
                "parameter `competition` must be a code such as `CL` or a numeric id, not `{competition}`"
            )));
        }
        let mut query = Vec::new();
        if let Some(season) = params::get(&params, "season") {
            if season.len() != 4 || !season.chars().all(|c| c.is_ascii_digit()) {
                return Err(PluginError::InvalidParams(format!(
                    "parameter `season` must be the starting year, such as `2022`, not `{season}`"
                )));
            }
            query.push(("season", season));
        }
        Ok(vec![HttpRequest::get(
            format!("/v4/competitions/{competition}/{resource}"),
            &query,
        )])
    }

    fn normalize(
        stream: String,
        params: Params,
        _request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        match stream.as_str() {
            "matches" => matches::normalize(&response.body),
            "standings" => standings::normalize(&response.body, params::get(&params, "season")),
            "teams" => teams::normalize(&response.body),
            "match" => matches::normalize_one(&response.body),
            other => Err(STREAMS.unknown(other)),
        }
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(FootballData);

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::params::of as params;

    #[test]
    fn standings_ask_for_a_competition_and_maybe_a_season() {
        let plan = |pairs: &[(&str, &str)]| {
            FootballData::plan("standings".to_string(), None, params(pairs))
        };
        assert_eq!(
            plan(&[("competition", "BL1"), ("season", "2022")]),
            Ok(vec![HttpRequest::get(
                "/v4/competitions/BL1/standings",
                &[("season", "2022")]
            )])
        );
        assert_eq!(
            plan(&[("competition", "CL")]),
            Ok(vec![HttpRequest::get("/v4/competitions/CL/standings", &[])])
        );
        assert_eq!(
            plan(&[("season", "2022")]),
            Err(PluginError::InvalidParams(
                "parameter `competition` is required".to_string()
            ))
        );
        assert!(plan(&[("competition", "BL1"), ("season", "2022-23")]).is_err());
    }
}
