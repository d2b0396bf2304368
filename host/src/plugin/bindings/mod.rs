//! Host bindings of the `sluice:plugin` contract, one module per version
//! the host accepts (`since_vX_Y_Z`, binding `wit/since_vX.Y.Z/`).
//!
//! Each version's module takes in the batch of the version before it, so a
//! batch of any version reaches the newest's types one version at a time;
//! `to_model` turns the newest's into the host's model, and `to_contract`
//! the model back into the newest's for enrichers. Adding a version is one
//! WIT folder, one module here and one line in the list below.

#![allow(missing_docs)]

mod bound;
mod size;
pub mod to_contract;
mod to_model;
mod upgrade;

use bound::{Answer, bound_normalizer};
use upgrade::upgrades_from;

use crate::model::{HttpResponse, PlannedRequest};
use crate::plugin::runner::Runner;
use crate::plugin::sandbox::SandboxState;

pub use bound::{Binder, BoundNormalizer};
pub use newest::{scorer, transformer, wit};
// 0.5.0 changed neither world: enrichers and validators are bound (and
// built by the SDK) in 0.4.0.
pub use since_v0_4_0::{enricher, validator};
pub use size::{approximate_size, records_size};
pub use to_model::{batch, describe, records};

/// Declares the contract versions the host binds, oldest first, each with
/// the module of its bindings; the last is the newest. From this one list
/// come the modules, [`ACCEPTED_WIT_VERSIONS`], [`NEWEST_WIT_VERSION`] and
/// `newest`, and [`binder`].
macro_rules! contract_versions {
    ($($version:literal => $module:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Versions of the `sluice:plugin` package this host runs
        /// normalizers for, oldest first.
        pub const ACCEPTED_WIT_VERSIONS: &[&str] = &[$($version),+];

        /// How to bind a component built for contract `version`, or none
        /// when this host does not accept `version`.
        pub fn binder(version: &str) -> Option<Binder> {
            match version {
                $($version => Some(|pre| {
                    Ok(Box::new($module::NormalizerPre::new(pre)?) as Box<dyn BoundNormalizer>)
                }),)+
                _ => None,
            }
        }

        $(bound_normalizer!($version, $module);)+

        contract_versions!(@newest $($version => $module),+);
    };
    (@newest $version:literal => $module:ident) => {
        /// The newest contract version: the one the SDK builds transformers
        /// and scorers for, and whose records convert into the host's
        /// model.
        pub const NEWEST_WIT_VERSION: &str = $version;

        /// The bindings of the newest version, which the rest of the host
        /// speaks.
        pub use $module as newest;
    };
    (@newest $version:literal => $module:ident, $($rest:tt)+) => {
        contract_versions!(@newest $($rest)+);
    };
}

contract_versions! {
    "0.1.0" => since_v0_1_0,
    "0.2.0" => since_v0_2_0,
    "0.3.0" => since_v0_3_0,
    "0.4.0" => since_v0_4_0,
    "0.5.0" => since_v0_5_0,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The package version a WIT folder declares (`package
    /// sluice:plugin@X.Y.Z;`).
    fn package_version(folder: &Path) -> String {
        let files = std::fs::read_dir(folder).expect("a WIT folder");
        let declared: Vec<String> = files
            .map(|f| std::fs::read_to_string(f.expect("a WIT file").path()).expect("WIT text"))
            .flat_map(|text| {
                text.lines()
                    .filter_map(|l| l.trim().strip_prefix("package sluice:plugin@"))
                    .map(|v| v.trim_end_matches(';').to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(declared.len(), 1, "{}: {declared:?}", folder.display());
        declared[0].clone()
    }

    #[test]
    fn every_wit_folder_is_accepted_and_the_sdk_builds_for_the_newest() {
        let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
        let mut folders: Vec<(Vec<u32>, String)> = std::fs::read_dir(&wit)
            .expect("the wit folder")
            .map(|entry| entry.expect("an entry").path())
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?;
                let version = name.strip_prefix("since_v")?.to_string();
                assert_eq!(
                    package_version(&path),
                    version,
                    "{} declares another package version than its name",
                    path.display()
                );
                let numbers = version.split('.').map(|n| n.parse().expect("a number"));
                Some((numbers.collect(), version))
            })
            .collect();
        folders.sort();
        let versions: Vec<&str> = folders.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(versions, ACCEPTED_WIT_VERSIONS);
        assert_eq!(ACCEPTED_WIT_VERSIONS.last(), Some(&NEWEST_WIT_VERSION));
        assert!(ACCEPTED_WIT_VERSIONS.contains(&sluice_plugin_sdk::WIT_VERSION));
        assert_eq!(sluice_plugin_sdk::ROWS_WIT_VERSION, NEWEST_WIT_VERSION);
    }
}
