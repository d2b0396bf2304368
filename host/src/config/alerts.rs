//! `[alerts]`: the conditions worth telling someone about and the channels
//! they are sent through. Secrets (webhook URLs, SMTP passwords) are never
//! written here: a channel names the environment variable holding them.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::{ConfigError, HumanDuration, LoadedConfig};

/// `[alerts]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// How often `sluice serve` evaluates the rules (also right after each
    /// run ends).
    #[serde(default = "default_interval")]
    pub interval: HumanDuration,
    /// While a condition stays true, it is sent again this often.
    #[serde(default = "default_reminder")]
    pub reminder: HumanDuration,
    /// Attempts to deliver one message through a channel, the first included.
    #[serde(default = "default_retry_attempts")]
    pub retry_attempts: u32,
    /// Wait before the first retry of a delivery; doubled after each.
    #[serde(default = "default_retry_wait")]
    pub retry_wait: HumanDuration,
    /// Channels by name.
    #[serde(default)]
    pub channels: BTreeMap<String, ChannelConfig>,
    /// Rules by name; the name is the alert's `rule`.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            interval: default_interval(),
            reminder: default_reminder(),
            retry_attempts: default_retry_attempts(),
            retry_wait: default_retry_wait(),
            channels: BTreeMap::new(),
            rules: BTreeMap::new(),
        }
    }
}

fn default_interval() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(30))
}
fn default_reminder() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(24 * 3600))
}
fn default_retry_attempts() -> u32 {
    5
}
fn default_retry_wait() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(2))
}

/// One channel: where messages go (`type = "slack" | "webhook" | "email"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChannelConfig {
    /// A Slack-compatible incoming webhook: `{"text": …}` is POSTed.
    Slack(WebhookChannelConfig),
    /// Any JSON webhook: rule, subject, state, message and times are POSTed.
    Webhook(WebhookChannelConfig),
    /// Email over SMTP.
    Email(EmailChannelConfig),
}

/// A channel that POSTs to a URL kept in the environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookChannelConfig {
    /// The environment variable holding the URL (a secret: never logged).
    pub url_env: String,
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587 by default).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465 by default).
    Tls,
    /// No encryption, for a relay on the same machine (port 25 by default).
    None,
}

/// An email channel.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailChannelConfig {
    /// The SMTP server.
    pub host: String,
    /// Its port; by default that of `security`.
    pub port: Option<u16>,
    /// `starttls` (the default), `tls`, or `none` for a local relay.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// The SMTP user, with `password_env`.
    pub user: Option<String>,
    /// The environment variable holding the SMTP password.
    pub password_env: Option<String>,
    /// The sender (`sluice <alerts@example.com>`).
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
}

/// What a rule watches (`when = "…"`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A pipeline's latest run failed or was abandoned.
    RunFailed,
    /// A pipeline's latest `count` runs all failed.
    FailedRunsInARow,
    /// A pipeline's latest run quarantined more than `above_percent` of
    /// its records.
    QuarantineRate,
    /// A stream's last success is older than `older_than`, else its
    /// pipeline's `freshness`.
    StaleData,
    /// A provider's quota is below `below_percent` of its limit or below
    /// `below_remaining` requests.
    QuotaLow,
    /// A provider's circuit breaker is open.
    BreakerOpen,
    /// A plugin was refused when `sluice serve` (re)loaded it.
    PluginRefused,
    /// A plugin trapped `count` times within `within`.
    PluginTraps,
}

impl RuleKind {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::RunFailed => "run_failed",
            RuleKind::FailedRunsInARow => "failed_runs_in_a_row",
            RuleKind::QuarantineRate => "quarantine_rate",
            RuleKind::StaleData => "stale_data",
            RuleKind::QuotaLow => "quota_low",
            RuleKind::BreakerOpen => "breaker_open",
            RuleKind::PluginRefused => "plugin_refused",
            RuleKind::PluginTraps => "plugin_traps",
        }
    }
}

