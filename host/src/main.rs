//! The `sluice` binary.

use clap::Parser;
use sluice::cli::logging::{self, LogSetup};
use sluice::cli::{Cli, Command};
use std::process::ExitCode;

/// A batch lifts tens of thousands of small strings out of a plugin and
/// frees them after the load; mimalloc does that churn in about half the
/// CPU time of the system allocator (see `make bench`). Built without
/// transparent huge pages (workspace `Cargo.toml`): the kernel zeroes a
/// huge page whole when it is first touched, which cost the CRM features
/// job a fifth of its time in `make bench-crm`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(LogSetup {
        verbose: cli.verbose,
        format: cli.log_format,
        progress: matches!(cli.command, Command::Run(_)),
    });
    let result = cli.execute().await;
    logging::end_progress();
    // The run log lines still on their way to the database.
    logging::flush().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// Every cause of `err`, outermost first, on one line; a cause the message
/// already quotes is not repeated.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}
