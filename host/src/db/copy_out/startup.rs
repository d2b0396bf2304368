//! Opening a [`CopyOutConnection`]: the socket the options name, no TLS
//! (declined where sqlx would take TLS: asked for, or preferred and
//! offered while sqlx is built with TLS), the
//! startup parameters sqlx sends, and the password methods a server asks
//! for (cleartext, MD5, SCRAM-SHA-256 without channel binding).

use bytes::BytesMut;
use fallible_iterator::FallibleIterator;
use postgres_protocol::authentication::md5_hash;
use postgres_protocol::authentication::sasl::{ChannelBinding, SCRAM_SHA_256, ScramSha256};
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

use super::{CopyOutConnection, Socket, WireError};

/// Connects as `options` say, or declines (`None`, the reason logged).
pub(super) async fn connect(
    options: &PgConnectOptions,
) -> Result<Option<CopyOutConnection>, WireError> {
    match open(options).await? {
        Opened::Ready(conn) => Ok(Some(conn)),
        Opened::Declined(reason) => {
            tracing::debug!(reason, "COPY read through sqlx");
            Ok(None)
        }
    }
}

enum Opened {
    Ready(CopyOutConnection),
    Declined(&'static str),
}

async fn open(options: &PgConnectOptions) -> Result<Opened, WireError> {
    if matches!(
        options.get_ssl_mode(),
        PgSslMode::Require | PgSslMode::VerifyCa | PgSslMode::VerifyFull
    ) {
        return Ok(Opened::Declined("the options ask for TLS"));
    }
    let port = options.get_port();
    let directory = options
        .get_socket()
        .map(|p| p.display().to_string())
        .or_else(|| {
            let host = options.get_host();
            host.starts_with('/').then(|| host.to_string())
        });
    let mut socket = match directory {
        Some(dir) => Socket::Unix(UnixStream::connect(format!("{dir}/.s.PGSQL.{port}")).await?),
        None => {
            let tcp = TcpStream::connect((options.get_host(), port)).await?;
            tcp.set_nodelay(true)?;
            Socket::Tcp(tcp)
        }
    };
    match options.get_ssl_mode() {
        PgSslMode::Disable | PgSslMode::Allow => {}
        // sqlx, built without TLS, prefers in vain; built with it, it takes
        // TLS where the server offers it, and so does this connection by
        // leaving the stream to sqlx.
        PgSslMode::Prefer if sqlx_core::net::tls::available() => {
            if offers_tls(&mut socket).await? {
                return Ok(Opened::Declined("the server offers TLS"));
            }
        }
        // Required: declined above.
        PgSslMode::Prefer | PgSslMode::Require | PgSslMode::VerifyCa | PgSslMode::VerifyFull => {}
    }
    let mut conn = CopyOutConnection {
        socket,
        received: BytesMut::with_capacity(super::READ_BYTES),
        out: BytesMut::new(),
    };
    let user = options.get_username();
    let mut parameters = vec![
        ("user", user),
        ("DateStyle", "ISO, MDY"),
        ("client_encoding", "UTF8"),
        ("TimeZone", "UTC"),
    ];
    if let Some(database) = options.get_database() {
        parameters.push(("database", database));
    }
    if let Some(name) = options.get_application_name() {
        parameters.push(("application_name", name));
    }
    if let Some(extra) = options.get_options() {
        parameters.push(("options", extra));
    }
    frontend::startup_message(parameters, &mut conn.out)?;
    conn.flush().await?;
    // The options hold the password (given, or from PGPASSWORD) only in
    // their URL form.
    let url = options.to_url_lossy();
    let password = url.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    let mut scram = None;
    loop {
        let reply = match conn.message().await? {
            Message::AuthenticationOk => continue,
            Message::ReadyForQuery(_) => return Ok(Opened::Ready(conn)),
            Message::ErrorResponse(body) => return Err(WireError::from_fields(body.fields())),
            Message::AuthenticationCleartextPassword => match &password {
                Some(p) => Reply::Password(p.clone().into_bytes()),
                None => return Ok(Opened::Declined("no password to give")),
            },
            Message::AuthenticationMd5Password(body) => match &password {
                Some(p) => Reply::Password(
                    md5_hash(user.as_bytes(), p.as_bytes(), body.salt()).into_bytes(),
                ),
                None => return Ok(Opened::Declined("no password to give")),
            },
            Message::AuthenticationSasl(body) => {
                let mut mechanisms = body.mechanisms();
                let mut scram_offered = false;
                while let Some(m) = mechanisms.next()? {
                    scram_offered |= m == SCRAM_SHA_256;
                }
                let Some(p) = &password else {
                    return Ok(Opened::Declined("no password to give"));
                };
                if !scram_offered {
                    return Ok(Opened::Declined("the server offers no SCRAM-SHA-256"));
                }
                let started = ScramSha256::new(p.as_bytes(), ChannelBinding::unsupported());
                let first = started.message().to_vec();
                scram = Some(started);
                Reply::SaslInitial(first)
            }
            Message::AuthenticationSaslContinue(body) => {
                let state = scram.as_mut().ok_or_else(|| unasked("SCRAM continue"))?;
                state.update(body.data())?;
                Reply::Sasl(state.message().to_vec())
            }
            Message::AuthenticationSaslFinal(body) => {
                let state = scram.as_mut().ok_or_else(|| unasked("SCRAM final"))?;
                state.finish(body.data())?;
                continue;
            }
            Message::AuthenticationGss
            | Message::AuthenticationKerberosV5
            | Message::AuthenticationScmCredential
            | Message::AuthenticationSspi
            | Message::AuthenticationGssContinue(_) => {
                return Ok(Opened::Declined(
                    "the server asks for another authentication",
                ));
            }
            // Parameters, the key to cancel with, notices.
            _ => continue,
        };
        conn.out.clear();
        match reply {
            Reply::Password(p) => frontend::password_message(&p, &mut conn.out)?,
            Reply::SaslInitial(data) => {
                frontend::sasl_initial_response(SCRAM_SHA_256, &data, &mut conn.out)?
            }
            Reply::Sasl(data) => frontend::sasl_response(&data, &mut conn.out)?,
        }
        conn.flush().await?;
    }
}

/// What the client answers an authentication request with.
enum Reply {
    Password(Vec<u8>),
    SaslInitial(Vec<u8>),
    Sasl(Vec<u8>),
}

fn unasked(what: &str) -> WireError {
    WireError::Protocol(format!("{what} without a SCRAM exchange started"))
}

/// Asks the server whether it speaks TLS.
async fn offers_tls(socket: &mut Socket) -> Result<bool, WireError> {
    let Socket::Tcp(tcp) = socket else {
        return Ok(false);
    };
    let mut request = BytesMut::new();
    frontend::ssl_request(&mut request);
    tcp.write_all(&request).await?;
    match tcp.read_u8().await? {
        b'S' => Ok(true),
        b'N' => Ok(false),
        other => Err(WireError::Protocol(format!(
            "answer `{}` to the TLS request",
            char::from(other)
        ))),
    }
}