/// One rule. Which keys apply depends on `when`; a key that does not
/// apply is an error naming it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// The condition watched.
    pub when: RuleKind,
    /// The channels it is sent through; all of them when absent.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Only this pipeline (run and stream rules).
    pub pipeline: Option<String>,
    /// Only this provider (stale data, quota and breaker rules).
    pub provider: Option<String>,
    /// Only this plugin (plugin rules).
    pub plugin: Option<String>,
    /// Failed runs in a row, or traps within `within`.
    pub count: Option<u32>,
    /// Quarantine rate threshold, percent of a run's records (0 to 100).
    pub above_percent: Option<f64>,
    /// Quota threshold, percent of its limit (0 to 100).
    pub below_percent: Option<f64>,
    /// Quota threshold, requests left.
    pub below_remaining: Option<u64>,
    /// Stale data threshold, instead of the pipeline's `freshness`.
    pub older_than: Option<HumanDuration>,
    /// Window of `plugin_traps` (10 minutes when absent).
    pub within: Option<HumanDuration>,
    /// This rule's reminder interval, instead of `[alerts] reminder`.
    pub reminder: Option<HumanDuration>,
}

impl AlertsConfig {
    /// Checks that names refer to defined things and thresholds make sense.
    pub(super) fn validate(&self, loaded: &LoadedConfig) -> Result<(), ConfigError> {
        let invalid = |key: String, message: String| loaded.invalid(key, message);
        if self.interval.0.is_zero() {
            return Err(invalid("alerts.interval".into(), "must be above 0".into()));
        }
        if self.reminder.0.is_zero() {
            return Err(invalid("alerts.reminder".into(), "must be above 0".into()));
        }
        if self.retry_attempts == 0 {
            return Err(invalid(
                "alerts.retry_attempts".into(),
                "must be at least 1".into(),
            ));
        }
        for (name, channel) in &self.channels {
            let at = format!("alerts.channels.{name}");
            match channel {
                ChannelConfig::Slack(hook) | ChannelConfig::Webhook(hook) => {
                    check_env_name(&hook.url_env)
                        .map_err(|m| invalid(format!("{at}.url_env"), m))?;
                }
                ChannelConfig::Email(email) => validate_email(&at, email, &invalid)?,
            }
        }
        if !self.rules.is_empty() && self.channels.is_empty() {
            return Err(invalid(
                "alerts.channels".into(),
                "the rules need at least one channel to be sent through".into(),
            ));
        }
        for (name, rule) in &self.rules {
            self.validate_rule(loaded, name, rule)?;
        }
        Ok(())
    }

