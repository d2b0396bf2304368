//! Transactions in CSV or NDJSON files (plain, `.gz` or `.zst`): each file
//! read as Arrow batches of the six needed columns, typed as the Parquet
//! files' are (integer user ids, decimal amounts, UTC timestamps, text), so
//! the same decoding and accumulators take them.

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::LakeError;
use super::columns::NEEDED;

/// A text format of transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Comma-separated, with a header row naming the columns.
    Csv,
    /// One JSON object per line.
    Ndjson,
}

/// A checked text file: its format and the schema it is read with.
#[derive(Debug, Clone)]
pub struct TextSource {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: TextFormat,
    /// CSV: every column of the header (the needed ones typed, the rest
    /// text); NDJSON: the needed columns.
    schema: SchemaRef,
    /// CSV: the needed columns' positions.
    projection: Vec<usize>,
}

/// The format a file name says (a `.gz` or `.zst` suffix looked through);
/// `None` for Parquet and anything else.
pub fn format_of(path: &Path) -> Option<TextFormat> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(&name);
    match name.rsplit_once('.')?.1 {
        "csv" => Some(TextFormat::Csv),
        "ndjson" | "jsonl" | "json" => Some(TextFormat::Ndjson),
        _ => None,
    }
}

/// The Arrow type a needed column is read as.
fn needed_type(column: &str) -> DataType {
    match column {
        "user_id" => DataType::Int64,
        // Six places: amounts with more than cents are rounded to cents
        // afterwards, as a Parquet decimal of a larger scale is.
        "amount" => DataType::Decimal128(38, 6),
        "created_at" => DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
        _ => DataType::Utf8,
    }
}

/// Opens `path`, decompressing by its suffix.
fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, LakeError> {
    let file = File::open(path).map_err(|e| LakeError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let name = path.to_string_lossy().to_ascii_lowercase();
    let reader: Box<dyn Read + Send> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else if name.ends_with(".zst") {
        Box::new(zstd::Decoder::new(file).map_err(|e| LakeError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?)
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(256 * 1024, reader)))
}

/// Checks `path` (of `format`): a CSV file's header must name every needed
/// column; an NDJSON file is read with the needed columns as its schema
/// (other keys ignored, a missing key a null).
pub fn check(path: &Path, format: TextFormat) -> Result<TextSource, LakeError> {
    let (schema, projection) = match format {
        TextFormat::Ndjson => {
            let fields: Vec<Field> = NEEDED
                .iter()
                .map(|c| Field::new(*c, needed_type(c), true))
                .collect();
            (Schema::new(fields), Vec::new())
        }
        TextFormat::Csv => {
            let mut header = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(open(path)?);
            let first = header
                .records()
                .next()
                .transpose()
                .map_err(|e| LakeError::Text {
                    path: path.to_path_buf(),
                    message: format!("cannot read the header row: {e}"),
                })?
                .ok_or_else(|| LakeError::Text {
                    path: path.to_path_buf(),
                    message: "empty file: expected a header row".to_string(),
                })?;
            let names: Vec<&str> = first.iter().map(str::trim).collect();
            let mut projection = Vec::with_capacity(NEEDED.len());
            for column in NEEDED {
                let index = names.iter().position(|n| *n == column).ok_or_else(|| {
                    LakeError::MissingColumn {
                        path: path.to_path_buf(),
                        column: column.to_string(),
                    }
                })?;
                projection.push(index);
            }
            projection.sort_unstable();
            let fields: Vec<Field> = names
                .iter()
                .map(|n| {
                    let t = if NEEDED.contains(n) {
                        needed_type(n)
                    } else {
                        DataType::Utf8
                    };
                    Field::new(*n, t, true)
                })
                .collect();
            (Schema::new(fields), projection)
        }
    };
    Ok(TextSource {
        path: path.to_path_buf(),
        format,
        schema: Arc::new(schema),
        projection,
    })
}

impl TextSource {
    /// Reads the file in batches of `rows`, handing each to `each`; a value
    /// that does not parse ends the read with the reader's message and the
    /// data rows of the batch it is in (the reader does not always name
    /// the line).
    pub fn read(
        &self,
        rows: usize,
        mut each: impl FnMut(&RecordBatch) -> Result<(), LakeError>,
    ) -> Result<(), LakeError> {
        let input = open(&self.path)?;
        let batches: Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>>> = match self
            .format
        {
            TextFormat::Csv => Box::new(
                arrow_csv::ReaderBuilder::new(self.schema.clone())
                    .with_header(true)
                    .with_batch_size(rows)
                    .with_projection(self.projection.clone())
                    .build(input)
                    .map_err(|e| self.failed(&e, None))?,
            ),
            TextFormat::Ndjson => Box::new(
                arrow_json::ReaderBuilder::new(self.schema.clone())
                    .with_batch_size(rows)
                    .build(input)
                    .map_err(|e| self.failed(&e, None))?,
            ),
        };
        let mut done = 0usize;
        for batch in batches {
            let batch = batch.map_err(|e| self.failed(&e, Some((done + 1, done + rows))))?;
            done += batch.num_rows();
            each(&batch)?;
        }
        Ok(())
    }

    fn failed(&self, error: &ArrowError, rows: Option<(usize, usize)>) -> LakeError {
        let message = match rows {
            Some((first, last)) => {
                format!("{error} (in data rows {first} to {last}, the header not counted)")
            }
            None => error.to_string(),
        };
        LakeError::Text {
            path: self.path.clone(),
            message,
        }
    }
}
