//! sluice normalizer for the API-Football v3 API (api-sports.io).
//!
//! Streams:
//! - `fixtures`: exactly one of `league` + `season`, `live`, `ids`, `date`,
//!   or `h2h` (optional `from`/`to`): `GET /fixtures` (or
//!   `/fixtures/headtohead`), one event per fixture plus one competition per
//!   league and one team per team met in the batch;
//! - `teams`: exactly one of `league` + `season`, `search`, or `id`:
//!   `GET /teams`, one team record per team.
//!
//! API-Football answers errors with HTTP 200 and an `errors` object: that is
//! a `provider-error`, never an empty success. Pages beyond the first are
//! follow-up requests.
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod body;
mod fixtures;
mod params;
mod scores;
mod status;
mod teams;
mod wire;

use sluice_plugin_sdk::{Batch, HttpRequest, HttpResponse, Params, PluginError, Source};

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
            other => Err(unknown_stream(other)),
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
            other => return Err(unknown_stream(other)),
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

fn unknown_stream(name: &str) -> PluginError {
    PluginError::UnknownStream(format!(
        "api-football has no stream `{name}` (streams: fixtures, teams)"
    ))
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(ApiFootball);
