//! `[live]`: where the live outbox is published beyond `sluice serve`'s
//! own SSE stream. `[live.supabase]` sends each match's latest state to
//! Supabase Realtime Broadcast, one topic per match, within the plan's
//! message rate and payload size.

use serde::Deserialize;

use super::alerts::check_env_name;
use super::{ConfigError, HumanDuration, LoadedConfig};

/// Supabase's free plan: 256 KB per Broadcast payload (Pro: 3 MB).
pub const DEFAULT_MAX_PAYLOAD_BYTES: u64 = 256_000;

/// The smallest payload limit accepted: a match's state alone, with no
/// events, must always fit.
pub const MIN_MAX_PAYLOAD_BYTES: u64 = 1_024;

/// `[live]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveConfig {
    /// Supabase Realtime Broadcast; not published there when absent.
    pub supabase: Option<SupabaseConfig>,
}

/// `[live.supabase]`: publishing the outbox to Supabase Realtime
/// Broadcast through its REST endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupabaseConfig {
    /// The project's URL (`https://PROJECT.supabase.co`); messages are
    /// POSTed to `{url}/realtime/v1/api/broadcast`.
    pub url: String,
    /// The environment variable holding the project's service key (a
    /// secret: never written here, never logged).
    pub api_key_env: String,
    /// Each match's topic is this followed by its key (`match:KEY`).
    #[serde(default = "default_topic_prefix")]
    pub topic_prefix: String,
    /// How often the outbox is read and what is new sent: one message
    /// per match per tick, however many events it had.
    #[serde(default = "default_tick")]
    pub tick: HumanDuration,
    /// Messages sent in any one second, at most (Supabase counts each
    /// message of a POST; the free plan allows a client 10 a second).
    #[serde(default = "default_max_messages_per_second")]
    pub max_messages_per_second: u32,
    /// Largest payload of one message, in bytes (the free plan's limit is
    /// 256 KB, Pro's 3 MB): a match's oldest events of the tick are left
    /// out of its message to stay under it.
    #[serde(default = "default_max_payload_bytes")]
    pub max_payload_bytes: u64,
    /// Send to private channels (subscribers need Realtime Authorization)
    /// rather than public ones.
    #[serde(default)]
    pub private: bool,
}

fn default_topic_prefix() -> String {
    "match:".to_string()
}

fn default_tick() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(1))
}

fn default_max_messages_per_second() -> u32 {
    10
}

fn default_max_payload_bytes() -> u64 {
    DEFAULT_MAX_PAYLOAD_BYTES
}

impl LiveConfig {
    /// Checks each sink's keys, naming the one that is wrong.
    pub(super) fn validate(&self, loaded: &LoadedConfig) -> Result<(), ConfigError> {
        let Some(supabase) = &self.supabase else {
            return Ok(());
        };
        let invalid =
            |key: &str, message: String| loaded.invalid(format!("live.supabase.{key}"), message);
        let url = reqwest::Url::parse(&supabase.url)
            .map_err(|e| invalid("url", format!("`{}` is not a URL ({e})", supabase.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid(
                "url",
                format!(
                    "expected the project's http:// or https:// URL (https://PROJECT.supabase.co), got `{}`",
                    supabase.url
                ),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "url",
                format!(
                    "expected the project's URL alone, without `?` or `#`, got `{}`",
                    supabase.url
                ),
            ));
        }
        check_env_name(&supabase.api_key_env).map_err(|m| invalid("api_key_env", m))?;
        if supabase.topic_prefix.trim().is_empty() {
            return Err(invalid(
                "topic_prefix",
                "must not be empty (topics would be the bare match keys)".to_string(),
            ));
        }
        if supabase.tick.0.is_zero() {
            return Err(invalid("tick", "must be above 0".to_string()));
        }
        if supabase.max_messages_per_second == 0 {
            return Err(invalid(
                "max_messages_per_second",
                "must be at least 1 (nothing could be sent)".to_string(),
            ));
        }
        if supabase.max_payload_bytes < MIN_MAX_PAYLOAD_BYTES {
            return Err(invalid(
                "max_payload_bytes",
                format!(
                    "must be at least {MIN_MAX_PAYLOAD_BYTES} (a match's state alone must fit), got {}",
                    supabase.max_payload_bytes
                ),
            ));
        }
        Ok(())
    }
}

impl SupabaseConfig {
    /// The REST endpoint messages are POSTed to.
    pub fn broadcast_url(&self) -> String {
        format!(
            "{}/realtime/v1/api/broadcast",
            self.url.trim_end_matches('/')
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(section: &str) -> Result<LoadedConfig, ConfigError> {
        LoadedConfig::parse(
            Path::new("sluice.toml"),
            &format!("[live.supabase]\n{section}"),
        )
    }

    fn error(section: &str) -> String {
        parse(section).expect_err("refused").to_string()
    }

    const GOOD: &str = "url = \"https://xyz.supabase.co/\"\napi_key_env = \"SUPABASE_KEY\"\n";

    #[test]
    fn defaults_follow_the_free_plan() {
        let loaded = parse(GOOD).expect("valid");
        let supabase = loaded.config.live.supabase.expect("supabase");
        assert_eq!(supabase.topic_prefix, "match:");
        assert_eq!(supabase.tick.0, std::time::Duration::from_secs(1));
        assert_eq!(supabase.max_messages_per_second, 10);
        assert_eq!(supabase.max_payload_bytes, 256_000);
        assert!(!supabase.private);
        assert_eq!(
            supabase.broadcast_url(),
            "https://xyz.supabase.co/realtime/v1/api/broadcast"
        );
    }

    #[test]
    fn each_bad_key_is_named() {
        let cases = [
            (
                "url = \"xyz.supabase.co\"\napi_key_env = \"K\"\n",
                "live.supabase.url: `xyz.supabase.co` is not a URL",
            ),
            (
                "url = \"ftp://xyz.supabase.co\"\napi_key_env = \"K\"\n",
                "live.supabase.url: expected the project's http:// or https:// URL",
            ),
            (
                "url = \"https://xyz.supabase.co\"\napi_key_env = \"eyJhbGciOi.x\"\n",
                "live.supabase.api_key_env: expected the name of an environment variable",
            ),
            (
                &format!("{GOOD}max_messages_per_second = 0\n"),
                "live.supabase.max_messages_per_second: must be at least 1",
            ),
            (
                &format!("{GOOD}max_payload_bytes = 100\n"),
                "live.supabase.max_payload_bytes: must be at least 1024",
            ),
            (
                &format!("{GOOD}tick = \"0s\"\n"),
                "live.supabase.tick: must be above 0",
            ),
            (
                &format!("{GOOD}topic_prefix = \"\"\n"),
                "live.supabase.topic_prefix: must not be empty",
            ),
        ];
        for (section, expected) in cases {
            let said = error(section);
            assert!(said.contains(expected), "{section}: {said}");
        }
        assert!(error(&format!("{GOOD}rate = 5\n")).contains("unknown field `rate`"));
    }
}
