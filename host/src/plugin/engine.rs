//! The one wasmtime engine of the process: pooling allocator, epoch
//! interruption driven by a ticker thread, and the linker every plugin is
//! instantiated with.

use std::time::Duration;
use wasmtime::component::Linker;
use wasmtime::{
    Cache, CacheConfig, Config, Enabled, Engine, InstanceAllocationStrategy,
    PoolingAllocationConfig,
};

use super::sandbox::SandboxState;

/// How often the epoch advances; the granularity of call deadlines.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Per-call limits of a plugin.
#[derive(Debug, Clone, Copy)]
pub struct SandboxLimits {
    /// Wall-clock deadline of one call.
    pub deadline: Duration,
    /// Linear memory cap.
    pub memory_bytes: usize,
    /// Cap on what one call returns (strings and bytes, approximately).
    pub output_bytes: usize,
    /// Instructions per call; none when the host does not meter them.
    pub fuel: Option<u64>,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        SandboxLimits {
            deadline: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            output_bytes: 64 << 20,
            fuel: None,
        }
    }
}

impl From<&crate::config::SandboxConfig> for SandboxLimits {
    fn from(c: &crate::config::SandboxConfig) -> Self {
        let mib = |m: u64| {
            usize::try_from(m)
                .unwrap_or(usize::MAX / 2)
                .saturating_mul(1 << 20)
        };
        SandboxLimits {
            deadline: c.deadline.0,
            memory_bytes: mib(c.memory_mib),
            output_bytes: mib(c.output_mib),
            fuel: c.fuel,
        }
    }
}

impl SandboxLimits {
    /// These ceilings, lowered where a plugin's manifest asks for less.
    pub fn narrowed(self, spec: &super::LimitsSpec) -> Self {
        SandboxLimits {
            deadline: spec.deadline_ms.map_or(self.deadline, |ms| {
                self.deadline.min(Duration::from_millis(ms))
            }),
            memory_bytes: spec.memory_mib.map_or(self.memory_bytes, |mib| {
                self.memory_bytes.min((mib as usize) << 20)
            }),
            output_bytes: spec.output_mib.map_or(self.output_bytes, |mib| {
                self.output_bytes.min((mib as usize) << 20)
            }),
            // Fuel is metered engine-wide or not at all: a plugin may lower
            // the host's budget, not ask for one the host does not meter.
            fuel: match (self.fuel, spec.fuel) {
                (Some(host), Some(plugin)) => Some(host.min(plugin)),
                (host, _) => host,
            },
        }
    }

    /// The deadline in epoch ticks.
    pub(crate) fn deadline_ticks(&self) -> u64 {
        (self.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}

/// The engine and linker shared by every plugin.
#[derive(Clone)]
pub struct PluginEngine {
    pub(crate) engine: Engine,
    pub(crate) linker: std::sync::Arc<Linker<SandboxState>>,
    pub(crate) limits: SandboxLimits,
}

impl PluginEngine {
    /// Builds the engine with `limits` for every call, and starts the epoch
    /// ticker, which stops when the engine is dropped.
    pub fn new(limits: SandboxLimits) -> anyhow::Result<Self> {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(256)
            .total_core_instances(1024)
            .total_memories(512)
            .total_tables(512)
            .max_memory_size(limits.memory_bytes)
            .linear_memory_keep_resident(2 << 20)
            .table_keep_resident(64 << 10)
            // Where the kernel can say which pages a call dirtied (Linux
            // 6.7+), only those are reset for the next instance, instead of
            // the whole resident prefix: most calls touch a few pages.
            .pagemap_scan(Enabled::Auto);
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .consume_fuel(limits.fuel.is_some())
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        if let Some(dir) = compile_cache_dir() {
            // Compiled components are kept by content hash, so a restart or
            // another process does not compile the same component again.
            let mut cache = CacheConfig::new();
            cache.with_directory(dir);
            match Cache::new(cache) {
                Ok(cache) => {
                    config.cache(Some(cache));
                }
                Err(error) => tracing::warn!(%error, "compiled-component cache disabled"),
            }
        }
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        // A Rust guest for wasm32-wasip2 imports WASI even when it does no
        // I/O; the context it gets grants nothing (see `SandboxState`).
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        // Enrichers import the lookup tables the host grants them.
        super::bindings::enricher::Enricher::add_to_linker::<
            SandboxState,
            wasmtime::component::HasSelf<SandboxState>,
        >(&mut linker, |state| state)?;
        start_epoch_ticker(&engine)?;
        Ok(PluginEngine {
            engine,
            linker: std::sync::Arc::new(linker),
            limits,
        })
    }
}

/// Where compiled components are cached: `SLUICE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/sluice/components`, else `~/.cache/sluice/components`;
/// none (no cache) when `SLUICE_CACHE_DIR` is empty or no home is known.
fn compile_cache_dir() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    if let Some(dir) = std::env::var_os("SLUICE_CACHE_DIR") {
        let dir = PathBuf::from(dir);
        return (!dir.as_os_str().is_empty()).then(|| std::path::absolute(&dir).unwrap_or(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("sluice/components"))
}

/// Without the ticker no deadline would ever fire, so failing to start it is
/// an error, not a warning.
///
/// The epoch follows the wall clock rather than counting wake-ups: a thread
/// woken late (a busy machine oversleeps every tick a little) catches up on
/// the ticks it missed, so a deadline of N ticks ends N ticks of real time
/// after the call began instead of drifting later with the load.
fn start_epoch_ticker(engine: &Engine) -> std::io::Result<()> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("sluice-epoch".to_string())
        .spawn(move || {
            let started = std::time::Instant::now();
            let tick = EPOCH_TICK.as_nanos() as u64;
            let mut ticks: u64 = 0;
            while let Some(engine) = weak.upgrade() {
                let due = started.elapsed().as_nanos() as u64 / tick;
                while ticks < due {
                    engine.increment_epoch();
                    ticks += 1;
                }
                drop(engine);
                let next = Duration::from_nanos((ticks + 1).saturating_mul(tick));
                std::thread::sleep(next.saturating_sub(started.elapsed()));
            }
        })
        .map(drop)
}
