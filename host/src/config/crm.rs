//! `[crm.features]`: the per-user features pipeline of a betting CRM (its
//! source table, the day it is computed as of, the time zone days and hours
//! are read in, how tickets are banded, and where and how the features are
//! written). Checked at load time; every error names the key.

use serde::Deserialize;
use std::str::FromStr;

use super::{ConfigError, LoadedConfig};

/// `[crm]`: the CRM features pipeline, when the config declares one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrmConfig {
    /// `[crm.features]`: what `sluice crm features` computes and loads.
    pub features: Option<CrmFeaturesConfig>,
}

/// `[crm.features]`: one row of features per user, computed from a
/// transactions table in the configured database and loaded into a table of
/// the same database.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrmFeaturesConfig {
    /// The transactions table (`transactions`, or `schema.table` on
    /// PostgreSQL).
    #[serde(default = "default_source")]
    pub source: String,
    /// Parquet, CSV or NDJSON files to read the transactions from instead
    /// of `source`: a path, or a pattern (`lake/transactions-*.parquet`).
    /// `--source-file` overrides.
    pub source_file: Option<String>,
    /// The features table (`ml_features.user_features` on PostgreSQL, a
    /// plain table name on SQLite).
    #[serde(default = "default_target")]
    pub target: String,
    /// A Parquet file to write the features to instead of `target`
    /// (replaced whole on every run). `--target-file` overrides.
    pub target_file: Option<String>,
    /// How the features reach the target table.
    #[serde(default)]
    pub write: CrmWrite,
    /// The day the features are computed as of (`YYYY-MM-DD`): only
    /// transactions before the end of that day count, and recency is
    /// counted from it. `--reference-date` overrides; today when neither.
    pub reference_date: Option<String>,
    /// The IANA time zone weekdays, hours and days are read in.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// The two quantiles of users' average tickets that split `low`,
    /// `medium` and `high`.
    #[serde(default = "default_ticket_quantiles")]
    pub ticket_quantiles: Vec<f64>,
    /// The `status` values of transactions that count.
    #[serde(default = "default_statuses")]
    pub completed_statuses: Vec<String>,
    /// How many weekdays `preferred_weekdays` lists.
    #[serde(default = "default_top_weekdays")]
    pub top_weekdays: u8,
    /// A scorer plugin in `plugin_dir` (`crm-scores`) that computes the
    /// scores instead of the built-in formulas.
    pub scorer: Option<String>,
}

/// How `sluice crm features` writes its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmWrite {
    /// Upsert on `user_id`: users seen again are updated, new ones added,
    /// others kept.
    #[default]
    Merge,
    /// A new table built beside the old one and swapped in within one
    /// transaction: readers see the old table until the new one is whole.
    Replace,
    /// Every run's rows added, keyed by their `snapshot_date` (a run of the
    /// same day again replaces that day's snapshot).
    Append,
}

impl CrmWrite {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            CrmWrite::Merge => "merge",
            CrmWrite::Replace => "replace",
            CrmWrite::Append => "append",
        }
    }
}

fn default_source() -> String {
    "transactions".to_string()
}

fn default_target() -> String {
    "ml_features.user_features".to_string()
}

fn default_time_zone() -> String {
    "UTC".to_string()
}

fn default_ticket_quantiles() -> Vec<f64> {
    vec![0.33, 0.67]
}

fn default_statuses() -> Vec<String> {
    vec!["completed".to_string()]
}

fn default_top_weekdays() -> u8 {
    2
}

/// Whether `name` is a table name, optionally qualified by one schema:
/// `transactions` or `ml_features.user_features`.
pub fn is_table_name(name: &str) -> bool {
    let mut parts = name.split('.');
    let ok = |p: Option<&str>| p.is_some_and(super::is_identifier);
    match (parts.next(), parts.next(), parts.next()) {
        (first, None, None) => ok(first),
        (first, Some(second), None) => ok(first) && super::is_identifier(second),
        _ => false,
    }
}

/// A `YYYY-MM-DD` day.
pub fn parse_day(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map_err(|e| format!("expected a day as YYYY-MM-DD, got `{text}` ({e})"))
}

impl CrmFeaturesConfig {
    /// The time zone, parsed (validated at load).
    pub fn zone(&self) -> Result<chrono_tz::Tz, String> {
        chrono_tz::Tz::from_str(&self.time_zone).map_err(|_| {
            format!(
                "`{}` is not an IANA time zone (such as `UTC` or `Europe/Madrid`)",
                self.time_zone
            )
        })
    }

