//! The component's face: the bindings of the `enricher` world and the export
//! of [`crate::canonicalize`] over the host's `team-aliases` table.
//!
//! The crate generates its own bindings rather than using
//! `sluice-plugin-sdk`: the SDK's are of the `normalizer` world, and linking
//! their custom section into this component would merge the two worlds.

// The export glue wit-bindgen generates (the canonical ABI entry points) and
// the import of `lookup` are unsafe by nature; they are the only unsafe code
// in the crate.
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

// A native cdylib cannot carry the WIT export names, and the `lookup`
// import exists only in a component, so the glue is built for wasm only;
// native tests call `crate::canonicalize` with a closure.
#[cfg(target_arch = "wasm32")]
mod entry {
    use super::wit;
    use wit::exports::sluice::plugin::enrich::Guest;
    use wit::sluice::plugin::lookup;
    use wit::sluice::plugin::types::{Params, PluginError, Record};

    /// The exported enricher. It works on any stream and has no params; it
    /// never fails.
    struct TeamAliases;

    impl Guest for TeamAliases {
        fn enrich(
            _stream: String,
            _params: Params,
            records: Vec<Record>,
        ) -> Result<Vec<Record>, PluginError> {
            Ok(crate::canonicalize(records, |name| {
                lookup::get(crate::TABLE, name)
            }))
        }
    }

    wit::export!(TeamAliases with_types_in wit);
}
