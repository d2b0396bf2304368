//! The component's face: the bindings of the `enricher` world and the export
//! of [`crate::enrich`].
//!
//! The crate generates its own bindings rather than using
//! `sluice-plugin-sdk`: the SDK's are of the `normalizer` world, and linking
//! their custom section into this component would merge the two worlds.

// The export glue wit-bindgen generates (the canonical ABI entry points) is
// unsafe by nature; it is the only unsafe code in the crate.
#![allow(unsafe_code)]

/// The generated bindings.
pub mod wit {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        world: "enricher",
        path: "../../wit/since_v0.3.0",
        additional_derives: [PartialEq],
    });
}

// A native cdylib cannot carry the WIT export names, so the glue exists in
// the component only; native tests call `crate::enrich` directly.
#[cfg(target_arch = "wasm32")]
mod entry {
    use super::wit;
    use wit::exports::sluice::plugin::enrich::Guest;
    use wit::sluice::plugin::types::{Params, PluginError, Record};

    /// The exported enricher. It works on any stream and has no params; it
    /// never fails.
    struct OddsMaths;

    impl Guest for OddsMaths {
        fn enrich(
            _stream: String,
            _params: Params,
            records: Vec<Record>,
        ) -> Result<Vec<Record>, PluginError> {
            Ok(crate::enrich(records))
        }
    }

    wit::export!(OddsMaths with_types_in wit);
}
