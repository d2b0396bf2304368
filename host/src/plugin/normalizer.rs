//! A loaded normalizer plugin: its manifest, its content hash and an
//! `InstancePre` from which every call gets a fresh instance.

use std::path::{Path, PathBuf};
use wasmtime::component::Component;

use super::bindings::{self, v0_1, v0_2, wit};
use super::component;
use super::runner::Runner;
use super::sandbox::SandboxState;
use super::{ACCEPTED_WIT_VERSIONS, Manifest, PluginEngine, PluginError};
use crate::model::{HttpResponse, NormalizedBatch, PlannedRequest};

/// The export through which a normalizer answers, without its version.
const SOURCE_EXPORT: &str = "sluice:plugin/source@";

/// A compiled normalizer, ready to be called any number of times.
pub struct NormalizerPlugin {
    manifest: Manifest,
    sha256: String,
    path: PathBuf,
    pre: Prepared,
    runner: Runner,
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
        let name = component::name_of(wasm);
        let manifest = Manifest::load(&component::manifest_path(wasm)?, &name)?;
        let (sha256, component) = component::compile(engine, wasm, pin)?;
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
                Prepared::V0_2(v0_2::NormalizerPre::new(instance_pre).map_err(link_error)?)
            }
            ContractVersion::V0_3 => {
                Prepared::V0_3(bindings::NormalizerPre::new(instance_pre).map_err(link_error)?)
            }
        };
        let runner = Runner::new(
            engine,
            &manifest.name,
            &manifest.version,
            engine.limits.narrowed(&manifest.limits),
            None,
        );
        Ok(NormalizerPlugin {
            manifest,
            sha256,
            path: wasm.to_path_buf(),
            pre,
            runner,
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
            Prepared::V0_3(_) => "0.3.0",
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
        macro_rules! plan {
            ($pre:expr) => {
                self.runner.call($pre, "plan", |store, plugin| {
                    plugin
                        .sluice_plugin_source()
                        .call_plan(store, stream, cursor, &params)
                })?
            };
        }
        let result = match &self.pre {
            Prepared::V0_3(pre) => plan!(pre),
            Prepared::V0_2(pre) => plan!(pre)
                .map(|requests| requests.into_iter().map(v0_2::request).collect())
                .map_err(v0_2::error),
            Prepared::V0_1(pre) => plan!(pre)
                .map(|requests| {
                    let requests = requests.into_iter().map(v0_1::request);
                    requests.map(v0_2::request).collect()
                })
                .map_err(|e| v0_2::error(v0_1::error(e))),
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
        // The response goes into the call in the contract's own type and
        // comes back out of it, for the caller to archive.
        macro_rules! normalize {
            ($pre:expr, $contract:path) => {{
                use $contract as contract;
                let request = contract::HttpRequest::from(request);
                let response = contract::HttpResponse {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                };
                let result = self.runner.call($pre, "normalize", |store, plugin| {
                    plugin
                        .sluice_plugin_source()
                        .call_normalize(store, stream, &params, &request, &response)
                });
                let response = HttpResponse {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                };
                (result, response)
            }};
        }
        let (result, response) = match &self.pre {
            Prepared::V0_3(pre) => normalize!(pre, wit),
            Prepared::V0_2(pre) => {
                let (result, response) = normalize!(pre, v0_2::wit);
                let result = result.map(|r| r.map(v0_2::batch).map_err(v0_2::error));
                (result, response)
            }
            Prepared::V0_1(pre) => {
                let (result, response) = normalize!(pre, v0_1::wit);
                let result = result.map(|r| {
                    r.map(|b| v0_2::batch(v0_1::batch(b)))
                        .map_err(|e| v0_2::error(v0_1::error(e)))
                });
                (result, response)
            }
        };
        let batch = result.and_then(|r| {
            let batch = r.map_err(|e| self.returned("normalize", &e))?;
            self.runner
                .check_output("normalize", bindings::approximate_size(&batch))?;
            Ok(bindings::batch(batch, &self.manifest.provider))
        });
        (batch, response)
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
    V0_2(v0_2::NormalizerPre<SandboxState>),
    V0_3(bindings::NormalizerPre<SandboxState>),
}

crate::instantiate_via!(v0_1::NormalizerPre<SandboxState> => v0_1::Normalizer);
crate::instantiate_via!(v0_2::NormalizerPre<SandboxState> => v0_2::Normalizer);
crate::instantiate_via!(bindings::NormalizerPre<SandboxState> => bindings::Normalizer);

/// The contract versions this host binds.
enum ContractVersion {
    V0_1,
    V0_2,
    V0_3,
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
        "0.3.0" => ContractVersion::V0_3,
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
