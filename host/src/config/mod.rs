//! The `sluice.toml` file: typed, validated at load time, and every error
//! names the file, the key and what was expected.

mod alerts;
mod credits;
mod crm;
mod database_source;
mod duration;
mod export;
mod files;
mod lineage;
mod live;
mod pipeline;
mod quality;
mod rate;
mod schedule;
mod serve;
mod tables;
mod transforms;
mod workers;

pub use alerts::{
    AlertsConfig, ChannelConfig, EmailChannelConfig, RuleConfig, RuleKind, SmtpSecurity,
    WebhookChannelConfig,
};
pub use credits::CreditBudget;
pub use crm::{CrmConfig, CrmFeaturesConfig, CrmWrite, is_table_name, parse_day};
pub use database_source::{ChangeDetection, DatabaseKind, Deletes};
pub use duration::HumanDuration;
pub use export::{
    ByteSize, DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_PARTITIONS, DEFAULT_REPORT_ROWS, ExportFormat,
    ExportStepConfig, options_problem as export_options_problem,
};
pub use files::{CellRange, Compression, Encoding, FileFormat, OnBadRow, SourceConfig};
pub use lineage::{DEFAULT_LINEAGE_ENDPOINT, LineageConfig};
pub use live::{DEFAULT_MAX_PAYLOAD_BYTES, LiveConfig, MIN_MAX_PAYLOAD_BYTES, SupabaseConfig};
pub use pipeline::{
    DEFAULT_CONCURRENCY, MAX_CONCURRENCY, ParamValue, PipelineConfig, StreamConfig,
    WriteDisposition,
};
pub use quality::{
    CheckConfig, CheckKind, DEFAULT_BANDS, Dimension, OutlierMethod, QualityConfig, Severity,
    Threshold, is_identifier,
};
pub use rate::{RateLimit, RateLimits};
pub use schedule::Schedule;
pub use serve::{DEFAULT_LISTEN, ServeConfig};
pub use tables::{ColumnConfig, ColumnType, TableConfig, TableSchema};
pub use transforms::{DedupStep, Keep, PluginStep, StepTable, TransformStep};
pub use workers::WorkersConfig;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The database used when neither the config nor `--database` names one.
pub const DEFAULT_DATABASE: &str = "sqlite://sluice.db";

/// Why a config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The TOML is invalid or a key is unknown or of the wrong type.
    #[error("config {path}: {message}")]
    Parse {
        /// The config file.
        path: PathBuf,
        /// The parser's message, which names the key and its line.
        message: String,
    },
    /// The file parsed but its parts do not fit together.
    #[error("config {path}: {key}: {message}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// The offending key, dotted (`pipelines.europe.streams[0].provider`).
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

/// A whole `sluice.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Database URL; `sqlite://sluice.db` when absent.
    pub database: Option<String>,
    /// Where compiled plugins (`NAME.wasm` + `NAME.toml`) live, relative to
    /// the config file.
    #[serde(default = "default_plugin_dir")]
    pub plugin_dir: PathBuf,
    /// Providers by name.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Pipelines by name.
    #[serde(default)]
    pub pipelines: BTreeMap<String, PipelineConfig>,
    /// The ceilings every plugin call runs under.
    #[serde(default)]
    pub sandbox: SandboxConfig,
    /// How provider records become canonical teams, competitions and events.
    #[serde(default)]
    pub resolution: ResolutionConfig,
    /// How `sluice serve` listens and stops.
    #[serde(default)]
    pub serve: ServeConfig,
    /// What is worth telling someone about, and through which channels.
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// Where the live outbox is published besides SSE.
    #[serde(default)]
    pub live: LiveConfig,
    /// The checks each table's data is graded by.
    #[serde(default)]
    pub quality: QualityConfig,
    /// Where each run's OpenLineage events go; none are emitted when absent.
    pub lineage: Option<LineageConfig>,
    /// The CRM's per-user features pipeline (`sluice crm features`).
    #[serde(default)]
    pub crm: CrmConfig,
    /// Generic tables file sources load, by name.
    #[serde(default)]
    pub tables: BTreeMap<String, TableConfig>,
    /// How `sluice worker` processes take units from the queue.
    #[serde(default)]
    pub workers: WorkersConfig,
}

