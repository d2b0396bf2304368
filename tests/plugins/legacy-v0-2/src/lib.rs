//! A normalizer built against `sluice:plugin@0.2.0`, the contract before
//! standings, participants and incidents: it turns `GET /v1/prices`
//! (`[{"event": "…", "bookmaker": "…", "selection": "…", "price": 1.5}]`)
//! into odds, the record 0.2.0 added. The host must keep running plugins
//! like it.

#![allow(missing_docs)]
// The export glue wit-bindgen generates in this crate is unsafe by nature;
// the SDK's plugins get it from the SDK's macro instead.
#![allow(unsafe_code)]

wit_bindgen::generate!({
    world: "normalizer",
    path: "../../../wit/since_v0.2.0",
});

use exports::sluice::plugin::source::Guest;
use sluice::plugin::types::{Batch, HttpRequest, HttpResponse, OddsQuote, PluginError, Record};

#[derive(serde::Deserialize)]
struct WirePrice {
    event: String,
    bookmaker: String,
    selection: String,
    price: f64,
}

struct Legacy;

impl Guest for Legacy {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        _params: Vec<(String, String)>,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        match stream.as_str() {
            "prices" => Ok(vec![HttpRequest {
                path: "/v1/prices".to_string(),
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
        let prices: Vec<WirePrice> = serde_json::from_slice(&response.body)
            .map_err(|e| PluginError::MalformedResponse(e.to_string()))?;
        Ok(Batch {
            records: prices
                .into_iter()
                .map(|p| {
                    Record::Odds(OddsQuote {
                        event: p.event,
                        bookmaker: p.bookmaker,
                        bookmaker_name: None,
                        market: "h2h".to_string(),
                        selection: p.selection,
                        participant: None,
                        line: None,
                        price: p.price,
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
