//! Bindings of `sluice:plugin@0.1.0`, the first contract: competitions,
//! teams and events. Its batches reach the newest contract through the
//! modules of the versions after it.

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/since_v0.1.0",
});

pub use self::sluice::plugin::types as wit;
