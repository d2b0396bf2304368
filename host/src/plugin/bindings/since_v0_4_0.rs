//! Bindings of `sluice:plugin@0.4.0`, which added rows of any table and the
//! validator world. Its canonical types are 0.3.0's unchanged, so its
//! bindings reuse 0.3.0's types: a 0.3.0 batch is already a 0.4.0 batch.

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/since_v0.4.0",
    with: { "sluice:plugin/types": crate::plugin::bindings::since_v0_3_0::wit },
});

pub use super::since_v0_3_0::wit;

/// Bindings of the `enricher` world, sharing the record types above.
pub mod enricher {
    wasmtime::component::bindgen!({
        world: "enricher",
        path: "../wit/since_v0.4.0",
        with: { "sluice:plugin/types": crate::plugin::bindings::since_v0_3_0::wit },
    });
}

/// Bindings of the `validator` world: rows of a table in, verdicts out.
pub mod validator {
    wasmtime::component::bindgen!({
        world: "validator",
        path: "../wit/since_v0.4.0",
        with: { "sluice:plugin/types": crate::plugin::bindings::since_v0_3_0::wit },
    });

    pub use self::sluice::plugin::rows;
}
