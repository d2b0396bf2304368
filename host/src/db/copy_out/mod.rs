//! A PostgreSQL connection of its own for reading one large
//! `COPY … TO STDOUT`: the server sends each row as a message of its own,
//! and sqlx hands them over one at a time (a shared buffer split per
//! message, a stream item per row, 8 KiB per socket read), which cost a
//! third of the client's CPU on a ten-million-row stream. Here the socket
//! is read 256 KiB at a time and every row in those bytes is handed to
//! the caller in place.
//!
//! It speaks only what such a read needs: startup with trust, password,
//! MD5 or SCRAM-SHA-256 authentication (`startup.rs`), simple queries and
//! COPY out. Where that is not enough (TLS wanted or offered, a password
//! the server asks for but the options do not hold, another
//! authentication method), [`CopyOutConnection::connect`] declines and the
//! caller reads through sqlx.

mod startup;

use bytes::{Buf, BytesMut};
use fallible_iterator::FallibleIterator;
use postgres_protocol::message::backend::{ErrorFields, Header, Message};
use postgres_protocol::message::frontend;
use sqlx::postgres::PgConnectOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

/// Bytes asked of the socket per read.
const READ_BYTES: usize = 256 * 1024;

/// Why the connection failed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The socket failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The server refused a statement or the connection.
    #[error("{severity} {code}: {message}{}", detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Server {
        /// `ERROR`, `FATAL`, …
        severity: String,
        /// The SQLSTATE code.
        code: String,
        /// The server's message.
        message: String,
        /// The server's detail, if any.
        detail: Option<String>,
    },
    /// The server sent what the protocol does not allow here.
    #[error("unexpected message from the server: {0}")]
    Protocol(String),
}

impl WireError {
    fn from_fields(mut fields: ErrorFields<'_>) -> Self {
        let (mut severity, mut code, mut message, mut detail) =
            (String::new(), String::new(), String::new(), None);
        loop {
            match fields.next() {
                Ok(Some(field)) => {
                    let value = String::from_utf8_lossy(field.value_bytes()).into_owned();
                    match field.type_() {
                        b'V' => severity = value,
                        b'S' if severity.is_empty() => severity = value,
                        b'C' => code = value,
                        b'M' => message = value,
                        b'D' => detail = Some(value),
                        _ => {}
                    }
                }
                Ok(None) => break,
                Err(e) => return WireError::Protocol(format!("an unreadable error report: {e}")),
            }
        }
        WireError::Server {
            severity,
            code,
            message,
            detail,
        }
    }
}

/// The socket: TCP, or a Unix socket as the options may name.
enum Socket {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Socket {
    async fn read_buf(&mut self, buf: &mut BytesMut) -> std::io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.read_buf(buf).await,
            Socket::Unix(s) => s.read_buf(buf).await,
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Socket::Tcp(s) => s.write_all(bytes).await,
            Socket::Unix(s) => s.write_all(bytes).await,
        }
    }
}

/// A connection ready for simple queries and COPY out.
pub struct CopyOutConnection {
    socket: Socket,
    /// Bytes received and not handled yet.
    received: BytesMut,
    /// A message being written.
    out: BytesMut,
}

impl CopyOutConnection {
    /// Connects and authenticates as `options` say; `None` (and the reason
    /// logged) when it takes more than this connection speaks.
    pub async fn connect(options: &PgConnectOptions) -> Result<Option<Self>, WireError> {
        startup::connect(options).await
    }

