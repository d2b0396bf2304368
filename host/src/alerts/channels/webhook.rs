//! A generic JSON webhook: rule, subject, state, message and times POSTed
//! to a URL that is a secret (it often carries a token), so it is never
//! shown: errors say "the webhook" and what went wrong.

use super::{Notification, NotificationKind, SendError};
use crate::alerts::AlertsError;

/// A URL read from the environment; its `Debug` shows nothing of it.
pub(crate) struct SecretUrl(reqwest::Url);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretUrl(***)")
    }
}

/// The URL in the environment variable `var`, named by config key `key`.
pub(crate) fn secret_url(key: &str, var: &str) -> Result<SecretUrl, AlertsError> {
    let value = std::env::var(var).map_err(|_| AlertsError::MissingSecret {
        key: key.to_string(),
        var: var.to_string(),
    })?;
    let invalid = |why: &str| AlertsError::InvalidSecret {
        key: key.to_string(),
        var: var.to_string(),
        why: why.to_string(),
    };
    // The parser's message may quote the value: it is not passed on.
    let url = reqwest::Url::parse(value.trim()).map_err(|_| invalid("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("is not an http:// or https:// URL"));
    }
    Ok(SecretUrl(url))
}

/// A JSON webhook.
pub(crate) struct WebhookChannel {
    client: reqwest::Client,
    url: SecretUrl,
}

impl WebhookChannel {
    pub fn new(client: reqwest::Client, url: SecretUrl) -> Self {
        WebhookChannel { client, url }
    }

    pub async fn send(&self, n: &Notification) -> Result<(), SendError> {
        let state = match n.kind {
            NotificationKind::Firing | NotificationKind::Reminder => "firing",
            NotificationKind::Resolved => "resolved",
            NotificationKind::Test => "test",
        };
        let body = serde_json::json!({
            "rule": n.rule,
            "subject": n.subject,
            "state": state,
            "reminder": n.kind == NotificationKind::Reminder,
            "message": n.message,
            "fired_at": n.fired_at,
            "resolved_at": n.resolved_at,
            "text": n.text(),
        });
        post_json(&self.client, &self.url, &body).await
    }
}

/// POSTs `body` as JSON; any 2xx is success.
pub(crate) async fn post_json(
    client: &reqwest::Client,
    url: &SecretUrl,
    body: &serde_json::Value,
) -> Result<(), SendError> {
    let bytes = serde_json::to_vec(body).map_err(|e| SendError(e.to_string()))?;
    let response = client
        .post(url.0.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(bytes)
        .send()
        .await
        .map_err(|e| SendError(redacted(e, url)))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(SendError(format!("the webhook answered HTTP {status}")))
    }
}

/// `err` and its causes on one line, without the URL.
fn redacted(err: reqwest::Error, url: &SecretUrl) -> String {
    let err = err.without_url();
    let mut line = format!("the webhook could not be reached: {err}");
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        let text = c.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    // Belt and braces: a cause that quotes the URL, its path or its host
    // with credentials loses them here.
    let full = url.0.as_str();
    let path = url.0.path();
    let mut line = line.replace(full, "***");
    if path.len() > 1 {
        line = line.replace(path, "/***");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_webhook_is_named_without_its_url() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let url = SecretUrl(
            reqwest::Url::parse(&format!("http://127.0.0.1:{port}/hooks/T000/SECRET-TOKEN"))
                .expect("url"),
        );
        let client = reqwest::Client::new();
        let err = post_json(&client, &url, &serde_json::json!({"text": "hi"}))
            .await
            .expect_err("nothing listens");
        assert!(
            err.0.starts_with("the webhook could not be reached"),
            "{err}"
        );
        assert!(!err.0.contains("SECRET-TOKEN"), "{err}");
        assert!(!format!("{url:?}").contains("SECRET"));
    }

    #[test]
    fn a_missing_or_bad_secret_names_the_variable_not_the_value() {
        let err = secret_url("alerts.channels.ops.url_env", "SLUICE_TEST_UNSET_HOOK_URL")
            .expect_err("unset");
        assert_eq!(
            err.to_string(),
            "alerts.channels.ops.url_env: the environment variable SLUICE_TEST_UNSET_HOOK_URL is not set"
        );
    }
}
