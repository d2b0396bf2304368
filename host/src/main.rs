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

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e` in
/// mimalloc 2 and 3; the sys crate names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with the process, in milliseconds.
const PURGE_DELAY_MS: std::ffi::c_long = 100;

/// Freed memory goes back to the system after 100 ms instead of mimalloc
/// 3's default of a second: a job that frees one large structure and then
/// builds another (the CRM features: per-user tables, then rows) would
/// otherwise hold both. `make bench-crm` measured the peak RSS of a
/// 10M-transaction run from PostgreSQL at 380-415 MiB instead of
/// 500-510 MiB, in the same time; from Parquet, 10 ms cost a third more
/// page faults and 0.2 s of system time over 100 ms for 15-25 MiB less.
/// `MIMALLOC_PURGE_DELAY` in the environment still wins, as mimalloc
/// documents.
#[allow(unsafe_code)]
fn return_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets an integer option; no pointer crosses, and mimalloc
    // reads the option at each purge, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

#[tokio::main]
async fn main() -> ExitCode {
    return_freed_memory_soon();
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

#[cfg(test)]
mod tests {
    /// The option's place is the one mimalloc reads as the purge delay:
    /// mimalloc 3's default for it (1000 ms) until set.
    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads an integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(
            delay, 1000,
            "option 15 should be mimalloc's purge delay (run without MIMALLOC_PURGE_DELAY)"
        );
        super::return_freed_memory_soon();
        // SAFETY: as above.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, super::PURGE_DELAY_MS);
    }
}
