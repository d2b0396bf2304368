//! Whether a live schedule should poll now: one of its pipeline's
//! providers has a match in play, or kicking off within the lead time,
//! among the fixtures already loaded. And how fast it may poll: never
//! faster than the slowest of its providers refreshes (`[live]` in the
//! plugin's manifest).

use std::time::Duration;

use time::OffsetDateTime;
use time::macros::format_description;

use crate::config::LoadedConfig;
use crate::db::row::int;
use crate::db::{DbError, Exec, Value};
use crate::plugin::PluginRegistry;

/// The id spaces (`provider` column) of the pipeline's streams and
/// fallbacks, from the plugins published now.
pub fn id_spaces(config: &LoadedConfig, registry: &PluginRegistry, pipeline: &str) -> Vec<String> {
    let mut spaces: Vec<String> = plugins_of(config, pipeline)
        .filter_map(|plugin| registry.get(plugin))
        .map(|plugin| plugin.manifest().provider.clone())
        .collect();
    spaces.sort();
    spaces.dedup();
    spaces
}

/// The cadence a live schedule asked for, raised to the slowest refresh
/// its providers declare.
pub fn cadence(
    config: &LoadedConfig,
    registry: &PluginRegistry,
    pipeline: &str,
    asked: Duration,
) -> Duration {
    plugins_of(config, pipeline)
        .filter_map(|plugin| registry.get(plugin))
        .filter_map(|plugin| plugin.manifest().live)
        .map(|live| Duration::from_secs(live.refresh_secs))
        .fold(asked, Duration::max)
}

fn plugins_of<'a>(config: &'a LoadedConfig, pipeline: &str) -> impl Iterator<Item = &'a str> {
    config
        .config
        .pipelines
        .get(pipeline)
        .into_iter()
        .flat_map(|p| p.streams.iter())
        .flat_map(|s| std::iter::once(s).chain(&s.fallback))
        .filter_map(|s| config.config.providers.get(&s.provider))
        .map(|p| p.plugin.as_str())
}

/// Whether any of `spaces` has a match in play (live or at half-time), or
/// scheduled to kick off between now and `lead` from now.
pub async fn any_in_play(
    db: &mut impl Exec,
    spaces: &[String],
    now: OffsetDateTime,
    lead: Duration,
) -> Result<bool, DbError> {
    if spaces.is_empty() {
        return Ok(false);
    }
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let stamp = |at: OffsetDateTime| at.format(&format).unwrap_or_default();
    let until = now
        .checked_add(time::Duration::try_from(lead).unwrap_or(time::Duration::ZERO))
        .unwrap_or(now);
    let marks = vec!["?"; spaces.len()].join(", ");
    let mut args: Vec<Value> = spaces.iter().map(|s| s.as_str().into()).collect();
    args.push(stamp(now).into());
    args.push(stamp(until).into());
    let rows = db
        .fetch(
            &format!(
                "SELECT count(*) FROM events WHERE provider IN ({marks}) AND \
                 (status IN ('live', 'halftime') OR (status = 'scheduled' AND kickoff >= ? AND kickoff <= ?))"
            ),
            args,
        )
        .await
        .map_err(DbError::query("looking for matches in play"))?;
    Ok(rows
        .first()
        .map(|r| int(r, 0, "matches in play"))
        .transpose()?
        .unwrap_or(0)
        > 0)
}
