//! One plugin's sandboxed calls, whatever world it implements: a fresh
//! store per call under the plugin's limits, its output captured into the
//! log, its traps turned into errors a person can read, and a breaker that
//! switches it off after failures in a row.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use wasmtime::Store;

use super::lookup::Lookups;
use super::output;
use super::sandbox::SandboxState;
use super::{PluginEngine, PluginError, SandboxLimits};
use crate::internal_events::{InternalEvent, PluginCalled, PluginSwitchedOff};

/// Sandbox failures (traps, limits) in a row after which a plugin is
/// switched off.
pub const SWITCH_OFF_AFTER: u32 = 5;

/// Calls into one loaded plugin.
pub struct Runner {
    name: String,
    version: String,
    engine: PluginEngine,
    limits: SandboxLimits,
    /// Sandbox failures in a row, for the plugin's breaker.
    failures: AtomicU32,
    /// The lookup tables the plugin is granted, if any.
    lookups: Option<Arc<Lookups>>,
}

impl Runner {
    /// Calls into plugin `name` at `version` under `limits`, with the
    /// `lookups` its manifest is granted.
    pub fn new(
        engine: &PluginEngine,
        name: &str,
        version: &str,
        limits: SandboxLimits,
        lookups: Option<Arc<Lookups>>,
    ) -> Self {
        Runner {
            name: name.to_string(),
            version: version.to_string(),
            engine: engine.clone(),
            limits,
            failures: AtomicU32::new(0),
            lookups,
        }
    }

    /// Runs `f` on a fresh instance in a fresh store, under the limits.
    pub fn call<P: Instantiate, R>(
        &self,
        pre: &P,
        call: &'static str,
        f: impl FnOnce(&mut Store<SandboxState>, &P::Bindings) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let failures = self.failures.load(Ordering::Relaxed);
        if failures >= SWITCH_OFF_AFTER {
            return Err(PluginError::SwitchedOff {
                plugin: self.name.clone(),
                failures,
            });
        }
        let limits = self.limits;
        let mut state = SandboxState::new(limits.memory_bytes);
        state.lookups = self.lookups.clone();
        let mut store = Store::new(&self.engine.engine, state);
        store.limiter(|state| &mut state.memory);
        store.set_epoch_deadline(limits.deadline_ticks());
        if let Some(fuel) = limits.fuel {
            store
                .set_fuel(fuel)
                .map_err(|e| self.trap(call, &e, false, None))?;
        }
        let started = std::time::Instant::now();
        let run = || {
            pre.instantiate(&mut store)
                .and_then(|plugin| f(&mut store, &plugin))
        };
        // WASI's stdio blocks on the ambient tokio runtime; on a runtime's
        // worker thread that is only allowed inside `block_in_place`.
        let outcome = match tokio::runtime::Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(run)
            }
            _ => run(),
        };
        let state = store.data();
        let panic = output::report(&self.name, call, &state.stdout, &state.stderr);
        let result = outcome.map_err(|err| self.trap(call, &err, state.memory.refused, panic));
        PluginCalled {
            plugin: &self.name,
            call,
            elapsed: started.elapsed(),
            memory_bytes: state.memory.peak_bytes,
            trap: result.as_ref().err().and_then(PluginError::trap_reason),
        }
        .emit();
        self.count(result.is_ok());
        result
    }

    /// Counts a call for the plugin's breaker: a sandbox failure in a row
    /// too many switches the plugin off, with an alert.
    fn count(&self, ok: bool) {
        if ok {
            self.failures.store(0, Ordering::Relaxed);
            return;
        }
        let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if failures == SWITCH_OFF_AFTER {
            PluginSwitchedOff {
                plugin: &self.name,
                version: &self.version,
                failures,
            }
            .emit();
        }
    }

    /// Refuses a batch larger than the output cap.
    pub fn check_output(&self, call: &'static str, size: usize) -> Result<(), PluginError> {
        if size <= self.limits.output_bytes {
            return Ok(());
        }
        self.count(false);
        Err(PluginError::OutputTooLarge {
            plugin: self.name.clone(),
            call,
            size_mib: size as f64 / f64::from(1 << 20),
            limit_mib: (self.limits.output_bytes >> 20) as u64,
        })
    }

    fn trap(
        &self,
        call: &'static str,
        err: &wasmtime::Error,
        memory_refused: bool,
        panic: Option<String>,
    ) -> PluginError {
        let plugin = self.name.clone();
        let limits = self.limits;
        if memory_refused {
            return PluginError::MemoryLimit {
                plugin,
                call,
                limit_mib: (limits.memory_bytes >> 20) as u64,
            };
        }
        if matches!(
            err.downcast_ref::<wasmtime::Trap>(),
            Some(wasmtime::Trap::Interrupt)
        ) {
            return PluginError::Timeout {
                plugin,
                call,
                limit_ms: limits.deadline.as_millis() as u64,
            };
        }
        if let (Some(wasmtime::Trap::OutOfFuel), Some(limit)) =
            (err.downcast_ref::<wasmtime::Trap>(), limits.fuel)
        {
            return PluginError::FuelExhausted {
                plugin,
                call,
                limit,
            };
        }
        PluginError::Trap {
            plugin,
            call,
            message: match panic {
                Some(message) => format!("panicked: {message}"),
                None => first_line(err),
            },
        }
    }
}

/// Instantiation, whatever the contract version.
pub trait Instantiate {
    /// The bindings an instance is called through.
    type Bindings;
    /// A fresh instance in `store`.
    fn instantiate(&self, store: &mut Store<SandboxState>) -> wasmtime::Result<Self::Bindings>;
}

/// wasmtime's errors carry a wasm backtrace over many lines; a trap's own
/// description, or else the first line of the root cause, is what a person
/// needs.
pub fn first_line(err: &wasmtime::Error) -> String {
    if let Some(trap) = err.downcast_ref::<wasmtime::Trap>() {
        return trap.to_string();
    }
    let text = err.root_cause().to_string();
    text.lines().next().unwrap_or_default().trim().to_string()
}

/// Implements [`Instantiate`] for a bindings' `…Pre` type.
#[macro_export]
#[doc(hidden)]
macro_rules! instantiate_via {
    ($pre:ty => $bindings:ty) => {
        impl $crate::plugin::runner::Instantiate for $pre {
            type Bindings = $bindings;
            fn instantiate(
                &self,
                store: &mut wasmtime::Store<$crate::plugin::sandbox::SandboxState>,
            ) -> wasmtime::Result<Self::Bindings> {
                <$pre>::instantiate(self, store)
            }
        }
    };
}
