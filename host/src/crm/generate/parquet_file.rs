//! Generated transactions as one Parquet file, zstd-compressed, with the
//! columns and values the database targets get: `transaction_id` (UUID
//! text), `user_id` (int64), `amount` (decimal(10, 2), exact cents),
//! `transaction_type`, `status` and `game_type` (dictionary-encoded text),
//! `created_at` (timestamp in microseconds, UTC). The checksum is computed
//! over the same canonical text as the database sinks', so a file and a
//! table generated with the same seed prove to hold the same rows.

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, Decimal128Array, DictionaryArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::sink::Written;
use super::{Checksum, GAMES, KINDS, STATUSES, Transaction};
use crate::crm::CrmError;

/// Rows per row group unless told otherwise: small enough that two cores
/// share a 10-million-row file evenly, large enough to compress well.
pub const DEFAULT_ROW_GROUP_ROWS: usize = 256 * 1024;

/// Rows per Arrow batch handed to the writer.
const BATCH_ROWS: usize = 64 * 1024;

/// How the file is written.
#[derive(Debug, Clone)]
pub struct ParquetOptions {
    /// The file.
    pub path: PathBuf,
    /// Overwrite the file when it exists.
    pub replace: bool,
    /// Rows per row group.
    pub row_group_rows: usize,
}

fn failed(path: &Path, doing: &str, e: impl std::fmt::Display) -> CrmError {
    CrmError::Generate(format!("{}: {doing}: {e}", path.display()))
}

/// The file's Arrow schema.
pub fn schema() -> Arc<Schema> {
    let text = || DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    Arc::new(Schema::new(vec![
        Field::new("transaction_id", DataType::Utf8, false),
        Field::new("user_id", DataType::Int64, true),
        Field::new("amount", DataType::Decimal128(10, 2), true),
        Field::new("transaction_type", text(), false),
        Field::new("status", text(), false),
        Field::new(
            "created_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new("game_type", text(), true),
    ]))
}

/// Columns of one batch under construction.
#[derive(Default)]
struct Columns {
    ids: Vec<String>,
    users: Vec<Option<i64>>,
    cents: Vec<Option<i128>>,
    kinds: Vec<i32>,
    statuses: Vec<i32>,
    created: Vec<Option<i64>>,
    games: Vec<Option<i32>>,
}

fn position(names: &[(&str, f64)], name: &str) -> i32 {
    names.iter().position(|(n, _)| *n == name).unwrap_or(0) as i32
}

impl Columns {
    fn push(&mut self, t: &Transaction) {
        self.ids.push(t.id_text());
        self.users.push(t.user_id);
        self.cents.push(t.amount_cents.map(i128::from));
        self.kinds.push(position(&KINDS, t.kind));
        self.statuses.push(position(&STATUSES, t.status));
        self.created.push(t.created_at.map(|s| s * 1_000_000));
        self.games.push(t.game_type.map(|g| position(&GAMES, g)));
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    fn batch(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let names = |table: &[(&str, f64)]| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(table.iter().map(|(n, _)| *n)))
        };
        let dictionary = |keys: Int32Array, table: &[(&str, f64)]| {
            DictionaryArray::<Int32Type>::try_new(keys, names(table))
                .map(|d| Arc::new(d) as ArrayRef)
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(self.ids.drain(..))),
            Arc::new(Int64Array::from(std::mem::take(&mut self.users))),
            Arc::new(
                Decimal128Array::from(std::mem::take(&mut self.cents))
                    .with_precision_and_scale(10, 2)?,
            ),
            dictionary(Int32Array::from(std::mem::take(&mut self.kinds)), &KINDS)?,
            dictionary(
                Int32Array::from(std::mem::take(&mut self.statuses)),
                &STATUSES,
            )?,
            Arc::new(
                TimestampMicrosecondArray::from(std::mem::take(&mut self.created))
                    .with_timezone("UTC"),
            ),
            dictionary(Int32Array::from(std::mem::take(&mut self.games)), &GAMES)?,
        ];
        RecordBatch::try_new(schema.clone(), columns)
    }
}

/// Writes `rows` to the file of `options`; refuses an existing file unless
/// `replace`. The file appears whole or not at all (written beside it, then
/// renamed).
pub fn write(
    options: &ParquetOptions,
    rows: impl Iterator<Item = Transaction>,
) -> Result<Written, CrmError> {
    let path = &options.path;
    if path.exists() && !options.replace {
        return Err(CrmError::Generate(format!(
            "{} already exists: pass --replace to overwrite it, or --out to name another",
            path.display()
        )));
    }
    if options.row_group_rows == 0 {
        return Err(CrmError::Generate(
            "--row-group-rows must be at least 1".to_string(),
        ));
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let result = write_to(&partial, options.row_group_rows, rows);
    match result {
        Ok(written) => {
            std::fs::rename(&partial, path).map_err(|e| failed(path, "renaming into place", e))?;
            Ok(written)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn write_to(
    path: &Path,
    row_group_rows: usize,
    rows: impl Iterator<Item = Transaction>,
) -> Result<Written, CrmError> {
    let file = std::fs::File::create(path).map_err(|e| failed(path, "creating", e))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(row_group_rows))
        .build();
    let schema = schema();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties))
        .map_err(|e| failed(path, "starting", e))?;
    let mut checksum = Checksum::default();
    let mut line = String::new();
    let mut columns = Columns::default();
    let mut count = 0u64;
    for t in rows {
        line.clear();
        t.copy_line(&mut line);
        checksum.add(&line);
        columns.push(&t);
        count += 1;
        if columns.len() == BATCH_ROWS {
            let batch = columns
                .batch(&schema)
                .map_err(|e| failed(path, "building a batch", e))?;
            writer
                .write(&batch)
                .map_err(|e| failed(path, "writing", e))?;
        }
    }
    if !columns.ids.is_empty() {
        let batch = columns
            .batch(&schema)
            .map_err(|e| failed(path, "building a batch", e))?;
        writer
            .write(&batch)
            .map_err(|e| failed(path, "writing", e))?;
    }
    writer.close().map_err(|e| failed(path, "finishing", e))?;
    Ok(Written {
        rows: count,
        checksum: checksum.finish(),
    })
}
