//! sluice normalizer for The Odds API v4.
//!
//! Streams:
//! - `sports` (optional `all`): every sport key as a competition,
//!   `GET /v4/sports`;
//! - `odds` (`sport`, optional `regions`, `markets`, `bookmakers`, `event`,
//!   `commence_time_from`, `commence_time_to`, `oddsFormat`): one quote per
//!   outcome, `GET /v4/sports/{sport}/odds` per sport, or
//!   `GET /v4/sports/{sport}/events/{event}/odds` for one event; no event
//!   records, as the odds carry no match status. Prices are read in the
//!   `oddsFormat` of the request that produced the response (decimal when it
//!   has none) and stored as decimal odds;
//! - `scores` (`sport`, optional `days_from`): games with their status and
//!   scores, `GET /v4/sports/{sport}/scores`;
//! - `events` (`sport`, optional `commence_time_from`, `commence_time_to`):
//!   upcoming and in-play games as scheduled events, the `scores` stream
//!   carrying their status, `GET /v4/sports/{sport}/events`.
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod body;
mod events;
mod format;
mod odds;
mod params;
mod scores;
mod sports;
mod wire;

use sluice_plugin_sdk::{Batch, HttpRequest, HttpResponse, Params, PluginError, Source, Streams};

/// The streams this plugin serves, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "the-odds-api",
    names: &["sports", "odds", "scores", "events"],
};

/// The Odds API v4 normalizer.
pub struct TheOddsApi;

impl Source for TheOddsApi {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        // Odds and scores are snapshots of now: every run reads them anew
        // and no cursor is kept.
        match stream.as_str() {
            "sports" => params::sports(&params),
            "odds" => params::odds(&params),
            "scores" => params::scores(&params),
            "events" => params::events(&params),
            other => Err(STREAMS.unknown(other)),
        }
    }

    fn normalize(
        stream: String,
        _params: Params,
        request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        match stream.as_str() {
            "sports" => sports::normalize(&response.body),
            "odds" => odds::normalize(
                &response.body,
                params::is_event_odds(&request),
                format::OddsFormat::of_request(&request)?,
            ),
            "scores" => events::normalize(&response.body, events::Feed::Scores),
            "events" => events::normalize(&response.body, events::Feed::Events),
            other => Err(STREAMS.unknown(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stream_is_named() {
        let expected = Some(PluginError::UnknownStream(
            "the-odds-api has no stream `fixtures` (streams: sports, odds, scores, events)"
                .to_string(),
        ));
        assert_eq!(
            TheOddsApi::plan("fixtures".to_string(), None, Vec::new()).err(),
            expected
        );
        let response = HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: b"[]".to_vec(),
        };
        assert_eq!(
            TheOddsApi::normalize(
                "fixtures".to_string(),
                Vec::new(),
                HttpRequest::get("/v4/sports", &[]),
                response
            )
            .err(),
            expected
        );
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(TheOddsApi);
