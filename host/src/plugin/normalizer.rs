//! A loaded normalizer plugin: its manifest, its content hash and an
//! `InstancePre` from which every call gets a fresh instance.

use std::path::{Path, PathBuf};
use wasmtime::component::Component;

use super::bindings::{self, Binder, BoundNormalizer, wit};
use super::component;
use super::runner::Runner;
use super::{ACCEPTED_WIT_VERSIONS, Manifest, PluginEngine, PluginError};
use crate::model::{HttpResponse, NormalizedBatch, PlannedRequest};

/// The export through which a normalizer answers, without its version.
const SOURCE_EXPORT: &str = "sluice:plugin/source@";

/// A compiled normalizer, ready to be called any number of times.
pub struct NormalizerPlugin {
    manifest: Manifest,
    sha256: String,
    path: PathBuf,
    bound: Box<dyn BoundNormalizer>,
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
        let bind = check_contract(engine, &component, wasm, &manifest)?;
        let bound = component::link(engine, &component, wasm, bind)?;
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
            bound,
            runner,
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The contract version the component was built against.
    pub fn wit_version(&self) -> &'static str {
        self.bound.version()
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
        let result = self.bound.plan(&self.runner, stream, cursor, params)?;
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
        let (result, response) =
            self.bound
                .normalize(&self.runner, stream, params, request, response);
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

/// Checks that the component exports the normalizer interface in a version
/// this host accepts, and that its manifest says the same; returns how to
/// bind it.
fn check_contract(
    engine: &PluginEngine,
    component: &Component,
    wasm: &Path,
    manifest: &Manifest,
) -> Result<Binder, PluginError> {
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
    let Some(bind) = bindings::binder(version) else {
        return Err(incompatible(format!(
            "was built for sluice:plugin@{version}"
        )));
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
    Ok(bind)
}
