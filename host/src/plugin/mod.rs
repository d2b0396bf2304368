//! The plugin runtime: loads WebAssembly components built against the
//! `sluice:plugin` WIT contract and calls them in a sandbox, one fresh
//! instance per call, under a wall-clock deadline and a memory cap.

mod bindings;
mod component;
mod engine;
mod enricher;
mod error;
pub mod fixtures;
pub mod lookup;
mod manifest;
mod normalizer;
mod output;
mod registry;
pub(crate) mod runner;
pub(crate) mod sandbox;
pub mod scorer;
pub mod table_fixtures;
pub mod transformer;
mod validator;
mod world;

pub use bindings::{ACCEPTED_WIT_VERSIONS, NEWEST_WIT_VERSION};
pub use component::load_named;
pub use engine::{PluginEngine, SandboxLimits};
pub use enricher::{ACCEPTED_ENRICHER_VERSIONS, EnricherPlugin};
pub use error::PluginError;
pub use lookup::Lookups;
pub use manifest::{
    AuthSpec, EnricherManifest, LimitsSpec, Manifest, PluginKind, StreamSpec, ValidatorManifest,
    WorldManifest, kind_of,
};
pub use normalizer::NormalizerPlugin;
pub use registry::{PluginInfo, PluginRegistry, ReloadError, component_names};
pub use runner::SWITCH_OFF_AFTER;
pub use scorer::{ACCEPTED_SCORER_VERSIONS, Scorer};
pub use transformer::{ACCEPTED_TRANSFORMER_VERSIONS, Transformed, Transformer};
pub use validator::{ACCEPTED_VALIDATOR_VERSIONS, ROWS_PER_CALL, RowValue, ValidatorPlugin};
