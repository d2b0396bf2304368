//! Email over SMTP: STARTTLS, TLS, or a plain connection to a local relay;
//! the password is read from the environment variable the config names.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Notification, SEND_TIMEOUT, SendError};
use crate::alerts::AlertsError;
use crate::config::{EmailChannelConfig, SmtpSecurity};

/// An SMTP server and the mail it sends.
pub(crate) struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl EmailChannel {
    pub fn new(name: &str, config: &EmailChannelConfig) -> Result<Self, AlertsError> {
        let at = format!("alerts.channels.{name}");
        let channel_error = |message: String| AlertsError::Channel {
            channel: name.to_string(),
            message,
        };
        let mut builder = match config.security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|e| channel_error(format!("cannot use {}: {e}", config.host)))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| channel_error(format!("cannot use {}: {e}", config.host)))?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host).port(25)
            }
        };
        if let Some(port) = config.port {
            builder = builder.port(port);
        }
        builder = builder.timeout(Some(SEND_TIMEOUT));
        if let (Some(user), Some(var)) = (&config.user, &config.password_env) {
            let password = std::env::var(var).map_err(|_| AlertsError::MissingSecret {
                key: format!("{at}.password_env"),
                var: var.clone(),
            })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let mailbox = |key: String, text: &str| {
            text.parse::<Mailbox>()
                .map_err(|e| channel_error(format!("{key}: `{text}` is not an address ({e})")))
        };
        Ok(EmailChannel {
            transport: builder.build(),
            from: mailbox(format!("{at}.from"), &config.from)?,
            to: config
                .to
                .iter()
                .enumerate()
                .map(|(i, to)| mailbox(format!("{at}.to[{i}]"), to))
                .collect::<Result<_, _>>()?,
        })
    }

    pub async fn send(&self, notification: &Notification) -> Result<(), SendError> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(notification.title())
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            message = message.to(to.clone());
        }
        let email = message
            .body(notification.text())
            .map_err(|e| SendError(format!("cannot build the email: {e}")))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| SendError(format!("the SMTP server did not take the email: {e}")))
    }
}
