//! Checked when `sluice serve` starts: the live pipelines' polling of the
//! day's matches (from the fixtures loaded), by each provider's credit
//! model, must fit the plan's credits the provider's config declares
//! (`credits = "100/day"`). A config that would spend more is refused with
//! the numbers, before a credit is spent.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::{LoadedConfig, Schedule};
use crate::db::row::text;
use crate::db::{DbError, Exec, Value};
use crate::live::budget::{polling_windows, polls};
use crate::plugin::PluginRegistry;

/// What a day of live polling costs one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySpend {
    /// The provider, as the config names it.
    pub provider: String,
    /// Credits the day's polling costs.
    pub credits: u64,
    /// Credits the plan allows a day, less the provider's `quota_reserve`;
    /// `None` when the config declares no `credits`.
    pub allowed: Option<u64>,
    /// How the cost adds up, one line per live stream.
    pub breakdown: Vec<String>,
}

impl DaySpend {
    /// Whether the day's polling costs more than the plan allows.
    pub fn over(&self) -> bool {
        self.allowed.is_some_and(|allowed| self.credits > allowed)
    }
}

/// Why `sluice serve` does not start.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// Live polling would spend more than a provider's plan allows.
    #[error("live polling would spend more than the plan allows:\n{0}")]
    Over(String),
    /// The fixtures could not be read.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What the live pipelines' polling costs each provider on the UTC day of
/// `now`; refuses when a provider's cost is over what its plan allows.
pub async fn check(
    config: &LoadedConfig,
    registry: &PluginRegistry,
    db: &mut impl Exec,
    now: OffsetDateTime,
) -> Result<Vec<DaySpend>, BudgetError> {
    let spends = day_spend(config, registry, db, now).await?;
    let over: Vec<&DaySpend> = spends.iter().filter(|s| s.over()).collect();
    if over.is_empty() {
        return Ok(spends);
    }
    let mut message = String::new();
    for spend in over {
        let _ = writeln!(
            message,
            "  provider `{}`: {} credits today, the plan allows {} (its `credits`, less `quota_reserve`)",
            spend.provider,
            spend.credits,
            spend.allowed.unwrap_or(0)
        );
        for line in &spend.breakdown {
            let _ = writeln!(message, "    {line}");
        }
    }
    message.push_str(
        "  poll less often (the live schedule's cadence), narrow the streams, or raise `credits` to the plan's",
    );
    Err(BudgetError::Over(message))
}

/// The day's cost per provider of every live pipeline's own streams
/// (fallbacks poll only while a stream's provider is stale, and are not
/// counted).
pub async fn day_spend(
    config: &LoadedConfig,
    registry: &PluginRegistry,
    db: &mut impl Exec,
    now: OffsetDateTime,
) -> Result<Vec<DaySpend>, DbError> {
    let day_start = now.replace_time(time::Time::MIDNIGHT);
    let (from, until) = (
        day_start.unix_timestamp(),
        day_start.unix_timestamp() + 86_400,
    );
    let mut by_provider: BTreeMap<String, DaySpend> = BTreeMap::new();
    for (name, pipeline) in &config.config.pipelines {
        let Some(Schedule::Live { every, lead }) = &pipeline.schedule else {
            continue;
        };
        let cadence = super::in_play::cadence(config, registry, name, *every);
        let spaces = super::in_play::id_spaces(config, registry, name);
        let kickoffs = kickoffs(db, &spaces, from, until).await?;
        let lead = i64::try_from(lead.as_secs()).unwrap_or(i64::MAX);
        let windows = polling_windows(&kickoffs, lead, from, until);
        let day_polls = polls(&windows, cadence.as_secs());
        for stream in &pipeline.streams {
            let Some(provider) = config.config.providers.get(&stream.provider) else {
                continue;
            };
            let cost = registry
                .get(&provider.plugin)
                .and_then(|plugin| plugin.manifest().live.clone())
                .map_or(1, |live| {
                    live.credits.cost(&stream.stream, &stream.param_pairs())
                });
            let credits = day_polls.saturating_mul(cost);
            let spend = by_provider
                .entry(stream.provider.clone())
                .or_insert_with(|| DaySpend {
                    provider: stream.provider.clone(),
                    credits: 0,
                    allowed: provider
                        .credits
                        .map(|c| c.daily().saturating_sub(provider.quota_reserve)),
                    breakdown: Vec::new(),
                });
            spend.credits = spend.credits.saturating_add(credits);
            let minutes: i64 = windows.iter().map(|(s, e)| (e - s) / 60).sum();
            spend.breakdown.push(format!(
                "pipeline `{name}` stream `{}`: {} matches today, {} h {:02} min polled \
                 (from {} min before kick-off), every {} s = {day_polls} polls x {cost} credits = {credits}",
                stream.stream,
                kickoffs.len(),
                minutes / 60,
                minutes % 60,
                lead / 60,
                cadence.as_secs(),
            ));
        }
    }
    Ok(by_provider.into_values().collect())
}

/// Kick-offs (unix seconds) of the matches of `spaces` on the day
/// `[from, until)`, and of those in play now whenever they kicked off.
async fn kickoffs(
    db: &mut impl Exec,
    spaces: &[String],
    from: i64,
    until: i64,
) -> Result<Vec<i64>, DbError> {
    if spaces.is_empty() {
        return Ok(Vec::new());
    }
    let stamp = |secs: i64| {
        OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(|at| at.format(&Rfc3339).ok())
            .unwrap_or_default()
    };
    let marks = vec!["?"; spaces.len()].join(", ");
    let mut args: Vec<Value> = spaces.iter().map(|s| s.as_str().into()).collect();
    args.push(stamp(from).into());
    args.push(stamp(until).into());
    let rows = db
        .fetch(
            &format!(
                "SELECT kickoff FROM events WHERE provider IN ({marks}) AND kickoff IS NOT NULL AND \
                 status NOT IN ('postponed', 'cancelled', 'abandoned') AND \
                 ((kickoff >= ? AND kickoff < ?) OR status IN ('live', 'halftime'))"
            ),
            args,
        )
        .await
        .map_err(DbError::query("reading the day's kick-offs"))?;
    let mut kickoffs = Vec::with_capacity(rows.len());
    for row in &rows {
        let kickoff = text(row, 0, "kick-off")?;
        if let Ok(at) = OffsetDateTime::parse(&kickoff, &Rfc3339) {
            kickoffs.push(at.unix_timestamp());
        }
    }
    Ok(kickoffs)
}
