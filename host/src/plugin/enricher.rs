//! A loaded enricher: records in, records out, run on a stream's batches
//! after its normalizer, in the same sandbox and under the same limits, with
//! read-only lookup tables its manifest asks for.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::bindings::{self, enricher, to_contract};
use super::component;
use super::lookup::{self, Lookups};
use super::manifest::EnricherManifest;
use super::runner::Runner;
use super::sandbox::SandboxState;
use super::{PluginEngine, PluginError};
use crate::model::Record;

/// The export through which an enricher answers, without its version.
const ENRICH_EXPORT: &str = "sluice:plugin/enrich@";

/// Contract versions an enricher may be built for: 0.4.0 only, the newest
/// that changed the records (0.5.0 added worlds, not records). An enricher
/// hands back the records it is given, so one built for an older version
/// would drop what the versions since have added to them.
pub const ACCEPTED_ENRICHER_VERSIONS: &[&str] = &["0.4.0"];

/// A compiled enricher, ready to be called any number of times.
pub struct EnricherPlugin {
    manifest: EnricherManifest,
    sha256: String,
    path: PathBuf,
    pre: enricher::EnricherPre<SandboxState>,
    runner: Runner,
}

crate::instantiate_via!(enricher::EnricherPre<SandboxState> => enricher::Enricher);

impl EnricherPlugin {
    /// Loads `wasm` and the manifest beside it, checks its contract, and
    /// grants it the tables of `lookups` its manifest lists.
    pub fn load(
        engine: &PluginEngine,
        wasm: &Path,
        lookups: &Lookups,
    ) -> Result<Self, PluginError> {
        let name = component::name_of(wasm);
        let manifest =
            EnricherManifest::load(&component::manifest_path(wasm)?, &name, lookup::OFFERED)?;
        let (sha256, component) = component::compile(engine, wasm, None)?;
        let ty = component.component_type();
        let exports: Vec<String> = ty
            .exports(&engine.engine)
            .map(|(n, _)| n.to_string())
            .collect();
        let version = exports.iter().find_map(|e| e.strip_prefix(ENRICH_EXPORT));
        let incompatible = |found: String| PluginError::IncompatibleContract {
            path: wasm.to_path_buf(),
            found,
            accepted: ACCEPTED_ENRICHER_VERSIONS.join(", "),
        };
        match version {
            None => {
                return Err(incompatible(format!(
                    "is not an enricher: it exports no sluice:plugin/enrich interface (it exports: {})",
                    exports.join(", ")
                )));
            }
            Some(v) if !ACCEPTED_ENRICHER_VERSIONS.contains(&v) => {
                return Err(incompatible(format!(
                    "was built for sluice:plugin@{v} (enricher world)"
                )));
            }
            Some(v) if v != manifest.wit => {
                return Err(PluginError::InvalidManifest {
                    path: wasm.with_extension("toml"),
                    message: format!(
                        "says wit = \"{}\" but the component was built for sluice:plugin@{v}",
                        manifest.wit
                    ),
                });
            }
            Some(_) => {}
        }
        let pre = component::link(engine, &component, wasm, enricher::EnricherPre::new)?;
        let runner = Runner::new(
            engine,
            &manifest.name,
            &manifest.version,
            engine.limits.narrowed(&manifest.limits),
            Some(Arc::new(lookups.granted(&manifest.lookups))),
        );
        Ok(EnricherPlugin {
            manifest,
            sha256,
            path: wasm.to_path_buf(),
            pre,
            runner,
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &EnricherManifest {
        &self.manifest
    }

    /// Hex sha256 of the component file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Where the component was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hands the enricher `records` of one batch of `stream` and returns
    /// what it made of them, stamped with `provider` (the records' own).
    pub fn enrich(
        &self,
        stream: &str,
        params: &[(String, String)],
        provider: &str,
        records: &[Record],
    ) -> Result<Vec<Record>, PluginError> {
        let input: Vec<_> = records.iter().map(to_contract::record).collect();
        let params = params.to_vec();
        let output = self.runner.call(&self.pre, "enrich", |store, plugin| {
            plugin
                .sluice_plugin_enrich()
                .call_enrich(store, stream, &params, &input)
        })?;
        let output = output.map_err(|e| PluginError::Returned {
            plugin: self.manifest.name.clone(),
            call: "enrich",
            message: bindings::describe(&e),
        })?;
        self.runner
            .check_output("enrich", bindings::records_size(&output))?;
        Ok(bindings::records(output, provider))
    }
}
