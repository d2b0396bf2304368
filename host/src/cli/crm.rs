//! `sluice crm`: generate realistic betting transactions, and compute the
//! per-user features of `[crm.features]` into their table, then grade it.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use crate::config::{CrmFeaturesConfig, LoadedConfig, is_table_name, parse_day};
use crate::crm::generate::{GenerateOptions, Transactions, parquet_file, sink};
use crate::crm::{FeaturesJob, FeaturesSummary, compute_and_load};
use crate::db::{Exec, Pool, without_password};
use crate::plugin::{PluginEngine, SandboxLimits, Scorer};
use crate::quality::{QualityPlan, grade};

/// Arguments of `sluice crm`.
#[derive(Debug, Args)]
pub struct CrmArgs {
    /// What to do.
    #[command(subcommand)]
    command: CrmCommand,
}

#[derive(Debug, Subcommand)]
enum CrmCommand {
    /// Generate realistic transactions from a seed into a new table.
    Generate(GenerateArgs),
    /// Compute every user's features from the transactions and load them.
    Features(FeaturesArgs),
}

/// Arguments of `sluice crm generate`.
#[derive(Debug, Args)]
struct GenerateArgs {
    /// Users.
    #[arg(long, default_value_t = 1_000)]
    users: u64,
    /// Transactions in all.
    #[arg(long, default_value_t = 20_000)]
    transactions: u64,
    /// The seed: the same seed and options give the same rows.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where: `postgres://USER@HOST/DB` or `sqlite:PATH` (with the
    /// default `--format table`).
    #[arg(long, value_name = "URL")]
    into: Option<String>,
    /// `table` (into the database of `--into`) or `parquet` (into the file
    /// `--out`).
    #[arg(long, value_enum, default_value_t = GenerateFormat::Table)]
    format: GenerateFormat,
    /// The Parquet file written with `--format parquet`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Rows per Parquet row group.
    #[arg(long, default_value_t = parquet_file::DEFAULT_ROW_GROUP_ROWS)]
    row_group_rows: usize,
    /// The table created for the transactions.
    #[arg(long, default_value = "transactions")]
    table: String,
    /// Drop the table (or overwrite the file) first when it exists.
    #[arg(long)]
    replace: bool,
    /// The last day with transactions (YYYY-MM-DD).
    #[arg(long, default_value = "2025-06-30")]
    reference_date: String,
    /// Days of history up to the reference date.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// The share of users who stopped playing.
    #[arg(long, default_value_t = 0.2)]
    churn_share: f64,
    /// Churned users have no transaction in this many weeks before the
    /// reference date.
    #[arg(long, default_value_t = 8)]
    churn_weeks: u32,
    /// The share of transactions with a defect: a missing user, amount,
    /// time or game, a repeated transaction id, or an outlier amount.
    #[arg(long, default_value_t = 0.0)]
    defect_rate: f64,
}

/// Where `sluice crm generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GenerateFormat {
    /// A new table of the database `--into` names.
    Table,
    /// A Parquet file, `--out`.
    Parquet,
}

/// Arguments of `sluice crm features`.
#[derive(Debug, Args)]
struct FeaturesArgs {
    /// The config file (its [crm.features], [quality] and database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// The day the features are as of (YYYY-MM-DD), overriding the
    /// config's `reference_date`; today in the time zone when neither.
    #[arg(long)]
    reference_date: Option<String>,
    /// Parquet, CSV or NDJSON file(s) to read the transactions from
    /// instead of the table, overriding the config's `source_file`: a path
    /// or a pattern (`lake/**/transactions-*.parquet`).
    #[arg(long, value_name = "PATH|GLOB")]
    source_file: Option<String>,
    /// A Parquet file to write the features to instead of the table,
    /// overriding the config's `target_file` (replaced whole).
    #[arg(long, value_name = "FILE")]
    target_file: Option<PathBuf>,
}

/// Runs `sluice crm …`.
pub async fn execute(args: CrmArgs) -> anyhow::Result<()> {
    match args.command {
        CrmCommand::Generate(args) => generate(args).await,
        CrmCommand::Features(args) => features(args).await,
    }
}

