//! Reading a component file: its name, the manifest beside it, its hash
//! (checked against a pin before anything is compiled) and its compiled
//! form. Shared by every kind of plugin.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use wasmtime::component::{Component, InstancePre};

use super::runner::first_line;
use super::sandbox::SandboxState;
use super::{PluginEngine, PluginError};

/// Loads the component `NAME.wasm` of the plugin folder `dir` with
/// `load`; a folder without it is [`PluginError::NotLoaded`].
pub fn load_named<T>(
    dir: &Path,
    name: &str,
    load: impl FnOnce(&Path) -> Result<T, PluginError>,
) -> Result<T, PluginError> {
    let wasm = dir.join(format!("{name}.wasm"));
    if !wasm.is_file() {
        return Err(PluginError::NotLoaded {
            name: name.to_string(),
            dir: dir.to_path_buf(),
        });
    }
    load(&wasm)
}

/// The plugin's name: the file name without `.wasm`.
pub fn name_of(wasm: &Path) -> String {
    wasm.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// `NAME.toml` beside `NAME.wasm`, which must exist.
pub fn manifest_path(wasm: &Path) -> Result<PathBuf, PluginError> {
    let manifest = wasm.with_extension("toml");
    if !manifest.is_file() {
        return Err(PluginError::MissingManifest {
            wasm: wasm.to_path_buf(),
            manifest,
        });
    }
    Ok(manifest)
}

/// `component` (read from `wasm`) linked against what the host provides,
/// and bound through `bind` (the bindings of its world and version), ready
/// to instantiate; a failure names the file.
pub fn link<T>(
    engine: &PluginEngine,
    component: &Component,
    wasm: &Path,
    bind: impl FnOnce(InstancePre<SandboxState>) -> wasmtime::Result<T>,
) -> Result<T, PluginError> {
    let link_error = |e: wasmtime::Error| PluginError::Link {
        path: wasm.to_path_buf(),
        message: format!("{e:#}"),
    };
    let instance_pre = engine
        .linker
        .instantiate_pre(component)
        .map_err(link_error)?;
    bind(instance_pre).map_err(link_error)
}

/// Reads and compiles `wasm`; returns its hex sha256 with it. With `pin`,
/// a file whose sha256 differs (hex, any case) is refused before compiling.
pub fn compile(
    engine: &PluginEngine,
    wasm: &Path,
    pin: Option<&str>,
) -> Result<(String, Component), PluginError> {
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
    let component = Component::new(&engine.engine, &bytes).map_err(|e| PluginError::Compile {
        path: wasm.to_path_buf(),
        message: first_line(&e),
    })?;
    Ok((sha256, component))
}
