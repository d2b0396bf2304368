//! [`Alerter`]: the rules evaluated every `[alerts] interval` and on
//! demand, their changes stored in `sluice_alerts` and sent through the
//! channels in the background.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Instant;
use time::OffsetDateTime;
use tokio::sync::watch;

use super::AlertsError;
use super::channels::{self, Notification, NotificationKind};
use super::delivery::{Delivered, Outbox};
use super::evaluate::{self, Context};
use super::notifier::{self, Change};
use super::plugins::PluginReports;
use super::rules::Rule;
use super::store::{self, StoredAlert};
use crate::config::LoadedConfig;
use crate::db::{DbError, Pool, now_timestamp};
use crate::internal_events::{AlertsFiring, AlertsNotEvaluated, InternalEvent};

/// The alerts of a running `sluice serve`: cheap to clone, every clone the
/// same alerter. The evaluation loop and the delivery tasks stop once the
/// last clone is dropped (deliveries already queued still go out).
#[derive(Clone)]
pub struct Alerter {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<LoadedConfig>,
    pool: Pool,
    rules: Vec<Rule>,
    outbox: Outbox,
    plugins: Mutex<PluginReports>,
    /// One evaluation at a time, so a condition is never sent twice.
    evaluating: tokio::sync::Mutex<()>,
    changes: watch::Sender<u64>,
}

/// What one evaluation found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Conditions firing after it.
    pub firing: usize,
    /// Messages it queued (firing, reminders, resolved), per channel.
    pub queued: usize,
    /// Whether anything stored changed (what `subscribe` announces).
    pub changed: bool,
}

impl Alerter {
    /// Reads every channel's secret, starts one delivery task per channel
    /// and the evaluation loop (every `[alerts] interval`, the first at
    /// once). Must be called inside a tokio runtime. A missing secret is
    /// an error naming the config key and the variable.
    pub fn start(config: Arc<LoadedConfig>, pool: Pool) -> Result<Alerter, AlertsError> {
        let alerter = Alerter::without_loop(config, pool)?;
        if !alerter.inner.rules.is_empty() {
            let interval = alerter.inner.config.config.alerts.interval.0;
            tokio::spawn(evaluate_every(Arc::downgrade(&alerter.inner), interval));
        }
        Ok(alerter)
    }

    /// An alerter that evaluates only when asked (`sluice alerts check`).
    pub fn without_loop(config: Arc<LoadedConfig>, pool: Pool) -> Result<Alerter, AlertsError> {
        let alerts = &config.config.alerts;
        let channels = channels::build(alerts, None)?;
        let outbox = Outbox::start(channels, alerts.retry_attempts, alerts.retry_wait.0);
        let (changes, _) = watch::channel(0);
        let inner = Arc::new(Inner {
            rules: Rule::all(alerts),
            config: config.clone(),
            pool,
            outbox,
            plugins: Mutex::new(PluginReports::default()),
            evaluating: tokio::sync::Mutex::new(()),
            changes,
        });
        Ok(Alerter { inner })
    }

    /// Stops evaluating and waits until every queued message was sent or
    /// given up on (after its retries), for a graceful stop. `None` when
    /// another clone of this alerter is still alive (or an evaluation is
    /// running): nothing is waited for then.
    pub async fn finish(self) -> Option<Delivered> {
        let inner = Arc::into_inner(self.inner)?;
        Some(inner.outbox.finish().await)
    }

    /// Waits until every message queued so far was sent or given up on,
    /// whatever other clones exist: what a stopping server gives its
    /// grace to.
    pub async fn settled(&self) {
        self.inner.outbox.settled().await;
    }

    /// Evaluates every rule now (call it when a run ends): stores what
    /// changed and queues its messages; never waits for a channel.
    pub async fn evaluate_now(&self) -> Result<Evaluation, AlertsError> {
        self.inner.evaluate().await
    }

    /// Announces each evaluation that changed what is firing (the value
    /// counts them), for the dashboard's "alerts changed".
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// The server refused `plugin` when loading or reloading it (`error`:
    /// why, shown in the message). Fires `plugin_refused` rules at the next
    /// evaluation, until [`Alerter::report_plugin_loaded`].
    pub fn report_plugin_refused(&self, plugin: &str, error: &str) {
        self.reports().refused(plugin, error);
    }

