//! A normalizer built against `sluice:plugin@0.1.0`, the contract before
//! odds: it turns `GET /v1/teams` (`[{"id": "1", "name": "…"}]`) into
//! teams. The host must keep running plugins like it.

#![allow(missing_docs)]
// The export glue wit-bindgen generates in this crate is unsafe by nature;
// the SDK's plugins get it from the SDK's macro instead.
#![allow(unsafe_code)]

wit_bindgen::generate!({
    world: "normalizer",
    path: "../../../wit/since_v0.1.0",
});

use exports::sluice::plugin::source::Guest;
use sluice::plugin::types::{Batch, HttpRequest, HttpResponse, PluginError, Record, Team};

#[derive(serde::Deserialize)]
struct WireTeam {
    id: String,
    name: String,
}

struct Legacy;

impl Guest for Legacy {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        _params: Vec<(String, String)>,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        match stream.as_str() {
            "teams" => Ok(vec![HttpRequest {
                path: "/v1/teams".to_string(),
                query: Vec::new(),
            }]),
            other => Err(PluginError::UnknownStream(other.to_string())),
        }
    }

    fn normalize(
        _stream: String,
        _params: Vec<(String, String)>,
        _request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        let teams: Vec<WireTeam> = serde_json::from_slice(&response.body)
            .map_err(|e| PluginError::MalformedResponse(e.to_string()))?;
        Ok(Batch {
            records: teams
                .into_iter()
                .map(|t| {
                    Record::Team(Team {
                        provider_id: t.id,
                        name: t.name,
                        short_name: None,
                        code: None,
                        country: None,
                        founded: None,
                        venue: None,
                        crest_url: None,
                    })
                })
                .collect(),
            rejects: Vec::new(),
            cursor: None,
            follow_ups: Vec::new(),
        })
    }
}

export!(Legacy);
