//! Per-user aggregates from the files of a data lake (Parquet, CSV or
//! NDJSON) instead of a table: the same figures the grouped query returns,
//! so the features and scores that follow are the same code.
//!
//! Every file's footer or header and columns are checked before a row is
//! read (`columns.rs`, `text.rs`); then the row groups of all Parquet files
//! and the text files whole are shared out to one thread per core, each
//! reading only the six needed columns in batches and folding them into a
//! table of its own (`accumulate.rs`), added up user by user only when the
//! features are computed. Memory
//! holds the per-user figures and a batch per thread, never the
//! transactions.

pub mod accumulate;
pub mod clock;
pub mod columns;
pub mod compact;
pub mod paths;
pub mod text;

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::statistics::Statistics;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use time::{Date, OffsetDateTime};

use super::aggregates::{GAME_TYPES, TRANSACTION_TYPES};
use accumulate::{Rules, UserTable};
use columns::{Decoded, Vocabulary};
use compact::CompactUsers;
use text::TextSource;

/// Rows decoded at a time per thread.
const BATCH_ROWS: usize = 16 * 1024;

/// Why transactions could not be read from files.
#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    /// A file or folder could not be opened.
    #[error("{}: {message}", path.display())]
    Open {
        /// The path.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// A pattern matched nothing or is not supported.
    #[error("{pattern}: {message}")]
    Pattern {
        /// The pattern as given.
        pattern: String,
        /// What is wrong.
        message: String,
    },
    /// The file is not Parquet, or is cut short.
    #[error("{}: not a readable Parquet file (truncated or not Parquet?): {message}", path.display())]
    NotParquet {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// A needed column is missing.
    #[error("{}: no column `{column}` (transactions need user_id, amount, transaction_type, status, created_at and game_type)", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A needed column has a type it cannot be read as.
    #[error("{}: column `{column}` is {found}, expected {expected}", path.display())]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// Its type in the file.
        found: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A value cannot be used.
    #[error("{}: column `{column}`: {message}", path.display())]
    Value {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A CSV or NDJSON file could not be read: the reader's message names
    /// the line and column.
    #[error("{}: {message}", path.display())]
    Text {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// Reading a row group failed.
    #[error("{}: row group {row_group}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The row group.
        row_group: usize,
        /// What the reader said.
        message: String,
    },
}

/// What to read and which transactions count.
#[derive(Debug, Clone)]
pub struct FileQuery {
    /// A Parquet, CSV or NDJSON file (`.gz`, `.zst` read through), or a
    /// pattern of them (`lake/tx-*.parquet`).
    pub source: String,
    /// The time zone of days, weekdays and hours.
    pub zone: chrono_tz::Tz,
    /// Transactions at or after this instant do not count.
    pub cutoff: OffsetDateTime,
    /// The day the features are as of.
    pub reference_date: Date,
    /// The statuses that count.
    pub statuses: Vec<String>,
    /// Threads reading row groups (at least 1).
    pub threads: usize,
}

/// One checked Parquet file.
struct ParquetSource {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    projection: ProjectionMask,
}

/// One checked file.
enum Source {
    /// Read by row groups, shared out among the threads.
    Parquet(ParquetSource),
    /// Read whole by one thread.
    Text(TextSource),
}

impl Source {
    /// The units of work the file splits into.
    fn units(&self) -> usize {
        match self {
            Source::Parquet(p) => p.metadata.metadata().num_row_groups(),
            Source::Text(_) => 1,
        }
    }
}

fn open(path: &Path) -> Result<File, LakeError> {
    File::open(path).map_err(|e| LakeError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Opens `path`, reads its footer (or header) and checks its columns.
fn check(path: &Path) -> Result<Source, LakeError> {
    if let Some(format) = text::format_of(path) {
        return text::check(path, format).map(Source::Text);
    }
    let file = open(path)?;
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|e| {
        LakeError::NotParquet {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    })?;
    let indices = columns::check(path, metadata.schema())?;
    let projection = ProjectionMask::roots(metadata.parquet_schema(), indices);
    Ok(Source::Parquet(ParquetSource {
        path: path.to_path_buf(),
        metadata,
        projection,
    }))
}

/// Every user's aggregates from the files of `q`, by user id.
pub fn read_users(q: &FileQuery) -> Result<CompactUsers, LakeError> {
    let sources = paths::expand(&q.source)?
        .iter()
        .map(|p| check(p))
        .collect::<Result<Vec<_>, _>>()?;
    let units: Vec<(usize, usize)> = sources
        .iter()
        .enumerate()
        .flat_map(|(f, s)| (0..s.units()).map(move |g| (f, g)))
        .collect();
    let statuses: Vec<&str> = q.statuses.iter().map(String::as_str).collect();
    let words = Vocabulary {
        kinds: &TRANSACTION_TYPES,
        statuses: &statuses,
        games: &GAME_TYPES,
    };
    let rules = Rules::new(q.zone, q.cutoff, q.reference_date);
    let next = AtomicUsize::new(0);
    let threads = q.threads.clamp(1, units.len().max(1));
    let expected = expected_users(&sources);
    let tables: Vec<Result<UserTable, LakeError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (sources, units, next, mut rules) = (&sources, &units, &next, rules.clone());
                scope.spawn(move || -> Result<UserTable, LakeError> {
                    let mut table = match expected.ids {
                        Some((low, high)) => UserTable::with_id_range(expected.users, low, high),
                        None => UserTable::with_capacity(expected.users),
                    };
                    let mut files: Vec<Option<File>> = sources.iter().map(|_| None).collect();
                    let mut decoded = Decoded::default();
                    while let Some(&(f, group)) = units.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let source = match &sources[f] {
                            Source::Parquet(source) => source,
                            Source::Text(source) => {
                                source.read(BATCH_ROWS, |batch| {
                                    decoded.fill(&source.path, batch, words)?;
                                    table.add(&decoded, &mut rules);
                                    Ok(())
                                })?;
                                continue;
                            }
                        };
                        let file = match &files[f] {
                            Some(file) => file,
                            None => files[f].insert(open(&source.path)?),
                        };
                        // Each thread reads through a handle of its own: a
                        // cloned handle would share its position.
                        read_group(
                            source,
                            file,
                            group,
                            words,
                            &mut decoded,
                            &mut table,
                            &mut rules,
                        )?;
                    }
                    Ok(table)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(LakeError::Read {
                        path: PathBuf::from(&q.source),
                        row_group: 0,
                        message: "a reading thread panicked".to_string(),
                    })
                })
            })
            .collect()
    });
    let tables = tables.into_iter().collect::<Result<Vec<_>, _>>()?;
    let users = CompactUsers::new(tables, q.reference_date);
    tracing::debug!(
        files = sources.len(),
        row_groups = units.len(),
        users = users.len(),
        "aggregated transactions from files"
    );
    Ok(users)
}

