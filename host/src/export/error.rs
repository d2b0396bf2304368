//! Why an export could not be written: each error names what the user
//! gave (the table, the query, the column, the path, the limit).

use std::path::PathBuf;

use crate::db::DbError;

/// Why an export could not be written. Nothing is left at the destination
/// when it fails.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The options do not fit together.
    #[error("{0}")]
    Options(String),
    /// The table is not in the database.
    #[error("no table or view named `{table}` in the database{}", closest.as_ref().map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default())]
    UnknownTable {
        /// The table asked for.
        table: String,
        /// The closest name the database has.
        closest: Option<String>,
    },
    /// The database refused the query.
    #[error("--query `{query}`: the database refused it: {message}")]
    BadQuery {
        /// The query as given.
        query: String,
        /// What the database said.
        message: String,
    },
    /// A partition column is not one of the exported columns.
    #[error("partition column `{column}` is not exported (columns: {})", columns.join(", "))]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The exported columns.
        columns: Vec<String>,
    },
    /// Too many partitions.
    #[error("the export would write {}{count} partitions, more than the limit of {limit} (--max-partitions / max_partitions): partition by fewer or coarser columns, or raise the limit; nothing was written", if *at_least { "at least " } else { "" })]
    TooManyPartitions {
        /// How many partitions the data has (or at least).
        count: usize,
        /// The limit.
        limit: usize,
        /// Whether `count` is a lower bound found while writing.
        at_least: bool,
    },
    /// More rows than the format can hold.
    #[error(
        "{format} holds at most {limit} data rows in a sheet and the export has more; export it as csv or parquet, or narrow it with --query; nothing was written"
    )]
    TooManyRows {
        /// The format.
        format: &'static str,
        /// Its limit.
        limit: u64,
    },
    /// The database could not be read.
    #[error("reading the rows: {source}")]
    Read {
        /// What sqlx said.
        source: sqlx::Error,
    },
    /// The host's own tables could not be read.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A value does not fit its column's type.
    #[error("row {row}, column `{column}`: {message}")]
    Value {
        /// The column.
        column: String,
        /// The row's number in the export, from 1.
        row: u64,
        /// What is wrong.
        message: String,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// CSV could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the csv crate said.
        source: csv::Error,
    },
    /// Parquet or Arrow refused.
    #[error("parquet: {0}")]
    Parquet(String),
    /// The workbook could not be written.
    #[error("cannot write {}: {message}", path.display())]
    Xlsx {
        /// The file.
        path: PathBuf,
        /// What rust_xlsxwriter said.
        message: String,
    },
    /// S3 refused or could not be reached.
    #[error("{url}: {message}")]
    S3 {
        /// Where.
        url: String,
        /// What object_store said.
        message: String,
    },
    /// The writer stopped without saying why.
    #[error("the export's writer stopped: {0}")]
    Aborted(String),
}
