//! A validator: each match kicks off within the season its label names.
//! See the README for the windows.

mod window;

use sluice_plugin_sdk::params;
use sluice_plugin_sdk::{Params, PluginError, RowBatch, Validate, Verdict};

pub use window::{SeasonWindow, kickoff_date};

/// The validator.
pub struct KickoffInSeason;

impl Validate for KickoffInSeason {
    fn validate(
        table: String,
        params: Params,
        batch: RowBatch,
    ) -> Result<Vec<Verdict>, PluginError> {
        let season_column = params::get(&params, "season_column").unwrap_or("season");
        let kickoff_column = params::get(&params, "kickoff_column").unwrap_or("kickoff");
        let grace_days: i64 = params::get(&params, "grace_days")
            .unwrap_or("31")
            .parse()
            .map_err(|_| {
                PluginError::InvalidParams("grace_days: expected a whole number of days".into())
            })?;
        let column = |name: &str| {
            batch.column(name).ok_or_else(|| {
                PluginError::InvalidParams(format!("table `{table}` has no column `{name}`"))
            })
        };
        let (season_at, kickoff_at) = (column(season_column)?, column(kickoff_column)?);
        let mut verdicts = Vec::new();
        for (i, row) in batch.rows.iter().enumerate() {
            let (Some(season), Some(kickoff)) = (
                row.get(season_at).and_then(|v| v.as_text()),
                row.get(kickoff_at).and_then(|v| v.as_text()),
            ) else {
                continue;
            };
            if let Err(reason) = judge(season, kickoff, grace_days) {
                verdicts.push(Verdict::fails(i, reason));
            }
        }
        Ok(verdicts)
    }
}

/// Whether a match of `season` kicking off at `kickoff` lies within the
/// season's window widened by `grace_days`; why not when it does not.
pub fn judge(season: &str, kickoff: &str, grace_days: i64) -> Result<(), String> {
    let window = SeasonWindow::of(season, grace_days)?;
    let date = kickoff_date(kickoff)?;
    if window.contains(date) {
        Ok(())
    } else {
        Err(format!(
            "kickoff {date} is outside season {season} ({} .. {})",
            window.first, window.last
        ))
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_validator!(KickoffInSeason);
