//! The rules of `[alerts]` as the evaluator uses them: one typed condition
//! each, with its scope, its channels and its reminder interval.

use std::time::Duration;

use crate::config::{AlertsConfig, RuleConfig, RuleKind};

/// Traps counted by `plugin_traps` when the rule gives no `count`.
const DEFAULT_TRAPS: u32 = 3;
/// The window of `plugin_traps` when the rule gives no `within`.
const DEFAULT_TRAP_WINDOW: Duration = Duration::from_secs(600);

/// One rule, ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    /// Its name in the config: the alert's `rule`.
    pub name: String,
    /// What it watches.
    pub condition: Condition,
    /// The channels its messages go through.
    pub channels: Vec<String>,
    /// How often a message is sent again while it stays true.
    pub reminder: Duration,
}

/// What a rule watches, with its thresholds and scope (`None`: all).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Condition {
    RunFailed {
        pipeline: Option<String>,
    },
    FailedRunsInARow {
        pipeline: Option<String>,
        count: u32,
    },
    QuarantineRate {
        pipeline: Option<String>,
        above_percent: f64,
    },
    StaleData {
        pipeline: Option<String>,
        provider: Option<String>,
        older_than: Option<Duration>,
    },
    QuotaLow {
        provider: Option<String>,
        below_percent: Option<f64>,
        below_remaining: Option<u64>,
    },
    BreakerOpen {
        provider: Option<String>,
    },
    PluginRefused {
        plugin: Option<String>,
    },
    PluginTraps {
        plugin: Option<String>,
        count: u32,
        within: Duration,
    },
}

impl Rule {
    /// Every rule of `config`, in name order. The config was validated, so
    /// a required threshold is there; the fallbacks only keep this total.
    pub fn all(config: &AlertsConfig) -> Vec<Rule> {
        config
            .rules
            .iter()
            .map(|(name, rule)| Rule {
                name: name.clone(),
                condition: condition(rule),
                channels: if rule.channels.is_empty() {
                    config.channels.keys().cloned().collect()
                } else {
                    rule.channels.clone()
                },
                reminder: rule.reminder.unwrap_or(config.reminder).0,
            })
            .collect()
    }
}

fn condition(rule: &RuleConfig) -> Condition {
    let pipeline = rule.pipeline.clone();
    let provider = rule.provider.clone();
    let plugin = rule.plugin.clone();
    match rule.when {
        RuleKind::RunFailed => Condition::RunFailed { pipeline },
        RuleKind::FailedRunsInARow => Condition::FailedRunsInARow {
            pipeline,
            count: rule.count.unwrap_or(1),
        },
        RuleKind::QuarantineRate => Condition::QuarantineRate {
            pipeline,
            above_percent: rule.above_percent.unwrap_or(0.0),
        },
        RuleKind::StaleData => Condition::StaleData {
            pipeline,
            provider,
            older_than: rule.older_than.map(|d| d.0),
        },
        RuleKind::QuotaLow => Condition::QuotaLow {
            provider,
            below_percent: rule.below_percent,
            below_remaining: rule.below_remaining,
        },
        RuleKind::BreakerOpen => Condition::BreakerOpen { provider },
        RuleKind::PluginRefused => Condition::PluginRefused { plugin },
        RuleKind::PluginTraps => Condition::PluginTraps {
            plugin,
            count: rule.count.unwrap_or(DEFAULT_TRAPS),
            within: rule.within.map_or(DEFAULT_TRAP_WINDOW, |d| d.0),
        },
    }
}

/// Whether `value` passes the optional scope filter `only`.
pub(crate) fn in_scope(only: &Option<String>, value: &str) -> bool {
    only.as_deref().is_none_or(|o| o == value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LoadedConfig;
    use std::path::Path;

    #[test]
    fn rules_default_to_every_channel_and_the_global_reminder() {
        let config = LoadedConfig::parse(
            Path::new("sluice.toml"),
            r#"
[alerts]
reminder = "6h"
[alerts.channels.a]
type = "slack"
url_env = "A_URL"
[alerts.channels.b]
type = "webhook"
url_env = "B_URL"
[alerts.rules.failing]
when = "run_failed"
[alerts.rules.traps]
when = "plugin_traps"
channels = ["b"]
reminder = "1h"
"#,
        )
        .expect("valid");
        let rules = Rule::all(&config.config.alerts);
        assert_eq!(rules[0].name, "failing");
        assert_eq!(rules[0].channels, ["a", "b"]);
        assert_eq!(rules[0].reminder, Duration::from_secs(6 * 3600));
        assert_eq!(rules[1].channels, ["b"]);
        assert_eq!(rules[1].reminder, Duration::from_secs(3600));
        assert_eq!(
            rules[1].condition,
            Condition::PluginTraps {
                plugin: None,
                count: 3,
                within: Duration::from_secs(600)
            }
        );
    }
}
