//! `[lineage]`: where each run's OpenLineage events go: POSTed to a
//! lineage server (Marquez, DataHub, any OpenLineage HTTP endpoint),
//! appended to a file, or both. Without the section nothing is emitted.

use serde::Deserialize;
use std::path::PathBuf;

use super::alerts::check_env_name;
use super::{ConfigError, HumanDuration, LoadedConfig};

/// Marquez's endpoint, the OpenLineage reference API.
pub const DEFAULT_LINEAGE_ENDPOINT: &str = "/api/v1/lineage";

/// `[lineage]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineageConfig {
    /// The lineage server's base URL (`http://localhost:5000`); events are
    /// POSTed to `{url}{endpoint}`.
    pub url: Option<String>,
    /// The path events are POSTed to: `/api/v1/lineage` (Marquez), or
    /// another server's (DataHub's `/openapi/openlineage/api/v1/lineage`).
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    /// The environment variable holding a token sent as `Authorization:
    /// Bearer` (a secret: never written here, never logged).
    pub api_key_env: Option<String>,
    /// How long one POST may take before it is given up with a warning.
    #[serde(default = "default_timeout")]
    pub timeout: HumanDuration,
    /// A file each event is appended to as one JSON line, relative to the
    /// config file.
    pub file: Option<PathBuf>,
    /// The OpenLineage job namespace; the job's name is the pipeline's.
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

fn default_endpoint() -> String {
    DEFAULT_LINEAGE_ENDPOINT.to_string()
}

fn default_timeout() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(5))
}

fn default_namespace() -> String {
    "sluice".to_string()
}

impl LineageConfig {
    /// Checks the section's keys, naming the one that is wrong.
    pub(super) fn validate(&self, loaded: &LoadedConfig) -> Result<(), ConfigError> {
        let invalid =
            |key: &str, message: String| loaded.invalid(format!("lineage.{key}"), message);
        if self.url.is_none() && self.file.is_none() {
            return Err(invalid(
                "url",
                "set `url` (a lineage server), `file` (JSON lines), or both".to_string(),
            ));
        }
        if let Some(url) = &self.url {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| invalid("url", format!("`{url}` is not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return Err(invalid(
                    "url",
                    format!("expected an http:// or https:// URL, got `{url}`"),
                ));
            }
        }
        if !self.endpoint.starts_with('/') {
            return Err(invalid(
                "endpoint",
                format!(
                    "expected a path starting with `/` (such as {DEFAULT_LINEAGE_ENDPOINT}), got `{}`",
                    self.endpoint
                ),
            ));
        }
        if let Some(env) = &self.api_key_env {
            check_env_name(env).map_err(|m| invalid("api_key_env", m))?;
        }
        if self.timeout.0.is_zero() {
            return Err(invalid("timeout", "must be above 0".to_string()));
        }
        if self.namespace.trim().is_empty() {
            return Err(invalid("namespace", "must not be empty".to_string()));
        }
        Ok(())
    }

    /// Where events are POSTed, when a server is configured.
    pub fn endpoint_url(&self) -> Option<String> {
        let url = self.url.as_ref()?;
        Some(format!("{}{}", url.trim_end_matches('/'), self.endpoint))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::LoadedConfig;
    use std::path::Path;

    fn parse(section: &str) -> Result<LoadedConfig, String> {
        LoadedConfig::parse(Path::new("sluice.toml"), &format!("[lineage]\n{section}\n"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_marquez_five_seconds_and_the_sluice_namespace() {
        let loaded = parse("url = \"http://localhost:5000/\"").expect("valid");
        let lineage = loaded.config.lineage.expect("section");
        assert_eq!(
            lineage.endpoint_url().as_deref(),
            Some("http://localhost:5000/api/v1/lineage")
        );
        assert_eq!(lineage.timeout.0, std::time::Duration::from_secs(5));
        assert_eq!(lineage.namespace, "sluice");
    }

    #[test]
    fn a_wrong_key_is_named() {
        for (section, key) in [
            ("", "lineage.url"),
            ("url = \"ftp://x\"", "lineage.url"),
            ("url = \"http://x\"\nendpoint = \"api\"", "lineage.endpoint"),
            (
                "file = \"l.ndjson\"\napi_key_env = \"a b\"",
                "lineage.api_key_env",
            ),
            ("file = \"l.ndjson\"\ntimeout = \"0s\"", "lineage.timeout"),
            ("file = \"l.ndjson\"\nendpont = \"/x\"", "endpont"),
        ] {
            let error = parse(section).expect_err(section);
            assert!(error.contains(key), "{section}: {error}");
        }
    }
}
