//! `NAME.toml`, the manifest beside every `NAME.wasm`: what the plugin is,
//! which streams it has and which parameters they take, and how the host
//! authenticates its requests.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

use super::PluginError;
use crate::model::QuotaSpec;

/// A plugin's manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Plugin name; must match the file name.
    pub name: String,
    /// The plugin's own version, recorded with every row it produced.
    pub version: String,
    /// The data source whose ids the plugin emits (`provider` column).
    pub provider: String,
    /// The `sluice:plugin` version it was built against.
    pub wit: String,
    /// One line for people.
    pub description: Option<String>,
    /// How the host adds the provider's secret to requests.
    pub auth: Option<AuthSpec>,
    /// Streams by name.
    pub streams: BTreeMap<String, StreamSpec>,
    /// Where the provider reports its quotas.
    #[serde(default)]
    pub quota: Vec<QuotaSpec>,
    /// Tighter sandbox limits for this plugin than the host's ceilings.
    #[serde(default)]
    pub limits: LimitsSpec,
    /// How its provider's live data moves, for live schedules.
    pub live: Option<LiveSpec>,
}

/// `[live]`: how often the provider refreshes its live data; polling
/// faster spends quota for nothing, so a live schedule never does.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LiveSpec {
    /// Seconds between two refreshes of the provider's live data.
    pub refresh_secs: u64,
    /// What one request costs against the provider's quota, so that a
    /// live config that would spend more than the plan allows is refused
    /// at start.
    #[serde(default)]
    pub credits: CreditModel,
    /// Parameters whose value is one of the provider's match ids (`id`,
    /// `fixture`; a list separated by `,` or `-`): a response cached for
    /// them is not served once a live event of one of those matches
    /// committed after it was fetched.
    #[serde(default)]
    pub match_params: Vec<String>,
    /// Parameters whose value is one of the provider's competition ids
    /// (`league`, `sport`), likewise.
    #[serde(default)]
    pub competition_params: Vec<String>,
}

/// `[live.credits]`: the provider's credit model. A request costs
/// `per_request`, times, for a stream listed under `multiply`, the number
/// of comma-separated values of each of its parameters there (The Odds
/// API's odds cost markets × regions); a stream listed under `with_param`
/// costs the given amount when that parameter is present instead; a
/// stream listed under `free` costs nothing.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CreditModel {
    /// Credits of one request.
    #[serde(default = "one_credit")]
    pub per_request: u64,
    /// Per stream, the parameters whose value counts multiply the cost.
    #[serde(default)]
    pub multiply: BTreeMap<String, Vec<String>>,
    /// Per stream, a parameter whose presence sets the cost.
    #[serde(default)]
    pub with_param: BTreeMap<String, BTreeMap<String, u64>>,
    /// Streams that cost nothing.
    #[serde(default)]
    pub free: Vec<String>,
}

fn one_credit() -> u64 {
    1
}

impl Default for CreditModel {
    fn default() -> Self {
        CreditModel {
            per_request: 1,
            multiply: BTreeMap::new(),
            with_param: BTreeMap::new(),
            free: Vec::new(),
        }
    }
}

impl CreditModel {
    /// Credits one request of `stream` with `params` costs.
    pub fn cost(&self, stream: &str, params: &[(String, String)]) -> u64 {
        if self.free.iter().any(|free| free == stream) {
            return 0;
        }
        let value = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(set) = self.with_param.get(stream)
            && let Some(cost) = set
                .iter()
                .find(|(param, _)| value(param).is_some())
                .map(|(_, c)| *c)
        {
            return cost;
        }
        let factor = self.multiply.get(stream).map_or(1, |names| {
            names
                .iter()
                .map(|name| {
                    value(name).map_or(1, |v| {
                        v.split(',').filter(|s| !s.trim().is_empty()).count().max(1) as u64
                    })
                })
                .product()
        });
        self.per_request.saturating_mul(factor)
    }
}

/// What a component is, as its manifest's `kind` says: a normalizer when
/// absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginKind {
    /// Plans requests and normalizes responses (world `normalizer`).
    Normalizer,
    /// Records in, records out (world `enricher`).
    Enricher,
    /// Rows of a table in, verdicts out: a custom quality check (world
    /// `validator`, since 0.4.0).
    Validator,
    /// A typed table in, rows and rejects out: a custom transform (world
    /// `transformer`, since 0.5.0).
    Transformer,
    /// Per-user aggregates in, per-user scores out (world `scorer`, since
    /// 0.5.0).
    Scorer,
}

