//! PostgreSQL's `COPY … FROM STDIN`, shared by every bulk load into
//! PostgreSQL: in text format, rows are encoded with COPY's escapes into a
//! buffer ([`CopyText`]) that [`CopyIn`] sends each time it passes
//! [`CHUNK`] bytes; in binary format, the caller's encoder appends rows to
//! the buffer of [`BinaryCopyIn`], sent the same way. A load never holds
//! more than about one chunk, however many rows it writes.

use std::fmt::{Display, Write as _};

use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;

/// Bytes of COPY text gathered before they are sent.
pub const CHUNK: usize = 1 << 20;

/// Rows in COPY's text format: fields separated by tabs, rows ended by a
/// newline, NULL as `\N`, text escaped.
#[derive(Debug, Default)]
pub struct CopyText {
    buffer: String,
    row_started: bool,
}

impl CopyText {
    /// Adds a text field, escaped.
    pub fn text(&mut self, value: &str) {
        self.separate();
        escape(&mut self.buffer, value);
    }

    /// Adds a NULL.
    pub fn null(&mut self) {
        self.separate();
        self.buffer.push_str("\\N");
    }

    /// Adds a value whose text never needs an escape (numbers, dates,
    /// booleans).
    pub fn plain(&mut self, value: impl Display) {
        self.separate();
        // Writing into a String cannot fail.
        let _ = write!(self.buffer, "{value}");
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.buffer.push('\n');
        self.row_started = false;
    }

    /// The text so far.
    pub fn as_str(&self) -> &str {
        &self.buffer
    }

    fn separate(&mut self) {
        if self.row_started {
            self.buffer.push('\t');
        }
        self.row_started = true;
    }
}

/// The 11-byte signature of binary COPY data, the flags field and the
/// header extension's length.
const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// One `COPY … FROM STDIN (FORMAT binary)` in progress: the caller appends
/// each row's bytes to [`BinaryCopyIn::buffer`] then calls
/// [`BinaryCopyIn::end_row`] (which sends a full chunk);
/// [`BinaryCopyIn::finish`] adds the trailer and ends the COPY, and
/// [`BinaryCopyIn::abort`] gives it up.
pub struct BinaryCopyIn<'c> {
    copy: PgCopyIn<&'c mut PgConnection>,
    buffer: Vec<u8>,
}

impl<'c> BinaryCopyIn<'c> {
    /// Starts `statement` (a `COPY table (columns) FROM STDIN (FORMAT
    /// binary ...)`) on `conn`, the header already in the buffer.
    pub async fn start(conn: &'c mut PgConnection, statement: &str) -> Result<Self, sqlx::Error> {
        let copy = conn.copy_in_raw(statement).await?;
        let mut buffer = Vec::with_capacity(CHUNK + 64 * 1024);
        buffer.extend_from_slice(BINARY_HEADER);
        Ok(BinaryCopyIn { copy, buffer })
    }

    /// Where the next row's bytes go.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buffer
    }

    /// Ends the current row; sends the bytes once they are a chunk.
    pub async fn end_row(&mut self) -> Result<(), sqlx::Error> {
        if self.buffer.len() >= CHUNK {
            self.copy.send(self.buffer.as_slice()).await?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Sends what is left with the trailer and ends the COPY; returns the
    /// rows it wrote.
    pub async fn finish(mut self) -> Result<u64, sqlx::Error> {
        self.buffer.extend_from_slice(&(-1i16).to_be_bytes());
        self.copy.send(self.buffer.as_slice()).await?;
        self.copy.finish().await
    }

    /// Gives the COPY up, telling the server `why` (nothing is written).
    pub async fn abort(self, why: &str) {
        // The connection reports its own failure, if any, to whoever
        // uses it next.
        let _ = self.copy.abort(why).await;
    }
}

/// One `COPY … FROM STDIN` in progress: a row is written into
/// [`CopyIn::row`], then [`CopyIn::end_row`] ends it (sending a full
/// chunk); [`CopyIn::finish`] ends the COPY.
pub struct CopyIn<'c> {
    copy: Option<PgCopyIn<&'c mut PgConnection>>,
    text: CopyText,
}

impl<'c> CopyIn<'c> {
    /// Starts `statement` (a `COPY table (columns) FROM STDIN`) on `conn`.
    pub async fn start(conn: &'c mut PgConnection, statement: &str) -> Result<Self, sqlx::Error> {
        let copy = conn.copy_in_raw(statement).await?;
        Ok(CopyIn {
            copy: Some(copy),
            text: CopyText {
                buffer: String::with_capacity(CHUNK + 64 * 1024),
                row_started: false,
            },
        })
    }

    /// The row being written.
    pub fn row(&mut self) -> &mut CopyText {
        &mut self.text
    }

    /// Ends the current row; sends the text once it is a chunk.
    pub async fn end_row(&mut self) -> Result<(), sqlx::Error> {
        self.text.end_row();
        if self.text.buffer.len() >= CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    /// Adds `line`, one row already in COPY's text format with its
    /// newline; sends the text once it is a chunk.
    pub async fn encoded_row(&mut self, line: &str) -> Result<(), sqlx::Error> {
        self.text.buffer.push_str(line);
        self.text.row_started = false;
        if self.text.buffer.len() >= CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    /// Sends what is left and ends the COPY; returns the rows it wrote.
    pub async fn finish(mut self) -> Result<u64, sqlx::Error> {
        self.send().await?;
        match self.copy.take() {
            Some(copy) => copy.finish().await,
            None => Ok(0),
        }
    }

    /// Sends the text, aborting the COPY if it cannot be sent.
    async fn send(&mut self) -> Result<(), sqlx::Error> {
        if self.text.buffer.is_empty() {
            return Ok(());
        }
        let Some(copy) = self.copy.as_mut() else {
            return Ok(());
        };
        if let Err(e) = copy.send(self.text.buffer.as_bytes()).await {
            if let Some(copy) = self.copy.take() {
                let _ = copy.abort("sluice: a chunk could not be sent").await;
            }
            return Err(e);
        }
        self.text.buffer.clear();
        Ok(())
    }
}

/// `text` with COPY's escapes for backslash, tab, newline and carriage
/// return appended to `out` (so a field that is `\N` never reads as NULL).
pub fn escape(out: &mut String, text: &str) {
    let mut from = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let escaped = match b {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            b'\r' => "\\r",
            _ => continue,
        };
        out.push_str(&text[from..i]);
        out.push_str(escaped);
        from = i + 1;
    }
    out.push_str(&text[from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_escaped_and_nulls_marked() {
        let mut rows = CopyText::default();
        rows.text("a\tb\\c\nd\re é");
        rows.null();
        rows.text("\\N");
        rows.plain(-3);
        rows.end_row();
        rows.text("");
        rows.end_row();
        assert_eq!(rows.as_str(), "a\\tb\\\\c\\nd\\re é\t\\N\t\\\\N\t-3\n\n");
    }
}
