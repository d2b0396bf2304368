//! Everything checked before the first request: a bad config, plugin,
//! stream, parameter or missing secret fails here, before any load.

use std::collections::HashMap;
use std::sync::Arc;

use super::RunError;
use crate::config::LoadedConfig;
use crate::config::{ProviderConfig, Schedule, StreamConfig};
use crate::extract::{
    CircuitBreaker, ClientSettings, ProviderAuth, ProviderClient, QuotaTracker, RateBudget,
    RetryPolicy,
};
use crate::lineage::LineageTransport;
use crate::live::LiveSettings;
use crate::plugin::{
    AuthSpec, EnricherPlugin, Lookups, NormalizerPlugin, PluginEngine, PluginError, PluginRegistry,
    lookup,
};
use crate::resolve::Resolution;

/// A stream ready to run.
pub struct PreparedStream {
    /// Provider config name.
    pub provider: String,
    /// Stream name.
    pub stream: String,
    /// Its parameters, sorted by name.
    pub params: Vec<(String, String)>,
    /// Identifies the stream and its parameters across runs.
    pub key: String,
    /// The provider's normalizer.
    pub plugin: Arc<NormalizerPlugin>,
    /// The provider's client, shared by its streams.
    pub client: Arc<ProviderClient>,
    /// How long a response is served from the archive without asking.
    pub cache_ttl: Option<std::time::Duration>,
    /// How its records reach their tables.
    pub write: crate::config::WriteDisposition,
    /// Streams of other providers that serve, in order, when this one's
    /// provider is unavailable (breaker open, quota spent).
    pub fallbacks: Vec<PreparedStream>,
    /// Enrichers its batches pass through, in order.
    pub enrichers: Vec<Arc<EnricherPlugin>>,
    /// How its matches are watched and their changes told into the live
    /// outbox; `None` for a stream that is not live.
    pub live: Option<LiveSettings>,
}

/// How long an in-play market may stay unmoved, unless the stream says.
const ODDS_SUSPENDED_AFTER: std::time::Duration = std::time::Duration::from_secs(120);
/// How often a live stream polls when its pipeline's schedule does not say.
const LIVE_POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// A pipeline whose every stream passed the checks.
pub struct PreparedPipeline {
    /// Pipeline name.
    pub name: String,
    /// Its streams, in config order.
    pub streams: Vec<PreparedStream>,
    /// One client per provider.
    pub clients: Vec<Arc<ProviderClient>>,
    /// How many of its streams run at once.
    pub concurrency: usize,
    /// How records are linked to canonical entities after the run.
    pub resolution: Resolution,
    /// The quality checks the run's data is graded by.
    pub quality: Arc<crate::quality::QualityPlan>,
    /// Where the run's OpenLineage events go; `None` without `[lineage]`.
    pub lineage: Option<Arc<LineageTransport>>,
    /// The tables written out after each successful run.
    pub exports: Vec<crate::export::ExportStep>,
    /// The file sources, run after the streams.
    pub sources: Vec<crate::files::PreparedSource>,
}

