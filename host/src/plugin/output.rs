//! A plugin's stdout and stderr: kept in memory up to a cap and handed to
//! tracing with the plugin's name after each call. Writes past the cap are
//! accepted and counted, never refused: a guest whose write fails may panic
//! (Rust's `println!` does), and chattiness is no reason to fail a batch.

use std::sync::{Arc, Mutex};

use crate::internal_events::{InternalEvent, PluginPrinted};
use bytes::Bytes;
use wasmtime_wasi::async_trait;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Bytes of each stream kept per call.
pub const KEPT_BYTES: usize = 16 << 10;

/// What one stream (stdout or stderr) received during a call.
#[derive(Debug, Default)]
struct Captured {
    kept: Vec<u8>,
    dropped: usize,
}

/// One captured output stream, shared between the WASI context and the
/// host, which reads it after the call.
#[derive(Debug, Clone, Default)]
pub struct CapturedOutput(Arc<Mutex<Captured>>);

impl CapturedOutput {
    fn push(&self, bytes: &[u8]) {
        let Ok(mut c) = self.0.lock() else { return };
        let room = KEPT_BYTES.saturating_sub(c.kept.len());
        let kept = bytes.len().min(room);
        c.kept.extend_from_slice(&bytes[..kept]);
        c.dropped += bytes.len() - kept;
    }

    /// The text kept (lossily decoded) and how many bytes were dropped.
    pub fn take(&self) -> (String, usize) {
        let Ok(mut c) = self.0.lock() else {
            return (String::new(), 0);
        };
        let text = String::from_utf8_lossy(&c.kept).into_owned();
        let dropped = c.dropped;
        *c = Captured::default();
        (text, dropped)
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

#[async_trait]
impl OutputStream for CapturedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 << 10)
    }
}

#[async_trait]
impl Pollable for CapturedOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CapturedOutput {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.push(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// Logs what the plugin printed during a call, if anything, and returns
/// the panic message its stderr holds, if any.
pub fn report(
    plugin: &str,
    call: &str,
    stdout: &CapturedOutput,
    stderr: &CapturedOutput,
) -> Option<String> {
    let mut panic = None;
    for (stream, captured) in [("stdout", stdout), ("stderr", stderr)] {
        let (text, dropped) = captured.take();
        if text.is_empty() {
            continue;
        }
        if stream == "stderr" {
            panic = panic_message(&text);
        }
        PluginPrinted {
            plugin,
            call,
            stream,
            dropped_bytes: dropped,
            output: text.trim_end(),
        }
        .emit();
    }
    panic
}

/// The message of a Rust panic as the standard library prints it:
/// `thread '…' panicked at FILE:LINE:COL:` then the message.
fn panic_message(stderr: &str) -> Option<String> {
    let mut lines = stderr.lines();
    lines.find(|l| l.contains("panicked at"))?;
    lines
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_bytes_and_counts_the_rest() {
        let out = CapturedOutput::default();
        out.push(&vec![b'a'; KEPT_BYTES - 1]);
        out.push(b"bcd");
        let (text, dropped) = out.take();
        assert_eq!(text.len(), KEPT_BYTES);
        assert!(text.ends_with('b'));
        assert_eq!(dropped, 2);
        assert_eq!(out.take(), (String::new(), 0), "taking empties it");
    }

    #[test]
    fn finds_the_message_of_a_rust_panic() {
        let stderr = "\nthread '<unnamed>' panicked at src/lib.rs:80:24:\nno `teams` key\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(panic_message(stderr).as_deref(), Some("no `teams` key"));
        assert_eq!(panic_message("just a log line"), None);
    }
}