    /// Runs `sql` (one or more statements), ignoring any rows.
    pub async fn execute(&mut self, sql: &str) -> Result<(), WireError> {
        self.query(sql).await?;
        let mut failed = None;
        loop {
            match self.message().await? {
                Message::ReadyForQuery(_) => break,
                Message::ErrorResponse(body) => {
                    failed = Some(WireError::from_fields(body.fields()));
                }
                // Statuses, rows, notices, parameters: nothing to keep.
                _ => {}
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Starts `sql`, a `COPY … TO STDOUT`; its rows are read from what this
    /// returns.
    pub async fn copy_out(&mut self, sql: &str) -> Result<CopyOut<'_>, WireError> {
        self.query(sql).await?;
        loop {
            match self.message().await? {
                Message::CopyOutResponse(_) => {
                    return Ok(CopyOut {
                        conn: self,
                        ended: false,
                    });
                }
                Message::ErrorResponse(body) => {
                    let e = WireError::from_fields(body.fields());
                    self.until_ready().await?;
                    return Err(e);
                }
                Message::NoticeResponse(_) | Message::ParameterStatus(_) => {}
                _ => return Err(WireError::Protocol("a COPY that did not start".to_string())),
            }
        }
    }

    /// Ends the session.
    pub async fn close(mut self) -> Result<(), WireError> {
        self.out.clear();
        frontend::terminate(&mut self.out);
        self.flush().await
    }

    /// Sends `sql` as a simple query.
    async fn query(&mut self, sql: &str) -> Result<(), WireError> {
        self.out.clear();
        frontend::query(sql, &mut self.out)?;
        self.flush().await
    }

    async fn flush(&mut self) -> Result<(), WireError> {
        self.socket.write_all(&self.out).await?;
        Ok(())
    }

    /// Reads more bytes from the socket; an error at the end of the stream.
    async fn fill(&mut self) -> Result<(), WireError> {
        self.received.reserve(READ_BYTES);
        if self.socket.read_buf(&mut self.received).await? == 0 {
            return Err(WireError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        Ok(())
    }

    /// The next whole message.
    async fn message(&mut self) -> Result<Message, WireError> {
        loop {
            if let Some(message) = Message::parse(&mut self.received)? {
                return Ok(message);
            }
            self.fill().await?;
        }
    }

    /// Skips messages up to the server's next ReadyForQuery.
    async fn until_ready(&mut self) -> Result<(), WireError> {
        while !matches!(self.message().await?, Message::ReadyForQuery(_)) {}
        Ok(())
    }
}

/// The rows of one `COPY … TO STDOUT` as they arrive.
pub struct CopyOut<'c> {
    conn: &'c mut CopyOutConnection,
    ended: bool,
}

impl CopyOut<'_> {
    /// Waits for the server's next bytes and hands the data of each whole
    /// COPY message in them to `each`, in order; `false` once the COPY has
    /// ended and the connection is ready for the next statement. After an
    /// error the connection is left mid-COPY: drop it.
    pub async fn read<E: From<WireError>>(
        &mut self,
        mut each: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<bool, E> {
        while !self.ended {
            if self.drain(&mut each)? > 0 {
                return Ok(!self.ended);
            }
            self.conn.fill().await?;
        }
        Ok(false)
    }

    /// Handles every whole message received so far; how many there were.
    fn drain<E: From<WireError>>(
        &mut self,
        each: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<usize, E> {
        let received = &mut self.conn.received;
        let (mut at, mut handled) = (0, 0);
        let mut failed = None;
        while let Some(header) = Header::parse(&received[at..]).map_err(WireError::from)? {
            // The length counts itself, not the tag.
            let end = at + 1 + header.len() as usize;
            if end > received.len() {
                break;
            }
            match header.tag() {
                b'd' => each(&received[at + 5..end])?,
                // CopyDone, CommandComplete; notices and parameters.
                b'c' | b'C' | b'N' | b'S' => {}
                b'E' => {
                    let mut message = BytesMut::from(&received[at..end]);
                    if let Some(Message::ErrorResponse(body)) =
                        Message::parse(&mut message).map_err(WireError::from)?
                    {
                        failed = Some(WireError::from_fields(body.fields()));
                    }
                }
                b'Z' => self.ended = true,
                tag => {
                    return Err(WireError::Protocol(format!(
                        "message `{}` inside a COPY",
                        char::from(tag)
                    ))
                    .into());
                }
            }
            at = end;
            handled += 1;
            if self.ended {
                break;
            }
        }
        received.advance(at);
        match failed {
            // The server ends a failed COPY with ReadyForQuery, read with
            // the error or after it.
            Some(e) => {
                self.ended = true;
                Err(e.into())
            }
            None => Ok(handled),
        }
    }
}

#[cfg(test)]
mod tests;
