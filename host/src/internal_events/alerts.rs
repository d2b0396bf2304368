//! What the alerter does: how many conditions of a rule fire, each message
//! sent (or retried, or given up on), and rules it could not evaluate.

use std::fmt::Display;

use super::InternalEvent;

/// After an evaluation: how many conditions of `rule` are firing.
pub struct AlertsFiring<'a> {
    /// The rule's name.
    pub rule: &'a str,
    /// Conditions firing now.
    pub firing: usize,
}

impl InternalEvent for AlertsFiring<'_> {
    fn emit(self) {
        tracing::debug!(rule = %self.rule, firing = self.firing, "alerts firing");
        metrics::gauge!("sluice_alerts_firing", "rule" => self.rule.to_string())
            .set(self.firing as f64);
    }
}

/// What became of one delivery attempt of an alert message.
pub enum NotificationOutcome<'a, E: Display> {
    /// The channel accepted it.
    Sent,
    /// The attempt failed; another follows after a wait.
    Retrying {
        /// The attempt that failed, 1 for the first.
        attempt: u32,
        /// Why (no secret in it).
        error: &'a E,
    },
    /// Every attempt failed: the message is dropped.
    Failed {
        /// Why the last attempt failed (no secret in it).
        error: &'a E,
    },
}

/// An alert message went through a channel, or did not.
pub struct AlertNotification<'a, E: Display> {
    /// The channel's name.
    pub channel: &'a str,
    /// The rule.
    pub rule: &'a str,
    /// What the rule is about (a pipeline, a stream, a provider…).
    pub subject: &'a str,
    /// `firing`, `reminder`, `resolved` or `test`.
    pub kind: &'a str,
    /// What happened.
    pub outcome: NotificationOutcome<'a, E>,
}

impl<E: Display> InternalEvent for AlertNotification<'_, E> {
    fn emit(self) {
        let (channel, rule, subject, kind) = (self.channel, self.rule, self.subject, self.kind);
        let result = match self.outcome {
            NotificationOutcome::Sent => {
                tracing::info!(%channel, %rule, %subject, %kind, "alert sent");
                "sent"
            }
            NotificationOutcome::Retrying { attempt, error } => {
                tracing::warn!(%channel, %rule, %subject, %kind, attempt, %error, "alert not sent, retrying");
                return;
            }
            NotificationOutcome::Failed { error } => {
                tracing::error!(%channel, %rule, %subject, %kind, %error, "alert not sent, giving up");
                "failed"
            }
        };
        metrics::counter!(
            "sluice_alert_notifications_total",
            "channel" => channel.to_string(),
            "result" => result
        )
        .increment(1);
    }
}

/// A rule could not be evaluated (its conditions are left as they were),
/// or the alerts' own table could not be read or written.
pub struct AlertsNotEvaluated<'a, E: Display> {
    /// The rule, or empty for the whole evaluation.
    pub rule: &'a str,
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for AlertsNotEvaluated<'_, E> {
    fn emit(self) {
        tracing::error!(rule = %self.rule, error = %self.error, "alerts not evaluated");
    }
}