async fn generate(args: GenerateArgs) -> anyhow::Result<()> {
    if !is_table_name(&args.table) {
        anyhow::bail!("--table: `{}` is not a table name", args.table);
    }
    let reference_date =
        parse_day(&args.reference_date).map_err(|m| anyhow::anyhow!("--reference-date: {m}"))?;
    let rows = Transactions::new(GenerateOptions {
        users: args.users,
        transactions: args.transactions,
        seed: args.seed,
        reference_date,
        days: args.days,
        churn_share: args.churn_share,
        churn_weeks: args.churn_weeks,
        defect_rate: args.defect_rate,
    })
    .map_err(anyhow::Error::msg)?;
    let started = Instant::now();
    let (written, place) = match (args.format, &args.into, &args.out) {
        (GenerateFormat::Parquet, None, Some(out)) => {
            let options = parquet_file::ParquetOptions {
                path: out.clone(),
                replace: args.replace,
                row_group_rows: args.row_group_rows,
            };
            let written = tokio::task::spawn_blocking(move || parquet_file::write(&options, rows))
                .await
                .context("the Parquet writer stopped")??;
            (written, format!("Parquet file {}", out.display()))
        }
        (GenerateFormat::Table, Some(into), None) => {
            let url = database_url(into)?;
            if url.starts_with("sqlite:") && args.table.contains('.') {
                anyhow::bail!("--table: SQLite has no schemas, name a plain table");
            }
            let pool = Pool::connect(&url).await?;
            let written = sink::write(&pool, &args.table, args.replace, rows)
                .await
                .with_context(|| format!("while generating into {}", without_password(&url)))?;
            (
                written,
                format!("{} table {}", without_password(&url), args.table),
            )
        }
        (GenerateFormat::Parquet, Some(_), _) => {
            anyhow::bail!("--into: --format parquet writes to the file --out, not a database")
        }
        (GenerateFormat::Table, _, Some(_)) => {
            anyhow::bail!("--out: only with --format parquet (tables go --into a database)")
        }
        (GenerateFormat::Parquet, None, None) => anyhow::bail!("--format parquet needs --out FILE"),
        (GenerateFormat::Table, None, None) => anyhow::bail!("--into URL is needed"),
    };
    println!(
        "generated {} transactions of {} users into {place} in {:.2} s (seed {}, checksum {})",
        written.rows,
        args.users,
        started.elapsed().as_secs_f64(),
        args.seed,
        written.checksum
    );
    Ok(())
}

/// `sqlite:PATH` and `postgres://…` as the database layer takes them.
fn database_url(into: &str) -> anyhow::Result<String> {
    if into.starts_with("postgres://") || into.starts_with("postgresql://") {
        return Ok(into.to_string());
    }
    if let Some(path) = into.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        return Ok(format!("sqlite://{path}"));
    }
    anyhow::bail!("--into: expected postgres://USER@HOST/DB or sqlite:PATH, got `{into}`")
}

async fn features(args: FeaturesArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let Some(section) = &config.config.crm.features else {
        anyhow::bail!(
            "{} declares no [crm.features] (see the README's \"User features for a CRM\")",
            args.config.display()
        );
    };
    let reference_date = reference_date(section, args.reference_date.as_deref())?;
    let mut job = FeaturesJob::from_config(section, reference_date)?;
    if let Some(files) = args.source_file {
        job.source_file = Some(files);
    }
    if let Some(file) = args.target_file {
        job.target_file = Some(file);
    }
    let pool = if job.needs_database() {
        let url = config.database(args.database.as_deref()).to_string();
        Some(Pool::connect(&url).await?)
    } else {
        None
    };
    let scorer = match &section.scorer {
        Some(name) => Some(load_scorer(&config, name)?),
        None => None,
    };
    let started = Instant::now();
    let summary = compute_and_load(pool.as_ref(), &job, scorer.as_ref())
        .await
        .with_context(|| format!("while computing the features of {}", job.source_name()))?;
    print!(
        "{}",
        render(&job, &summary, started.elapsed().as_secs_f64())
    );
    if let Some(scorer) = &scorer {
        let m = scorer.manifest();
        println!(
            "  scores by plugin {} {} (sluice:plugin@{})",
            m.name, m.version, m.wit
        );
    }
    match (&pool, &job.target_file) {
        (Some(pool), None) => grade_target(&config, pool, &job).await,
        _ => Ok(()),
    }
}

