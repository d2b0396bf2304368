//! The one wasmtime engine of the process: pooling allocator, epoch
//! interruption driven by a ticker thread, and the linker every plugin is
//! instantiated with.

use std::time::Duration;
use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

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
}

impl Default for SandboxLimits {
    fn default() -> Self {
        SandboxLimits {
            deadline: Duration::from_secs(10),
            memory_bytes: 256 << 20,
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
            .table_keep_resident(64 << 10);
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        // A Rust guest for wasm32-wasip2 imports WASI even when it does no
        // I/O; the context it gets grants nothing (see `SandboxState`).
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        start_epoch_ticker(&engine)?;
        Ok(PluginEngine {
            engine,
            linker: std::sync::Arc::new(linker),
            limits,
        })
    }
}

/// Without the ticker no deadline would ever fire, so failing to start it is
/// an error, not a warning.
fn start_epoch_ticker(engine: &Engine) -> std::io::Result<()> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("sluice-epoch".to_string())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .map(drop)
}
