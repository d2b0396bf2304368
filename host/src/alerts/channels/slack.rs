//! A Slack-compatible incoming webhook: `{"text": …}` POSTed to its URL.

use super::webhook::{SecretUrl, post_json};
use super::{Notification, SendError};

/// A Slack (or Mattermost, Rocket.Chat…) incoming webhook.
pub(crate) struct SlackChannel {
    client: reqwest::Client,
    url: SecretUrl,
}

impl SlackChannel {
    pub fn new(client: reqwest::Client, url: SecretUrl) -> Self {
        SlackChannel { client, url }
    }

    pub async fn send(&self, notification: &Notification) -> Result<(), SendError> {
        let body = serde_json::json!({ "text": notification.text() });
        post_json(&self.client, &self.url, &body).await
    }
}
