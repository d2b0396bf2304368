//! What happens to plugins: their output, their switch-off, and the
//! versions `sluice serve` publishes or refuses.

use std::fmt::Display;

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
