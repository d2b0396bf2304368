//! Exports: a table or a query read from the database in bounded batches
//! and written as CSV, gzip CSV, Parquet (Hive-style partitions), JSON,
//! NDJSON, Excel, or an HTML or Markdown report, to a local path or S3,
//! by `sluice export` and by a pipeline's `exports` after a run.
//!
//! The reader streams rows (sqlx `fetch`) in batches of [`BATCH_ROWS`] to
//! the writer on the blocking pool through a queue of
//! [`BATCHES_IN_FLIGHT`], so an export holds at most [`MAX_ROWS_HELD`]
//! rows whatever the table's size; the writer writes to a staging folder
//! that is published (renamed or uploaded) only once complete.

mod arrow;
mod cells;
mod columns;
mod delimited;
mod destination;
mod error;
mod format;
mod json;
mod parquet;
mod quality;
mod read;
mod report;
mod step;
mod types;
mod xlsx;

pub use cells::{Column, ColumnType};
pub use destination::Destination;
pub use error::ExportError;
pub use parquet::NULL_PARTITION;
pub use read::{BATCH_ROWS, BATCHES_IN_FLIGHT, MAX_ROWS_HELD, RowGauge};
pub use step::{ExportStep, StepOutcome, after_run};
pub use xlsx::MAX_DATA_ROWS as XLSX_MAX_DATA_ROWS;

use crate::config::ExportFormat;
use crate::db::Pool;
use format::WriterOptions;

/// What is exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A table or view: every row, or those of one run (`run_id`).
    Table {
        /// The table.
        name: String,
        /// Only the rows this run inserted or changed.
        run: Option<i64>,
    },
    /// A query's rows.
    Query(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Table { name, run: None } => write!(f, "table {name}"),
            Source::Table {
                name,
                run: Some(run),
            } => write!(f, "table {name} (rows of run {run})"),
            Source::Query(_) => f.write_str("the query"),
        }
    }
}

/// One export: what, how and where.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The rows.
    pub source: Source,
    /// The format.
    pub format: ExportFormat,
    /// Where.
    pub out: Destination,
    /// Partition columns (Parquet).
    pub partition_by: Vec<String>,
    /// Partitions past which the export is refused.
    pub max_partitions: usize,
    /// Size past which a Parquet file is closed and the next begun.
    pub max_file_size: u64,
    /// Rows an HTML or Markdown report shows.
    pub report_rows: usize,
    /// What identifies this export in Parquet file names and staging
    /// folders: a run id, or the time of the export.
    pub label: String,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// Rows read (all of them, also for a report showing the first few).
    pub rows: u64,
    /// The files, where they ended.
    pub files: Vec<String>,
    /// Their size together.
    pub bytes: u64,
    /// The columns and their types.
    pub columns: Vec<Column>,
}

/// The label of an export run now: the UTC time to the millisecond.
pub fn time_label() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year][month][day]T[hour][minute][second][subsecond digits:3]Z"
    );
    now.format(&format)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// Runs `request` against the database of `pool`.
pub async fn export(pool: &Pool, request: &ExportRequest) -> Result<ExportSummary, ExportError> {
    export_counted(pool, request, &RowGauge::default()).await
}

