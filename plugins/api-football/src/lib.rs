//! sluice normalizer for the API-Football v3 API (api-sports.io).
//!
//! Streams:
//! - `fixtures`: the parameter combinations API-Football documents (`id`,
//!   `ids`, `live`, `h2h`, or a list narrowed by `league` + `season`,
//!   `team`, `date`, `last`/`next` and their filters): `GET /fixtures` (or
//!   `/fixtures/headtohead`), one event per fixture plus one competition per
//!   league and one team per team met in the batch, and, for fixtures whose
//!   item carries its `events` (fixtures by id, the live board), their
//!   incidents;
//! - `teams`: any mix of `id`, `name`, `league` + `season`, `country`,
//!   `code`, `venue`, `search`: `GET /teams`, one team record per team;
//! - `standings`: `league` + `season`: `GET /standings`, the league as a
//!   competition and a standing per team in each group's overall, home and
//!   away table;
//! - `odds`: `fixture`, `league` + `season` or `date`, optionally
//!   `bookmaker`, `bet`, `timezone`: `GET /odds`, one odds quote per value
//!   of each bookmaker's bets, on the fixture's event.
//!
//! API-Football answers errors with HTTP 200 and an `errors` object: that is
//! a `provider-error`, never an empty success. Pages beyond the first are
//! follow-up requests.
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod body;
mod fixtures;
mod incidents;
mod markets;
mod odds;
mod params;
mod scores;
mod standings;
mod status;
mod teams;
mod wire;

use sluice_plugin_sdk::{Batch, HttpRequest, HttpResponse, Params, PluginError, Source, Streams};

/// The streams this plugin serves, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "api-football",
    names: &["fixtures", "teams", "standings", "odds"],
};

/// The API-Football v3 normalizer.
pub struct ApiFootball;

impl Source for ApiFootball {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        // API-Football has no "changed since" filter: every run reads the
        // selection again and the host's upserts keep unchanged rows.
        match stream.as_str() {
            "fixtures" => Ok(vec![params::fixtures_request(&params)?]),
            "teams" => Ok(vec![params::teams_request(&params)?]),
            "standings" => Ok(vec![params::standings_request(&params)?]),
            "odds" => Ok(vec![params::odds_request(&params)?]),
            other => Err(STREAMS.unknown(other)),
        }
    }

    fn normalize(
        stream: String,
        _params: Params,
        request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        let convert = match stream.as_str() {
            "fixtures" => fixtures::normalize,
            "teams" => teams::normalize,
            "standings" => standings::normalize,
            "odds" => odds::normalize,
            other => return Err(STREAMS.unknown(other)),
        };
        let envelope = body::read(&response.body)?;
        let mut batch = convert(&envelope.items);
        batch.follow_ups = envelope
            .paging
            .and_then(|paging| body::next_page(&request, paging))
            .into_iter()
            .collect();
        Ok(batch)
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(ApiFootball);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standings_fail_on_an_error_sent_with_http_200() {
        let params: Params = vec![
            ("league".to_string(), "39".to_string()),
            ("season".to_string(), "2022".to_string()),
        ];
        let request = ApiFootball::plan("standings".to_string(), None, params.clone())
            .expect("plan")
            .remove(0);
        let response = HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: br#"{"get":"standings","errors":{"season":"The Season field must contain 4 characters."},"results":0,"response":[]}"#.to_vec(),
        };
        assert_eq!(
            ApiFootball::normalize("standings".to_string(), params, request, response),
            Err(PluginError::ProviderError(
                "API-Football answered with an error: season: The Season field must contain 4 characters."
                    .to_string()
            ))
        );
    }

    fn odds_params() -> Params {
        vec![
            ("fixture".to_string(), "1226178".to_string()),
            ("bookmaker".to_string(), "8".to_string()),
        ]
    }

    fn odds_body(body: &str) -> Result<Batch, PluginError> {
        let request = ApiFootball::plan("odds".to_string(), None, odds_params())
            .expect("plan")
            .remove(0);
        let response = HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        };
        ApiFootball::normalize("odds".to_string(), odds_params(), request, response)
    }

    #[test]
    fn odds_fail_on_an_error_sent_with_http_200() {
        assert_eq!(
            odds_body(
                r#"{"get":"odds","parameters":{"fixture":"1226178"},"errors":{"token":"Error/Missing application key."},"results":0,"paging":{"current":1,"total":1},"response":[]}"#
            ),
            Err(PluginError::ProviderError(
                "API-Football answered with an error: token: Error/Missing application key."
                    .to_string()
            ))
        );
    }

    #[test]
    fn odds_pages_are_followed_and_an_empty_page_loads_nothing() {
        let batch = odds_body(
            r#"{"get":"odds","errors":[],"results":0,"paging":{"current":1,"total":2},"response":[]}"#,
        )
        .expect("a batch");
        assert!(batch.records.is_empty() && batch.rejects.is_empty());
        assert_eq!(
            batch.follow_ups,
            [HttpRequest::get(
                "/odds",
                &[("fixture", "1226178"), ("bookmaker", "8"), ("page", "2")]
            )]
        );
    }
}
