//! Which conditions of a rule are true now: read from the runs, streams,
//! quotas and breakers in the database, and from the plugin reports of
//! `sluice serve`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::plugins::{PluginReports, Refusal};
use super::rules::{Condition, Rule, in_scope};
use super::store::StoredAlert;
use crate::config::Config;
use crate::db::row::{int, opt_text, text};
use crate::db::{DbError, Exec, Value};
use crate::state::{providers, stream_runs};

/// Longest message kept from a run's or a provider's error.
const MAX_ERROR_CHARS: usize = 300;

/// One condition of a rule that is true now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Firing {
    /// What it is about (a pipeline, `pipeline/stream`, a provider…).
    pub subject: String,
    /// What is wrong, for the message.
    pub message: String,
}

/// What the evaluation reads besides the database.
pub(crate) struct Context<'a> {
    /// The config (pipelines' freshness).
    pub config: &'a Config,
    /// The plugins' health as the server reported it.
    pub plugins: &'a PluginReports,
    /// The rule's stored conditions (a plugin refused before a restart
    /// stays refused until the server says it loaded).
    pub stored: &'a [StoredAlert],
    /// Now, for data age.
    pub now: OffsetDateTime,
    /// Now, for trap windows.
    pub instant: Instant,
}

/// The conditions of `rule` that are true now.
pub(crate) async fn conditions(
    db: &mut impl Exec,
    rule: &Rule,
    cx: &Context<'_>,
) -> Result<Vec<Firing>, DbError> {
    match &rule.condition {
        Condition::RunFailed { pipeline } => Ok(latest_runs(db)
            .await?
            .into_iter()
            .filter(|run| in_scope(pipeline, &run.pipeline) && run.failed())
            .map(|run| Firing {
                message: format!(
                    "run {} of pipeline {} {}{}",
                    run.id,
                    run.pipeline,
                    run.status,
                    run.error
                        .as_deref()
                        .map(|e| format!(": {}", shorten(e)))
                        .unwrap_or_default()
                ),
                subject: run.pipeline,
            })
            .collect()),
        Condition::FailedRunsInARow { pipeline, count } => {
            let mut firing = Vec::new();
            for run in latest_runs(db).await? {
                if !in_scope(pipeline, &run.pipeline) || !run.failed() {
                    continue;
                }
                let statuses = latest_statuses(db, &run.pipeline, *count).await?;
                let all_failed = statuses.len() == *count as usize
                    && statuses.iter().all(|s| s == "failed" || s == "abandoned");
                if all_failed {
                    firing.push(Firing {
                        message: format!(
                            "the last {count} runs of pipeline {} failed (latest: run {}{})",
                            run.pipeline,
                            run.id,
                            run.error
                                .as_deref()
                                .map(|e| format!(": {}", shorten(e)))
                                .unwrap_or_default()
                        ),
                        subject: run.pipeline,
                    });
                }
            }
            Ok(firing)
        }
        Condition::QuarantineRate {
            pipeline,
            above_percent,
        } => Ok(latest_runs(db)
            .await?
            .into_iter()
            .filter(|run| in_scope(pipeline, &run.pipeline) && run.records_in > 0)
            .filter_map(|run| {
                let rate = run.quarantined as f64 * 100.0 / run.records_in as f64;
                (rate > *above_percent).then(|| Firing {
                    message: format!(
                        "run {} of pipeline {} quarantined {} of {} records ({rate:.1}%, above {above_percent}%)",
                        run.id, run.pipeline, run.quarantined, run.records_in
                    ),
                    subject: run.pipeline,
                })
            })
            .collect()),
        Condition::StaleData {
            pipeline,
            provider,
            older_than,
        } => {
            let mut firing = Vec::new();
            for stream in stream_runs::freshness(db).await? {
                if !in_scope(pipeline, &stream.pipeline) || !in_scope(provider, &stream.provider) {
                    continue;
                }
                let limit = older_than.or_else(|| {
                    cx.config
                        .pipelines
                        .get(&stream.pipeline)
                        .and_then(|p| p.freshness)
                        .map(|d| d.0)
                });
                let (Some(limit), Ok(last)) =
                    (limit, OffsetDateTime::parse(&stream.last_success, &Rfc3339))
                else {
                    continue;
                };
                let age = Duration::try_from(cx.now - last).unwrap_or_default();
                if age > limit {
                    firing.push(Firing {
                        subject: format!("{}/{}", stream.pipeline, stream.stream_key),
                        message: format!(
                            "stream {} of pipeline {} last succeeded at {} ({} ago, limit {})",
                            stream.stream_key,
                            stream.pipeline,
                            stream.last_success,
                            humantime::format_duration(Duration::from_secs(age.as_secs())),
                            humantime::format_duration(limit)
                        ),
                    });
                }
            }
            Ok(firing)
        }
        Condition::QuotaLow {
            provider,
            below_percent,
            below_remaining,
        } => Ok(quotas(db)
            .await?
            .into_iter()
            .filter(|q| in_scope(provider, &q.provider))
            .filter_map(|q| {
                let percent = q
                    .limit
                    .filter(|l| *l > 0)
                    .map(|l| q.remaining as f64 * 100.0 / l as f64);
                let low_percent = matches!((percent, below_percent), (Some(p), Some(b)) if p < *b);
                let low_count = below_remaining
                    .is_some_and(|b| q.remaining < i64::try_from(b).unwrap_or(i64::MAX));
                if !(low_percent || low_count) {
                    return None;
                }
                let mut subject = format!("{}/{}", q.provider, q.quota);
                if !q.scope.is_empty() {
                    subject = format!("{subject}/{}", q.scope);
                }
                let left = match (q.limit, percent) {
                    (Some(l), Some(p)) => format!("{} of {l} left ({p:.1}%)", q.remaining),
                    _ => format!("{} left", q.remaining),
                };
                let resets = q
                    .resets_at
                    .map(|r| format!(", resets at {r}"))
                    .unwrap_or_default();
                Some(Firing {
                    message: format!("quota {subject}: {left}{resets}"),
                    subject,
                })
            })
            .collect()),
        Condition::BreakerOpen { provider } => Ok(providers::all(db)
            .await?
            .into_iter()
            .filter(|p| in_scope(provider, &p.provider) && p.breaker_state == "open")
            .map(|p| Firing {
                message: format!(
                    "the circuit breaker of provider {} is open{}{}",
                    p.provider,
                    p.opened_at
                        .as_deref()
                        .map(|at| format!(" since {at}"))
                        .unwrap_or_default(),
                    p.last_error
                        .as_deref()
                        .map(|e| format!("; last error: {}", shorten(e)))
                        .unwrap_or_default()
                ),
                subject: p.provider,
            })
            .collect()),
        Condition::PluginRefused { plugin } => Ok(refused(plugin, cx)),
        Condition::PluginTraps {
            plugin,
            count,
            within,
        } => Ok(cx
            .plugins
            .traps_within(*within, cx.instant)
            .into_iter()
            .filter(|(name, n)| in_scope(plugin, name) && *n >= *count as usize)
            .map(|(name, n)| Firing {
                message: format!(
                    "plugin {name} trapped {n} times within {}",
                    humantime::format_duration(*within)
                ),
                subject: name,
            })
            .collect()),
    }
}

