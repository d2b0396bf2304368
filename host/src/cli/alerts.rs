//! `sluice alerts` (what is firing now, from the database) and `sluice
//! alerts test` (a test message through each channel).

use anyhow::Context;
use clap::{Args, Subcommand};
use std::fmt::Write;
use std::path::PathBuf;

use std::sync::Arc;

use crate::alerts::{self, Alerter};
use crate::config::LoadedConfig;
use crate::db::Pool;

/// Arguments of `sluice alerts`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    /// `test`, or nothing to list what is firing.
    #[command(subcommand)]
    command: Option<AlertsCommand>,
    /// The config file (for the database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL; with it, no config file is needed.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
}

/// `sluice alerts …`.
#[derive(Debug, Subcommand)]
enum AlertsCommand {
    /// Send a test message through every channel (or one) and say, for
    /// each, whether it was sent; fails if any was not.
    Test(TestArgs),
    /// Evaluate the rules once, as `sluice serve` does every interval:
    /// store what changed and send its messages, waiting for them (for a
    /// cron job, or to check a config).
    Check(CheckArgs),
}

/// Arguments of `sluice alerts check`.
#[derive(Debug, Args)]
struct CheckArgs {
    /// The config file (rules, channels, database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL instead of the config's.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
}

/// Arguments of `sluice alerts test`.
#[derive(Debug, Args)]
struct TestArgs {
    /// The config file (for the channels).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Only this channel of `[alerts.channels]`.
    #[arg(long)]
    channel: Option<String>,
}

pub async fn execute(args: AlertsArgs) -> anyhow::Result<()> {
    match args.command {
        Some(AlertsCommand::Test(test)) => send_test(test).await,
        Some(AlertsCommand::Check(check)) => evaluate_once(check).await,
        None => list(args.config, args.database).await,
    }
}

async fn list(config: PathBuf, database: Option<String>) -> anyhow::Result<()> {
    let database = match database {
        Some(url) => url,
        None => LoadedConfig::load(&config)?.database(None).to_string(),
    };
    let pool = Pool::connect(&database).await?;
    let mut conn = pool
        .acquire()
        .await
        .context("cannot take a database connection")?;
    let firing = alerts::firing(&mut conn).await?;
    let mut out = String::new();
    if firing.is_empty() {
        let _ = writeln!(out, "no alert is firing");
    } else {
        let rule_width = firing
            .iter()
            .map(|a| a.rule.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let subject_width = firing
            .iter()
            .map(|a| a.subject.len())
            .max()
            .unwrap_or(7)
            .max(7);
        let _ = writeln!(
            out,
            "{:<rule_width$}  {:<subject_width$}  {:<27}  MESSAGE",
            "RULE", "SUBJECT", "SINCE"
        );
        for a in &firing {
            let _ = writeln!(
                out,
                "{:<rule_width$}  {:<subject_width$}  {:<27}  {}",
                a.rule, a.subject, a.since, a.message
            );
        }
    }
    print!("{out}");
    Ok(())
}

async fn evaluate_once(args: CheckArgs) -> anyhow::Result<()> {
    let config = Arc::new(LoadedConfig::load(&args.config)?);
    let pool = Pool::connect(config.database(args.database.as_deref())).await?;
    let alerter = Alerter::without_loop(config, pool)?;
    let evaluation = alerter.evaluate_now().await?;
    let delivered = alerter.finish().await.unwrap_or_default();
    println!(
        "{} firing; {} messages sent, {} failed",
        evaluation.firing, delivered.sent, delivered.failed
    );
    if delivered.failed > 0 {
        anyhow::bail!("{} alert messages could not be sent", delivered.failed);
    }
    Ok(())
}

async fn send_test(args: TestArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    if config.config.alerts.channels.is_empty() {
        anyhow::bail!(
            "{}: no channel in [alerts.channels] to test",
            args.config.display()
        );
    }
    let results = alerts::send_test(&config.config.alerts, args.channel.as_deref()).await?;
    let mut failed = 0;
    for (channel, result) in &results {
        match result {
            Ok(()) => println!("{channel}: sent"),
            Err(e) => {
                failed += 1;
                println!("{channel}: failed: {e}");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} channels failed", results.len());
    }
    Ok(())
}