/// [`export`], counting the rows its batches hold on `gauge`.
pub async fn export_counted(
    pool: &Pool,
    request: &ExportRequest,
    gauge: &RowGauge,
) -> Result<ExportSummary, ExportError> {
    let folder = request.format == ExportFormat::Parquet
        && (!request.partition_by.is_empty()
            || !request
                .out
                .file_name()
                .is_some_and(|n| n.ends_with(".parquet")));
    if !folder && request.out.file_name().is_none() {
        return Err(ExportError::Options(format!(
            "--out {} names a folder; {} is written to one file: name it",
            request.out.shown(),
            request.format
        )));
    }
    let mut conn = pool
        .acquire()
        .await
        .map_err(|source| ExportError::Read { source })?;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let view = format!(
        "sluice_export_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut columns = columns::describe(&mut conn, &request.source, &view).await?;
    let result = write_rows(&mut conn, request, &view, &mut columns, folder, gauge).await;
    columns::drop_view(&mut conn, &view).await;
    let published = result?;
    Ok(ExportSummary {
        rows: published.0,
        files: published.1.files,
        bytes: published.1.bytes,
        columns,
    })
}

/// Checks the partitions, streams the rows to the writer and publishes
/// what it wrote.
async fn write_rows(
    conn: &mut crate::db::Conn,
    request: &ExportRequest,
    view: &str,
    columns: &mut [Column],
    folder: bool,
    gauge: &RowGauge,
) -> Result<(u64, destination::Published), ExportError> {
    for name in &request.partition_by {
        if !columns.iter().any(|c| &c.name == name) {
            return Err(ExportError::UnknownColumn {
                column: name.clone(),
                columns: columns.iter().map(|c| c.name.clone()).collect(),
            });
        }
    }
    if !request.partition_by.is_empty() {
        let count = columns::count_distinct(conn, view, &request.partition_by).await?;
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if count > request.max_partitions {
            return Err(ExportError::TooManyPartitions {
                count,
                limit: request.max_partitions,
                at_least: false,
            });
        }
    }
    let quality = match (&request.source, request.format.is_report()) {
        (Source::Table { name, .. }, true) => quality::latest(conn, name).await?,
        _ => None,
    };
    let staging = destination::Staging::new(&request.out, folder, &request.label)?;
    let sql = columns::select_sql(conn, view, columns);
    let mut stream = read::RowStream::open(conn, &sql);
    let mut read_rows = 0u64;
    let first = stream.next_batch(columns, &mut read_rows, gauge).await?;
    // The first batch holds undeclared columns' values as stored; once
    // they settle a type, those values are converted to it.
    let undeclared: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].kind == ColumnType::Undeclared)
        .collect();
    types::settle(columns, first.as_ref().map_or(&[][..], |b| &b.rows));
    let first = match first {
        Some(mut batch) => {
            for (n, row) in (1u64..).zip(batch.rows.iter_mut()) {
                for &i in &undeclared {
                    let (Some(cell), Some(column)) = (row.get_mut(i), columns.get(i)) else {
                        continue;
                    };
                    let native = std::mem::replace(cell, cells::Cell::Null);
                    *cell = read::coerce(native, column.kind).map_err(|message| {
                        ExportError::Value {
                            column: column.name.clone(),
                            row: n,
                            message,
                        }
                    })?;
                }
            }
            Some(batch)
        }
        None => None,
    };
    let options = WriterOptions {
        format: request.format,
        columns: columns.to_vec(),
        staging: staging.dir.clone(),
        file_name: if folder {
            None
        } else {
            request.out.file_name()
        },
        partition_by: request.partition_by.clone(),
        max_partitions: request.max_partitions,
        max_file_size: request.max_file_size,
        label: request.label.clone(),
        report_title: match &request.source {
            Source::Query(sql) => format!("Query: {sql}"),
            source => {
                let mut title = source.to_string();
                title[..1].make_ascii_uppercase();
                title
            }
        },
        report_rows: request.report_rows,
        quality,
    };
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<read::Batch>(BATCHES_IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || {
        let mut writer = format::open(options)?;
        while let Some(batch) = receiver.blocking_recv() {
            writer.write(&batch.rows)?;
        }
        writer.finish()
    });
    let mut next = first;
    let read_result: Result<(), ExportError> = async {
        while let Some(batch) = next {
            if sender.send(batch).await.is_err() {
                // The writer stopped: its error says why.
                return Ok(());
            }
            next = stream.next_batch(columns, &mut read_rows, gauge).await?;
        }
        Ok(())
    }
    .await;
    drop(sender);
    drop(stream);
    let written = writer
        .await
        .map_err(|e| ExportError::Aborted(e.to_string()))?;
    read_result?;
    let files = written?;
    let published = staging.publish(&files).await?;
    Ok((read_rows, published))
}

#[cfg(test)]
mod tests;
