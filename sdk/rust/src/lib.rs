//! The crate a sluice plugin author depends on.
//!
//! It carries the bindings of the newest `sluice:plugin` WIT contract (the
//! canonical record types, the [`Source`] trait a normalizer implements and
//! the [`Enrich`] trait an enricher implements, the [`Validate`] trait a
//! validator implements), the [`export_normalizer!`], [`export_enricher!`]
//! and [`export_validator!`] macros that export an implementation from a
//! component, the `transformer` and `scorer` worlds of contract 0.5.0
//! ([`transform`] with [`export_transformer!`], [`score`] with
//! [`export_scorer!`]), and small helpers plugins share: reading parameters, parsing
//! a JSON body with a readable error, writing timestamps in the canonical
//! RFC 3339 UTC form, splitting scores by period, and ranking tables.
//!
//! A plugin is a pure function of its inputs: it must not read files, the
//! network, the clock or the environment. The host performs every request
//! the plugin plans and hands it the response.
//!
//! A complete example is in `sdk/README.md`; the shape of one:
//!
//! ```ignore
//! use sluice_plugin_sdk::{Source, Params, HttpRequest, HttpResponse, Batch, PluginError, Streams};
//! const STREAMS: Streams = Streams { plugin: "my-provider", names: &["teams"] };
//! struct MyProvider;
//! impl Source for MyProvider {
//!     fn plan(stream: String, cursor: Option<String>, params: Params) -> Result<Vec<HttpRequest>, PluginError> {
//!         STREAMS.check(&stream)?;
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
        path: "../../wit/since_v0.4.0",
        pub_export_macro: true,
        export_macro_name: "export_normalizer",
        default_bindings_module: "sluice_plugin_sdk::bindings",
        additional_derives: [PartialEq],
    });
}

/// Bindings of the `enricher` world, sharing the record types of the
/// normalizer's. A component carries the world its export macro names
/// only: a normalizer built with this crate exports no `enrich`, and an
/// enricher no `source`.
#[doc(hidden)]
pub mod enricher_bindings {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        world: "enricher",
        path: "../../wit/since_v0.4.0",
        pub_export_macro: true,
        export_macro_name: "export_enricher",
        default_bindings_module: "sluice_plugin_sdk::enricher_bindings",
        with: { "sluice:plugin/types@0.4.0": crate::bindings::sluice::plugin::types },
    });
}

/// Bindings of the `validator` world (since 0.4.0), sharing the types of
/// the normalizer's: rows of a table in, verdicts out.
#[doc(hidden)]
pub mod validator_bindings {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        world: "validator",
        path: "../../wit/since_v0.4.0",
        pub_export_macro: true,
        export_macro_name: "export_validator",
        default_bindings_module: "sluice_plugin_sdk::validator_bindings",
        with: { "sluice:plugin/types@0.4.0": crate::bindings::sluice::plugin::types },
    });
}

/// Bindings of the `transformer` world (since 0.5.0): a typed table in,
/// rows and rejects out. Its types are 0.5.0's, which [`transform`]
/// re-exports.
#[doc(hidden)]
pub mod transformer_bindings {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        world: "transformer",
        path: "../../wit/since_v0.5.0",
        pub_export_macro: true,
        export_macro_name: "export_transformer",
        default_bindings_module: "sluice_plugin_sdk::transformer_bindings",
        additional_derives: [PartialEq],
    });
}

/// Bindings of the `scorer` world (since 0.5.0), sharing the types of the
/// transformer's: per-user aggregates in, per-user scores out.
#[doc(hidden)]
pub mod scorer_bindings {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        world: "scorer",
        path: "../../wit/since_v0.5.0",
        pub_export_macro: true,
        export_macro_name: "export_scorer",
        default_bindings_module: "sluice_plugin_sdk::scorer_bindings",
        with: { "sluice:plugin/types@0.5.0": crate::transformer_bindings::sluice::plugin::types },
        additional_derives: [PartialEq],
    });
}

pub mod json;
pub mod params;
pub mod rank;
mod records;
mod rows;
pub mod score;
pub mod scores;
mod streams;
pub mod testing;
pub mod timestamp;
pub mod transform;

pub use bindings::export_normalizer;
pub use enricher_bindings::export_enricher;
pub use scorer_bindings::export_scorer;
pub use transformer_bindings::export_transformer;
pub use validator_bindings::export_validator;

pub use bindings::exports::sluice::plugin::source::Guest as Source;
pub use bindings::sluice::plugin::types::{
    Batch, Competition, Event, EventStatus, FairPrice, HttpRequest, HttpResponse, Incident,
    IncidentKind, MarketConsensus, OddsQuote, Params, Participant, PluginError, Record, Reject,
    Standing, StandingSplit, Team,
};
pub use enricher_bindings::exports::sluice::plugin::enrich::Guest as Enrich;
pub use enricher_bindings::sluice::plugin::lookup;
pub use streams::Streams;
pub use validator_bindings::exports::sluice::plugin::validate::Guest as Validate;
pub use validator_bindings::sluice::plugin::rows::{RowBatch, Value, Verdict};

/// The version of the `sluice:plugin` WIT package the normalizer, enricher
/// and validator bindings were built from (`wit/since_v0.4.0`), which such
/// a plugin's manifest states as `wit`; a host accepts plugins built for
/// this version and the ones before it.
pub const WIT_VERSION: &str = "0.4.0";

/// The version the transformer and scorer bindings were built from
/// (`wit/since_v0.5.0`), which their manifests state as `wit`.
pub const ROWS_WIT_VERSION: &str = "0.5.0";

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

    /// This request with query parameter `name` set to `value`: in its
    /// place when the query has it, else added at the end, the other
    /// parameters unchanged and in order (the next page of a request).
    pub fn with_query(&self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        let mut query = self.query.clone();
        match query.iter_mut().find(|(key, _)| key == name) {
            Some((_, current)) => *current = value,
            None => query.push((name.to_string(), value)),
        }
        HttpRequest {
            path: self.path.clone(),
            query,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_query_sets_a_parameter_in_place_or_adds_it_last() {
        let first = HttpRequest::get("/fixtures", &[("league", "39"), ("season", "2022")]);
        let second = first.with_query("page", "2");
        assert_eq!(
            second,
            HttpRequest::get(
                "/fixtures",
                &[("league", "39"), ("season", "2022"), ("page", "2")]
            )
        );
        let moved = HttpRequest::get("/fixtures", &[("page", "2"), ("league", "39")]);
        assert_eq!(
            moved.with_query("page", "3"),
            HttpRequest::get("/fixtures", &[("page", "3"), ("league", "39")])
        );
    }
}
