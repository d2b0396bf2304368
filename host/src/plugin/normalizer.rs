//! A loaded normalizer plugin: its manifest, its content hash and an
//! `InstancePre` from which every call gets a fresh instance.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use wasmtime::Store;
use wasmtime::component::Component;

use super::bindings::{self, v0_1, wit};
use super::output;
use super::sandbox::SandboxState;
use super::{ACCEPTED_WIT_VERSIONS, Manifest, PluginEngine, PluginError};
use crate::model::{NormalizedBatch, PlannedRequest};
use std::sync::atomic::{AtomicU32, Ordering};

/// Sandbox failures (traps, limits) in a row after which a plugin is
/// switched off.
pub const SWITCH_OFF_AFTER: u32 = 5;

/// The export through which a normalizer answers, without its version.
const SOURCE_EXPORT: &str = "sluice:plugin/source@";

/// A compiled normalizer, ready to be called any number of times.
pub struct NormalizerPlugin {
    manifest: Manifest,
    sha256: String,
    path: PathBuf,
    pre: Prepared,
    engine: PluginEngine,
    /// Sandbox failures in a row, for the plugin's breaker.
    failures: AtomicU32,
    limits: super::SandboxLimits,
}

impl NormalizerPlugin {
    /// Loads `wasm` and the manifest beside it (`NAME.toml` for `NAME.wasm`),
    /// checks the contract version it was built against, and prepares it for
    /// instantiation.
    pub fn load(engine: &PluginEngine, wasm: &Path) -> Result<Self, PluginError> {
        Self::load_pinned(engine, wasm, None)
    }

    /// [`NormalizerPlugin::load`], refusing the file before compiling it
    /// when its sha256 is not `pin` (hex, any case).
    pub fn load_pinned(
        engine: &PluginEngine,
        wasm: &Path,
        pin: Option<&str>,
    ) -> Result<Self, PluginError> {
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
        if let Some(expected) = pin.filter(|p| !p.eq_ignore_ascii_case(&sha256)) {
            return Err(PluginError::HashMismatch {
                path: wasm.to_path_buf(),
                found: sha256,
                expected: expected.to_string(),
            });
        }
        let component =
            Component::new(&engine.engine, &bytes).map_err(|e| PluginError::Compile {
                path: wasm.to_path_buf(),
                message: first_line(&e),
            })?;
        let version = check_contract(engine, &component, wasm, &manifest)?;
        let link_error = |e: wasmtime::Error| PluginError::Link {
            path: wasm.to_path_buf(),
            message: format!("{e:#}"),
        };
        let instance_pre = engine
            .linker
            .instantiate_pre(&component)
            .map_err(link_error)?;
        let pre = match version {
            ContractVersion::V0_1 => {
                Prepared::V0_1(v0_1::NormalizerPre::new(instance_pre).map_err(link_error)?)
            }
            ContractVersion::V0_2 => {
                Prepared::V0_2(bindings::NormalizerPre::new(instance_pre).map_err(link_error)?)
            }
        };
        Ok(NormalizerPlugin {
            limits: engine.limits.narrowed(&manifest.limits),
            manifest,
            sha256,
            path: wasm.to_path_buf(),
            pre,
            engine: engine.clone(),
            failures: AtomicU32::new(0),
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The contract version the component was built against.
    pub fn wit_version(&self) -> &'static str {
        match self.pre {
            Prepared::V0_1(_) => "0.1.0",
            Prepared::V0_2(_) => "0.2.0",
        }
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
        let result = match &self.pre {
            Prepared::V0_2(pre) => self.call(pre, "plan", |store, plugin| {
                plugin
                    .sluice_plugin_source()
                    .call_plan(store, stream, cursor, &params)
            })?,
            Prepared::V0_1(pre) => self
                .call(pre, "plan", |store, plugin| {
                    plugin
                        .sluice_plugin_source()
                        .call_plan(store, stream, cursor, &params)
                })?
                .map(|requests| requests.into_iter().map(v0_1::request).collect())
                .map_err(v0_1::error),
        };
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
        let (result, response) = match &self.pre {
            Prepared::V0_2(pre) => {
                let request = wit::HttpRequest::from(request);
                let response = wit::HttpResponse {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                };
                let result = self.call(pre, "normalize", |store, plugin| {
                    plugin
                        .sluice_plugin_source()
                        .call_normalize(store, stream, &params, &request, &response)
                });
                (result, response.into())
            }
            Prepared::V0_1(pre) => {
                let request = v0_1::wit::HttpRequest::from(request);
                let response = v0_1::wit::HttpResponse {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                };
                let result = self.call(pre, "normalize", |store, plugin| {
                    plugin
                        .sluice_plugin_source()
                        .call_normalize(store, stream, &params, &request, &response)
                });
                let result = result.map(|r| r.map(v0_1::batch).map_err(v0_1::error));
                let response = HttpResponse {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                };
                (result, response)
            }
        };
        let batch = result.and_then(|r| {
            let batch = r.map_err(|e| self.returned("normalize", &e))?;
            self.check_output("normalize", bindings::approximate_size(&batch))?;
            Ok(bindings::batch(batch, &self.manifest.provider))
        });
        (batch, response)
    }

    /// Runs `f` on a fresh instance in a fresh store, under the limits.
    fn call<P: Instantiate, R>(
        &self,
        pre: &P,
        call: &'static str,
        f: impl FnOnce(&mut Store<SandboxState>, &P::Bindings) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let failures = self.failures.load(Ordering::Relaxed);
        if failures >= SWITCH_OFF_AFTER {
            return Err(PluginError::SwitchedOff {
                plugin: self.manifest.name.clone(),
                failures,
            });
        }
        let limits = self.limits;
        let mut store = Store::new(&self.engine.engine, SandboxState::new(limits.memory_bytes));
        store.limiter(|state| &mut state.memory);
        store.set_epoch_deadline(limits.deadline_ticks());
        if let Some(fuel) = limits.fuel {
            store
                .set_fuel(fuel)
                .map_err(|e| self.trap(call, &e, false, None))?;
        }
        let run = || {
            pre.instantiate(&mut store)
                .and_then(|plugin| f(&mut store, &plugin))
        };
        // WASI's stdio blocks on the ambient tokio runtime; on a runtime's
        // worker thread that is only allowed inside `block_in_place`.
        let outcome = match tokio::runtime::Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(run)
            }
            _ => run(),
        };
        let state = store.data();
        let panic = output::report(&self.manifest.name, call, &state.stdout, &state.stderr);
        let result = outcome.map_err(|err| self.trap(call, &err, state.memory.refused, panic));
        self.count(result.is_ok());
        result
    }

