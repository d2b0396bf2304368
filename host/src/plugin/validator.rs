//! A loaded validator: a custom quality check. The host hands it the rows
//! of a batch of one table and it answers with a verdict for each row that
//! fails; the quality stage counts, quarantines and grades them as the
//! check's severity says. Same sandbox and limits as every plugin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::bindings::{self, validator};
use super::component;
use super::manifest::ValidatorManifest;
use super::runner::Runner;
use super::sandbox::SandboxState;
use super::{PluginEngine, PluginError};

pub use validator::rows::Value as RowValue;

/// The export through which a validator answers, without its version.
const VALIDATE_EXPORT: &str = "sluice:plugin/validate@";

/// Contract versions a validator may be built for: the world arrived in
/// 0.4.0.
pub const ACCEPTED_VALIDATOR_VERSIONS: &[&str] = &["0.4.0"];

/// Rows handed to the validator in one call at most: a large batch goes in
/// slices, so that no single call needs more than the sandbox's memory.
pub const ROWS_PER_CALL: usize = 2_000;

/// A compiled validator, ready to be called any number of times.
pub struct ValidatorPlugin {
    manifest: ValidatorManifest,
    sha256: String,
    path: PathBuf,
    pre: validator::ValidatorPre<SandboxState>,
    runner: Runner,
}

crate::instantiate_via!(validator::ValidatorPre<SandboxState> => validator::Validator);

impl ValidatorPlugin {
    /// Loads `wasm` and the manifest beside it and checks its contract.
    pub fn load(engine: &PluginEngine, wasm: &Path) -> Result<Self, PluginError> {
        let name = component::name_of(wasm);
        let manifest = ValidatorManifest::load(&component::manifest_path(wasm)?, &name)?;
        let (sha256, component) = component::compile(engine, wasm, None)?;
        let exports: Vec<String> = component
            .component_type()
            .exports(&engine.engine)
            .map(|(n, _)| n.to_string())
            .collect();
        let incompatible = |found: String| PluginError::IncompatibleContract {
            path: wasm.to_path_buf(),
            found,
            accepted: ACCEPTED_VALIDATOR_VERSIONS.join(", "),
        };
        match exports.iter().find_map(|e| e.strip_prefix(VALIDATE_EXPORT)) {
            None => {
                return Err(incompatible(format!(
                    "is not a validator: it exports no sluice:plugin/validate interface (it exports: {})",
                    exports.join(", ")
                )));
            }
            Some(v) if !ACCEPTED_VALIDATOR_VERSIONS.contains(&v) => {
                return Err(incompatible(format!(
                    "was built for sluice:plugin@{v} (validator world)"
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
        let pre = component::link(engine, &component, wasm, validator::ValidatorPre::new)?;
        let runner = Runner::new(
            engine,
            &manifest.name,
            &manifest.version,
            engine.limits.narrowed(&manifest.limits),
            None,
        );
        Ok(ValidatorPlugin {
            manifest,
            sha256,
            path: wasm.to_path_buf(),
            pre,
            runner,
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &ValidatorManifest {
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

    /// Hands the validator the `rows` of `table` (cells in the order of
    /// `columns`), [`ROWS_PER_CALL`] at a time, and returns the failing
    /// rows' indexes with the validator's reasons, by index. A verdict for
    /// a row that is not in the batch is the plugin's error.
    pub fn validate(
        &self,
        table: &str,
        params: &[(String, String)],
        columns: &[String],
        rows: Vec<Vec<RowValue>>,
    ) -> Result<BTreeMap<usize, String>, PluginError> {
        let mut failing = BTreeMap::new();
        let mut rows = rows.into_iter();
        let mut offset = 0;
        loop {
            let slice: Vec<Vec<RowValue>> = rows.by_ref().take(ROWS_PER_CALL).collect();
            if slice.is_empty() {
                break;
            }
            let count = slice.len();
            let batch = validator::rows::RowBatch {
                columns: columns.to_vec(),
                rows: slice,
            };
            let params = params.to_vec();
            let verdicts = self.runner.call(&self.pre, "validate", |store, plugin| {
                plugin
                    .sluice_plugin_validate()
                    .call_validate(store, table, &params, &batch)
            })?;
            let verdicts = verdicts.map_err(|e| self.returned(bindings::describe(&e)))?;
            let size = verdicts.iter().map(|v| v.reason.len() + 8).sum();
            self.runner.check_output("validate", size)?;
            for verdict in verdicts {
                let row = usize::try_from(verdict.row).unwrap_or(usize::MAX);
                if row >= count {
                    return Err(self.returned(format!(
                        "a verdict for row {} of a batch of {count} rows",
                        verdict.row
                    )));
                }
                failing.entry(offset + row).or_insert(verdict.reason);
            }
            offset += count;
        }
        Ok(failing)
    }

    fn returned(&self, message: String) -> PluginError {
        PluginError::Returned {
            plugin: self.manifest.name.clone(),
            call: "validate",
            message,
        }
    }
}
