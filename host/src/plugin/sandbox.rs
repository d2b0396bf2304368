//! What a plugin's store holds: a WASI context with no capabilities and a
//! memory cap that remembers when it refused a growth.

use super::output::CapturedOutput;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{
    HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};

/// Per-call state of one plugin instance.
pub struct SandboxState {
    wasi: WasiCtx,
    table: ResourceTable,
    /// The memory cap of this call.
    pub memory: MemoryCap,
    /// What the plugin printed on stdout.
    pub stdout: CapturedOutput,
    /// What the plugin printed on stderr.
    pub stderr: CapturedOutput,
    /// The lookup tables an enricher is granted; none for a normalizer.
    pub lookups: Option<std::sync::Arc<super::lookup::Lookups>>,
}

impl SandboxState {
    /// A sandbox with no files, network, environment or arguments, clocks
    /// frozen at the epoch (a plugin must get time from its inputs), and
    /// stdout and stderr captured for the log.
    pub fn new(memory_limit_bytes: usize) -> Self {
        let (stdout, stderr) = (CapturedOutput::default(), CapturedOutput::default());
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .allow_ip_name_lookup(false)
            .allow_tcp(false)
            .allow_udp(false)
            .build();
        SandboxState {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryCap {
                limit_bytes: memory_limit_bytes,
                refused: false,
                peak_bytes: 0,
            },
            stdout,
            stderr,
            lookups: None,
        }
    }
}

impl WasiView for SandboxState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Caps linear memory. A Rust guest whose growth is refused aborts with an
/// `unreachable` trap that says nothing, so the cap records the refusal and
/// the host reports the limit instead.
pub struct MemoryCap {
    limit_bytes: usize,
    /// Whether a growth past the cap was refused during this call.
    pub refused: bool,
    /// The most linear memory granted during this call.
    pub peak_bytes: usize,
}

/// Most table entries an instance may have; far above what real guests use.
const MAX_TABLE_ELEMENTS: usize = 100_000;

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit_bytes {
            self.refused = true;
            return Ok(false);
        }
        self.peak_bytes = self.peak_bytes.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// A clock that always reads zero.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }
    fn now(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}
