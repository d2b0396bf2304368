//! What happens to plugins: their output, their switch-off, and the
//! versions `sluice serve` publishes or refuses.

use std::fmt::Display;
use std::time::Duration;

use super::InternalEvent;

/// A plugin wrote to stdout or stderr during a call.
pub struct PluginPrinted<'a> {
    /// The plugin.
    pub plugin: &'a str,
    /// The call (`plan`, `normalize`, `enrich`).
    pub call: &'a str,
    /// `stdout` or `stderr`.
    pub stream: &'a str,
    /// Bytes dropped over the capture's cap.
    pub dropped_bytes: usize,
    /// What it wrote.
    pub output: &'a str,
}

impl InternalEvent for PluginPrinted<'_> {
    fn emit(self) {
        tracing::info!(
            plugin = self.plugin,
            call = self.call,
            stream = self.stream,
            dropped_bytes = self.dropped_bytes,
            output = %self.output,
            "plugin output"
        );
    }
}

/// A plugin failed too many calls in a row and is switched off: an alert.
pub struct PluginSwitchedOff<'a> {
    /// The plugin.
    pub plugin: &'a str,
    /// Its version.
    pub version: &'a str,
    /// Failures in a row.
    pub failures: u32,
}

impl InternalEvent for PluginSwitchedOff<'_> {
    fn emit(self) {
        let failures = self.failures;
        tracing::error!(
            alert = true,
            plugin = %self.plugin,
            version = %self.version,
            failures,
            "plugin switched off: it failed {failures} calls in a row; its streams are refused until it is loaded again"
        );
    }
}

/// A plugin of the plugin folder could not be loaded at start.
pub struct PluginNotLoaded<'a, E: Display> {
    /// The plugin.
    pub plugin: &'a str,
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for PluginNotLoaded<'_, E> {
    fn emit(self) {
        tracing::error!(plugin = %self.plugin, error = %self.error, "plugin not loaded");
    }
}

/// A new version of a plugin passed its checks and now serves.
pub struct PluginReloaded<'a> {
    /// The plugin.
    pub plugin: &'a str,
}

impl InternalEvent for PluginReloaded<'_> {
    fn emit(self) {
        tracing::info!(plugin = %self.plugin, "new plugin version published");
        metrics::counter!("sluice_plugin_reloads_total", "plugin" => self.plugin.to_string(), "result" => "published")
            .increment(1);
    }
}

/// A new version of a plugin was refused; the published one keeps serving.
pub struct PluginReloadRefused<'a, E: Display> {
    /// The plugin.
    pub plugin: &'a str,
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for PluginReloadRefused<'_, E> {
    fn emit(self) {
        tracing::error!(
            plugin = %self.plugin,
            error = %self.error,
            "new plugin version refused; the version already published keeps serving"
        );
        metrics::counter!("sluice_plugin_reloads_total", "plugin" => self.plugin.to_string(), "result" => "refused")
            .increment(1);
    }
}

/// A reload stopped before it could finish (its task panicked or was
/// cancelled); the published version keeps serving.
pub struct PluginReloadAborted<'a, E: Display> {
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for PluginReloadAborted<'_, E> {
    fn emit(self) {
        tracing::error!(error = %self.error, "plugin reload aborted");
    }
}

/// A call into a plugin ended, trapped or not.
pub struct PluginCalled<'a> {
    /// The plugin.
    pub plugin: &'a str,
    /// The call (`plan`, `normalize`, `enrich`).
    pub call: &'a str,
    /// How long it took, instantiation included.
    pub elapsed: Duration,
    /// The most linear memory it was granted.
    pub memory_bytes: usize,
    /// Why the sandbox stopped it (`deadline`, `memory`, `trap`), if it did.
    pub trap: Option<&'static str>,
}

impl InternalEvent for PluginCalled<'_> {
    fn emit(self) {
        tracing::trace!(
            plugin = %self.plugin,
            call = self.call,
            elapsed_us = self.elapsed.as_micros() as u64,
            memory_bytes = self.memory_bytes,
            trap = self.trap,
            "plugin call"
        );
        let plugin = self.plugin.to_string();
        let call = self.call.to_string();
        metrics::counter!("sluice_plugin_calls_total", "plugin" => plugin.clone(), "call" => call.clone())
            .increment(1);
        metrics::histogram!("sluice_plugin_call_duration_seconds", "plugin" => plugin.clone(), "call" => call)
            .record(self.elapsed.as_secs_f64());
        let high_water =
            metrics::gauge!("sluice_plugin_memory_high_water_bytes", "plugin" => plugin.clone());
        PEAKS.raise(&plugin, self.memory_bytes, |peak| {
            high_water.set(peak as f64)
        });
        if let Some(reason) = self.trap {
            metrics::counter!("sluice_plugin_traps_total", "plugin" => plugin, "reason" => reason)
                .increment(1);
        }
    }
}

/// Each plugin's memory high-water mark over the process's life: a gauge
/// only ever raised.
static PEAKS: Peaks = Peaks(std::sync::Mutex::new(None));

struct Peaks(std::sync::Mutex<Option<std::collections::HashMap<String, usize>>>);

impl Peaks {
    fn raise(&self, plugin: &str, bytes: usize, set: impl FnOnce(usize)) {
        let mut peaks = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let peak = peaks
            .get_or_insert_with(Default::default)
            .entry(plugin.to_string())
            .or_default();
        if bytes > *peak {
            *peak = bytes;
            set(bytes);
        }
    }
}

/// A plugin version is published: its identity as labels of
/// `sluice_plugin_info`, so a dashboard can show what runs.
pub struct PluginPublished<'a> {
    /// The plugin.
    pub plugin: &'a str,
    /// Its version.
    pub version: &'a str,
    /// The contract version it was built against.
    pub contract: &'a str,
    /// The sha256 of its component.
    pub sha256: &'a str,
    /// The version it replaces, whose info is withdrawn.
    pub replaces: Option<(&'a str, &'a str, &'a str)>,
}

impl InternalEvent for PluginPublished<'_> {
    fn emit(self) {
        tracing::debug!(plugin = %self.plugin, version = %self.version, contract = %self.contract, sha256 = %self.sha256, "plugin published");
        if let Some((version, contract, sha256)) = self.replaces {
            metrics::gauge!("sluice_plugin_info", "plugin" => self.plugin.to_string(), "version" => version.to_string(), "contract" => contract.to_string(), "sha256" => sha256.to_string())
                .set(0.0);
        }
        metrics::gauge!("sluice_plugin_info", "plugin" => self.plugin.to_string(), "version" => self.version.to_string(), "contract" => self.contract.to_string(), "sha256" => self.sha256.to_string())
            .set(1.0);
    }
}
