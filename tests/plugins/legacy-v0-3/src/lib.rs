//! A normalizer built against `sluice:plugin@0.3.0`, the contract before
//! rows and validators: it turns `GET /v1/table` (`[{"team": "…", "rank":
//! 1, "points": 30}]`) into standings, a record 0.3.0 added. The host must
//! keep running plugins like it.

#![allow(missing_docs)]
// The export glue wit-bindgen generates in this crate is unsafe by nature;
// the SDK's plugins get it from the SDK's macro instead.
#![allow(unsafe_code)]

wit_bindgen::generate!({
    world: "normalizer",
    path: "../../../wit/since_v0.3.0",
});

use exports::sluice::plugin::source::Guest;
use sluice::plugin::types::{
    Batch, HttpRequest, HttpResponse, PluginError, Record, Standing, StandingSplit,
};

#[derive(serde::Deserialize)]
struct WirePlace {
    team: String,
    rank: u32,
    points: i32,
}

struct Legacy;

impl Guest for Legacy {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        _params: Vec<(String, String)>,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        match stream.as_str() {
            "table" => Ok(vec![HttpRequest {
                path: "/v1/table".to_string(),
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
        let places: Vec<WirePlace> = serde_json::from_slice(&response.body)
            .map_err(|e| PluginError::MalformedResponse(e.to_string()))?;
        Ok(Batch {
            records: places
                .into_iter()
                .map(|p| {
                    Record::Standing(Standing {
                        competition: "L1".to_string(),
                        season: "2024".to_string(),
                        group: None,
                        split: StandingSplit::Total,
                        team: p.team.clone(),
                        team_name: Some(p.team),
                        rank: p.rank,
                        played: None,
                        won: None,
                        drawn: None,
                        lost: None,
                        goals_for: None,
                        goals_against: None,
                        points: Some(p.points),
                        form: None,
                        note: None,
                        provider_updated_at: None,
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