/// What the files' footers say of their users.
#[derive(Debug, Clone, Copy)]
struct ExpectedUsers {
    /// Most users there can be, capped: room reserved for them is address
    /// space until used.
    users: usize,
    /// The lowest and highest `user_id`, when every row group's
    /// statistics give them.
    ids: Option<(i64, i64)>,
}

/// Most users there can be, from the files' row counts and the range of
/// `user_id` their statistics give (rows alone when a file has none).
fn expected_users(sources: &[Source]) -> ExpectedUsers {
    const CAP: usize = 8 << 20;
    let (mut rows, mut low, mut high) = (0i64, i64::MAX, i64::MIN);
    let mut ranged = true;
    for source in sources {
        // A text file says nothing of its rows until read.
        let Source::Parquet(source) = source else {
            ranged = false;
            continue;
        };
        let metadata = source.metadata.metadata();
        let column = source
            .metadata
            .parquet_schema()
            .columns()
            .iter()
            .position(|c| c.name() == "user_id");
        for group in metadata.row_groups() {
            rows += group.num_rows();
            let stats = column.and_then(|c| group.column(c).statistics());
            match stats {
                Some(Statistics::Int64(v)) => match (v.min_opt(), v.max_opt()) {
                    (Some(&min), Some(&max)) => {
                        low = low.min(min);
                        high = high.max(max);
                    }
                    _ => ranged = false,
                },
                Some(Statistics::Int32(v)) => match (v.min_opt(), v.max_opt()) {
                    (Some(&min), Some(&max)) => {
                        low = low.min(i64::from(min));
                        high = high.max(i64::from(max));
                    }
                    _ => ranged = false,
                },
                _ => ranged = false,
            }
        }
    }
    let mut users = usize::try_from(rows).unwrap_or(0);
    let ids = (ranged && high >= low).then_some((low, high));
    if let Some((low, high)) = ids {
        let range = high.saturating_sub(low).saturating_add(1);
        users = users.min(usize::try_from(range).unwrap_or(usize::MAX));
    }
    ExpectedUsers {
        users: users.min(CAP),
        ids,
    }
}

fn read_group(
    source: &ParquetSource,
    file: &File,
    group: usize,
    words: Vocabulary<'_>,
    decoded: &mut Decoded,
    table: &mut UserTable,
    rules: &mut Rules,
) -> Result<(), LakeError> {
    let failed = |e: &dyn std::fmt::Display| LakeError::Read {
        path: source.path.clone(),
        row_group: group,
        message: e.to_string(),
    };
    let handle = file.try_clone().map_err(|e| failed(&e))?;
    let reader =
        ParquetRecordBatchReaderBuilder::new_with_metadata(handle, source.metadata.clone())
            .with_projection(source.projection.clone())
            .with_row_groups(vec![group])
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| failed(&e))?;
    for batch in reader {
        let batch = batch.map_err(|e| failed(&e))?;
        decoded.fill(&source.path, &batch, words)?;
        table.add(decoded, rules);
    }
    Ok(())
}