    fn validate_rule(
        &self,
        loaded: &LoadedConfig,
        name: &str,
        rule: &RuleConfig,
    ) -> Result<(), ConfigError> {
        let at = |key: &str| format!("alerts.rules.{name}.{key}");
        let kind = rule.when;
        for channel in &rule.channels {
            if !self.channels.contains_key(channel) {
                return Err(loaded.invalid(
                    at("channels"),
                    format!(
                        "unknown channel `{channel}` (defined in [alerts.channels]: {})",
                        super::list(self.channels.keys())
                    ),
                ));
            }
        }
        use RuleKind::*;
        // Each optional key, and the kinds of rule it applies to.
        let applies: [(&str, bool, &[RuleKind]); 9] = [
            (
                "pipeline",
                rule.pipeline.is_some(),
                &[RunFailed, FailedRunsInARow, QuarantineRate, StaleData],
            ),
            (
                "provider",
                rule.provider.is_some(),
                &[StaleData, QuotaLow, BreakerOpen],
            ),
            (
                "plugin",
                rule.plugin.is_some(),
                &[PluginRefused, PluginTraps],
            ),
            (
                "count",
                rule.count.is_some(),
                &[FailedRunsInARow, PluginTraps],
            ),
            (
                "above_percent",
                rule.above_percent.is_some(),
                &[QuarantineRate],
            ),
            ("below_percent", rule.below_percent.is_some(), &[QuotaLow]),
            (
                "below_remaining",
                rule.below_remaining.is_some(),
                &[QuotaLow],
            ),
            ("older_than", rule.older_than.is_some(), &[StaleData]),
            ("within", rule.within.is_some(), &[PluginTraps]),
        ];
        for (key, given, kinds) in applies {
            if given && !kinds.contains(&kind) {
                let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                return Err(loaded.invalid(
                    at(key),
                    format!(
                        "does not apply to when = \"{}\" (only to {})",
                        kind.as_str(),
                        names.join(", ")
                    ),
                ));
            }
        }
        if let Some(pipeline) = &rule.pipeline
            && !loaded.config.pipelines.contains_key(pipeline)
        {
            return Err(loaded.invalid(
                at("pipeline"),
                format!(
                    "unknown pipeline `{pipeline}` (defined: {})",
                    super::list(loaded.config.pipelines.keys())
                ),
            ));
        }
        if let Some(provider) = &rule.provider
            && !loaded.config.providers.contains_key(provider)
        {
            return Err(loaded.invalid(
                at("provider"),
                format!(
                    "unknown provider `{provider}` (defined in [providers]: {})",
                    super::list(loaded.config.providers.keys())
                ),
            ));
        }
        if rule.count == Some(0) {
            return Err(loaded.invalid(at("count"), "must be at least 1".into()));
        }
        let percent = |key: &str, value: Option<f64>| match value {
            Some(p) if !(0.0..=100.0).contains(&p) => Err(loaded.invalid(
                at(key),
                format!("expected a percentage from 0 to 100, got {p}"),
            )),
            _ => Ok(()),
        };
        percent("above_percent", rule.above_percent)?;
        percent("below_percent", rule.below_percent)?;
        let required = |key: &str, given: bool, what: &str| {
            if given {
                Ok(())
            } else {
                Err(loaded.invalid(
                    at(key),
                    format!("required for when = \"{}\" ({what})", kind.as_str()),
                ))
            }
        };
        match kind {
            FailedRunsInARow => required("count", rule.count.is_some(), "how many runs")?,
            QuarantineRate => required(
                "above_percent",
                rule.above_percent.is_some(),
                "a percentage",
            )?,
            QuotaLow => required(
                "below_percent",
                rule.below_percent.is_some() || rule.below_remaining.is_some(),
                "or below_remaining",
            )?,
            _ => {}
        }
        if let Some(reminder) = rule.reminder
            && reminder.0.is_zero()
        {
            return Err(loaded.invalid(at("reminder"), "must be above 0".into()));
        }
        Ok(())
    }
}

fn validate_email(
    at: &str,
    email: &EmailChannelConfig,
    invalid: &impl Fn(String, String) -> ConfigError,
) -> Result<(), ConfigError> {
    if email.host.trim().is_empty() {
        return Err(invalid(format!("{at}.host"), "must name a server".into()));
    }
    if let Some(var) = &email.password_env {
        check_env_name(var).map_err(|m| invalid(format!("{at}.password_env"), m))?;
    }
    if email.user.is_some() != email.password_env.is_some() {
        return Err(invalid(
            format!("{at}.password_env"),
            "`user` and `password_env` go together: give both or neither".into(),
        ));
    }
    if let Err(e) = email.from.parse::<lettre::message::Mailbox>() {
        return Err(invalid(
            format!("{at}.from"),
            format!("`{}` is not an email address ({e})", email.from),
        ));
    }
    if email.to.is_empty() {
        return Err(invalid(
            format!("{at}.to"),
            "needs at least one recipient".into(),
        ));
    }
    for (i, to) in email.to.iter().enumerate() {
        if let Err(e) = to.parse::<lettre::message::Mailbox>() {
            return Err(invalid(
                format!("{at}.to[{i}]"),
                format!("`{to}` is not an email address ({e})"),
            ));
        }
    }
    Ok(())
}

