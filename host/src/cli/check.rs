//! `sluice check`: a table's checks over what is already loaded.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::quality::{QualityPlan, grade};
use crate::state::StateStore;

/// Arguments of `sluice check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The config file (its [quality] checks and database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// The table whose checks run.
    #[arg(short, long)]
    table: String,
    /// Fail (exit non-zero) when the table's grade is below this (A to F).
    #[arg(long, value_name = "GRADE")]
    min_grade: Option<char>,
}

pub async fn execute(args: CheckArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    if !crate::config::is_identifier(&args.table) {
        anyhow::bail!("`{}` is not a table name", args.table);
    }
    if let Some(grade) = args.min_grade
        && !matches!(grade, 'A'..='D' | 'F')
    {
        anyhow::bail!("--min-grade: expected one of A, B, C, D, F, got `{grade}`");
    }
    let quality = &config.config.quality;
    if !quality.checks.iter().any(|c| c.table == args.table) {
        anyhow::bail!(
            "no quality check is declared for table `{}` ([[quality.checks]] in {})",
            args.table,
            args.config.display()
        );
    }
    let min_grade = args.min_grade.map(String::from);
    let plan = QualityPlan::new(quality, min_grade.as_deref())?;
    let state = StateStore::connect(config.database(args.database.as_deref())).await?;
    let mut conn = state.pool().acquire().await?;
    let report = grade::check_table(&mut conn, &plan, &args.table)
        .await
        .with_context(|| format!("while checking table {}", args.table))?;
    print!("{}", report.render());
    let skipped: Vec<&str> = quality
        .checks
        .iter()
        .filter(|c| c.table == args.table && !crate::quality::table_checks::in_database(c, true))
        .map(|c| c.name.as_str())
        .collect();
    if !skipped.is_empty() {
        println!(
            "  not checked over the loaded table (they judge a run's rows): {}",
            skipped.join(", ")
        );
    }
    if report.below_min_grade() {
        anyhow::bail!(
            "table `{}` is graded {}, below --min-grade {}",
            args.table,
            report.grade,
            report.min_grade.unwrap_or('F')
        );
    }
    Ok(())
}