/// `[resolution]`: linking every provider's records to one canonical team,
/// competition and event, after each run and with `sluice resolve`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionConfig {
    /// Resolve after every run (`sluice resolve` works either way).
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// The alias file (`[teams]`, `[competitions]`: a name = its other
    /// spellings), relative to the config file.
    pub aliases: Option<PathBuf>,
    /// Links less sure than this (0 to 1) are not merged but listed by
    /// `sluice resolve review`.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Per field (`default`, `kickoff`, `status`, `score`, `venue`), the
    /// providers (their id spaces, as in the `provider` column) whose value
    /// wins, first first; then the most recent value.
    #[serde(default)]
    pub priority: BTreeMap<String, Vec<String>>,
}

impl Default for ResolutionConfig {
    fn default() -> Self {
        ResolutionConfig {
            enabled: true,
            aliases: None,
            threshold: default_threshold(),
            priority: BTreeMap::new(),
        }
    }
}

/// The fields `[resolution.priority]` may rank providers for.
pub const PRIORITY_FIELDS: [&str; 5] = ["default", "kickoff", "status", "score", "venue"];

fn enabled() -> bool {
    true
}

fn default_threshold() -> f64 {
    0.85
}

/// `[sandbox]`: the host-wide ceilings of every plugin call; a plugin's
/// manifest may ask for less, never for more.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    /// Wall-clock deadline of one call.
    #[serde(default = "default_deadline")]
    pub deadline: HumanDuration,
    /// Linear memory cap of one instance, in MiB.
    #[serde(default = "default_memory_mib")]
    pub memory_mib: u64,
    /// Cap on what one call returns, in MiB.
    #[serde(default = "default_output_mib")]
    pub output_mib: u64,
    /// Instructions per call: when set, every call is metered and stops
    /// after this many, the same on every machine (for determinism).
    pub fuel: Option<u64>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            deadline: default_deadline(),
            memory_mib: default_memory_mib(),
            output_mib: default_output_mib(),
            fuel: None,
        }
    }
}

fn default_deadline() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(10))
}

fn default_memory_mib() -> u64 {
    256
}

fn default_output_mib() -> u64 {
    64
}

fn default_plugin_dir() -> PathBuf {
    PathBuf::from("target/plugins")
}

/// One provider: where it is, which plugin speaks its language, its secret
/// and its limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Name of the normalizer plugin in `plugin_dir`.
    pub plugin: String,
    /// The sha256 the plugin's `.wasm` must have (hex); a different file is
    /// refused before it is compiled.
    pub plugin_sha256: Option<String>,
    /// Base URL every planned request path is appended to.
    pub base_url: String,
    /// Environment variable holding the API token; the host injects it as the
    /// plugin's manifest says and never passes it to the plugin.
    pub token_env: Option<String>,
    /// Request rate limits, e.g. `"10/min"` or `["10/min", "100/day"]`.
    #[serde(default)]
    pub rate_limit: RateLimits,
    /// Attempts per request, the first included (timeouts, connection
    /// errors, 429 and 5xx are retried).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Shortest wait before a retry, even when the provider says
    /// `Retry-After: 0`.
    #[serde(default = "default_retry_min_wait")]
    pub retry_min_wait: HumanDuration,
    /// Longest wait before a retry; a provider asking for more fails the
    /// request instead.
    #[serde(default = "default_retry_max_wait")]
    pub retry_max_wait: HumanDuration,
    /// Longest time to establish a connection.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: HumanDuration,
    /// Longest time for a whole request, body included.
    #[serde(default = "default_timeout")]
    pub timeout: HumanDuration,
    /// Largest response body accepted, in MiB.
    #[serde(default = "default_max_body_mib")]
    pub max_body_mib: u32,
    /// Consecutive failed requests that open the provider's circuit breaker.
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// How long an open breaker refuses requests before letting one through.
    #[serde(default = "default_breaker_cooldown")]
    pub breaker_cooldown: HumanDuration,
    /// Requests of a daily or monthly quota to leave unspent: the run stops
    /// when the provider reports this many or fewer left.
    #[serde(default)]
    pub quota_reserve: u64,
    /// The plan's credits (`"100/day"`, `"500/month"`): `sluice serve`
    /// refuses to start when the live pipelines' polling of the day's
    /// matches would cost more, by the plugin's credit model.
    pub credits: Option<CreditBudget>,
}

