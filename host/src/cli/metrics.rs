//! `sluice metrics --hours N`: the runs of each hour and pipeline added up
//! (outcomes, records, requests, mean duration), as a table or exported as
//! JSON.

use anyhow::Context;
use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;
use time::{Duration, OffsetDateTime, Time};

use super::status::DatabaseArgs;
use crate::state::history::{self, HourOfRuns};

/// Arguments of `sluice metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many hours, the current one included.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=24 * 366))]
    hours: u32,
    /// Also write the figures as JSON to this file.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
}

/// What `--export` writes.
#[derive(Debug, serde::Serialize)]
struct Export<'a> {
    /// Runs started at or after this time are counted.
    since: &'a str,
    hours: u32,
    /// One per hour and pipeline, oldest first.
    buckets: Vec<Bucket<'a>>,
    /// Every bucket added up.
    total: Bucket<'a>,
}

#[derive(Debug, serde::Serialize)]
struct Bucket<'a> {
    #[serde(flatten)]
    counts: &'a HourOfRuns,
    runs: i64,
    mean_duration_seconds: Option<f64>,
}

impl<'a> Bucket<'a> {
    fn of(counts: &'a HourOfRuns) -> Self {
        Bucket {
            counts,
            runs: counts.runs(),
            mean_duration_seconds: counts.mean_duration_seconds(),
        }
    }
}

pub async fn execute(args: MetricsArgs) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    let this_hour = now.replace_time(Time::from_hms(now.hour(), 0, 0)?);
    let since = history::timestamp(this_hour - Duration::hours(i64::from(args.hours) - 1));
    let state = args.database.state().await?;
    let hours = history::runs_per_hour(&mut state.pool().acquire().await?, &since).await?;
    let mut total = HourOfRuns {
        hour: "total".to_string(),
        ..HourOfRuns::default()
    };
    for hour in &hours {
        total.add(hour);
    }
    print!("{}", render(&since, &hours, &total));
    if let Some(path) = &args.export {
        let export = Export {
            since: &since,
            hours: args.hours,
            buckets: hours.iter().map(Bucket::of).collect(),
            total: Bucket::of(&total),
        };
        let json = serde_json::to_string_pretty(&export)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("written to {}", path.display());
    }
    Ok(())
}

fn render(since: &str, hours: &[HourOfRuns], total: &HourOfRuns) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "runs started since {}",
        since.get(..16).unwrap_or(since)
    );
    let _ = writeln!(
        out,
        "  {:<13} {:<12} {:>4} {:>4} {:>4} {:>4} {:>4} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6} {:>9}",
        "hour",
        "pipeline",
        "runs",
        "ok",
        "part",
        "fail",
        "abnd",
        "requests",
        "records",
        "inserted",
        "updated",
        "unchanged",
        "quar.",
        "mean dur."
    );
    for h in hours.iter().chain(std::iter::once(total)) {
        let _ = writeln!(
            out,
            "  {:<13} {:<12} {:>4} {:>4} {:>4} {:>4} {:>4} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6} {:>9}",
            h.hour,
            h.pipeline,
            h.runs(),
            h.succeeded,
            h.partial,
            h.failed,
            h.abandoned,
            h.requests,
            h.records_in,
            h.inserted,
            h.updated,
            h.unchanged,
            h.quarantined,
            h.mean_duration_seconds()
                .map_or_else(|| "-".to_string(), |s| format!("{s:.2} s"))
        );
    }
    if hours.is_empty() {
        let _ = writeln!(out, "  (no run in these hours)");
    }
    out
}
