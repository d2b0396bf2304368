//! Writing the features to a Parquet file instead of a table, for a data
//! lake or a notebook: the same 50 columns (money as decimal(16, 2), days
//! as dates), Snappy-compressed (zstd made the file a third smaller but
//! took a sixth of a run's CPU). Users are split into chunks, one row group
//! each, whose rows are computed, turned into Arrow columns and encoded
//! into Parquet column chunks on every core; the calling thread only
//! appends the finished row groups in user order. The file appears whole
//! (written beside it, then renamed) or not at all.

use arrow_array::builder::{
    Date32Builder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::{Compression, Encoding};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use time::Date;

use super::CrmError;
use super::aggregates::UserAggregates;
use super::row::{COLUMNS, Cell, Cells, FeatureRow, Kind, may_be_null};
use super::scores::{Population, Scores, Segment};
use super::users::{CHUNK_USERS, Users};

/// Users whose rows are computed before they are turned into columns: few
/// enough that their cells stay in the core's cache.
const BLOCK_USERS: usize = 256;

/// What the file received.
#[derive(Debug, Clone, PartialEq)]
pub struct FileWritten {
    /// Rows written.
    pub rows: u64,
    /// Users per segment.
    pub segments: BTreeMap<Segment, u64>,
}

/// The features' Arrow schema.
pub fn schema() -> Arc<Schema> {
    let fields: Vec<Field> = COLUMNS
        .iter()
        .map(|(name, kind)| {
            let t = match kind {
                Kind::Text => DataType::Utf8,
                Kind::Int => DataType::Int64,
                Kind::Money => DataType::Decimal128(16, 2),
                Kind::Float => DataType::Float64,
                Kind::Date => DataType::Date32,
            };
            Field::new(*name, t, may_be_null(name, *kind))
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// One column under construction.
enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Money(Decimal128Builder),
    Float(Float64Builder),
    Date(Date32Builder),
}

fn epoch_days(d: Date) -> i32 {
    d.to_julian_day() - 2_440_588
}

impl Builder {
    fn new(kind: Kind, rows: usize) -> Self {
        match kind {
            Kind::Text => Builder::Text(StringBuilder::with_capacity(rows, rows * 8)),
            Kind::Int => Builder::Int(Int64Builder::with_capacity(rows)),
            Kind::Money => Builder::Money(Decimal128Builder::with_capacity(rows)),
            Kind::Float => Builder::Float(Float64Builder::with_capacity(rows)),
            Kind::Date => Builder::Date(Date32Builder::with_capacity(rows)),
        }
    }

    /// Appends column `column` of each of `rows`: one match on the
    /// builder for the lot, not one per value.
    fn extend(&mut self, rows: &[Cells<'_>], column: usize) {
        let cells = rows.iter().map(|row| &row[column]);
        match self {
            Builder::Text(b) => cells.for_each(|cell| match cell {
                Cell::Text(t) => b.append_value(t),
                _ => b.append_null(),
            }),
            Builder::Int(b) => cells.for_each(|cell| match cell {
                Cell::Int(n) => b.append_value(*n),
                _ => b.append_null(),
            }),
            Builder::Money(b) => cells.for_each(|cell| match cell {
                Cell::Cents(c) => b.append_value(i128::from(*c)),
                _ => b.append_null(),
            }),
            Builder::Float(b) => cells.for_each(|cell| match cell {
                Cell::Float(x) => b.append_value(*x),
                _ => b.append_null(),
            }),
            Builder::Date(b) => cells.for_each(|cell| match cell {
                Cell::Date(d) => b.append_value(epoch_days(*d)),
                _ => b.append_null(),
            }),
        }
    }

    fn finish(self) -> Result<ArrayRef, arrow_schema::ArrowError> {
        Ok(match self {
            Builder::Text(mut b) => Arc::new(b.finish()),
            Builder::Int(mut b) => Arc::new(b.finish()),
            Builder::Money(mut b) => Arc::new(b.finish().with_precision_and_scale(16, 2)?),
            Builder::Float(mut b) => Arc::new(b.finish()),
            Builder::Date(mut b) => Arc::new(b.finish()),
        })
    }
}

/// One chunk's encoded columns and segment counts, or why it could not
/// be built.
type Built = Result<(Vec<ArrowColumnChunk>, BTreeMap<Segment, u64>), ParquetError>;

/// The rows of `users` as one batch, and their segments.
fn chunk(
    users: &[UserAggregates],
    population: &Population,
    scored: Option<&[Scores]>,
    snapshot: Date,
    top_weekdays: usize,
    schema: &Arc<Schema>,
) -> Result<(RecordBatch, BTreeMap<Segment, u64>), arrow_schema::ArrowError> {
    let mut builders: Vec<Builder> = COLUMNS
        .iter()
        .map(|(_, kind)| Builder::new(*kind, users.len()))
        .collect();
    let mut counted = [0u64; Segment::ALL.len()];
    // Rows are computed a block at a time, then turned into columns
    // column by column.
    let mut block: Vec<Cells<'_>> = Vec::with_capacity(BLOCK_USERS);
    for (b, users) in users.chunks(BLOCK_USERS).enumerate() {
        block.clear();
        for (i, user) in users.iter().enumerate() {
            let given = scored.and_then(|s| s.get(b * BLOCK_USERS + i)).cloned();
            let row = FeatureRow::new(user, population, given, top_weekdays);
            counted[row.scores.rfm_segment as usize] += 1;
            block.push(row.into_cells(snapshot));
        }
        for (column, builder) in builders.iter_mut().enumerate() {
            builder.extend(&block, column);
        }
    }
    let columns = builders
        .into_iter()
        .map(Builder::finish)
        .collect::<Result<Vec<_>, _>>()?;
    let segments = Segment::ALL.into_iter().zip(counted).collect();
    Ok((RecordBatch::try_new(schema.clone(), columns)?, segments))
}

/// `batch` encoded as the column chunks of row group `index`.
fn encode(
    factory: &ArrowRowGroupWriterFactory,
    index: usize,
    batch: &RecordBatch,
) -> Result<Vec<ArrowColumnChunk>, ParquetError> {
    let mut writers = factory.create_column_writers(index)?;
    let mut next = writers.iter_mut();
    for (field, column) in batch.schema_ref().fields().iter().zip(batch.columns()) {
        for leaf in compute_leaves(field, column)? {
            next.next()
                .ok_or_else(|| ParquetError::General(format!("no writer for `{}`", field.name())))?
                .write(&leaf)?;
        }
    }
    writers.into_iter().map(|w| w.close()).collect()
}

/// Writes the features of `users` as of `snapshot` to the Parquet file at
/// `path`, replacing it, computing rows on `threads` threads; the scores
/// are `scored` (in the users' order) when a scorer gave them.
pub fn write(
    path: &Path,
    snapshot: Date,
    users: &Users,
    population: &Population,
    scored: Option<&[Scores]>,
    top_weekdays: usize,
    threads: usize,
) -> Result<FileWritten, CrmError> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let job = Job {
        snapshot,
        population,
        scored,
        top_weekdays,
        threads,
    };
    match write_to(&partial, path, users, &job) {
        Ok(written) => {
            std::fs::rename(&partial, path).map_err(|e| failed(path, "renaming into place", &e))?;
            Ok(written)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// What every chunk shares.
struct Job<'a> {
    snapshot: Date,
    population: &'a Population,
    scored: Option<&'a [Scores]>,
    top_weekdays: usize,
    threads: usize,
}

fn failed(path: &Path, doing: &str, e: &dyn std::fmt::Display) -> CrmError {
    CrmError::Output {
        path: path.to_path_buf(),
        message: format!("{doing}: {e}"),
    }
}

fn write_to(
    partial: &Path,
    path: &Path,
    users: &Users,
    job: &Job<'_>,
) -> Result<FileWritten, CrmError> {
    let file = std::fs::File::create(partial).map_err(|e| failed(path, "creating", &e))?;
    // Dictionaries only for the text columns: the numbers are mostly
    // distinct, and trying a dictionary for each costs more than it saves.
    // Whole numbers (counts, cents, days) are delta-encoded and bit-packed:
    // small values in a few bits each instead of eight bytes, so Snappy
    // has a fraction of the bytes to go through.
    let mut properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(CHUNK_USERS))
        .set_dictionary_enabled(false);
    for (name, kind) in COLUMNS {
        let column = ColumnPath::from(*name);
        properties = match kind {
            Kind::Text if *name != "user_id" => {
                properties.set_column_dictionary_enabled(column, true)
            }
            Kind::Int | Kind::Money | Kind::Date => {
                properties.set_column_encoding(column, Encoding::DELTA_BINARY_PACKED)
            }
            Kind::Text | Kind::Float => properties,
        };
    }
    let properties = properties.build();
    let schema = schema();
    // The high-level writer only to start the file (it records the Arrow
    // schema in the footer); row groups are encoded by the workers.
    let (mut writer, factory) = ArrowWriter::try_new(file, schema.clone(), Some(properties))
        .and_then(ArrowWriter::into_serialized_writer)
        .map_err(|e| failed(path, "starting", &e))?;
    let mut segments: BTreeMap<Segment, u64> = Segment::ALL.iter().map(|s| (*s, 0)).collect();
    let chunks = users.len().div_ceil(CHUNK_USERS);
    let threads = job.threads.clamp(1, chunks.max(1));
    let next = AtomicUsize::new(0);
    // Workers compute and encode chunks in any order; this thread appends
    // them in order as they arrive.
    let (send, receive) = mpsc::sync_channel::<(usize, Built)>(threads);
    std::thread::scope(|scope| -> Result<(), CrmError> {
        for _ in 0..threads {
            let (send, next) = (send.clone(), &next);
            let (schema, factory) = (&schema, &factory);
            scope.spawn(move || {
                // A compact population's users are built here, a chunk at
                // a time, in the same memory each time.
                let mut buffer = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= chunks {
                        return;
                    }
                    let start = index * CHUNK_USERS;
                    let users = users.slice(start..start + CHUNK_USERS, &mut buffer);
                    let scored = job.scored.and_then(|s| s.get(start..start + users.len()));
                    let built = chunk(
                        users,
                        job.population,
                        scored,
                        job.snapshot,
                        job.top_weekdays,
                        schema,
                    )
                    .map_err(ParquetError::from)
                    .and_then(|(batch, segments)| Ok((encode(factory, index, &batch)?, segments)));
                    if send.send((index, built)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(send);
        let mut waiting: BTreeMap<usize, Built> = BTreeMap::new();
        let mut due = 0;
        for (index, built) in receive {
            waiting.insert(index, built);
            while let Some(built) = waiting.remove(&due) {
                let (columns, counted) = built.map_err(|e| failed(path, "building columns", &e))?;
                for (segment, n) in counted {
                    *segments.entry(segment).or_default() += n;
                }
                let writing = |e: ParquetError| failed(path, "writing", &e);
                let mut group = writer.next_row_group().map_err(writing)?;
                for column in columns {
                    column.append_to_row_group(&mut group).map_err(writing)?;
                }
                group.close().map_err(writing)?;
                due += 1;
            }
        }
        if due != chunks {
            return Err(failed(path, "computing rows", &"a thread stopped"));
        }
        Ok(())
    })?;
    writer.close().map_err(|e| failed(path, "finishing", &e))?;
    Ok(FileWritten {
        rows: users.len() as u64,
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::aggregates::sample;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use time::macros::date;

    /// More users than two chunks hold, written by two threads: every row
    /// lands once, in user order, a row group per chunk.
    #[test]
    fn chunks_encoded_on_several_threads_land_in_user_order() {
        let day = date!(2025 - 06 - 30);
        let users: Vec<UserAggregates> = (0..2 * CHUNK_USERS + 7)
            .map(|i| {
                let mut u = sample::user(day);
                u.user_id = format!("{i:06}");
                u.transactions = i as u64 + 1;
                u
            })
            .collect();
        let population = Population::of(&users, day, [0.33, 0.67]);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("features.parquet");
        let count = users.len();
        let users = Users::Listed(users);
        let written =
            write(&path, day, &users, &population, None, 2, 2).expect("the file is written");
        assert_eq!(written.rows, count as u64);
        assert_eq!(written.segments.values().sum::<u64>(), count as u64);
        assert!(!dir.path().join("features.parquet.partial").exists());

        let file = std::fs::File::open(&path).expect("the file");
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("Parquet");
        assert_eq!(builder.metadata().num_row_groups(), 3);
        assert_eq!(builder.schema().as_ref(), schema().as_ref());
        let mut read = 0;
        for batch in builder.build().expect("a reader") {
            let batch = batch.expect("a batch");
            let ids = batch.column(0).as_string::<i32>();
            let counts = batch
                .column_by_name("total_transactions")
                .expect("the column")
                .as_primitive::<Int64Type>();
            for i in 0..batch.num_rows() {
                assert_eq!(ids.value(i), format!("{read:06}"));
                assert_eq!(counts.value(i), read as i64 + 1);
                read += 1;
            }
        }
        assert_eq!(read, count);
    }
}