/// An environment variable's name: letters, digits and `_`, not starting
/// with a digit. A URL or a token written here is refused, so a secret
/// pasted by mistake is never used (or shown) as a name.
pub(super) fn check_env_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(
            "expected the name of an environment variable (letters, digits and `_`), \
             not its value"
                .to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CHANNELS: &str = r#"
[alerts.channels.ops]
type = "slack"
url_env = "OPS_SLACK_URL"
[alerts.channels.mail]
type = "email"
host = "localhost"
security = "none"
from = "sluice <alerts@example.com>"
to = ["ops@example.com"]
"#;

    fn error(text: &str) -> String {
        match LoadedConfig::parse(Path::new("sluice.toml"), text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_full_alerts_block_loads() {
        let config = LoadedConfig::parse(
            Path::new("sluice.toml"),
            &format!(
                "{CHANNELS}\n[alerts.rules.failing]\nwhen = \"run_failed\"\nchannels = [\"ops\"]\n\
                 [alerts.rules.quota]\nwhen = \"quota_low\"\nbelow_percent = 10.0\nbelow_remaining = 50\n"
            ),
        )
        .expect("valid");
        let alerts = &config.config.alerts;
        assert_eq!(alerts.rules["quota"].below_remaining, Some(50));
        assert!(matches!(
            &alerts.channels["mail"],
            ChannelConfig::Email(EmailChannelConfig {
                security: SmtpSecurity::None,
                ..
            })
        ));
    }

    #[test]
    fn a_rule_naming_an_unknown_channel_names_the_key() {
        assert_eq!(
            error(&format!(
                "{CHANNELS}\n[alerts.rules.failing]\nwhen = \"run_failed\"\nchannels = [\"pager\"]\n"
            )),
            "config sluice.toml: alerts.rules.failing.channels: unknown channel `pager` \
             (defined in [alerts.channels]: mail, ops)"
        );
    }

    #[test]
    fn a_percentage_outside_0_to_100_is_refused() {
        assert_eq!(
            error(&format!(
                "{CHANNELS}\n[alerts.rules.q]\nwhen = \"quarantine_rate\"\nabove_percent = 150.0\n"
            )),
            "config sluice.toml: alerts.rules.q.above_percent: expected a percentage from 0 to 100, got 150"
        );
    }

    #[test]
    fn a_secret_written_where_its_variable_name_belongs_is_refused_without_echoing_it() {
        let message = error(
            "[alerts.channels.ops]\ntype = \"webhook\"\nurl_env = \"https://hooks.example.com/T0/SECRET\"\n",
        );
        assert!(
            message
                .starts_with("config sluice.toml: alerts.channels.ops.url_env: expected the name"),
            "{message}"
        );
        assert!(!message.contains("SECRET"), "{message}");
    }

    #[test]
    fn keys_that_do_not_apply_to_the_rule_and_missing_thresholds_are_named() {
        assert_eq!(
            error(&format!(
                "{CHANNELS}\n[alerts.rules.b]\nwhen = \"breaker_open\"\npipeline = \"x\"\n"
            )),
            "config sluice.toml: alerts.rules.b.pipeline: does not apply to when = \"breaker_open\" \
             (only to run_failed, failed_runs_in_a_row, quarantine_rate, stale_data)"
        );
        assert_eq!(
            error(&format!(
                "{CHANNELS}\n[alerts.rules.f]\nwhen = \"failed_runs_in_a_row\"\n"
            )),
            "config sluice.toml: alerts.rules.f.count: required for when = \"failed_runs_in_a_row\" (how many runs)"
        );
        assert!(
            error(&format!(
                "{CHANNELS}\n[alerts.rules.s]\nwhen = \"stale_data\"\npipeline = \"nowhere\"\n"
            ))
            .contains("alerts.rules.s.pipeline: unknown pipeline `nowhere`")
        );
    }

    #[test]
    fn an_unknown_key_in_a_channel_is_an_error() {
        let message = error("[alerts.channels.ops]\ntype = \"slack\"\nurl = \"x\"\n");
        assert!(message.contains("unknown field `url`"), "{message}");
    }

    #[test]
    fn rules_without_channels_and_half_given_smtp_auth_are_refused() {
        assert!(
            error("[alerts.rules.f]\nwhen = \"run_failed\"\n")
                .contains("alerts.channels: the rules need at least one channel")
        );
        assert!(
            error(&CHANNELS.replace("security = \"none\"", "security = \"none\"\nuser = \"me\""))
                .contains(
                    "alerts.channels.mail.password_env: `user` and `password_env` go together"
                )
        );
    }
}
