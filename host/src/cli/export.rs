//! `sluice export`: a table or a query of the config's database written as
//! a file (or a folder of Parquet partitions), locally or to S3; and the
//! lines `sluice run` prints for a pipeline's exports.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

use crate::config::{
    ByteSize, DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_PARTITIONS, DEFAULT_REPORT_ROWS, ExportFormat,
    LoadedConfig,
};
use crate::db::Pool;
use crate::export::{Destination, ExportRequest, Source, StepOutcome};

/// Arguments of `sluice export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The table (or view) to export; or give --query.
    #[arg(required_unless_present = "query", conflicts_with = "query")]
    table: Option<String>,
    /// A SELECT whose rows are exported instead of a table.
    #[arg(long, value_name = "SQL")]
    query: Option<String>,
    /// The config file (its database).
    #[arg(short, long, default_value_os_t = super::default_config())]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE")]
    database: Option<String>,
    /// csv, csv.gz, parquet, json, ndjson, xlsx, html or md.
    #[arg(short, long, value_name = "FORMAT")]
    format: ExportFormat,
    /// A file, a folder (Parquet), or s3://BUCKET/KEY.
    #[arg(short, long, value_name = "PATH")]
    out: String,
    /// Parquet: Hive-style partition folders by these columns
    /// (`--partition-by year,month`).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    partition_by: Vec<String>,
    /// Parquet: refuse the export when it would write more partitions.
    #[arg(long, value_name = "N")]
    max_partitions: Option<u32>,
    /// Parquet: start a new file past this size (`128MiB`).
    #[arg(long, value_name = "SIZE")]
    max_file_size: Option<ByteSize>,
    /// HTML and Markdown: the rows shown.
    #[arg(long, value_name = "N")]
    rows: Option<u32>,
}

pub async fn execute(args: ExportArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    if let Some((option, message)) = crate::config::export_options_problem(
        args.format,
        &args.partition_by,
        args.max_partitions,
        args.max_file_size,
        args.rows,
    ) {
        anyhow::bail!("--{}: {message}", option.replace('_', "-"));
    }
    let source = match (&args.table, &args.query) {
        (_, Some(query)) if query.trim().is_empty() => anyhow::bail!("--query is empty"),
        (_, Some(query)) => Source::Query(query.clone()),
        (Some(table), None) if crate::config::is_identifier(table) => Source::Table {
            name: table.clone(),
            run: None,
        },
        (Some(table), None) => anyhow::bail!(
            "`{table}` is not a table name (for anything else, use --query \"SELECT …\")"
        ),
        (None, None) => anyhow::bail!("name a table, or give --query"),
    };
    let request = ExportRequest {
        source: source.clone(),
        format: args.format,
        out: Destination::parse(&args.out)?,
        partition_by: args.partition_by,
        max_partitions: usize::try_from(args.max_partitions.unwrap_or(DEFAULT_MAX_PARTITIONS))
            .unwrap_or(usize::MAX),
        max_file_size: args.max_file_size.map_or(DEFAULT_MAX_FILE_SIZE, |s| s.0),
        report_rows: usize::try_from(args.rows.unwrap_or(DEFAULT_REPORT_ROWS))
            .unwrap_or(usize::MAX),
        label: crate::export::time_label(),
    };
    let database = config.database(args.database.as_deref());
    let pool = Pool::connect(database).await?;
    let summary = crate::export::export(&pool, &request)
        .await
        .with_context(|| format!("export of {source} failed"))?;
    let what = match &source {
        Source::Query(_) => "the query".to_string(),
        Source::Table { name, .. } => format!("table {name}"),
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    println!(
        "exported {} of {what} as {}: {}, {}",
        plural(usize::try_from(summary.rows).unwrap_or(usize::MAX), "row"),
        args.format,
        plural(summary.files.len(), "file"),
        size(summary.bytes)
    );
    // A partitioned export may write thousands of files: a few say where.
    const LISTED: usize = 10;
    let shown = if summary.files.len() > LISTED {
        3
    } else {
        LISTED
    };
    for file in summary.files.iter().take(shown) {
        println!("  {file}");
    }
    if summary.files.len() > shown {
        println!("  … and {} more", summary.files.len() - shown);
    }
    Ok(())
}

/// Bytes in the unit that reads best.
fn size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else if b < KIB * KIB * KIB {
        format!("{:.1} MiB", b / KIB / KIB)
    } else {
        format!("{:.2} GiB", b / KIB / KIB / KIB)
    }
}

/// The lines `sluice run` prints for the pipeline's exports, and the first
/// export that failed.
pub(super) fn render_exports(outcomes: &[StepOutcome]) -> (String, Option<String>) {
    let mut out = String::new();
    let mut failed = None;
    for outcome in outcomes {
        match &outcome.result {
            Ok(summary) => {
                let whole = if outcome.whole_table {
                    " (no run_id column: the whole table)"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "  exported {}: {} row{}{whole}, {} file{} to {}\n",
                    outcome.table,
                    summary.rows,
                    if summary.rows == 1 { "" } else { "s" },
                    summary.files.len(),
                    if summary.files.len() == 1 { "" } else { "s" },
                    outcome.out
                ));
            }
            Err(error) => {
                out.push_str(&format!(
                    "  export of {} to {} failed: {error}\n",
                    outcome.table, outcome.out
                ));
                failed
                    .get_or_insert_with(|| format!("export of {} failed: {error}", outcome.table));
            }
        }
    }
    (out, failed)
}
