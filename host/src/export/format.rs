//! The one face every file format has: batches of rows in, the files it
//! wrote (relative to the staging folder) out. Writers run on the blocking
//! pool and write to disk as rows arrive; none keeps all the rows.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::ExportError;
use super::cells::{Cell, Column};
use super::quality::TableQuality;
use crate::config::ExportFormat;

/// Writes batches of rows in one format.
pub trait FormatWriter {
    /// Writes `rows`, in order after those written before.
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError>;
    /// Completes the files and returns their paths, relative to the staging
    /// folder.
    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, ExportError>;
}

/// What a writer is told about the export.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// The format.
    pub format: ExportFormat,
    /// The columns, in order, with their settled types.
    pub columns: Vec<Column>,
    /// Where files are written until published.
    pub staging: PathBuf,
    /// The file's name, for a single-file export; none for a folder.
    pub file_name: Option<String>,
    /// Partition columns (Parquet).
    pub partition_by: Vec<String>,
    /// Partitions past which the export is refused.
    pub max_partitions: usize,
    /// Size past which a Parquet file is closed and the next begun.
    pub max_file_size: u64,
    /// What identifies this export in file names (`part-<label>-<n>`).
    pub label: String,
    /// What a report is about (the table, or the query) and its rows shown.
    pub report_title: String,
    /// Rows a report shows.
    pub report_rows: usize,
    /// The table's latest quality report, for HTML and Markdown.
    pub quality: Option<TableQuality>,
}

impl WriterOptions {
    /// The single file's path in the staging folder.
    pub fn file(&self) -> PathBuf {
        self.staging
            .join(self.file_name.as_deref().unwrap_or("export"))
    }
}

/// The writer of `options.format`.
pub fn open(options: WriterOptions) -> Result<Box<dyn FormatWriter>, ExportError> {
    Ok(match options.format {
        ExportFormat::Csv | ExportFormat::CsvGz => {
            Box::new(super::delimited::CsvWriter::new(options)?)
        }
        ExportFormat::Json | ExportFormat::Ndjson => {
            Box::new(super::json::JsonWriter::new(options)?)
        }
        ExportFormat::Parquet => Box::new(super::parquet::ParquetWriter::new(options)?),
        ExportFormat::Xlsx => Box::new(super::xlsx::XlsxWriter::new(options)?),
        ExportFormat::Html | ExportFormat::Markdown => {
            Box::new(super::report::ReportWriter::new(options))
        }
    })
}

/// Creates `path` for writing, buffered.
pub fn create(path: &Path) -> Result<BufWriter<File>, ExportError> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|source| ExportError::Write {
            path: path.to_path_buf(),
            source,
        })
}

/// An I/O error on `path` as an [`ExportError`].
pub fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    }
}
