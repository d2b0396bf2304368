//! What the binary printed, as an insta snapshot (uv's `uv_snapshot!` is
//! the model): exit status, stdout and stderr in one text, with what changes
//! from one run to the next (the temporary folder, the database, timings,
//! ports) replaced by a placeholder. The `.snap` files in
//! `tests/it/snapshots` are the assertions: a change in what users read
//! shows as a diff of them. `INSTA_UPDATE=always` rewrites them, for review.

use std::process::Output;

use super::TestContext;

/// The exit status, stdout and stderr of `out`, each under a header.
pub fn format_output(out: &Output) -> String {
    format!(
        "success: {}\nexit_code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.status.success(),
        out.status
            .code()
            .map_or_else(|| "none".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    )
}

/// What any run prints that changes from one run to the next, as regular
/// expressions and their replacements.
pub fn filters_of_any_run() -> Vec<(String, String)> {
    vec![
        // Log lines: timestamped, coloured, and in whatever order concurrent
        // work happened to log. What a run says to its user is its summary
        // and its `error:` line; the log is checked where it is the subject.
        (
            r"(?m)^(\x1b\[[0-9;]*m)?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z.*\n".to_string(),
            String::new(),
        ),
        // `succeeded in 0.24 s`; a run's duration in `sluice runs`.
        (r"\b\d+\.\d{2} s\b".to_string(), "[TIME] s".to_string()),
        // A breaker's cool-down, counted down from the wall clock.
        (
            r"next attempt allowed in \d+ s".to_string(),
            "next attempt allowed in [SECONDS] s".to_string(),
        ),
        // The checkout, where the built plugins are.
        (
            regex_escape(&super::repo_root().display().to_string()),
            "[REPO]".to_string(),
        ),
        // The replay provider and other local servers on a free port.
        (
            r"127\.0\.0\.1:\d+".to_string(),
            "127.0.0.1:[PORT]".to_string(),
        ),
    ]
}

impl TestContext {
    /// [`filters_of_any_run`] with, first, this context's database (as `[DATABASE]`,
    /// so that a test on SQLite and on PostgreSQL prints the same) and its
    /// folder (as `[TEMP]`, as written and as the system resolves it).
    pub fn filters(&self) -> Vec<(String, String)> {
        let mut filters = vec![(regex_escape(&self.database_url()), "[DATABASE]".to_string())];
        let dir = self.dir.path();
        let mut folders = vec![dir.to_path_buf()];
        if let Ok(real) = dir.canonicalize()
            && real != dir
        {
            folders.push(real);
        }
        for folder in folders {
            filters.push((
                regex_escape(&folder.display().to_string()),
                "[TEMP]".to_string(),
            ));
        }
        filters.extend(filters_of_any_run());
        filters
    }
}

/// `text` as a regular expression matching itself.
fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Asserts the snapshot `name` (in `tests/it/snapshots`, named after the
/// calling test module) of an [`Output`] of the binary, filtered with
/// `filters` (a context's [`TestContext::filters`], or
/// [`filters_of_any_run`] when none is given), and gives the output back:
///
/// ```ignore
/// sluice_snapshot!("demo_first_run", ctx.filters(), ctx.run(&config, "demo"));
/// sluice_snapshot!("run_without_pipeline", sluice_command(&["run"]).output().expect("run"));
/// ```
///
/// A name is always given: the two databases' versions of one test assert
/// the same snapshot, which insta's numbering of unnamed ones would tell
/// apart.
#[macro_export]
macro_rules! sluice_snapshot {
    ($name:expr, $filters:expr, $output:expr) => {{
        let filters: Vec<(String, String)> = $filters;
        let mut settings = insta::Settings::clone_current();
        for (regex, replacement) in &filters {
            settings.add_filter(regex, replacement.as_str());
        }
        let output: std::process::Output = $output;
        let text = $crate::common::snapshot::format_output(&output);
        settings.bind(|| insta::assert_snapshot!($name, text));
        output
    }};
    ($name:expr, $output:expr) => {
        $crate::sluice_snapshot!(
            $name,
            $crate::common::snapshot::filters_of_any_run(),
            $output
        )
    };
}
