//! A pipeline's part of `sluice.toml`: its streams, how many run at once,
//! its schedule, and how each stream's records reach their tables.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::{HumanDuration, Schedule};

/// Streams of a pipeline that run at once when the config does not say.
pub const DEFAULT_CONCURRENCY: u32 = 4;

/// The most streams of a pipeline that may run at once: each holds a few
/// responses in memory, so the bound keeps a run's memory bounded.
pub const MAX_CONCURRENCY: u32 = 64;

fn default_concurrency() -> u32 {
    DEFAULT_CONCURRENCY
}

/// A named set of streams run together.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// The streams, started in order.
    #[serde(default)]
    pub streams: Vec<StreamConfig>,
    /// Files loaded into generic tables, after the streams, in order.
    #[serde(default)]
    pub sources: Vec<super::SourceConfig>,
    /// How many streams run at once, each with its fallbacks; 1 runs them
    /// one after another. Their providers' limits hold across them.
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
    /// When `sluice serve` runs the pipeline (`"5m"`, `{ every = "30s" }`,
    /// `{ cron = "0 */5 * * * *", timezone = "Europe/London" }`); never
    /// when absent.
    pub schedule: Option<Schedule>,
    /// Stream data older than this is stale: `sluice status`, the
    /// dashboard and the freshness alert say so.
    pub freshness: Option<HumanDuration>,
    /// The lowest quality grade (`A` to `F`) a run may get: a run graded
    /// below it fails.
    pub min_grade: Option<String>,
    /// Tables written out after each successful run, in order.
    #[serde(default)]
    pub exports: Vec<super::ExportStepConfig>,
}

/// One stream of one provider with its parameters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamConfig {
    /// Key of `[providers]`.
    pub provider: String,
    /// Stream name as the provider's plugin declares it.
    pub stream: String,
    /// Parameters passed to the plugin.
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
    /// Serve this stream's responses from the archive for this long after
    /// they were fetched, without asking the provider (e.g. `"5m"`).
    pub cache_ttl: Option<HumanDuration>,
    /// How the stream's records reach their tables.
    #[serde(default)]
    pub write: WriteDisposition,
    /// Streams of other providers that serve in this one's place, in
    /// order, when its provider's breaker is open or its quota is spent.
    #[serde(default)]
    pub fallback: Vec<StreamConfig>,
    /// Enricher plugins the stream's batches pass through, in order, after
    /// the normalizer and before the load (`enrich = ["odds-maths"]`).
    #[serde(default)]
    pub enrich: Vec<String>,
    /// Track each match of the stream's batches and tell what changed
    /// (goals, cards and their corrections, status) into the live outbox,
    /// in the batch's transaction.
    #[serde(default)]
    pub live: bool,
    /// How long an in-play match may stay unchanged at the provider serving
    /// it before a fallback that has news takes over (live streams only);
    /// by default three polls of the pipeline's schedule, at least 90 s.
    pub stale_after: Option<HumanDuration>,
    /// How long an in-play market's prices may stay unmoved before it is
    /// told suspended (live odds streams only; default 2 minutes).
    pub odds_suspended_after: Option<HumanDuration>,
}

/// How a stream's records reach their tables.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WriteDisposition {
    /// Insert new rows, update changed ones, leave identical ones untouched.
    #[default]
    Merge,
    /// Add every record as a new row of the table's `_log` twin
    /// (`events_log`, `odds_log`, …): a snapshot per run, nothing updated.
    Append,
    /// Load the whole stream in one transaction and delete, from each table
    /// it wrote, the provider's rows the run did not produce: readers see
    /// the old rows until the new ones are complete, never an empty table.
    Replace,
}

impl WriteDisposition {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteDisposition::Merge => "merge",
            WriteDisposition::Append => "append",
            WriteDisposition::Replace => "replace",
        }
    }
}

/// A stream parameter; numbers and booleans are accepted and passed as text
/// (`season = 2022` and `season = "2022"` mean the same).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ParamValue {
    /// A string.
    Text(String),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Bool(bool),
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Text(s) => f.write_str(s),
            ParamValue::Integer(i) => write!(f, "{i}"),
            ParamValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl StreamConfig {
    /// The parameters as the plugin receives them, sorted by name.
    pub fn param_pairs(&self) -> Vec<(String, String)> {
        self.params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect()
    }

    /// Identifies the stream and its parameters across runs
    /// (`provider/stream?k=v&…`): the key of its checkpoint, its archived
    /// responses and its freshness.
    pub fn key(&self) -> String {
        let query: Vec<String> = self
            .param_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{}/{}?{}", self.provider, self.stream, query.join("&"))
    }
}
