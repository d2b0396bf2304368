//! A loaded normalizer plugin: its manifest, its content hash and an
//! `InstancePre` from which every call gets a fresh instance.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use wasmtime::Store;
use wasmtime::component::Component;

use super::bindings::{self, Normalizer, NormalizerPre, wit};
use super::sandbox::SandboxState;
use super::{ACCEPTED_WIT_VERSIONS, Manifest, PluginEngine, PluginError};
use crate::model::{NormalizedBatch, PlannedRequest};

/// The export through which a normalizer answers, without its version.
const SOURCE_EXPORT: &str = "sluice:plugin/source@";

/// A compiled normalizer, ready to be called any number of times.
pub struct NormalizerPlugin {
    manifest: Manifest,
    sha256: String,
    path: PathBuf,
    pre: NormalizerPre<SandboxState>,
    engine: PluginEngine,
    limits: super::SandboxLimits,
}

impl NormalizerPlugin {
    /// Loads `wasm` and the manifest beside it (`NAME.toml` for `NAME.wasm`),
    /// checks the contract version it was built against, and prepares it for
    /// instantiation.
    pub fn load(engine: &PluginEngine, wasm: &Path) -> Result<Self, PluginError> {
        let name = wasm
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let manifest_path = wasm.with_extension("toml");
        if !manifest_path.is_file() {
            return Err(PluginError::MissingManifest {
                wasm: wasm.to_path_buf(),
                manifest: manifest_path,
            });
        }
        let manifest = Manifest::load(&manifest_path, &name)?;
        let bytes = std::fs::read(wasm).map_err(|source| PluginError::ReadWasm {
            path: wasm.to_path_buf(),
            source,
        })?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let component =
            Component::new(&engine.engine, &bytes).map_err(|e| PluginError::Compile {
                path: wasm.to_path_buf(),
                message: first_line(&e),
            })?;
        check_contract(engine, &component, wasm, &manifest)?;
        let instance_pre =
            engine
                .linker
                .instantiate_pre(&component)
                .map_err(|e| PluginError::Link {
                    path: wasm.to_path_buf(),
                    message: format!("{e:#}"),
                })?;
        let pre = NormalizerPre::new(instance_pre).map_err(|e| PluginError::Link {
            path: wasm.to_path_buf(),
            message: format!("{e:#}"),
        })?;
        Ok(NormalizerPlugin {
            limits: engine.limits.narrowed(&manifest.limits),
            manifest,
            sha256,
            path: wasm.to_path_buf(),
            pre,
            engine: engine.clone(),
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
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

    /// Asks the plugin for the first requests of `stream`.
    pub fn plan(
        &self,
        stream: &str,
        cursor: Option<&str>,
        params: &[(String, String)],
    ) -> Result<Vec<PlannedRequest>, PluginError> {
        let params = params.to_vec();
        let result = self.call("plan", |store, plugin| {
            plugin
                .sluice_plugin_source()
                .call_plan(store, stream, cursor, &params)
        })?;
        result
            .map(|requests| requests.into_iter().map(Into::into).collect())
            .map_err(|e| self.returned("plan", &e))
    }

    /// Hands the plugin one response to turn into records, and the response
    /// back (it is moved into the call, not copied, and the caller archives
    /// it).
    pub fn normalize(
        &self,
        stream: &str,
        params: &[(String, String)],
        request: &PlannedRequest,
        response: HttpResponse,
    ) -> (Result<NormalizedBatch, PluginError>, HttpResponse) {
        let params = params.to_vec();
        let request = wit::HttpRequest::from(request);
        let response = wit::HttpResponse {
            status: response.status,
            headers: response.headers,
            body: response.body,
        };
        let result = self.call("normalize", |store, plugin| {
            plugin
                .sluice_plugin_source()
                .call_normalize(store, stream, &params, &request, &response)
        });
        let response = HttpResponse {
            status: response.status,
            headers: response.headers,
            body: response.body,
        };
        let batch = result.and_then(|r| {
            r.map(|batch| bindings::batch(batch, &self.manifest.provider))
                .map_err(|e| self.returned("normalize", &e))
        });
        (batch, response)
    }

    /// Runs `f` on a fresh instance in a fresh store, under the limits.
    fn call<R>(
        &self,
        call: &'static str,
        f: impl FnOnce(&mut Store<SandboxState>, &Normalizer) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let limits = self.limits;
        let mut store = Store::new(&self.engine.engine, SandboxState::new(limits.memory_bytes));
        store.limiter(|state| &mut state.memory);
        store.set_epoch_deadline(limits.deadline_ticks());
        let outcome = self
            .pre
            .instantiate(&mut store)
            .and_then(|plugin| f(&mut store, &plugin));
        outcome.map_err(|err| self.trap(call, &err, store.data().memory.refused))
    }

    fn trap(&self, call: &'static str, err: &wasmtime::Error, memory_refused: bool) -> PluginError {
        let plugin = self.manifest.name.clone();
        let limits = self.limits;
        if memory_refused {
            return PluginError::MemoryLimit {
                plugin,
                call,
                limit_mib: (limits.memory_bytes >> 20) as u64,
            };
        }
        if matches!(
            err.downcast_ref::<wasmtime::Trap>(),
            Some(wasmtime::Trap::Interrupt)
        ) {
            return PluginError::Timeout {
                plugin,
                call,
                limit_ms: limits.deadline.as_millis() as u64,
            };
        }
        PluginError::Trap {
            plugin,
            call,
            message: first_line(err),
        }
    }

    fn returned(&self, call: &'static str, err: &wit::PluginError) -> PluginError {
        PluginError::Returned {
            plugin: self.manifest.name.clone(),
            call,
            message: bindings::describe(err),
        }
    }
}

/// A response as the host hands it to a plugin.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers, names lower-case, secrets removed.
    pub headers: Vec<(String, String)>,
    /// The body, decompressed.
    pub body: Vec<u8>,
}

/// Checks that the component exports the normalizer interface in a version
/// this host accepts, and that its manifest says the same.
fn check_contract(
    engine: &PluginEngine,
    component: &Component,
    wasm: &Path,
    manifest: &Manifest,
) -> Result<(), PluginError> {
    let ty = component.component_type();
    let versions: Vec<String> = ty
        .exports(&engine.engine)
        .filter_map(|(name, _)| name.strip_prefix(SOURCE_EXPORT).map(str::to_string))
        .collect();
    let accepted = ACCEPTED_WIT_VERSIONS.join(", ");
    let incompatible = |found: String| PluginError::IncompatibleContract {
        path: wasm.to_path_buf(),
        found,
        accepted: accepted.clone(),
    };
    let Some(version) = versions.first() else {
        let exports: Vec<String> = ty
            .exports(&engine.engine)
            .map(|(n, _)| n.to_string())
            .collect();
        return Err(incompatible(format!(
            "exports no sluice:plugin/source interface (it exports: {})",
            if exports.is_empty() {
                "nothing".to_string()
            } else {
                exports.join(", ")
            }
        )));
    };
    if !ACCEPTED_WIT_VERSIONS.contains(&version.as_str()) {
        return Err(incompatible(format!(
            "was built for sluice:plugin@{version}"
        )));
    }
    if &manifest.wit != version {
        return Err(PluginError::InvalidManifest {
            path: wasm.with_extension("toml"),
            message: format!(
                "says wit = \"{}\" but the component was built for sluice:plugin@{version}",
                manifest.wit
            ),
        });
    }
    Ok(())
}

/// wasmtime's errors carry a wasm backtrace over many lines; a trap's own
/// description, or else the first line of the root cause, is what a person
/// needs.
fn first_line(err: &wasmtime::Error) -> String {
    if let Some(trap) = err.downcast_ref::<wasmtime::Trap>() {
        return trap.to_string();
    }
    let text = err.root_cause().to_string();
    text.lines().next().unwrap_or_default().trim().to_string()
}
