//! Everything that can go wrong loading or calling a plugin.

use std::path::PathBuf;

/// Why a plugin could not be loaded or a call into it failed.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The `.wasm` file could not be read.
    #[error("cannot read plugin {path}: {source}")]
    ReadWasm {
        /// The component file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// There is no manifest next to the component.
    #[error("plugin {wasm} has no manifest: expected {manifest} beside it")]
    MissingManifest {
        /// The component file.
        wasm: PathBuf,
        /// Where the manifest was looked for.
        manifest: PathBuf,
    },
    /// The manifest is unreadable or invalid.
    #[error("plugin manifest {path}: {message}")]
    InvalidManifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The file is not a component wasmtime can compile.
    #[error("plugin {path} is not a valid WebAssembly component: {message}")]
    Compile {
        /// The component file.
        path: PathBuf,
        /// wasmtime's message.
        message: String,
    },
    /// The component was built against a contract this host does not speak.
    #[error("plugin {path} {found}; this host accepts sluice:plugin@{accepted}")]
    IncompatibleContract {
        /// The component file.
        path: PathBuf,
        /// What the component exports, in words.
        found: String,
        /// The accepted versions.
        accepted: String,
    },
    /// The component needs an import the sandbox does not provide.
    #[error("plugin {path} cannot be linked in the sandbox: {message}")]
    Link {
        /// The component file.
        path: PathBuf,
        /// wasmtime's message.
        message: String,
    },
    /// The plugin's manifest does not declare the stream.
    #[error("plugin {plugin} has no stream `{stream}` (streams: {known})")]
    UnknownStream {
        /// Plugin name.
        plugin: String,
        /// The stream asked for.
        stream: String,
        /// The streams it has.
        known: String,
    },
    /// A parameter is missing, or not one the stream takes.
    #[error("plugin {plugin}, stream `{stream}`: {message}")]
    InvalidParams {
        /// Plugin name.
        plugin: String,
        /// The stream.
        stream: String,
        /// What is wrong.
        message: String,
    },
    /// The call ran past its wall-clock deadline and was stopped.
    #[error("plugin {plugin} exceeded its time limit of {limit_ms} ms in {call}")]
    Timeout {
        /// Plugin name.
        plugin: String,
        /// `plan` or `normalize`.
        call: &'static str,
        /// The deadline.
        limit_ms: u64,
    },
    /// The plugin tried to grow its memory past the cap.
    #[error("plugin {plugin} reached its memory limit of {limit_mib} MiB in {call}")]
    MemoryLimit {
        /// Plugin name.
        plugin: String,
        /// `plan` or `normalize`.
        call: &'static str,
        /// The cap.
        limit_mib: u64,
    },
    /// The call used up its instruction budget.
    #[error("plugin {plugin} used up its instruction budget of {limit} in {call}")]
    FuelExhausted {
        /// Plugin name.
        plugin: String,
        /// `plan` or `normalize`.
        call: &'static str,
        /// The budget.
        limit: u64,
    },
    /// The plugin returned more than the output cap.
    #[error(
        "plugin {plugin} returned {size_mib:.1} MiB from {call}, over its output limit of {limit_mib} MiB"
    )]
    OutputTooLarge {
        /// Plugin name.
        plugin: String,
        /// `plan` or `normalize`.
        call: &'static str,
        /// What it returned, approximately.
        size_mib: f64,
        /// The cap.
        limit_mib: u64,
    },
    /// The plugin failed too often in a row and is switched off until it is
    /// loaded again.
    #[error(
        "plugin {plugin} is switched off after {failures} failed calls in a row; fix it and load it again"
    )]
    SwitchedOff {
        /// Plugin name.
        plugin: String,
        /// Failures in a row.
        failures: u32,
    },
    /// The long-running host has no loaded version of the plugin.
    #[error("plugin {name} is not loaded: {dir} has no {name}.wasm that loads (see the log)")]
    NotLoaded {
        /// Plugin name.
        name: String,
        /// The folder served.
        dir: PathBuf,
    },
    /// The component file is not the one the config pins.
    #[error("plugin {path} has sha256 {found}, but the config pins {expected}")]
    HashMismatch {
        /// The component file.
        path: PathBuf,
        /// Its hash.
        found: String,
        /// The pinned hash.
        expected: String,
    },
    /// The plugin trapped (panicked, hit `unreachable`, overflowed its stack).
    #[error("plugin {plugin} crashed in {call}: {message}")]
    Trap {
        /// Plugin name.
        plugin: String,
        /// `plan` or `normalize`.
        call: &'static str,
        /// What wasmtime reported.
        message: String,
    },
    /// The plugin ran and returned an error of the contract.
    #[error("plugin {plugin} failed in {call}: {message}")]
    Returned {
        /// Plugin name.
        plugin: String,
        /// `plan` or `normalize`.
        call: &'static str,
        /// The plugin's error, e.g. `malformed response: body is not JSON …`.
        message: String,
    },
}

impl PluginError {
    /// The sandbox's reason, when this is a trap: `deadline`, `memory` or
    /// `trap` (fuel and any other trap); `None` for every other error.
    pub fn trap_reason(&self) -> Option<&'static str> {
        match self {
            PluginError::Timeout { .. } => Some("deadline"),
            PluginError::MemoryLimit { .. } => Some("memory"),
            PluginError::FuelExhausted { .. } | PluginError::Trap { .. } => Some("trap"),
            _ => None,
        }
    }
}

impl PluginError {
    /// The plugin the sandbox stopped, when this is a trap.
    pub fn trapped_plugin(&self) -> Option<&str> {
        match self {
            PluginError::Timeout { plugin, .. }
            | PluginError::MemoryLimit { plugin, .. }
            | PluginError::FuelExhausted { plugin, .. }
            | PluginError::Trap { plugin, .. } => Some(plugin),
            _ => None,
        }
    }
}
