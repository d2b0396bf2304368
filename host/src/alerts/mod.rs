//! Alerts: rules of `[alerts]` evaluated from the state in the database
//! (runs, streams, quotas, breakers) and from what `sluice serve` reports
//! of its plugins, sent through webhook, Slack and email channels once per
//! condition when it starts, as a reminder while it stays true, and once
//! when it clears. What fired is kept in `sluice_alerts`, so a restart
//! neither repeats a message nor forgets a condition.
//!
//! [`Alerter`] is what `sluice serve` starts; [`firing`] is what the CLI,
//! the dashboard and `GET /alerts` read; [`send_test`] is `sluice alerts
//! test`.

mod alerter;
mod channels;
mod delivery;
mod evaluate;
mod notifier;
mod plugins;
mod rules;
mod store;

pub use alerter::{Alerter, Evaluation};
pub use channels::{Notification, NotificationKind, SendError, send_test};
pub use delivery::Delivered;
pub use store::{FiringAlert, firing};

use crate::db::DbError;

/// Why alerts could not start or be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum AlertsError {
    /// A channel's secret is not in the environment.
    #[error("{key}: the environment variable {var} is not set")]
    MissingSecret {
        /// The config key naming the variable (`alerts.channels.ops.url_env`).
        key: String,
        /// The variable.
        var: String,
    },
    /// A channel's secret is there but unusable; the value is not shown.
    #[error("{key}: the value of {var} {why}")]
    InvalidSecret {
        /// The config key naming the variable.
        key: String,
        /// The variable.
        var: String,
        /// What is wrong with it.
        why: String,
    },
    /// A channel could not be set up.
    #[error("alerts.channels.{channel}: {message}")]
    Channel {
        /// The channel.
        channel: String,
        /// Why.
        message: String,
    },
    /// `--channel` names no channel of the config.
    #[error("no channel `{name}` in [alerts.channels] (defined: {defined})")]
    UnknownChannel {
        /// The name asked for.
        name: String,
        /// The channels defined.
        defined: String,
    },
    /// The database could not be read or written.
    #[error(transparent)]
    Db(#[from] DbError),
}
