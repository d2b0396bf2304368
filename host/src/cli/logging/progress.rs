//! The progress bar of `sluice run` at a terminal, drawn from the events
//! the pipeline already emits: each `batch normalized` is a request done
//! and announces its follow-ups, each `batch committed` adds the records
//! loaded. The pipeline does not announce how many requests a stream
//! planned, so the total counts one per stream plus every follow-up
//! announced: it grows as pages are discovered, and never falls behind the
//! requests done.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::fields::FieldMap;

/// The bar, once `sluice run` at a terminal made one.
static BAR: OnceLock<ProgressBar> = OnceLock::new();

/// Makes the bar `sluice run` draws on stderr, and the layer that moves it.
pub fn layer() -> ProgressLayer {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} requests · {msg} · ETA {eta}",
    ) {
        bar.set_style(style);
    }
    let _ = BAR.set(bar.clone());
    ProgressLayer {
        bar,
        tally: Arc::default(),
    }
}

/// Removes the bar, so the summary printed after the run stands alone.
pub fn finish() {
    if let Some(bar) = BAR.get() {
        bar.finish_and_clear();
    }
}

/// What the bar counts.
#[derive(Debug, Default)]
struct Tally {
    streams: AtomicU64,
    follow_ups: AtomicU64,
    done: AtomicU64,
    loaded: AtomicU64,
}

/// Moves the bar on the pipeline's events.
pub struct ProgressLayer {
    bar: ProgressBar,
    tally: Arc<Tally>,
}

impl ProgressLayer {
    fn redraw(&self) {
        let t = &self.tally;
        let done = t.done.load(Ordering::Relaxed);
        let known = t.streams.load(Ordering::Relaxed) + t.follow_ups.load(Ordering::Relaxed);
        self.bar.set_length(known.max(done));
        self.bar.set_position(done);
        self.bar.set_message(format!(
            "{} records loaded",
            t.loaded.load(Ordering::Relaxed)
        ));
    }
}

impl<S> tracing_subscriber::Layer<S> for ProgressLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        if attrs.metadata().name() == "stream" {
            if self.tally.streams.fetch_add(1, Ordering::Relaxed) == 0 {
                self.bar.enable_steady_tick(Duration::from_millis(200));
            }
            self.redraw();
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = FieldMap::default();
        event.record(&mut fields);
        let number = |name: &str| {
            fields
                .fields
                .get(name)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0)
        };
        match fields.message.as_deref() {
            Some("batch normalized") => {
                self.tally.done.fetch_add(1, Ordering::Relaxed);
                self.tally
                    .follow_ups
                    .fetch_add(number("follow_ups"), Ordering::Relaxed);
            }
            Some("batch committed") => {
                let loaded = number("inserted") + number("updated") + number("unchanged");
                self.tally.loaded.fetch_add(loaded, Ordering::Relaxed);
            }
            _ => return,
        }
        self.redraw();
    }
}

/// Stderr for the log lines: while the bar is drawn, a line is written
/// with the bar lifted, so the two never interleave.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrBesideBar;

impl<'a> MakeWriter<'a> for StderrBesideBar {
    type Writer = StderrBesideBar;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

impl Write for StderrBesideBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match BAR.get() {
            Some(bar) if !bar.is_finished() => bar.suspend(|| std::io::stderr().write(buf)),
            _ => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
