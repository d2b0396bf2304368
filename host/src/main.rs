//! The `sluice` binary.

use clap::Parser;
use sluice::cli::Cli;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match cli.execute().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line: every cause, outermost first.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
