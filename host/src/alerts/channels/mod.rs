//! Where alert messages go: Slack-compatible webhooks, JSON webhooks and
//! email. Each channel's secret is read from the environment variable the
//! config names, once, when the channels are built; it never appears in a
//! message, a log line or an error.

mod email;
mod slack;
mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::AlertsError;
use crate::config::{AlertsConfig, ChannelConfig};

/// Longest wait for a channel to take one message.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message was not sent, with no secret in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// What a message says about its condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// It started firing.
    Firing,
    /// It is still firing (sent every reminder interval).
    Reminder,
    /// It cleared.
    Resolved,
    /// `sluice alerts test`.
    Test,
}

impl NotificationKind {
    /// The word used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Firing => "firing",
            NotificationKind::Reminder => "reminder",
            NotificationKind::Resolved => "resolved",
            NotificationKind::Test => "test",
        }
    }
}

/// One message about one condition (rule and subject).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The rule's name.
    pub rule: String,
    /// What it is about.
    pub subject: String,
    /// Firing, reminder, resolved or test.
    pub kind: NotificationKind,
    /// What is (or was) wrong.
    pub message: String,
    /// When the condition started firing (RFC 3339).
    pub fired_at: String,
    /// When it cleared, for a resolved message.
    pub resolved_at: Option<String>,
}

impl Notification {
    /// The one-line title (an email's subject).
    pub fn title(&self) -> String {
        let what = match self.kind {
            NotificationKind::Firing => "FIRING",
            NotificationKind::Reminder => "STILL FIRING",
            NotificationKind::Resolved => "RESOLVED",
            NotificationKind::Test => "TEST",
        };
        format!("[sluice] {what} {}: {}", self.rule, self.subject)
    }

    /// The whole text (a chat message, an email's body).
    pub fn text(&self) -> String {
        match self.kind {
            NotificationKind::Firing | NotificationKind::Test => {
                format!("{}\n{}", self.title(), self.message)
            }
            NotificationKind::Reminder => format!(
                "{}\n{}\nfiring since {}",
                self.title(),
                self.message,
                self.fired_at
            ),
            NotificationKind::Resolved => format!(
                "{}\nwas: {}\nfiring from {} to {}",
                self.title(),
                self.message,
                self.fired_at,
                self.resolved_at.as_deref().unwrap_or("now")
            ),
        }
    }
}

/// A channel ready to send, its secret in hand.
pub(crate) enum Channel {
    Slack(slack::SlackChannel),
    Webhook(webhook::WebhookChannel),
    Email(email::EmailChannel),
}

impl Channel {
    /// Sends one message, once.
    pub async fn send(&self, notification: &Notification) -> Result<(), SendError> {
        match self {
            Channel::Slack(c) => c.send(notification).await,
            Channel::Webhook(c) => c.send(notification).await,
            Channel::Email(c) => c.send(notification).await,
        }
    }

    fn build(
        name: &str,
        config: &ChannelConfig,
        client: &reqwest::Client,
    ) -> Result<Channel, AlertsError> {
        let at = format!("alerts.channels.{name}");
        Ok(match config {
            ChannelConfig::Slack(hook) => Channel::Slack(slack::SlackChannel::new(
                client.clone(),
                webhook::secret_url(&format!("{at}.url_env"), &hook.url_env)?,
            )),
            ChannelConfig::Webhook(hook) => Channel::Webhook(webhook::WebhookChannel::new(
                client.clone(),
                webhook::secret_url(&format!("{at}.url_env"), &hook.url_env)?,
            )),
            ChannelConfig::Email(email) => Channel::Email(email::EmailChannel::new(name, email)?),
        })
    }
}

/// Every channel of `config` (or only `only`), by name. A missing secret
/// is an error naming the config key and the variable.
pub(crate) fn build(
    config: &AlertsConfig,
    only: Option<&str>,
) -> Result<BTreeMap<String, Arc<Channel>>, AlertsError> {
    if let Some(name) = only
        && !config.channels.contains_key(name)
    {
        let defined: Vec<&str> = config.channels.keys().map(String::as_str).collect();
        return Err(AlertsError::UnknownChannel {
            name: name.to_string(),
            defined: if defined.is_empty() {
                "none".to_string()
            } else {
                defined.join(", ")
            },
        });
    }
    let client = reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AlertsError::Channel {
            channel: "*".to_string(),
            message: format!("cannot build an HTTP client: {e}"),
        })?;
    config
        .channels
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o == name.as_str()))
        .map(|(name, c)| Ok((name.clone(), Arc::new(Channel::build(name, c, &client)?))))
        .collect()
}

/// `sluice alerts test`: a test message through every channel of `config`
/// (or only `only`), each tried once; what became of each, by name.
pub async fn send_test(
    config: &AlertsConfig,
    only: Option<&str>,
) -> Result<Vec<(String, Result<(), SendError>)>, AlertsError> {
    let channels = build(config, only)?;
    let notification = Notification {
        rule: "test".to_string(),
        subject: "sluice alerts test".to_string(),
        kind: NotificationKind::Test,
        message: "This is a test message from `sluice alerts test`: this channel works."
            .to_string(),
        fired_at: crate::db::now_timestamp(),
        resolved_at: None,
    };
    let sends = channels.iter().map(|(name, channel)| {
        let notification = &notification;
        async move { (name.clone(), channel.send(notification).await) }
    });
    Ok(futures_util::future::join_all(sends).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(kind: NotificationKind) -> Notification {
        Notification {
            rule: "failing".into(),
            subject: "europe".into(),
            kind,
            message: "run 4 of pipeline europe failed: timeout".into(),
            fired_at: "2026-12-04T10:00:00.000000Z".into(),
            resolved_at: Some("2026-12-04T11:00:00.000000Z".into()),
        }
    }

    #[test]
    fn messages_say_what_happened_to_which_condition() {
        assert_eq!(
            notification(NotificationKind::Firing).text(),
            "[sluice] FIRING failing: europe\nrun 4 of pipeline europe failed: timeout"
        );
        assert_eq!(
            notification(NotificationKind::Resolved).text(),
            "[sluice] RESOLVED failing: europe\nwas: run 4 of pipeline europe failed: timeout\n\
             firing from 2026-12-04T10:00:00.000000Z to 2026-12-04T11:00:00.000000Z"
        );
    }
}
