//! The crate a sluice plugin author depends on.
//!
//! It carries the bindings of the `sluice:plugin` WIT contract (the canonical
//! record types and the [`Source`] trait a normalizer implements), the
//! [`export_normalizer!`] macro that exports an implementation from a
//! component, and small helpers every normalizer needs: reading parameters,
//! parsing a JSON body with a readable error, and writing timestamps in the
//! canonical RFC 3339 UTC form.
//!
//! A normalizer is a pure function of its inputs: it must not read files,
//! the network, the clock or the environment. The host performs every request
//! the plugin plans and hands it the response.
//!
//! A complete example is in `sdk/README.md`; the shape of one:
//!
//! ```ignore
//! use sluice_plugin_sdk::{Source, Params, HttpRequest, HttpResponse, Batch, PluginError};
//! struct MyProvider;
//! impl Source for MyProvider {
//!     fn plan(stream: String, cursor: Option<String>, params: Params) -> Result<Vec<HttpRequest>, PluginError> {
//!         Ok(vec![HttpRequest::get("/v1/teams", &[])])
//!     }
//!     fn normalize(stream: String, params: Params, request: HttpRequest, response: HttpResponse) -> Result<Batch, PluginError> {
//!         Ok(Batch::of(Vec::new()))
//!     }
//! }
//! sluice_plugin_sdk::export_normalizer!(MyProvider);
//! ```

#[doc(hidden)]
pub mod bindings {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        world: "normalizer",
        path: "../../wit/since_v0.3.0",
        pub_export_macro: true,
        export_macro_name: "export_normalizer",
        default_bindings_module: "sluice_plugin_sdk::bindings",
        additional_derives: [PartialEq],
    });
}

pub mod json;
pub mod params;
pub mod rank;
pub mod timestamp;

pub use bindings::export_normalizer;

pub use bindings::exports::sluice::plugin::source::Guest as Source;
pub use bindings::sluice::plugin::types::{
    Batch, Competition, Event, EventStatus, HttpRequest, HttpResponse, Incident, IncidentKind,
    OddsQuote, Params, Participant, PluginError, Record, Reject, Standing, StandingSplit, Team,
};

/// The version of the `sluice:plugin` WIT package these bindings were built
/// from; a host accepts plugins built for a compatible version.
pub const WIT_VERSION: &str = "0.3.0";

impl HttpRequest {
    /// A GET of `path` (below the provider's base URL) with `query`.
    pub fn get(path: impl Into<String>, query: &[(&str, &str)]) -> Self {
        HttpRequest {
            path: path.into(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        }
    }
}

impl Batch {
    /// A batch of `records` with no rejects, cursor or follow-ups.
    pub fn of(records: Vec<Record>) -> Self {
        Batch {
            records,
            rejects: Vec::new(),
            cursor: None,
            follow_ups: Vec::new(),
        }
    }
}