    /// Counts a call for the plugin's breaker: a sandbox failure in a row
    /// too many switches the plugin off, with an alert.
    fn count(&self, ok: bool) {
        if ok {
            self.failures.store(0, Ordering::Relaxed);
            return;
        }
        let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if failures == SWITCH_OFF_AFTER {
            tracing::error!(
                alert = true,
                plugin = %self.manifest.name,
                version = %self.manifest.version,
                failures,
                "plugin switched off: it failed {failures} calls in a row; its streams are refused until it is loaded again"
            );
        }
    }

    /// Refuses a batch larger than the output cap.
    fn check_output(&self, call: &'static str, size: usize) -> Result<(), PluginError> {
        if size <= self.limits.output_bytes {
            return Ok(());
        }
        self.count(false);
        Err(PluginError::OutputTooLarge {
            plugin: self.manifest.name.clone(),
            call,
            size_mib: size as f64 / f64::from(1 << 20),
            limit_mib: (self.limits.output_bytes >> 20) as u64,
        })
    }

    fn trap(
        &self,
        call: &'static str,
        err: &wasmtime::Error,
        memory_refused: bool,
        panic: Option<String>,
    ) -> PluginError {
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
        if let (Some(wasmtime::Trap::OutOfFuel), Some(limit)) =
            (err.downcast_ref::<wasmtime::Trap>(), limits.fuel)
        {
            return PluginError::FuelExhausted {
                plugin,
                call,
                limit,
            };
        }
        PluginError::Trap {
            plugin,
            call,
            message: match panic {
                Some(message) => format!("panicked: {message}"),
                None => first_line(err),
            },
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

/// A component prepared for instantiation through the bindings of the
/// contract version it was built against.
enum Prepared {
    V0_1(v0_1::NormalizerPre<SandboxState>),
    V0_2(bindings::NormalizerPre<SandboxState>),
}

/// Instantiation, whatever the contract version.
trait Instantiate {
    type Bindings;
    fn instantiate(&self, store: &mut Store<SandboxState>) -> wasmtime::Result<Self::Bindings>;
}

impl Instantiate for v0_1::NormalizerPre<SandboxState> {
    type Bindings = v0_1::Normalizer;
    fn instantiate(&self, store: &mut Store<SandboxState>) -> wasmtime::Result<Self::Bindings> {
        v0_1::NormalizerPre::instantiate(self, store)
    }
}

impl Instantiate for bindings::NormalizerPre<SandboxState> {
    type Bindings = bindings::Normalizer;
    fn instantiate(&self, store: &mut Store<SandboxState>) -> wasmtime::Result<Self::Bindings> {
        bindings::NormalizerPre::instantiate(self, store)
    }
}

/// The contract versions this host binds.
enum ContractVersion {
    V0_1,
    V0_2,
}

impl From<wit::HttpResponse> for HttpResponse {
    fn from(r: wit::HttpResponse) -> Self {
        HttpResponse {
            status: r.status,
            headers: r.headers,
            body: r.body,
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
) -> Result<ContractVersion, PluginError> {
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
    let bound = match version.as_str() {
        "0.1.0" => ContractVersion::V0_1,
        "0.2.0" => ContractVersion::V0_2,
        _ => {
            return Err(incompatible(format!(
                "was built for sluice:plugin@{version}"
            )));
        }
    };
    if &manifest.wit != version {
        return Err(PluginError::InvalidManifest {
            path: wasm.with_extension("toml"),
            message: format!(
                "says wit = \"{}\" but the component was built for sluice:plugin@{version}",
                manifest.wit
            ),
        });
    }
    Ok(bound)
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
