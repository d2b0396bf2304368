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
        .filter_map(|plugin| {
            plugin
                .manifest()
                .live
                .as_ref()
                .map(|live| live.refresh_secs)
        })
        .map(Duration::from_secs)
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

/// A live schedule's loop, apart from what it asks and what it starts:
/// every `cadence`, `poll()` when `in_play()` says a match is in play or
/// about to start; until `stopping` is raised.
pub async fn gate<F, Fut>(
    cadence: Duration,
    mut in_play: F,
    mut poll: impl FnMut(),
    mut stopping: tokio::sync::watch::Receiver<bool>,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    loop {
        if in_play().await {
            poll();
        }
        tokio::select! {
            _ = tokio::time::sleep(cadence) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use crate::live::budget::{MATCH_SPAN_SECS, polling_windows, polls};

    /// Two hours of a live schedule on paused time: one match kicking off
    /// 30 minutes in, polled every 15 s from 15 minutes before, for as long
    /// as it is in play (1 h 50 min with the break). What it polls stays
    /// within what the start-up check counted, so a plan the check let
    /// through (7,500 a day) is never overspent, and a plan it refuses
    /// (100 a day) would have been.
    #[tokio::test(start_paused = true)]
    async fn two_hours_of_live_polling_stay_within_the_budget_counted_at_start() {
        let cadence = Duration::from_secs(15);
        let lead: i64 = 15 * 60;
        let kickoff: i64 = 30 * 60;
        let in_play_for: i64 = 110 * 60;
        let started = tokio::time::Instant::now();
        let now = move || i64::try_from(started.elapsed().as_secs()).unwrap_or(i64::MAX);
        let polled = Arc::new(AtomicU64::new(0));
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let gate = {
            let polled = polled.clone();
            super::gate(
                cadence,
                move || async move {
                    let t = now();
                    (kickoff - lead..kickoff + in_play_for).contains(&t)
                },
                move || {
                    polled.fetch_add(1, Ordering::Relaxed);
                },
                stopping,
            )
        };
        let run = tokio::spawn(gate);
        // Stopped between two ticks, so that which comes first is not a
        // question.
        let two_hours: i64 = 2 * 3_600 + 7;
        tokio::time::sleep(Duration::from_secs(two_hours.unsigned_abs())).await;
        let _ = stop.send(true);
        let _ = run.await;
        let polled = polled.load(Ordering::Relaxed);
        // 15 minutes before kick-off to the end of the two hours: 105
        // minutes every 15 s, both ends included.
        assert_eq!(polled, 105 * 4 + 1);
        // What the start-up check counts for the same fixture, over the
        // same two hours, is at least what was polled.
        let windows = polling_windows(&[kickoff], lead, 0, two_hours);
        let counted = polls(&windows, cadence.as_secs());
        assert!(polled <= counted, "polled {polled}, counted {counted}");
        assert!(
            counted <= polled + 1,
            "counted {counted} for {polled} polls"
        );
        let paid: crate::config::CreditBudget = "7500/day".parse().expect("budget");
        let free: crate::config::CreditBudget = "100/day".parse().expect("budget");
        assert!(counted <= paid.daily() && polled <= paid.daily());
        assert!(counted > free.daily() && polled > free.daily());
        // Over the whole match the count is the window's: lead + 2 h.
        let whole = polls(&polling_windows(&[kickoff], lead, 0, 86_400), 15);
        assert_eq!(
            whole,
            u64::try_from((lead + MATCH_SPAN_SECS) / 15 + 1).unwrap_or(0)
        );
    }
}
