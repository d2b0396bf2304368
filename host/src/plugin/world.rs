//! The contract check every plugin of one world passes when it loads: the
//! component exports the world's interface, at a version the host accepts
//! for that world, and its manifest states the same version.

use std::path::Path;

use wasmtime::component::Component;

use super::{PluginEngine, PluginError};

/// What a world is called and how a component shows it implements it.
pub struct World {
    /// The world's name, as the contract spells it (`transformer`).
    pub name: &'static str,
    /// The export through which it answers, without its version
    /// (`sluice:plugin/transform@`).
    pub export: &'static str,
    /// The contract versions a component of this world may be built for.
    pub accepted: &'static [&'static str],
}

impl World {
    /// Checks that `component` (read from `wasm`) implements this world at
    /// an accepted version, the one its manifest states as `wit`.
    pub fn check(
        &self,
        engine: &PluginEngine,
        component: &Component,
        wasm: &Path,
        wit: &str,
    ) -> Result<(), PluginError> {
        let exports: Vec<String> = component
            .component_type()
            .exports(&engine.engine)
            .map(|(n, _)| n.to_string())
            .collect();
        let incompatible = |found: String| PluginError::IncompatibleContract {
            path: wasm.to_path_buf(),
            found,
            accepted: self.accepted.join(", "),
        };
        match exports.iter().find_map(|e| e.strip_prefix(self.export)) {
            None => Err(incompatible(format!(
                "is not a {}: it exports no {}… interface (it exports: {})",
                self.name,
                self.export.trim_end_matches('@'),
                exports.join(", ")
            ))),
            Some(v) if !self.accepted.contains(&v) => Err(incompatible(format!(
                "was built for sluice:plugin@{v} ({} world)",
                self.name
            ))),
            Some(v) if v != wit => Err(PluginError::InvalidManifest {
                path: wasm.with_extension("toml"),
                message: format!(
                    "says wit = \"{wit}\" but the component was built for sluice:plugin@{v}"
                ),
            }),
            Some(_) => Ok(()),
        }
    }
}
