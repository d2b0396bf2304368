//! A normalizer built against `sluice:plugin@0.9.0`, a contract version no
//! host accepts: loading it must fail with a clear message, so its calls
//! are never made, and they answer nothing.

#![allow(missing_docs)]
// The export glue wit-bindgen generates in this crate is unsafe by nature;
// the SDK's plugins get it from the SDK's macro instead.
#![allow(unsafe_code)]

wit_bindgen::generate!({
    world: "normalizer",
    path: "wit",
});

use exports::sluice::plugin::source::Guest;
use sluice::plugin::types::{Batch, HttpRequest, HttpResponse, PluginError};

struct Future;

impl Guest for Future {
    fn plan(
        _stream: String,
        _cursor: Option<String>,
        _params: Vec<(String, String)>,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        Ok(Vec::new())
    }

    fn normalize(
        _stream: String,
        _params: Vec<(String, String)>,
        _request: HttpRequest,
        _response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        Ok(Batch {
            records: Vec::new(),
            rejects: Vec::new(),
            cursor: None,
            follow_ups: Vec::new(),
        })
    }
}

export!(Future);
