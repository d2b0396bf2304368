//! Bindings of `sluice:plugin@0.5.0`, which added typed tables and the
//! transformer world, and per-user aggregates and the scorer world. Its
//! canonical types are 0.3.0's unchanged, so its bindings reuse them: a
//! 0.4.0 batch is already a 0.5.0 batch.

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/since_v0.5.0",
    with: { "sluice:plugin/types": crate::plugin::bindings::since_v0_3_0::wit },
});

pub use super::since_v0_3_0::wit;

/// Bindings of the `transformer` world: a typed table in, rows and rejects
/// out.
pub mod transformer {
    wasmtime::component::bindgen!({
        world: "transformer",
        path: "../wit/since_v0.5.0",
        with: { "sluice:plugin/types": crate::plugin::bindings::since_v0_3_0::wit },
        additional_derives: [PartialEq],
    });

    pub use self::sluice::plugin::{rows, tables};
}

/// Bindings of the `scorer` world: a population of per-user aggregates in,
/// per-user scores out.
pub mod scorer {
    wasmtime::component::bindgen!({
        world: "scorer",
        path: "../wit/since_v0.5.0",
        with: { "sluice:plugin/types": crate::plugin::bindings::since_v0_3_0::wit },
    });

    pub use self::sluice::plugin::scoring;
}
