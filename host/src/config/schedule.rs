//! When `sluice serve` runs a pipeline: every fixed interval, or on a cron
//! expression in a time zone.

use serde::Deserialize;
use std::str::FromStr;
use std::time::Duration;

use super::HumanDuration;

/// A pipeline's `schedule`: `"5m"`, `{ every = "30s" }`,
/// `{ cron = "0 */5 * * * *", timezone = "Europe/London" }` or
/// `{ live = "30s", lead = "15m" }`.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Every `every` while one of the pipeline's providers has a match in
    /// play or kicking off within `lead` (from the fixtures loaded);
    /// otherwise no run. Never faster than the providers refresh.
    Live {
        /// The cadence asked for.
        every: Duration,
        /// How long before a kick-off polling starts.
        lead: Duration,
    },
    /// A run every this long, counted from the end of the previous tick.
    Every(Duration),
    /// A run at each time the expression matches, in its time zone.
    Cron {
        /// The parsed expression (seconds first: `sec min hour dom month dow`).
        expression: Box<cron::Schedule>,
        /// As written, for messages.
        text: String,
        /// The zone the expression is read in (UTC when absent).
        timezone: chrono_tz::Tz,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    Short(HumanDuration),
    Table(Table),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    every: Option<HumanDuration>,
    cron: Option<String>,
    timezone: Option<String>,
    live: Option<HumanDuration>,
    lead: Option<HumanDuration>,
}

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let written = Written::deserialize(de).map_err(|_| {
            D::Error::custom(
                "expected a duration (\"5m\"), { every = \"30s\" } or { cron = \"0 */5 * * * *\", timezone = \"Europe/London\" }",
            )
        })?;
        let table = match written {
            Written::Short(every) => return Schedule::every(every.0).map_err(D::Error::custom),
            Written::Table(table) => table,
        };
        if let Some(live) = table.live {
            if table.every.is_some() || table.cron.is_some() || table.timezone.is_some() {
                return Err(D::Error::custom(
                    "a live schedule has `live` and `lead` only",
                ));
            }
            if live.0.is_zero() {
                return Err(D::Error::custom("`live` must be longer than 0s"));
            }
            return Ok(Schedule::Live {
                every: live.0,
                lead: table.lead.map_or(DEFAULT_LEAD, |l| l.0),
            });
        }
        if table.lead.is_some() {
            return Err(D::Error::custom("`lead` goes with `live`"));
        }
        match (table.every, table.cron) {
            (Some(every), None) => {
                if table.timezone.is_some() {
                    return Err(D::Error::custom(
                        "`timezone` goes with `cron`, not with `every`",
                    ));
                }
                Schedule::every(every.0).map_err(D::Error::custom)
            }
            (None, Some(text)) => {
                Schedule::cron(&text, table.timezone.as_deref()).map_err(D::Error::custom)
            }
            _ => Err(D::Error::custom(
                "a schedule has exactly one of `every` and `cron`",
            )),
        }
    }
}

/// How long before a kick-off a live schedule starts polling when its
/// `lead` is not given.
pub const DEFAULT_LEAD: Duration = Duration::from_secs(15 * 60);

impl Schedule {
    fn every(every: Duration) -> Result<Schedule, String> {
        if every.is_zero() {
            return Err("`every` must be longer than 0s".to_string());
        }
        Ok(Schedule::Every(every))
    }

    /// Parses a cron expression (6 or 7 fields, seconds first) in `timezone`.
    pub fn cron(text: &str, timezone: Option<&str>) -> Result<Schedule, String> {
        let expression = cron::Schedule::from_str(text).map_err(|e| {
            format!(
                "`{text}` is not a cron expression ({e}); write 6 fields, seconds first: \"0 */5 * * * *\" is every 5 minutes"
            )
        })?;
        let timezone = match timezone {
            None => chrono_tz::UTC,
            Some(name) => name.parse::<chrono_tz::Tz>().map_err(|_| {
                format!("`{name}` is not a time zone; write an IANA name such as \"Europe/London\"")
            })?,
        };
        if expression.upcoming(timezone).next().is_none() {
            return Err(format!("`{text}` never matches a future time"));
        }
        Ok(Schedule::Cron {
            expression: Box::new(expression),
            text: text.to_string(),
            timezone,
        })
    }

    /// The first time after `after` a run is due, as a unix time in
    /// milliseconds; `None` when the expression has no later time.
    pub fn next_after_ms(&self, after_ms: i64) -> Option<i64> {
        match self {
            Schedule::Every(every) | Schedule::Live { every, .. } => {
                Some(after_ms.saturating_add(i64::try_from(every.as_millis()).ok()?))
            }
            Schedule::Cron {
                expression,
                timezone,
                ..
            } => {
                let after =
                    chrono::DateTime::from_timestamp_millis(after_ms)?.with_timezone(timezone);
                expression
                    .after(&after)
                    .next()
                    .map(|at| at.timestamp_millis())
            }
        }
    }

    /// How the schedule reads in messages (`every 30s`, `cron 0 */5 * * * * Europe/London`).
    pub fn describe(&self) -> String {
        match self {
            Schedule::Every(every) => format!("every {}", humantime::format_duration(*every)),
            Schedule::Live { every, lead } => format!(
                "live every {} (from {} before kick-off)",
                humantime::format_duration(*every),
                humantime::format_duration(*lead)
            ),
            Schedule::Cron { text, timezone, .. } => format!("cron {text} {timezone}"),
        }
    }
}
