//! Quarantine replay: the archived responses of unresolved quarantined items
//! through the current plugins, loaded again as one `replay` run; what now
//! loads leaves quarantine. Shared by `sluice quarantine replay` and the
//! dashboard's replay button.

use super::{RunError, RunReport, Stores, replay};
use crate::config::LoadedConfig;
use crate::plugin::PluginEngine;
use crate::state::{ReplaySelection, RunId};

/// What a quarantine replay did, and what it left.
#[derive(Debug)]
pub struct QuarantineReplay {
    /// The replay run.
    pub report: RunReport,
    /// Unresolved items still in quarantine (of the run replayed, or of all).
    pub left: usize,
}

/// Replays the unresolved quarantined items of run `run` (of every run when
/// `None`) and counts what is still in quarantine afterwards.
pub async fn replay_quarantine(
    config: &LoadedConfig,
    engine: &PluginEngine,
    stores: &Stores,
    run: Option<RunId>,
) -> Result<QuarantineReplay, RunError> {
    let report = replay(config, engine, stores, &ReplaySelection::Quarantined(run)).await?;
    let left = stores.state.quarantined(run, false).await?.len();
    Ok(QuarantineReplay { report, left })
}

/// Replays the response quarantined item `item` came from (its other items
/// with it) and counts what of that item's run is still in quarantine.
pub async fn replay_quarantined_item(
    config: &LoadedConfig,
    engine: &PluginEngine,
    stores: &Stores,
    item: i64,
    item_run: RunId,
) -> Result<QuarantineReplay, RunError> {
    let report = replay(
        config,
        engine,
        stores,
        &ReplaySelection::QuarantinedItem(item),
    )
    .await?;
    let left = stores.state.quarantined(Some(item_run), false).await?.len();
    Ok(QuarantineReplay { report, left })
}