/// The `kind` a manifest's text declares; none when it is not TOML or
/// names no kind this host knows (the full parse then says what is wrong).
pub fn kind_of(text: &str) -> Option<PluginKind> {
    let table: toml::Table = toml::from_str(text).ok()?;
    match table.get("kind").and_then(|k| k.as_str()) {
        None => Some(PluginKind::Normalizer),
        Some("enricher") => Some(PluginKind::Enricher),
        Some("validator") => Some(PluginKind::Validator),
        Some("transformer") => Some(PluginKind::Transformer),
        Some("scorer") => Some(PluginKind::Scorer),
        Some(_) => None,
    }
}

/// An enricher's manifest (`kind = "enricher"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnricherManifest {
    /// Plugin name; must match the file name.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// Always `enricher`.
    pub kind: String,
    /// The `sluice:plugin` version it was built against.
    pub wit: String,
    /// One line for people.
    pub description: Option<String>,
    /// The lookup tables it reads, each of which the host must offer.
    #[serde(default)]
    pub lookups: Vec<String>,
    /// Tighter sandbox limits for this plugin than the host's ceilings.
    #[serde(default)]
    pub limits: LimitsSpec,
}

impl EnricherManifest {
    /// Reads the manifest at `path`, checks it names the plugin `name` and
    /// asks only for lookup tables in `offered`.
    pub fn load(path: &Path, name: &str, offered: &[&str]) -> Result<Self, PluginError> {
        let invalid = |message: String| PluginError::InvalidManifest {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let manifest: EnricherManifest =
            toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        if manifest.kind != "enricher" {
            return Err(invalid(format!(
                "kind = \"{}\": an enricher's manifest says kind = \"enricher\"",
                manifest.kind
            )));
        }
        if manifest.name != name {
            return Err(invalid(format!(
                "names the plugin `{}` but the file is for `{name}`",
                manifest.name
            )));
        }
        if let Some(unknown) = manifest
            .lookups
            .iter()
            .find(|l| !offered.contains(&l.as_str()))
        {
            return Err(invalid(format!(
                "asks for lookup table `{unknown}`; this host offers: {}",
                offered.join(", ")
            )));
        }
        Ok(manifest)
    }
}

/// A validator's manifest (`kind = "validator"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorManifest {
    /// Plugin name; must match the file name.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// Always `validator`.
    pub kind: String,
    /// The `sluice:plugin` version it was built against.
    pub wit: String,
    /// One line for people.
    pub description: Option<String>,
    /// Tighter sandbox limits for this plugin than the host's ceilings.
    #[serde(default)]
    pub limits: LimitsSpec,
}

impl ValidatorManifest {
    /// Reads the manifest at `path` and checks it is a validator's naming
    /// the plugin `name`.
    pub fn load(path: &Path, name: &str) -> Result<Self, PluginError> {
        let invalid = |message: String| PluginError::InvalidManifest {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let manifest: ValidatorManifest =
            toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        if manifest.kind != "validator" {
            return Err(invalid(format!(
                "kind = \"{}\": a validator's manifest says kind = \"validator\"",
                manifest.kind
            )));
        }
        if manifest.name != name {
            return Err(invalid(format!(
                "names the plugin `{}` but the file is for `{name}`",
                manifest.name
            )));
        }
        Ok(manifest)
    }
}

/// The manifest of a transformer (`kind = "transformer"`) or a scorer
/// (`kind = "scorer"`): what every plugin states, and nothing of a
/// provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldManifest {
    /// Plugin name; must match the file name.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// The world it implements: `transformer` or `scorer`.
    pub kind: String,
    /// The `sluice:plugin` version it was built against.
    pub wit: String,
    /// One line for people.
    pub description: Option<String>,
    /// Tighter sandbox limits for this plugin than the host's ceilings.
    #[serde(default)]
    pub limits: LimitsSpec,
}