/// The scorer plugin `name` of the config's `plugin_dir`, under the
/// config's `[sandbox]` limits.
fn load_scorer(config: &LoadedConfig, name: &str) -> anyhow::Result<Scorer> {
    let engine = PluginEngine::new(SandboxLimits::from(&config.config.sandbox))
        .context("cannot start the plugin runtime")?;
    let wasm = config.plugin_dir().join(format!("{name}.wasm"));
    Scorer::load(&engine, &wasm).with_context(|| {
        format!(
            "crm.features.scorer = \"{name}\": loading {}",
            wasm.display()
        )
    })
}

/// The flag's day, else the config's, else today in the job's time zone.
fn reference_date(section: &CrmFeaturesConfig, flag: Option<&str>) -> anyhow::Result<time::Date> {
    if let Some(day) = flag {
        return parse_day(day).map_err(|m| anyhow::anyhow!("--reference-date: {m}"));
    }
    if let Some(day) = &section.reference_date {
        return parse_day(day).map_err(|m| anyhow::anyhow!("crm.features.reference_date: {m}"));
    }
    let zone = section.zone().map_err(anyhow::Error::msg)?;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    parse_day(&today.format("%Y-%m-%d").to_string()).map_err(anyhow::Error::msg)
}

fn render(job: &FeaturesJob, summary: &FeaturesSummary, seconds: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "features of {} users as of {} ({}) written to {} ({}) in {seconds:.2} s",
        summary.users,
        job.reference_date,
        job.zone.name(),
        job.target_name(),
        if job.target_file.is_some() {
            "parquet"
        } else {
            job.target.write.as_str()
        },
    );
    let _ = writeln!(
        out,
        "  aggregation {:.2} s, features and load {:.2} s, {} rows written",
        summary.aggregate_time.as_secs_f64(),
        summary.write_time.as_secs_f64(),
        summary.written
    );
    let _ = writeln!(out, "  {:<12} {:>9} {:>7}", "segment", "users", "share");
    for (segment, users) in &summary.segments {
        let share = if summary.users == 0 {
            0.0
        } else {
            *users as f64 / summary.users as f64 * 100.0
        };
        let _ = writeln!(out, "  {:<12} {users:>9} {share:>6.1}%", segment.as_str());
    }
    out
}

/// Runs the table-level checks `[quality]` declares for the features table
/// over what was just loaded, and prints the grade.
async fn grade_target(config: &LoadedConfig, pool: &Pool, job: &FeaturesJob) -> anyhow::Result<()> {
    let table = &job.target.table;
    let quality = &config.config.quality;
    if !quality.checks.iter().any(|c| &c.table == table) {
        println!("quality: no [[quality.checks]] for table `{table}`");
        return Ok(());
    }
    let plan = QualityPlan::new(quality, None)?;
    let mut conn = pool.acquire().await?;
    // Checks name the table alone; its schema goes on the search path.
    if let (Pool::Postgres(_), Some(schema)) = (pool, &job.target.schema) {
        conn.execute(&format!("SET search_path TO {schema}, public"), Vec::new())
            .await
            .context("while setting the search path for the quality checks")?;
    }
    let report = grade::check_table(&mut conn, &plan, table)
        .await
        .with_context(|| format!("while checking table {table}"));
    if matches!(pool, Pool::Postgres(_)) && job.target.schema.is_some() {
        conn.execute("RESET search_path", Vec::new()).await?;
    }
    print!("{}", report?.render());
    Ok(())
}