    /// The server loaded `plugin` fine (at start or on a reload): a
    /// `plugin_refused` condition of it resolves at the next evaluation.
    pub fn report_plugin_loaded(&self, plugin: &str) {
        self.reports().loaded(plugin);
    }

    /// A call of `plugin` trapped; `plugin_traps` rules count these within
    /// their window.
    pub fn report_plugin_trap(&self, plugin: &str) {
        self.reports().trapped(plugin, Instant::now());
    }

    fn reports(&self) -> std::sync::MutexGuard<'_, PluginReports> {
        // The reports stay usable even if a holder panicked.
        self.inner
            .plugins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

async fn evaluate_every(inner: Weak<Inner>, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if let Err(error) = inner.evaluate().await {
            AlertsNotEvaluated {
                rule: "",
                error: &error,
            }
            .emit();
        }
    }
}

impl Inner {
    async fn evaluate(&self) -> Result<Evaluation, AlertsError> {
        let _one_at_a_time = self.evaluating.lock().await;
        let plugins = {
            let reports = self.plugins.lock().unwrap_or_else(PoisonError::into_inner);
            reports.clone()
        };
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(DbError::query("taking a connection to evaluate alerts"))?;
        let stored = store::all(&mut conn).await?;
        let mut by_rule: BTreeMap<&str, Vec<StoredAlert>> = BTreeMap::new();
        for s in &stored {
            by_rule.entry(&s.rule).or_default().push(s.clone());
        }
        let now = OffsetDateTime::now_utc();
        let now_text = now_timestamp();
        let mut result = Evaluation::default();
        for rule in &self.rules {
            let rows = by_rule.remove(rule.name.as_str()).unwrap_or_default();
            let cx = Context {
                config: &self.config.config,
                plugins: &plugins,
                stored: &rows,
                now,
                instant: Instant::now(),
            };
            let current = match evaluate::conditions(&mut conn, rule, &cx).await {
                Ok(current) => current,
                Err(error) => {
                    // Its conditions stay as stored: an unreadable table
                    // neither resolves nor repeats anything.
                    AlertsNotEvaluated {
                        rule: &rule.name,
                        error: &error,
                    }
                    .emit();
                    result.firing += rows.iter().filter(|r| r.firing).count();
                    continue;
                }
            };
            for change in notifier::decide(&rows, &current, rule.reminder, now) {
                result.changed = true;
                if let Some(n) = self.apply(&mut conn, rule, change, &now_text).await? {
                    for channel in &rule.channels {
                        self.outbox.send(channel, n.clone());
                        result.queued += 1;
                    }
                }
            }
            AlertsFiring {
                rule: &rule.name,
                firing: current.len(),
            }
            .emit();
            result.firing += current.len();
        }
        // Rules no longer in the config: their conditions end quietly.
        for (rule, rows) in by_rule {
            for row in rows.iter().filter(|r| r.firing) {
                store::resolve(&mut conn, rule, &row.subject, &now_text, false).await?;
                result.changed = true;
            }
        }
        if result.changed {
            self.changes.send_modify(|n| *n += 1);
        }
        Ok(result)
    }

    /// Stores `change` and returns the message it sends, if any.
    async fn apply(
        &self,
        conn: &mut crate::db::Conn,
        rule: &Rule,
        change: Change,
        now: &str,
    ) -> Result<Option<Notification>, AlertsError> {
        let message = |subject: String, kind, message: String, fired_at: String| Notification {
            rule: rule.name.clone(),
            subject,
            kind,
            message,
            fired_at,
            resolved_at: (kind == NotificationKind::Resolved).then(|| now.to_string()),
        };
        Ok(match change {
            Change::Fire {
                subject,
                message: m,
            } => {
                store::fire(conn, &rule.name, &subject, &m, now).await?;
                Some(message(
                    subject,
                    NotificationKind::Firing,
                    m,
                    now.to_string(),
                ))
            }
            Change::Remind {
                subject,
                message: m,
                fired_at,
            } => {
                store::update(conn, &rule.name, &subject, &m, Some(now)).await?;
                Some(message(subject, NotificationKind::Reminder, m, fired_at))
            }
            Change::Update {
                subject,
                message: m,
            } => {
                store::update(conn, &rule.name, &subject, &m, None).await?;
                None
            }
            Change::Resolve {
                subject,
                message: m,
                fired_at,
            } => {
                store::resolve(conn, &rule.name, &subject, now, true).await?;
                Some(message(subject, NotificationKind::Resolved, m, fired_at))
            }
        })
    }
}