impl WorldManifest {
    /// Reads the manifest at `path` and checks it says `kind` and names
    /// the plugin `name`.
    pub fn load(path: &Path, name: &str, kind: &str) -> Result<Self, PluginError> {
        let invalid = |message: String| PluginError::InvalidManifest {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        if kind_of(&text) == Some(PluginKind::Normalizer) {
            return Err(invalid(format!(
                "names no `kind`, so it is a normalizer's; a {kind}'s manifest says kind = \"{kind}\""
            )));
        }
        let manifest: WorldManifest =
            toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        if manifest.kind != kind {
            return Err(invalid(format!(
                "kind = \"{}\": a {kind}'s manifest says kind = \"{kind}\"",
                manifest.kind
            )));
        }
        if manifest.name != name {
            return Err(invalid(format!(
                "names the plugin `{}` but the file is for `{name}`",
                manifest.name
            )));
        }
        Ok(manifest)
    }
}

/// A plugin's own limits; the host's ceilings apply when absent or higher.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// Wall-clock deadline of one call, in milliseconds.
    pub deadline_ms: Option<u64>,
    /// Linear memory cap, in MiB.
    pub memory_mib: Option<u64>,
    /// Cap on what one call returns, in MiB.
    pub output_mib: Option<u64>,
    /// Instructions per call, where the host meters them (`[sandbox] fuel`).
    pub fuel: Option<u64>,
}

/// How the provider's secret travels: `[auth] scheme = "header"` or
/// `"query"` with the `name` it goes under, or `scheme = "path"` for
/// providers that take the key as a path segment (`/api/v1/json/KEY/…`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthSpec {
    /// In the request header `name`.
    Header {
        /// The header's name.
        name: String,
    },
    /// In the query parameter `name` (`?apiKey=…`).
    Query {
        /// The parameter's name.
        name: String,
    },
    /// As the first path segment after the provider's base URL: the plugin
    /// plans `/eventsseason.php`, the host sends `BASE/KEY/eventsseason.php`.
    /// (Braces, so that a stray `name` is refused rather than ignored.)
    Path {},
}

/// One stream's parameters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSpec {
    /// One line for people.
    pub description: Option<String>,
    /// Parameters that must be set.
    #[serde(default)]
    pub required: Vec<String>,
    /// Parameters that may be set.
    #[serde(default)]
    pub optional: Vec<String>,
}

