//! `sluice status` (the providers' breakers and quotas, each stream's
//! freshness and the latest runs) and `sluice runs` (the run history, and
//! one run in full).

use anyhow::Context;
use clap::{Args, Subcommand};
use std::fmt::Write;
use std::path::PathBuf;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::LoadedConfig;
use crate::state::runs::{RunFilter, RunRow};
use crate::state::{StateStore, history, quotas, run_logs, stream_runs};

/// Where the database is: `--database`, or the config's.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// The config file (for the database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL; with it, no config file is needed.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
}

impl DatabaseArgs {
    /// The state of the database.
    pub(super) async fn state(&self) -> anyhow::Result<StateStore> {
        let database = match &self.database {
            Some(url) => url.clone(),
            None => LoadedConfig::load(&self.config)?.database(None).to_string(),
        };
        Ok(StateStore::connect(&database).await?)
    }

    /// The config, when there is one: with `--database` a missing file is
    /// no error.
    fn config(&self) -> anyhow::Result<Option<LoadedConfig>> {
        if self.database.is_some() && !self.config.exists() {
            return Ok(None);
        }
        Ok(Some(LoadedConfig::load(&self.config)?))
    }
}

/// Arguments of `sluice status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many runs to list.
    #[arg(long, default_value_t = 5)]
    runs: i64,
}

/// Arguments of `sluice runs`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RunsArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many runs to list.
    #[arg(long, default_value_t = 20)]
    limit: i64,
    /// Only runs started this long ago or since (`6h`, `2d`, `30m`).
    #[arg(long, value_name = "AGE", value_parser = humantime::parse_duration)]
    since: Option<std::time::Duration>,
    /// Only this pipeline's runs.
    #[arg(long)]
    pipeline: Option<String>,
    /// One run in full.
    #[command(subcommand)]
    show: Option<RunsCommand>,
}

/// `sluice runs …`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// One run: its counts and balance, its streams, its error or note and
    /// its last log lines.
    Show(ShowArgs),
}

/// Arguments of `sluice runs show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The run.
    id: i64,
    /// How many of its last log lines.
    #[arg(long, default_value_t = 20)]
    lines: i64,
}

pub async fn execute(args: StatusArgs) -> anyhow::Result<()> {
    let config = args.database.config()?;
    let state = args.database.state().await?;
    let (runs, providers) = state.status(args.runs).await?;
    let mut conn = state.pool().acquire().await?;
    let windows = quotas::all(&mut conn).await?;
    let fresh = stream_runs::freshness(&mut conn).await?;
    drop(conn);
    let mut out = String::new();
    let _ = writeln!(out, "providers");
    if providers.is_empty() {
        let _ = writeln!(out, "  (none has run yet)");
    }
    for p in &providers {
        let _ = write!(
            out,
            "  {:<20} breaker {:<9} {} failures in a row",
            p.provider, p.breaker_state, p.consecutive_failures
        );
        if let Some(opened) = &p.opened_at {
            let _ = write!(out, ", last opened {opened}");
        }
        if let Some(error) = &p.last_error {
            let _ = write!(out, ", last error: {error}");
        }
        let _ = writeln!(out);
    }
    render_quotas(&mut out, &windows);
    render_freshness(&mut out, &fresh, config.as_ref(), OffsetDateTime::now_utc());
    let _ = writeln!(out, "\nlatest runs");
    render_runs(&mut out, &runs);
    print!("{out}");
    Ok(())
}

fn render_quotas(out: &mut String, windows: &[quotas::QuotaRow]) {
    let _ = writeln!(out, "\nquotas");
    if windows.is_empty() {
        let _ = writeln!(out, "  (none reported yet)");
    }
    for w in windows {
        let name = if w.scope.is_empty() {
            w.quota.clone()
        } else {
            format!("{} ({})", w.quota, w.scope)
        };
        let limit = w
            .quota_limit
            .map_or_else(|| "?".to_string(), |l| l.to_string());
        let _ = write!(
            out,
            "  {:<20} {:<24} {:>8} / {:<8}",
            w.provider, name, w.remaining, limit
        );
        if let Some(resets) = &w.resets_at {
            let _ = write!(out, " resets {}", resets.get(..19).unwrap_or(resets));
        }
        let _ = writeln!(
            out,
            " (reported {})",
            w.updated_at.get(..19).unwrap_or(&w.updated_at)
        );
    }
}

fn render_freshness(
    out: &mut String,
    streams: &[stream_runs::Freshness],
    config: Option<&LoadedConfig>,
    now: OffsetDateTime,
) {
    let _ = writeln!(out, "\nfreshness");
    if streams.is_empty() {
        let _ = writeln!(out, "  (no stream has succeeded yet)");
    }
    for f in streams {
        let age = OffsetDateTime::parse(&f.last_success, &Rfc3339)
            .ok()
            .map(|at| std::time::Duration::try_from(now - at).unwrap_or_default());
        let limit = config
            .and_then(|c| c.config.pipelines.get(&f.pipeline))
            .and_then(|p| p.freshness)
            .map(|d| d.0);
        let stale = matches!((age, limit), (Some(age), Some(limit)) if age > limit);
        let _ = writeln!(
            out,
            "  {:<12} {:<50} last success {} age {:>8} limit {:>6}{}",
            f.pipeline,
            f.stream_key,
            f.last_success.get(..19).unwrap_or(&f.last_success),
            age.map_or_else(|| "?".to_string(), short_duration),
            limit.map_or_else(|| "-".to_string(), short_duration),
            if stale { "  STALE" } else { "" }
        );
    }
}