fn default_max_attempts() -> u32 {
    5
}
fn default_retry_min_wait() -> HumanDuration {
    HumanDuration(std::time::Duration::from_millis(500))
}
fn default_retry_max_wait() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(300))
}
fn default_connect_timeout() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(10))
}
fn default_timeout() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(60))
}
fn default_max_body_mib() -> u32 {
    64
}
fn default_breaker_failures() -> u32 {
    5
}
fn default_breaker_cooldown() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(60))
}

/// A loaded config together with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its content.
    pub config: Config,
}

impl LoadedConfig {
    /// Reads, parses and validates `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses and validates `text`, reporting errors against `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: one_line(&e, text),
        })?;
        let loaded = LoadedConfig {
            path: path.to_path_buf(),
            config,
        };
        loaded.validate()?;
        Ok(loaded)
    }

    /// The plugin directory, resolved against the config file's folder.
    pub fn plugin_dir(&self) -> PathBuf {
        let dir = &self.config.plugin_dir;
        if dir.is_absolute() {
            return dir.clone();
        }
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.join(dir),
            _ => dir.clone(),
        }
    }

    /// The database URL: the override, else the config's, else the default.
    pub fn database<'a>(&'a self, database_override: Option<&'a str>) -> &'a str {
        database_override
            .or(self.config.database.as_deref())
            .unwrap_or(DEFAULT_DATABASE)
    }

    /// `[lineage] file`, resolved against the config file's folder.
    pub fn lineage_file(&self) -> Option<PathBuf> {
        let path = self.config.lineage.as_ref()?.file.as_ref()?;
        if path.is_absolute() {
            return Some(path.clone());
        }
        Some(match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.join(path),
            _ => path.clone(),
        })
    }

    /// The alias file, resolved against the config file's folder.
    pub fn aliases_path(&self) -> Option<PathBuf> {
        let path = self.config.resolution.aliases.as_ref()?;
        if path.is_absolute() {
            return Some(path.clone());
        }
        Some(match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.join(path),
            _ => path.clone(),
        })
    }

    /// The pipeline named `name`, or an error listing the known ones.
    pub fn pipeline(&self, name: &str) -> Result<&PipelineConfig, ConfigError> {
        self.config.pipelines.get(name).ok_or_else(|| {
            self.invalid(
                format!("pipelines.{name}"),
                format!(
                    "no such pipeline (defined: {})",
                    list(self.config.pipelines.keys())
                ),
            )
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        for (name, provider) in &self.config.providers {
            let url = reqwest::Url::parse(&provider.base_url).map_err(|e| {
                self.invalid(
                    format!("providers.{name}.base_url"),
                    format!("`{}` is not a URL ({e})", provider.base_url),
                )
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(self.invalid(
                    format!("providers.{name}.base_url"),
                    format!(
                        "expected an http:// or https:// URL, got `{}`",
                        provider.base_url
                    ),
                ));
            }
            if provider.max_attempts == 0 {
                return Err(self.invalid(
                    format!("providers.{name}.max_attempts"),
                    "must be at least 1".to_string(),
                ));
            }
            if provider.breaker_failures == 0 {
                return Err(self.invalid(
                    format!("providers.{name}.breaker_failures"),
                    "must be at least 1".to_string(),
                ));
            }
            if provider.plugin.is_empty() || provider.plugin.contains(['/', '\\']) {
                return Err(self.invalid(
                    format!("providers.{name}.plugin"),
                    "expected a plugin name such as `football-data`, not a path".to_string(),
                ));
            }
        }
        let resolution = &self.config.resolution;
        if !(resolution.threshold > 0.0 && resolution.threshold <= 1.0) {
            return Err(self.invalid(
                "resolution.threshold".to_string(),
                format!(
                    "expected a confidence above 0 and at most 1, got {}",
                    resolution.threshold
                ),
            ));
        }
        for (field, providers) in &resolution.priority {
            if !PRIORITY_FIELDS.contains(&field.as_str()) {
                return Err(self.invalid(
                    format!("resolution.priority.{field}"),
                    format!("no such field (fields: {})", PRIORITY_FIELDS.join(", ")),
                ));
            }
            let mut seen = std::collections::BTreeSet::new();
            if let Some(twice) = providers.iter().find(|p| !seen.insert(p.as_str())) {
                return Err(self.invalid(
                    format!("resolution.priority.{field}"),
                    format!("`{twice}` is listed twice"),
                ));
            }
        }
        if let Some((key, message)) = self.config.quality.problem() {
            return Err(self.invalid(key, message));
        }
        for (name, pipeline) in &self.config.pipelines {
            if let Some(grade) = &pipeline.min_grade
                && !matches!(grade.as_str(), "A" | "B" | "C" | "D" | "F")
            {
                return Err(self.invalid(
                    format!("pipelines.{name}.min_grade"),
                    format!("expected one of A, B, C, D, F, got `{grade}`"),
                ));
            }
            if pipeline.streams.is_empty() && pipeline.sources.is_empty() {
                return Err(self.invalid(
                    format!("pipelines.{name}.streams"),
                    "a pipeline needs at least one stream or source".to_string(),
                ));
            }
            if !(1..=MAX_CONCURRENCY).contains(&pipeline.concurrency) {
                return Err(self.invalid(
                    format!("pipelines.{name}.concurrency"),
                    format!(
                        "expected 1 to {MAX_CONCURRENCY} streams at once, got {}",
                        pipeline.concurrency
                    ),
                ));
            }
            self.validate_exports(name, &pipeline.exports)?;
            for (i, stream) in pipeline.streams.iter().enumerate() {
                let at = format!("pipelines.{name}.streams[{i}]");
                self.check_provider(&at, stream)?;
                for (field, set) in [
                    ("stale_after", stream.stale_after.is_some()),
                    (
                        "odds_suspended_after",
                        stream.odds_suspended_after.is_some(),
                    ),
                ] {
                    if set && !stream.live {
                        return Err(self.invalid(
                            format!("{at}.{field}"),
                            "applies to live streams only: set `live = true` on the stream, or remove it"
                                .to_string(),
                        ));
                    }
                }
                for (j, fallback) in stream.fallback.iter().enumerate() {
                    let at = format!("{at}.fallback[{j}]");
                    self.check_provider(&at, fallback)?;
                    if !fallback.fallback.is_empty() {
                        return Err(self.invalid(
                            format!("{at}.fallback"),
                            "a fallback has no fallbacks of its own: list them all under the stream"
                                .to_string(),
                        ));
                    }
                    if fallback.provider == stream.provider {
                        return Err(self.invalid(
                            format!("{at}.provider"),
                            format!(
                                "`{}` is the stream's own provider: a fallback is another provider",
                                fallback.provider
                            ),
                        ));
                    }
                }
            }
        }
        self.config.alerts.validate(self)?;
        self.config.live.validate(self)?;
        if let Some(lineage) = &self.config.lineage {
            lineage.validate(self)?;
        }
        self.config.crm.validate(self)?;
        self.validate_files()?;
        Ok(())
    }

    fn check_provider(&self, at: &str, stream: &StreamConfig) -> Result<(), ConfigError> {
        if self.config.providers.contains_key(&stream.provider) {
            return Ok(());
        }
        Err(self.invalid(
            format!("{at}.provider"),
            format!(
                "unknown provider `{}` (defined in [providers]: {})",
                stream.provider,
                list(self.config.providers.keys())
            ),
        ))
    }

    /// An [`ConfigError::Invalid`] for this file.
    pub fn invalid(&self, key: String, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.clone(),
            key,
            message,
        }
    }
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// toml's messages quote the offending source line over several lines; keep
/// its position and message on one.
fn one_line(err: &toml::de::Error, text: &str) -> String {
    let message = err.message().trim().replace('\n', " ");
    match err.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests;