    /// The first thing wrong with the section, as (key, message).
    fn problem(&self) -> Option<(&'static str, String)> {
        for (key, name) in [("source", &self.source), ("target", &self.target)] {
            if !is_table_name(name) {
                return Some((
                    key,
                    format!(
                        "`{name}` is not a table name (`table` or `schema.table`: letters, digits, _)"
                    ),
                ));
            }
        }
        if let Some(file) = &self.source_file
            && file.trim().is_empty()
        {
            return Some((
                "source_file",
                "name a Parquet, CSV or NDJSON file or a pattern such as `lake/*.parquet`"
                    .to_string(),
            ));
        }
        if let Some(file) = &self.target_file
            && file.trim().is_empty()
        {
            return Some(("target_file", "name the Parquet file to write".to_string()));
        }
        if self.source == self.target {
            return Some(("target", "must not be the source table".to_string()));
        }
        if let Some(day) = &self.reference_date
            && let Err(message) = parse_day(day)
        {
            return Some(("reference_date", message));
        }
        if let Err(message) = self.zone() {
            return Some(("time_zone", message));
        }
        let q = &self.ticket_quantiles;
        if q.len() != 2 || !(q[0] > 0.0 && q[0] < q[1] && q[1] < 1.0) {
            return Some((
                "ticket_quantiles",
                format!(
                    "expected two increasing quantiles between 0 and 1 (such as [0.33, 0.67]), got {q:?}"
                ),
            ));
        }
        if self.completed_statuses.is_empty() {
            return Some((
                "completed_statuses",
                "list at least one status (such as [\"completed\"])".to_string(),
            ));
        }
        if let Some(name) = &self.scorer
            && (name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        {
            return Some((
                "scorer",
                format!(
                    "`{name}` is not a plugin name (lower-case letters, digits and `-`, such as `crm-scores`)"
                ),
            ));
        }
        if !(1..=7).contains(&self.top_weekdays) {
            return Some((
                "top_weekdays",
                format!("expected 1 to 7 days, got {}", self.top_weekdays),
            ));
        }
        None
    }
}

impl CrmConfig {
    /// Checks `[crm.features]` when present.
    pub(super) fn validate(&self, loaded: &LoadedConfig) -> Result<(), ConfigError> {
        if let Some(features) = &self.features
            && let Some((key, message)) = features.problem()
        {
            return Err(loaded.invalid(format!("crm.features.{key}"), message));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> Result<LoadedConfig, ConfigError> {
        LoadedConfig::parse(Path::new("sluice.toml"), text)
    }

    #[test]
    fn defaults_fill_a_bare_section() {
        let loaded = load("[crm.features]\n").expect("loads");
        let features = loaded.config.crm.features.expect("section");
        assert_eq!(features.source, "transactions");
        assert_eq!(features.target, "ml_features.user_features");
        assert_eq!(features.write, CrmWrite::Merge);
        assert_eq!(features.ticket_quantiles, vec![0.33, 0.67]);
        assert_eq!(features.zone(), Ok(chrono_tz::UTC));
    }

    #[test]
    fn errors_name_the_key() {
        for (text, key) in [
            (
                "[crm.features]\ntime_zone = \"Mars/Olympus\"\n",
                "crm.features.time_zone",
            ),
            (
                "[crm.features]\nreference_date = \"30/06/2025\"\n",
                "crm.features.reference_date",
            ),
            (
                "[crm.features]\nticket_quantiles = [0.7, 0.3]\n",
                "crm.features.ticket_quantiles",
            ),
            (
                "[crm.features]\ntarget = \"a.b.c\"\n",
                "crm.features.target",
            ),
            (
                "[crm.features]\ncompleted_statuses = []\n",
                "crm.features.completed_statuses",
            ),
            (
                "[crm.features]\ntop_weekdays = 0\n",
                "crm.features.top_weekdays",
            ),
            (
                "[crm.features]\nsource_file = \"\"\n",
                "crm.features.source_file",
            ),
        ] {
            let err = load(text).expect_err(text).to_string();
            assert!(err.contains(key), "{err} should name {key}");
        }
    }

    #[test]
    fn unknown_keys_and_dispositions_are_refused() {
        let err = load("[crm.features]\ntarjet = \"x\"\n")
            .expect_err("typo")
            .to_string();
        assert!(err.contains("tarjet"), "{err}");
        let err = load("[crm.features]\nwrite = \"upsert\"\n")
            .expect_err("write")
            .to_string();
        assert!(err.contains("upsert"), "{err}");
    }

    #[test]
    fn table_names_take_one_schema_at_most() {
        assert!(is_table_name("transactions"));
        assert!(is_table_name("ml_features.user_features"));
        assert!(!is_table_name("a.b.c"));
        assert!(!is_table_name("user features"));
        assert!(!is_table_name(".x"));
    }
}
