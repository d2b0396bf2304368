//! File sources: CSV, JSON, NDJSON, Parquet and Excel files, local or on
//! S3, loaded into the generic tables `[tables]` declares. Each file is read
//! on a blocking thread in bounded batches and loaded in one transaction
//! with its checkpoint (`sluice_source_files`), its quarantined rows and its
//! run counters, so a failing file never leaves partial rows. A source may
//! name a database table or query instead (`database/`).

mod cell;
mod checkpoint;
mod database;
mod infer;
mod load;
mod locate;
mod read;
mod report;
mod source;
mod source_run;
mod table;
mod transform;
mod typing;
mod write;

pub use cell::{Cell, Place};
pub use database::DELETED_AT;
pub use infer::{InferOptions, infer_schema, schema_toml};
pub use report::SourceReport;
pub use source::{
    FilesOutcome, PreparedSource, SourceFailure, SourceOptions, prepare_sources, run_sources,
};
pub use table::column_name;
pub use transform::{TransformCounts, Transforms};

use std::path::PathBuf;

/// Rows per batch when a source does not say.
pub const DEFAULT_BATCH_ROWS: usize = 8192;

/// Why a file source, or one of its files, could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The source's config does not fit (its table's schema file, its path).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A database source could not be read: its URL, its server, its
    /// table or query, its columns.
    #[error("{source_key}: {reason}")]
    Source {
        /// The source.
        source_key: String,
        /// What is wrong.
        reason: String,
    },
    /// The source's files could not be listed.
    #[error("{source_key}: cannot list {path}: {message}")]
    List {
        /// The source.
        source_key: String,
        /// The path or S3 prefix.
        path: String,
        /// What the filesystem or S3 said.
        message: String,
    },
    /// A file was refused whole: nothing of it was loaded.
    #[error("{file}: {reason}; the file was refused and nothing of it loaded")]
    Refused {
        /// The file (a path or an `s3://` URL).
        file: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// A file could not be read at all.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The database refused.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// A reading thread could not be joined.
    #[error("reading {file} stopped: {message}")]
    Aborted {
        /// The file.
        file: String,
        /// What happened to the thread.
        message: String,
    },
}

impl FileError {
    /// Whether the error is the file's own (refused, unreadable): the run
    /// goes on with the other files and ends partial, not failed.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, FileError::Refused { .. } | FileError::Io { .. })
    }
}