/// Where a pipeline's plugins come from.
#[derive(Clone, Copy)]
pub enum PluginSource<'a> {
    /// Loaded from the config's plugin folder for this run.
    Dir(&'a PluginEngine),
    /// The versions a long-running host publishes now.
    Registry(&'a PluginRegistry),
}

/// Loads the plugins and builds the clients `pipeline` needs, checking each
/// stream and its parameters with the manifest and the plugin itself.
pub fn prepare(
    config: &LoadedConfig,
    pipeline: &str,
    source: PluginSource<'_>,
) -> Result<PreparedPipeline, RunError> {
    let pipeline_config = config.pipeline(pipeline)?;
    let mut loaded = Loaded::new(config);
    let mut streams = Vec::new();
    let poll = match &pipeline_config.schedule {
        Some(Schedule::Live { every, .. } | Schedule::Every(every)) => *every,
        _ => LIVE_POLL,
    };
    for stream_config in &pipeline_config.streams {
        let mut stream = prepare_stream(config, source, &mut loaded, stream_config, poll)?;
        for fallback in &stream_config.fallback {
            // A fallback of a live stream is live too: it serves its matches.
            let fallback = StreamConfig {
                live: fallback.live || stream_config.live,
                stale_after: fallback.stale_after.or(stream_config.stale_after),
                odds_suspended_after: fallback
                    .odds_suspended_after
                    .or(stream_config.odds_suspended_after),
                ..fallback.clone()
            };
            stream.fallbacks.push(prepare_stream(
                config,
                source,
                &mut loaded,
                &fallback,
                poll,
            )?);
        }
        streams.push(stream);
    }
    Ok(PreparedPipeline {
        name: pipeline.to_string(),
        streams,
        clients: loaded.clients.into_values().collect(),
        concurrency: usize::try_from(pipeline_config.concurrency).unwrap_or(1),
        resolution: Resolution::from_config(config)?,
        quality: Arc::new(
            crate::quality::QualityPlan::new(
                &config.config.quality,
                pipeline_config.min_grade.as_deref(),
            )?
            .with_validators(
                match source {
                    PluginSource::Dir(engine) => engine,
                    PluginSource::Registry(registry) => registry.engine(),
                },
                &config.plugin_dir(),
            )?,
        ),
        lineage: config
            .config
            .lineage
            .as_ref()
            .map(|lineage| Arc::new(LineageTransport::new(lineage, config.lineage_file()))),
        exports: crate::export::ExportStep::of_pipeline(config, pipeline)?,
        sources: crate::files::prepare_sources(
            config,
            pipeline,
            match source {
                PluginSource::Dir(engine) => engine,
                PluginSource::Registry(registry) => registry.engine(),
            },
        )?,
    })
}

/// The enrichers of each stream of `pipeline` that has some, by stream key:
/// what `sluice replay` passes archived batches through, as the run did.
/// A pipeline no longer in the config has none.
pub fn enrichers_by_stream(
    config: &LoadedConfig,
    pipeline: &str,
    engine: &PluginEngine,
) -> Result<HashMap<String, Vec<Arc<EnricherPlugin>>>, RunError> {
    let mut by_stream = HashMap::new();
    let Some(pipeline_config) = config.config.pipelines.get(pipeline) else {
        return Ok(by_stream);
    };
    let mut loaded = Loaded::new(config);
    let streams = pipeline_config
        .streams
        .iter()
        .flat_map(|s| std::iter::once(s).chain(&s.fallback));
    for stream_config in streams.filter(|s| !s.enrich.is_empty()) {
        let key = stream_config.key();
        let enrichers = stream_config
            .enrich
            .iter()
            .map(|name| enricher(config, PluginSource::Dir(engine), &mut loaded, name))
            .collect::<Result<Vec<_>, _>>()?;
        by_stream.insert(key, enrichers);
    }
    Ok(by_stream)
}

/// The plugins and clients loaded so far, one per plugin and provider.
struct Loaded {
    plugin_dir: std::path::PathBuf,
    plugins: HashMap<String, Arc<NormalizerPlugin>>,
    clients: HashMap<String, Arc<ProviderClient>>,
    enrichers: HashMap<String, Arc<EnricherPlugin>>,
    /// The lookup tables, read when the first enricher is loaded.
    lookups: Option<Lookups>,
}

impl Loaded {
    /// Nothing loaded yet, plugins to come from the config's folder.
    fn new(config: &LoadedConfig) -> Self {
        Loaded {
            plugin_dir: config.plugin_dir(),
            plugins: HashMap::new(),
            clients: HashMap::new(),
            enrichers: HashMap::new(),
            lookups: None,
        }
    }
}

/// One stream checked, with its provider's plugin and client.
fn prepare_stream(
    config: &LoadedConfig,
    source: PluginSource<'_>,
    loaded: &mut Loaded,
    stream_config: &StreamConfig,
    poll: std::time::Duration,
) -> Result<PreparedStream, RunError> {
    let name = &stream_config.provider;
    let provider = &config.config.providers[name];
    let plugin = match loaded.plugins.get(&provider.plugin) {
        Some(p) => {
            if let Some(pin) = provider
                .plugin_sha256
                .as_deref()
                .filter(|pin| !pin.eq_ignore_ascii_case(p.sha256()))
            {
                return Err(PluginError::HashMismatch {
                    path: p.path().to_path_buf(),
                    found: p.sha256().to_string(),
                    expected: pin.to_string(),
                }
                .into());
            }
            p.clone()
        }
        None => {
            let wasm = loaded.plugin_dir.join(format!("{}.wasm", provider.plugin));
            let plugin = match source {
                PluginSource::Dir(engine) => Arc::new(NormalizerPlugin::load_pinned(
                    engine,
                    &wasm,
                    provider.plugin_sha256.as_deref(),
                )?),
                PluginSource::Registry(registry) => {
                    let plugin =
                        registry
                            .get(&provider.plugin)
                            .ok_or_else(|| PluginError::NotLoaded {
                                name: provider.plugin.clone(),
                                dir: registry.dir().to_path_buf(),
                            })?;
                    if let Some(pin) = provider
                        .plugin_sha256
                        .as_deref()
                        .filter(|pin| !pin.eq_ignore_ascii_case(plugin.sha256()))
                    {
                        return Err(PluginError::HashMismatch {
                            path: wasm,
                            found: plugin.sha256().to_string(),
                            expected: pin.to_string(),
                        }
                        .into());
                    }
                    plugin
                }
            };
            loaded
                .plugins
                .insert(provider.plugin.clone(), plugin.clone());
            plugin
        }
    };
    let client = match loaded.clients.get(name) {
        Some(c) => c.clone(),
        None => {
            let client = Arc::new(client(config, name, provider, &plugin)?);
            loaded.clients.insert(name.clone(), client.clone());
            client
        }
    };
    let params = stream_config.param_pairs();
    plugin
        .manifest()
        .check_stream(&stream_config.stream, &params)?;
    // The plugin validates the values too (a season that is not a year…).
    plugin.plan(&stream_config.stream, None, &params)?;
    let enrichers = stream_config
        .enrich
        .iter()
        .map(|name| enricher(config, source, loaded, name))
        .collect::<Result<Vec<_>, _>>()?;
    let live = stream_config.live.then(|| {
        // Never faster than the provider refreshes.
        let refresh = plugin
            .manifest()
            .live
            .as_ref()
            .map(|live| std::time::Duration::from_secs(live.refresh_secs));
        let poll = refresh.map_or(poll, |refresh| poll.max(refresh));
        let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        LiveSettings {
            stale_after_secs: stream_config.stale_after.map_or_else(
                || crate::live::stale_after_secs(poll.as_secs()),
                |d| secs(d.0),
            ),
            odds_suspended_after_secs: secs(
                stream_config
                    .odds_suspended_after
                    .map_or(ODDS_SUSPENDED_AFTER, |d| d.0),
            ),
        }
    });
    Ok(PreparedStream {
        provider: name.clone(),
        stream: stream_config.stream.clone(),
        key: stream_config.key(),
        params,
        plugin,
        client,
        cache_ttl: stream_config.cache_ttl.map(|d| d.0),
        write: stream_config.write,
        fallbacks: Vec::new(),
        enrichers,
        live,
    })
}

/// The enricher `name` from the plugin folder, loaded once per pipeline
/// with the lookup tables its manifest asks for.
fn enricher(
    config: &LoadedConfig,
    source: PluginSource<'_>,
    loaded: &mut Loaded,
    name: &str,
) -> Result<Arc<EnricherPlugin>, RunError> {
    if let Some(e) = loaded.enrichers.get(name) {
        return Ok(e.clone());
    }
    if loaded.lookups.is_none() {
        loaded.lookups = Some(lookups(config)?);
    }
    let lookups = loaded.lookups.as_ref().cloned().unwrap_or_default();
    let engine = match source {
        PluginSource::Dir(engine) => engine,
        PluginSource::Registry(registry) => registry.engine(),
    };
    let enricher = Arc::new(crate::plugin::load_named(
        &loaded.plugin_dir,
        name,
        |wasm| EnricherPlugin::load(engine, wasm, &lookups),
    )?);
    if let Some(missing) = enricher
        .manifest()
        .lookups
        .iter()
        .find(|table| !lookups.has_table(table))
    {
        return Err(config
            .invalid(
                "resolution.aliases".to_string(),
                format!(
                    "enricher {name} reads the lookup table `{missing}`, which comes from the alias file: set `[resolution] aliases`"
                ),
            )
            .into());
    }
    loaded.enrichers.insert(name.to_string(), enricher.clone());
    Ok(enricher)
}

/// The lookup tables the config provides: `team-aliases` from the alias
/// file, when one is set.
fn lookups(config: &LoadedConfig) -> Result<Lookups, RunError> {
    let mut lookups = Lookups::default();
    if let Some(path) = config.aliases_path() {
        let aliases = crate::resolve::Aliases::load(&path)?;
        lookups.insert(lookup::TEAM_ALIASES, aliases.team_spellings().to_vec());
    }
    Ok(lookups)
}

/// A provider's client with its budget, breaker and quota tracker.
fn client(
    config: &LoadedConfig,
    name: &str,
    provider: &ProviderConfig,
    plugin: &NormalizerPlugin,
) -> Result<ProviderClient, RunError> {
    let settings = ClientSettings {
        retry: RetryPolicy {
            max_attempts: provider.max_attempts,
            min_wait: provider.retry_min_wait.0,
            max_wait: provider.retry_max_wait.0,
        },
        connect_timeout: provider.connect_timeout.0,
        timeout: provider.timeout.0,
        max_body_bytes: (provider.max_body_mib as usize) << 20,
    };
    Ok(ProviderClient::new(
        name,
        &provider.base_url,
        auth(config, name, plugin)?,
        settings,
        Arc::new(RateBudget::new(&provider.rate_limit.0)),
        Arc::new(CircuitBreaker::new(
            name,
            provider.breaker_failures,
            provider.breaker_cooldown.0,
        )),
        Arc::new(QuotaTracker::new(
            plugin.manifest().quota.clone(),
            provider.quota_reserve,
        )),
    )?)
}

/// The provider's credentials, as the plugin's manifest says to send them.
fn auth(
    config: &LoadedConfig,
    provider: &str,
    plugin: &NormalizerPlugin,
) -> Result<ProviderAuth, RunError> {
    let Some(env) = &config.config.providers[provider].token_env else {
        return Ok(ProviderAuth::None);
    };
    let Some(spec) = &plugin.manifest().auth else {
        return Err(config
            .invalid(
                format!("providers.{provider}.token_env"),
                format!(
                    "plugin {} declares no [auth], so the token would not be sent",
                    plugin.manifest().name
                ),
            )
            .into());
    };
    let token = std::env::var(env)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| RunError::MissingToken {
            provider: provider.to_string(),
            env: env.clone(),
        })?;
    let invalid = |how| RunError::InvalidToken {
        provider: provider.to_string(),
        env: env.clone(),
        how,
    };
    let token = token.trim();
    match spec {
        AuthSpec::Header { name } => {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid("in an HTTP header: the manifest's header name is invalid"))?;
            let value = reqwest::header::HeaderValue::from_str(token)
                .map_err(|_| invalid("in an HTTP header"))?;
            Ok(ProviderAuth::Header(name, value))
        }
        AuthSpec::Query { name } => Ok(ProviderAuth::Query(name.clone(), token.to_string())),
        // One path segment: nothing that would end it or start a query.
        AuthSpec::Path {} => {
            if token.chars().any(|c| {
                matches!(c, '/' | '?' | '#' | '%' | '\\') || c.is_whitespace() || c.is_control()
            }) {
                return Err(invalid(
                    "as a URL path segment: it holds `/`, `?`, `#`, `%`, `\\`, a space or a control character",
                ));
            }
            Ok(ProviderAuth::PathSegment(token.to_string()))
        }
    }
}
