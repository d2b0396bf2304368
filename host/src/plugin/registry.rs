//! The plugins a long-running host serves, swapped atomically when their
//! files change. A new version is compiled off the hot path, checked (its
//! contract, its manifest, and its fixtures when it ships a
//! `NAME.fixtures/` folder beside `NAME.wasm`), and only then published; a
//! run that already took the old version finishes on it.

use arc_swap::ArcSwap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{NormalizerPlugin, PluginEngine, PluginError, fixtures};
use crate::internal_events::{InternalEvent, PluginNotLoaded};

/// One published plugin and when it was loaded.
#[derive(Clone)]
pub struct Published {
    /// The plugin.
    pub plugin: Arc<NormalizerPlugin>,
    /// When it was published, RFC 3339 UTC.
    pub loaded_at: String,
}

/// What `GET /plugins` lists about a plugin.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct PluginInfo {
    /// Plugin name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The contract version it was built against.
    pub wit: String,
    /// sha256 of the component.
    pub sha256: String,
    /// When it was loaded.
    pub loaded_at: String,
}

/// Why a new version was not published.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// It did not load.
    #[error(transparent)]
    Load(#[from] PluginError),
    /// Its fixtures did not pass.
    #[error("{failed} of {cases} fixture cases in {dir} differ; first: {first}")]
    Fixtures {
        /// The fixtures folder.
        dir: PathBuf,
        /// Cases that differ.
        failed: usize,
        /// Cases run.
        cases: usize,
        /// The first difference.
        first: String,
    },
}

/// The plugins of one folder, by name.
pub struct PluginRegistry {
    engine: PluginEngine,
    dir: PathBuf,
    plugins: ArcSwap<BTreeMap<String, Published>>,
}

impl PluginRegistry {
    /// Loads every plugin in `dir`; one that does not load is logged and
    /// left out.
    pub fn load_dir(engine: PluginEngine, dir: &Path) -> Self {
        let registry = PluginRegistry {
            engine,
            dir: dir.to_path_buf(),
            plugins: ArcSwap::from_pointee(BTreeMap::new()),
        };
        for name in component_names(dir) {
            if let Err(error) = registry.reload(&name) {
                PluginNotLoaded {
                    plugin: &name,
                    error: &error,
                }
                .emit();
            }
        }
        registry
    }

    /// The engine plugins of this registry run in.
    pub fn engine(&self) -> &PluginEngine {
        &self.engine
    }

    /// The folder served.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The published version of `name`.
    pub fn get(&self, name: &str) -> Option<Arc<NormalizerPlugin>> {
        self.plugins.load().get(name).map(|p| p.plugin.clone())
    }

    /// Every published plugin.
    pub fn list(&self) -> Vec<PluginInfo> {
        self.plugins
            .load()
            .iter()
            .map(|(name, p)| PluginInfo {
                name: name.clone(),
                version: p.plugin.manifest().version.clone(),
                wit: p.plugin.wit_version().to_string(),
                sha256: p.plugin.sha256().to_string(),
                loaded_at: p.loaded_at.clone(),
            })
            .collect()
    }

    /// Loads `name` from the folder, checks it and publishes it; on any
    /// failure the published version, if any, stays. Returns whether a new
    /// version was published (false when the file is unchanged).
    pub fn reload(&self, name: &str) -> Result<bool, ReloadError> {
        let wasm = self.dir.join(format!("{name}.wasm"));
        // Enrichers, validators, transformers and scorers are loaded by
        // what uses them, each run.
        let manifest = std::fs::read_to_string(wasm.with_extension("toml")).unwrap_or_default();
        if matches!(
            super::kind_of(&manifest),
            Some(
                super::PluginKind::Enricher
                    | super::PluginKind::Validator
                    | super::PluginKind::Transformer
                    | super::PluginKind::Scorer
            )
        ) {
            return Ok(false);
        }
        let candidate = NormalizerPlugin::load(&self.engine, &wasm)?;
        if let Some(current) = self.plugins.load().get(name) {
            let same_manifest = current.plugin.manifest().version == candidate.manifest().version
                && current.plugin.manifest().name == candidate.manifest().name;
            if current.plugin.sha256() == candidate.sha256() && same_manifest {
                return Ok(false);
            }
        }
        let fixtures_dir = self.dir.join(format!("{name}.fixtures"));
        if fixtures_dir.is_dir() {
            let report = fixtures::run_all(&candidate, &fixtures_dir, false);
            if let Some((case, diff)) = report.failures.first() {
                return Err(ReloadError::Fixtures {
                    dir: fixtures_dir.clone(),
                    failed: report.failures.len(),
                    cases: report.cases,
                    first: format!(
                        "{}: {}",
                        case.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
                        diff.lines().take(6).collect::<Vec<_>>().join(" | ")
                    ),
                });
            }
        }
        let published = Published {
            plugin: Arc::new(candidate),
            loaded_at: crate::db::now_timestamp(),
        };
        self.plugins.rcu(|current| {
            let mut next = BTreeMap::clone(current);
            next.insert(name.to_string(), published.clone());
            next
        });
        Ok(true)
    }
}

/// The names of the components in `dir` (`NAME.wasm`).
pub fn component_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    names.sort();
    names
}
