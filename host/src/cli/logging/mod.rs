//! Where the binary's logs go: stderr, as readable lines or as JSON
//! (`--log-format`); the lines of each run into the database once a
//! command opened one ([`attach_database`]); and the progress bar of
//! `sluice run` at a terminal.

mod fields;
mod json;
mod progress;
mod run_log;

use std::io::IsTerminal;
use std::time::Duration;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::db::Pool;

/// How log lines are written on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable lines, coloured at a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, with the fields of the run and stream.
    Json,
}

/// What [`init`] needs to know of the command line.
#[derive(Debug, Clone, Copy)]
pub struct LogSetup {
    /// `-v` count: 0 warn, 1 info, more debug (RUST_LOG overrides).
    pub verbose: u8,
    /// The format on stderr.
    pub format: LogFormat,
    /// Draw the progress bar of `sluice run` (only at a terminal).
    pub progress: bool,
}

/// Installs the logging of the process; call once, first thing.
pub fn init(setup: LogSetup) {
    let default_level = match setup.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    // PostgreSQL's notices (`table ... does not exist, skipping` from every
    // `DROP ... IF EXISTS`) are noise at info: only its warnings show.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{default_level},sqlx::postgres::notice=warn")));
    let progress = setup.progress && std::io::stderr().is_terminal();
    let writer = progress::StderrBesideBar;
    let stderr_lines = match setup.format {
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .with_writer(writer)
            // Colour only for a person at a terminal, never in a log file.
            .with_ansi(std::io::stderr().is_terminal())
            .with_target(false)
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(false)
            .event_format(json::FlatJson)
            .with_filter(json::EventsOnly(filter))
            .boxed(),
    };
    // A run's lines: sluice's at info and above, anyone's warnings.
    let kept = Targets::new()
        .with_target("sluice", Level::INFO)
        .with_default(Level::WARN);
    let bar = progress
        .then(|| progress::layer().with_filter(Targets::new().with_target("sluice", Level::INFO)));
    tracing_subscriber::registry()
        .with(run_log::RunLogLayer.with_filter(kept))
        .with(stderr_lines)
        .with(bar)
        .init();
}

/// Keeps the log lines of every run of this process in `pool`'s
/// `sluice_run_logs`, at most `lines_per_run` per run; commands that run
/// pipelines call it once they opened the database.
pub fn attach_database(pool: &Pool, lines_per_run: u32) {
    run_log::attach(pool.clone(), lines_per_run);
}

/// Waits, at most a few seconds, for the run log lines not yet written;
/// called before the process exits.
pub async fn flush() {
    run_log::flush(Duration::from_secs(5)).await;
}

/// Removes the progress bar, if one is drawn.
pub fn end_progress() {
    progress::finish();
}
