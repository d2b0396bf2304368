//! `sluice logs --run ID`: the log lines a run kept in the database.

use clap::Args;
use std::fmt::Write;

use super::status::DatabaseArgs;
use crate::state::run_logs::{self, RunLogLine};

/// Arguments of `sluice logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The run whose lines to print.
    #[arg(long, value_name = "ID")]
    run: i64,
    /// How many lines, the last ones of the run.
    #[arg(long, default_value_t = 50)]
    limit: i64,
    /// Only lines at this level or more severe (error, warn, info, debug).
    #[arg(long)]
    level: Option<String>,
}

pub async fn execute(args: LogsArgs) -> anyhow::Result<()> {
    let levels = match &args.level {
        Some(level) => Some(run_logs::levels_from(level).ok_or_else(|| {
            anyhow::anyhow!("--level {level}: not a level (error, warn, info, debug, trace)")
        })?),
        None => None,
    };
    let state = args.database.state().await?;
    let mut conn = state.pool().acquire().await?;
    if crate::state::runs::get(&mut conn, args.run)
        .await?
        .is_none()
    {
        anyhow::bail!("there is no run {}", args.run);
    }
    let lines = run_logs::of_run(&mut conn, args.run, levels, args.limit).await?;
    let mut out = String::new();
    if lines.is_empty() {
        let _ = writeln!(out, "run {} kept no log lines", args.run);
    }
    render(&mut out, &lines);
    print!("{out}");
    Ok(())
}

/// One line per log line: time, level, message and its fields.
pub(super) fn render(out: &mut String, lines: &[RunLogLine]) {
    for line in lines {
        let _ = write!(
            out,
            "{} {:<5} {}",
            line.at.get(..23).unwrap_or(&line.at),
            line.level,
            line.message
        );
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(&line.fields) {
            for (key, value) in fields {
                match value {
                    serde_json::Value::String(text) => {
                        let _ = write!(out, " {key}={text}");
                    }
                    other => {
                        let _ = write!(out, " {key}={other}");
                    }
                }
            }
        }
        let _ = writeln!(out);
    }
}
