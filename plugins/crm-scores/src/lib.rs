//! The default CRM scoring formulas as a scorer plugin (world `scorer`,
//! contract 0.5.0): the same scores `sluice crm features` computes when no
//! scorer is configured, so a formula can be changed by replacing this
//! plugin rather than the host.

pub mod formulas;
mod quantile;

use sluice_plugin_sdk::score::{Params, PluginError, Population, Score, UserScores};

/// The scorer.
pub struct CrmScores;

impl Score for CrmScores {
    fn score(params: Params, population: Population) -> Result<Vec<UserScores>, PluginError> {
        if let Some((key, _)) = params.first() {
            return Err(PluginError::InvalidParams(format!(
                "crm-scores takes no parameters, got `{key}`"
            )));
        }
        let stats = formulas::Population::of(&population.users);
        Ok(population
            .users
            .iter()
            .map(|u| formulas::score(u, &stats))
            .collect())
    }
}

// Exported from the component only: native builds (the tests) link without it.
#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_scorer!(CrmScores);
