//! The plugin runtime: loads WebAssembly components built against the
//! `sluice:plugin` WIT contract and calls them in a sandbox, one fresh
//! instance per call, under a wall-clock deadline and a memory cap.

mod bindings;
mod engine;
mod error;
pub mod fixtures;
mod manifest;
mod normalizer;
mod output;
mod registry;
mod sandbox;

pub use engine::{PluginEngine, SandboxLimits};
pub use error::PluginError;
pub use manifest::{AuthSpec, LimitsSpec, Manifest, QuotaSource, QuotaSpec, StreamSpec};
pub use normalizer::{HttpResponse, NormalizerPlugin, SWITCH_OFF_AFTER};
pub use registry::{PluginInfo, PluginRegistry, ReloadError, component_names};

/// Versions of the `sluice:plugin` package this host runs plugins for.
pub const ACCEPTED_WIT_VERSIONS: &[&str] = &["0.1.0", "0.2.0"];