/// A duration to the second, the way people write it (`1h 5m 3s`).
fn short_duration(d: std::time::Duration) -> String {
    humantime::format_duration(std::time::Duration::from_secs(d.as_secs())).to_string()
}

pub async fn runs(args: RunsArgs) -> anyhow::Result<()> {
    if let Some(RunsCommand::Show(show)) = args.show {
        return show_run(show).await;
    }
    let since = match args.since {
        Some(age) => {
            let age = time::Duration::try_from(age)
                .ok()
                .and_then(|age| OffsetDateTime::now_utc().checked_sub(age))
                .context("--since: too long ago")?;
            Some(history::timestamp(age))
        }
        None => None,
    };
    let filter = RunFilter {
        pipeline: args.pipeline,
        since,
        before: None,
    };
    let state = args.database.state().await?;
    let runs =
        crate::state::runs::list(&mut state.pool().acquire().await?, &filter, args.limit).await?;
    let mut out = String::new();
    render_runs(&mut out, &runs);
    print!("{out}");
    Ok(())
}

async fn show_run(args: ShowArgs) -> anyhow::Result<()> {
    let state = args.database.state().await?;
    let mut conn = state.pool().acquire().await?;
    let run = crate::state::runs::get(&mut conn, args.id)
        .await?
        .with_context(|| format!("there is no run {}", args.id))?;
    let streams = stream_runs::of_run(&mut conn, args.id).await?;
    let lines = run_logs::of_run(&mut conn, args.id, None, args.lines).await?;
    let quality = crate::quality::store::load(&mut conn, args.id).await?;
    drop(conn);
    let mut out = String::new();
    let r = &run;
    let _ = writeln!(
        out,
        "run {} of {} ({}): {}, started {}, {}",
        r.id,
        r.pipeline,
        r.mode,
        r.status,
        r.started_at.get(..19).unwrap_or(&r.started_at),
        match &r.finished_at {
            Some(_) => format!("took {}", duration(&r.started_at, r.finished_at.as_deref())),
            None => "not finished".to_string(),
        }
    );
    let _ = writeln!(
        out,
        "  {} requests, {} records in: {} inserted, {} updated, {} unchanged, {} quarantined, {} failed batches",
        r.requests,
        r.records_in,
        r.inserted,
        r.updated,
        r.unchanged,
        r.quarantined,
        r.failed_batches
    );
    if let Some(error) = &r.error {
        let _ = writeln!(out, "  error: {error}");
    }
    if let Some(note) = &r.note {
        let _ = writeln!(out, "  note: {note}");
    }
    if let Some(quality) = &quality {
        let _ = write!(out, "\n{}", quality.render());
    }
    let _ = writeln!(out, "\nstreams");
    if streams.is_empty() {
        let _ = writeln!(out, "  (none recorded)");
    }
    for s in &streams {
        let _ = writeln!(
            out,
            "  {:<50} {:<20} {:<9} {:>8} {:>6} req {:>6} in {:>6} ins {:>6} upd {:>6} unch {:>4} quar.",
            s.stream_key,
            s.provider,
            s.status,
            duration(&s.started_at, Some(&s.finished_at)),
            s.requests,
            s.records_in,
            s.inserted,
            s.updated,
            s.unchanged,
            s.quarantined
        );
        if let Some(error) = &s.error {
            let _ = writeln!(out, "       {error}");
        }
    }
    let _ = writeln!(
        out,
        "\nlast log lines (`sluice logs --run {}` for more)",
        r.id
    );
    if lines.is_empty() {
        let _ = writeln!(out, "  (none kept)");
    }
    super::logs::render(&mut out, &lines);
    print!("{out}");
    Ok(())
}

fn render_runs(out: &mut String, runs: &[RunRow]) {
    let _ = writeln!(
        out,
        "  {:>4} {:<12} {:<8} {:<10} {:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}",
        "id",
        "pipeline",
        "mode",
        "status",
        "started",
        "duration",
        "fetched",
        "records",
        "inserted",
        "updated",
        "unchanged",
        "quar."
    );
    for r in runs {
        let _ = writeln!(
            out,
            "  {:>4} {:<12} {:<8} {:<10} {:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}",
            r.id,
            r.pipeline,
            r.mode,
            r.status,
            r.started_at.get(..19).unwrap_or(&r.started_at),
            duration(&r.started_at, r.finished_at.as_deref()),
            r.requests,
            r.records_in,
            r.inserted,
            r.updated,
            r.unchanged,
            r.quarantined + r.failed_batches
        );
        if let Some(error) = &r.error {
            let _ = writeln!(out, "       {error}");
        }
    }
}

fn duration(started: &str, finished: Option<&str>) -> String {
    let parse = |t: &str| OffsetDateTime::parse(t, &Rfc3339).ok();
    match (parse(started), finished.and_then(parse)) {
        (Some(a), Some(b)) => format!("{:.2} s", (b - a).as_seconds_f64()),
        _ => "-".to_string(),
    }
}