/// Refused plugins; one refused before a restart stays so until the
/// server reports it loaded.
fn refused(plugin: &Option<String>, cx: &Context<'_>) -> Vec<Firing> {
    let reports = cx.plugins.refusals();
    let mut firing: BTreeMap<String, String> = BTreeMap::new();
    for (name, refusal) in &reports {
        if let Refusal::Refused(error) = refusal
            && in_scope(plugin, name)
        {
            firing.insert(
                name.clone(),
                format!("plugin {name} was refused: {}", shorten(error)),
            );
        }
    }
    for stored in cx.stored.iter().filter(|s| s.firing) {
        if !reports.contains_key(&stored.subject) && in_scope(plugin, &stored.subject) {
            firing.insert(stored.subject.clone(), stored.message.clone());
        }
    }
    firing
        .into_iter()
        .map(|(subject, message)| Firing { subject, message })
        .collect()
}

/// The latest finished run of a pipeline.
struct LatestRun {
    pipeline: String,
    id: i64,
    status: String,
    error: Option<String>,
    records_in: i64,
    quarantined: i64,
}

impl LatestRun {
    fn failed(&self) -> bool {
        self.status == "failed" || self.status == "abandoned"
    }
}

/// Each pipeline's latest finished run (replays and dry runs left out).
async fn latest_runs(db: &mut impl Exec) -> Result<Vec<LatestRun>, DbError> {
    let rows = db
        .fetch(
            "SELECT pipeline, id, status, error, records_in, quarantined FROM sluice_runs \
             WHERE id IN (SELECT MAX(id) FROM sluice_runs WHERE mode = 'run' AND status <> 'running' \
             GROUP BY pipeline) ORDER BY pipeline",
            Vec::new(),
        )
        .await
        .map_err(DbError::query("reading each pipeline's latest run"))?;
    let what = "latest run";
    rows.iter()
        .map(|r| {
            Ok(LatestRun {
                pipeline: text(r, 0, what)?,
                id: int(r, 1, what)?,
                status: text(r, 2, what)?,
                error: opt_text(r, 3, what)?,
                records_in: int(r, 4, what)?,
                quarantined: int(r, 5, what)?,
            })
        })
        .collect()
}

/// The statuses of `pipeline`'s latest `n` finished runs, newest first.
async fn latest_statuses(
    db: &mut impl Exec,
    pipeline: &str,
    n: u32,
) -> Result<Vec<String>, DbError> {
    let rows = db
        .fetch(
            "SELECT status FROM sluice_runs WHERE pipeline = ? AND mode = 'run' \
             AND status <> 'running' ORDER BY id DESC LIMIT ?",
            vec![pipeline.into(), Value::Int(i64::from(n))],
        )
        .await
        .map_err(DbError::query("reading the pipeline's latest runs"))?;
    rows.iter().map(|r| text(r, 0, "run status")).collect()
}

/// A provider's quota window as last reported.
struct Quota {
    provider: String,
    quota: String,
    scope: String,
    remaining: i64,
    limit: Option<i64>,
    resets_at: Option<String>,
}

async fn quotas(db: &mut impl Exec) -> Result<Vec<Quota>, DbError> {
    let rows = db
        .fetch(
            "SELECT provider, quota, scope, remaining, quota_limit, resets_at FROM sluice_quotas \
             ORDER BY provider, quota, scope",
            Vec::new(),
        )
        .await
        .map_err(DbError::query("reading the providers' quotas"))?;
    let what = "quota";
    rows.iter()
        .map(|r| {
            Ok(Quota {
                provider: text(r, 0, what)?,
                quota: text(r, 1, what)?,
                scope: text(r, 2, what)?,
                remaining: int(r, 3, what)?,
                limit: match r.get(4) {
                    Some(Value::Int(l)) => Some(*l),
                    _ => None,
                },
                resets_at: opt_text(r, 5, what)?,
            })
        })
        .collect()
}

/// `text` cut to a readable length, on one line.
fn shorten(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    if one_line.chars().count() <= MAX_ERROR_CHARS {
        return one_line;
    }
    let cut: String = one_line.chars().take(MAX_ERROR_CHARS).collect();
    format!("{cut}…")
}
