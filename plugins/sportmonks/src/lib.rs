//! sluice normalizer for the Sportmonks Football API v3
//! (`https://api.sportmonks.com/v3/football`).
//!
//! Streams:
//! - `fixtures`: exactly one of `ids` (`/fixtures/multi/{ids}`, 50 ids a
//!   request), `league` + `season` (every fixture of the season, page by
//!   page, resumable through the batch cursor) or `date`
//!   (`/fixtures/date/{date}`); one event per fixture plus one competition
//!   per league and one team per team met in the batch, and the fixtures'
//!   incidents from the `events` include;
//! - `schedules`: `team` or `season` (`/schedules/...`), the same records
//!   from the fixtures nested in stages and rounds;
//! - `teams`: `id` or `season` (`/teams/...`), one team record per team,
//!   and with `fixtures` (`latest`, `upcoming`) the fixtures those team
//!   includes nest, as the `fixtures` stream's records;
//! - `standings`: `season` (`/standings/seasons/{id}`), the league, the
//!   rows' teams and a standing per row of every table (overall, and home
//!   and away when the details carry them).
//!
//! Every stream reads Sportmonks' envelope and the bare `data` value alike
//! (`body`).
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod body;
mod cursor;
mod event;
mod figures;
mod fixtures;
mod incidents;
mod kickoff;
mod nested;
mod pages;
mod params;
mod schedules;
mod scores;
mod sides;
mod standings;
mod status;
mod team_fixtures;
mod teams;
mod wire;

#[cfg(test)]
mod recorded;

use sluice_plugin_sdk::{Batch, HttpRequest, HttpResponse, Params, PluginError, Source, Streams};

/// The streams this plugin serves, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "sportmonks",
    names: &["fixtures", "schedules", "teams", "standings"],
};

/// The Sportmonks Football v3 normalizer.
pub struct Sportmonks;

impl Source for Sportmonks {
    fn plan(
        stream: String,
        cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        match stream.as_str() {
            "fixtures" => Ok(params::fixtures(&params)?.plan(cursor.as_deref())),
            "schedules" => Ok(vec![params::schedules(&params)?.plan()]),
            "teams" => {
                let (selection, fixtures) = params::teams(&params)?;
                Ok(vec![selection.plan(fixtures)])
            }
            "standings" => Ok(vec![params::standings_request(params::standings(&params)?)]),
            other => Err(STREAMS.unknown(other)),
        }
    }

    fn normalize(
        stream: String,
        params: Params,
        request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        let body = &response.body;
        match stream.as_str() {
            "fixtures" => fixtures::normalize(&params::fixtures(&params)?, &request, body),
            "schedules" => schedules::normalize(&params::schedules(&params)?, &request, body),
            "teams" => teams::normalize(&params::teams(&params)?.0, &request, body),
            "standings" => standings::normalize(params::standings(&params)?, &request, body),
            other => Err(STREAMS.unknown(other)),
        }
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(Sportmonks);

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::params::of as params;

    #[test]
    fn an_unknown_stream_is_refused_by_both_calls() {
        let unknown = PluginError::UnknownStream(
            "sportmonks has no stream `odds` (streams: fixtures, schedules, teams, standings)"
                .to_string(),
        );
        assert_eq!(
            Sportmonks::plan("odds".to_string(), None, params(&[("season", "1")])),
            Err(unknown.clone())
        );
        let response = HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: b"{\"data\":[]}".to_vec(),
        };
        assert_eq!(
            Sportmonks::normalize(
                "odds".to_string(),
                Vec::new(),
                HttpRequest::get("/odds/pre-match", &[]),
                response
            ),
            Err(unknown)
        );
    }
}