impl Manifest {
    /// Reads the manifest at `path` and checks it names the plugin `name`.
    pub fn load(path: &Path, name: &str) -> Result<Self, PluginError> {
        let invalid = |message: String| PluginError::InvalidManifest {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        if kind_of(&text) == Some(PluginKind::Enricher) {
            return Err(invalid(
                "is an enricher's manifest (kind = \"enricher\"): list the enricher in a \
                 stream's `enrich`, not as a provider's plugin"
                    .to_string(),
            ));
        }
        if kind_of(&text) == Some(PluginKind::Validator) {
            return Err(invalid(
                "is a validator's manifest (kind = \"validator\"): name the validator in a \
                 quality check (`check = \"plugin\"`, `plugin = ...`), not as a provider's plugin"
                    .to_string(),
            ));
        }
        let manifest: Manifest =
            toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        if manifest.name != name {
            return Err(invalid(format!(
                "names the plugin `{}` but the file is for `{name}`",
                manifest.name
            )));
        }
        if manifest.streams.is_empty() {
            return Err(invalid("declares no [streams]".to_string()));
        }
        if let Some(quota) = manifest
            .quota
            .iter()
            .find(|q| q.scope.is_some() && q.reset_after.is_none())
        {
            return Err(invalid(format!(
                "quota `{}` has a `scope` but no `reset_after`: only a window that resets \
                 can be kept per scope",
                quota.name
            )));
        }
        Ok(manifest)
    }

    /// Checks that `stream` exists and that `params` are the ones it takes.
    pub fn check_stream(
        &self,
        stream: &str,
        params: &[(String, String)],
    ) -> Result<(), PluginError> {
        let spec = self
            .streams
            .get(stream)
            .ok_or_else(|| PluginError::UnknownStream {
                plugin: self.name.clone(),
                stream: stream.to_string(),
                known: self.streams.keys().cloned().collect::<Vec<_>>().join(", "),
            })?;
        let invalid = |message: String| PluginError::InvalidParams {
            plugin: self.name.clone(),
            stream: stream.to_string(),
            message,
        };
        for required in &spec.required {
            if !params.iter().any(|(k, _)| k == required) {
                return Err(invalid(format!("parameter `{required}` is required")));
            }
        }
        for (key, _) in params {
            if !spec.required.contains(key) && !spec.optional.contains(key) {
                let mut known: Vec<&str> = spec
                    .required
                    .iter()
                    .chain(&spec.optional)
                    .map(String::as_str)
                    .collect();
                known.sort_unstable();
                return Err(invalid(format!(
                    "unknown parameter `{key}` (parameters: {})",
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QuotaSource;

    fn manifest() -> Manifest {
        toml::from_str(
            r#"
            name = "football-data"
            version = "0.1.0"
            provider = "football-data"
            wit = "0.1.0"
            [streams.matches]
            required = ["competition"]
            optional = ["season"]
            "#,
        )
        .expect("valid manifest")
    }

    #[test]
    fn a_quota_kept_per_scope_must_be_a_window() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sportmonks.toml");
        let text = |reset: &str| {
            format!(
                "name = \"sportmonks\"\nversion = \"0.1.0\"\nprovider = \"sportmonks\"\n\
                 wit = \"0.3.0\"\n[streams.fixtures]\nrequired = []\n\
                 [[quota]]\nname = \"per entity\"\nremaining = {{ body = \"/rate_limit/remaining\" }}\n\
                 {reset}scope = {{ body = \"/rate_limit/requested_entity\" }}\n"
            )
        };
        std::fs::write(&path, text("")).expect("write");
        let refused = Manifest::load(&path, "sportmonks").expect_err("no reset_after");
        assert!(
            refused
                .to_string()
                .contains("quota `per entity` has a `scope` but no `reset_after`"),
            "{refused}"
        );
        std::fs::write(
            &path,
            text("reset_after = { body = \"/rate_limit/resets_in_seconds\" }\n"),
        )
        .expect("write");
        let loaded = Manifest::load(&path, "sportmonks").expect("a window per scope");
        assert_eq!(
            loaded.quota[0].scope,
            Some(QuotaSource::Body("/rate_limit/requested_entity".into()))
        );
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn streams_and_params_are_checked_before_any_request() {
        let m = manifest();
        assert!(
            m.check_stream("matches", &pairs(&[("competition", "CL")]))
                .is_ok()
        );
        let err = m.check_stream("fixtures", &[]).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("plugin football-data has no stream `fixtures` (streams: matches)")
        );
        let err = m
            .check_stream("matches", &pairs(&[("season", "2022")]))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("plugin football-data, stream `matches`: parameter `competition` is required")
        );
        let err = m
            .check_stream(
                "matches",
                &pairs(&[("competition", "CL"), ("seasn", "2022")]),
            )
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "plugin football-data, stream `matches`: unknown parameter `seasn` (parameters: competition, season)"
            )
        );
    }

    #[test]
    fn each_auth_scheme_reads_and_a_misplaced_name_is_refused() {
        let auth = |block: &str| {
            toml::from_str::<Manifest>(&format!(
                "name = \"p\"\nversion = \"1\"\nprovider = \"p\"\nwit = \"0.2.0\"\n[auth]\n{block}\n[streams.s]\n"
            ))
            .map(|m| m.auth)
            .map_err(|e| e.message().to_string())
        };
        assert_eq!(
            auth("scheme = \"header\"\nname = \"x-key\""),
            Ok(Some(AuthSpec::Header {
                name: "x-key".into()
            }))
        );
        assert_eq!(
            auth("scheme = \"query\"\nname = \"apiKey\""),
            Ok(Some(AuthSpec::Query {
                name: "apiKey".into()
            }))
        );
        assert_eq!(auth("scheme = \"path\""), Ok(Some(AuthSpec::Path {})));
        let err = auth("scheme = \"header\"").expect_err("a header needs its name");
        assert!(err.contains("missing field `name`"), "{err}");
        let err = auth("scheme = \"path\"\nname = \"key\"").expect_err("a path takes no name");
        assert!(err.contains("unknown field `name`"), "{err}");
        let err = auth("scheme = \"cookie\"").expect_err("no such scheme");
        assert!(err.contains("unknown variant `cookie`"), "{err}");
    }
}
