//! Loading one file inside its transaction: the reader's batches fitted to
//! the table (new columns added), good rows written, bad rows quarantined
//! with their file, place and reason, or the whole file refused.

use std::path::Path;
use std::sync::Arc;

use super::FileError;
use super::cell::{BadRow, Batcher, Cell, Item, RawRow, ReadError};
use super::infer;
use super::read::{ReadSpec, read_file};
use super::table::{self, TableShape, column_name};
use super::transform::{FileTransformer, StepFailure, TransformCounts, Transforms};
use super::typing::{Typed, fit, is_decimal};
use super::write::{self, AppendStream, Written};
use crate::config::{ColumnType, FileFormat, OnBadRow, WriteDisposition};
use crate::db::{Tx, now_timestamp};
use crate::model::Reject;
use crate::state::RunId;
use crate::state::archive::ResponseContext;

/// One file to load, and what its bad rows are filed under.
pub struct FileJob<'a> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// The source's key.
    pub source_key: &'a str,
    /// The run.
    pub run_id: RunId,
    /// The file as messages name it.
    pub name: &'a str,
    /// Its bytes on the local disk.
    pub local: &'a Path,
    /// Its checksum, the quarantine's payload hash.
    pub sha256: &'a str,
    /// How to read it.
    pub spec: ReadSpec,
    /// Rows per batch.
    pub batch_rows: usize,
    /// How rows reach the table.
    pub write: WriteDisposition,
    /// What a bad row does.
    pub on_bad_row: OnBadRow,
    /// The source's row transforms.
    pub transforms: &'a Transforms,
}

/// What loading one file did.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileCounts {
    /// What writing did.
    pub written: Written,
    /// Rows quarantined.
    pub quarantined: u64,
    /// What the transforms dropped and failed on.
    pub transformed: TransformCounts,
}

/// Loads the file of `job` into `shape`'s table in `tx`, adding the columns
/// it brings (their names pushed on `added`). An error leaves `tx` to be
/// rolled back: nothing of the file stays.
pub async fn load_file(
    tx: &mut Tx,
    shape: &mut TableShape,
    job: &FileJob<'_>,
    added: &mut Vec<String>,
) -> Result<FileCounts, FileError> {
    let last = if job.transforms.needs_scan() {
        Some(scan(job).await?)
    } else {
        None
    };
    let mut rows_in = Prepare {
        job,
        transformer: job.transforms.for_file(last),
        // Files whose every row has the same columns are checked against
        // the transforms on their first row, before any row is loaded.
        checked: job.transforms.is_empty()
            || matches!(job.spec.format, FileFormat::Json | FileFormat::Ndjson),
    };
    let (mut batches, reader) = start_reader(job);
    let mut counts = FileCounts::default();
    let mut names = Names::default();
    let postgres = matches!(tx, Tx::Postgres(_));
    let appends = matches!(
        (job.write, shape.key.is_empty()),
        (WriteDisposition::Append, _) | (WriteDisposition::Replace, true)
    );
    let mut next: Option<(Vec<RawRow>, Vec<BadRow>)> = None;
    loop {
        let (rows, bad) = match next.take() {
            Some(prepared) => prepared,
            None => match batches.recv().await {
                Some(batch) => rows_in.prepare(batch)?,
                None => break,
            },
        };
        for column in new_columns(shape, &mut names, &rows) {
            let kind = infer::kind_of(rows.iter().flat_map(|r| {
                r.fields
                    .iter()
                    .filter(|(name, _)| column_name(name) == column)
                    .map(|(_, cell)| cell)
            }));
            table::add_column(tx, shape, &column, kind).await?;
            added.push(column);
        }
        let (typed, bad) = fit_rows(shape, &mut names, rows, bad, postgres);
        refuse(job, &bad)?;
        if !appends {
            let written = write::merge(tx, shape, typed).await?;
            add(&mut counts.written, written);
            counts.quarantined += quarantine(tx, job, &bad).await?;
            continue;
        }
        let Some(mut stream) = AppendStream::open(tx, shape).await? else {
            add(&mut counts.written, write::append(tx, shape, &typed).await?);
            counts.quarantined += quarantine(tx, job, &bad).await?;
            continue;
        };
        // Later batches join the same COPY while they need no other
        // statement: the server stores rows while the next batch is fitted.
        add(&mut counts.written, stream.write(&typed).await?);
        let mut held = bad;
        while held.is_empty() {
            let Some(batch) = batches.recv().await else {
                break;
            };
            let (rows, bad) = rows_in.prepare(batch)?;
            if brings_columns(shape, &mut names, &rows) {
                next = Some((rows, bad));
                break;
            }
            let (typed, bad) = fit_rows(shape, &mut names, rows, bad, postgres);
            refuse(job, &bad)?;
            add(&mut counts.written, stream.write(&typed).await?);
            held = bad;
        }
        stream.finish().await?;
        counts.quarantined += quarantine(tx, job, &held).await?;
    }
    finish_reader(job, reader).await?;
    counts.transformed = rows_in.transformer.counts();
    Ok(counts)
}

type Reader = tokio::task::JoinHandle<Result<(), ReadError>>;

/// Starts reading the file of `job` on a blocking thread.
fn start_reader(job: &FileJob<'_>) -> (tokio::sync::mpsc::Receiver<Vec<Item>>, Reader) {
    let (sender, batches) = tokio::sync::mpsc::channel::<Vec<Item>>(2);
    let path = job.local.to_path_buf();
    let spec = job.spec.clone();
    let batch_rows = job.batch_rows;
    let reader = tokio::task::spawn_blocking(move || {
        let mut out = Batcher::new(sender, batch_rows);
        read_file(&path, &spec, &mut out)
    });
    (batches, reader)
}

/// Waits for the reader: the file refused when it could not be read on.
async fn finish_reader(job: &FileJob<'_>, reader: Reader) -> Result<(), FileError> {
    match reader.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(ReadError::Fatal(reason))) => Err(FileError::Refused {
            file: job.name.to_string(),
            reason,
        }),
        Ok(Err(ReadError::Cancelled)) => Err(FileError::Aborted {
            file: job.name.to_string(),
            message: "the loader stopped listening".to_string(),
        }),
        Err(e) => Err(FileError::Aborted {
            file: job.name.to_string(),
            message: e.to_string(),
        }),
    }
}

/// The pass before loading that a `keep = "last"` dedup needs: where each
/// key's last row is. Memory grows with the keys, not the rows.
async fn scan(
    job: &FileJob<'_>,
) -> Result<std::collections::HashMap<String, super::cell::Place>, FileError> {
    let mut scanner = job.transforms.for_file(None);
    let (mut batches, reader) = start_reader(job);
    while let Some(batch) = batches.recv().await {
        let (rows, _) = split(batch);
        if let Err(failure) = scanner.scan(rows) {
            drop(batches);
            let _ = reader.await;
            return Err(refused(job, failure));
        }
    }
    finish_reader(job, reader).await?;
    Ok(scanner.into_last())
}

/// A batch from the reader made ready to fit: split into rows and bad
/// rows, the file's columns checked against the transforms on its first
/// row, and the transforms applied (a row a step fails on is a bad row).
struct Prepare<'a> {
    job: &'a FileJob<'a>,
    transformer: FileTransformer<'a>,
    checked: bool,
}

impl Prepare<'_> {
    fn prepare(&mut self, batch: Vec<Item>) -> Result<(Vec<RawRow>, Vec<BadRow>), FileError> {
        let (rows, mut bad) = split(batch);
        if !self.checked
            && let Some(first) = rows.first()
        {
            let columns: Vec<String> = first.fields.iter().map(|(n, _)| n.to_string()).collect();
            self.job
                .transforms
                .check_columns(&columns)
                .map_err(|reason| FileError::Refused {
                    file: self.job.name.to_string(),
                    reason,
                })?;
            self.checked = true;
        }
        if self.job.transforms.is_empty() {
            return Ok((rows, bad));
        }
        let kept = self
            .transformer
            .apply(rows, &mut bad)
            .map_err(|failure| refused(self.job, failure))?;
        Ok((kept, bad))
    }
}

/// The file of `job` refused for a step that stopped it.
fn refused(job: &FileJob<'_>, failure: StepFailure) -> FileError {
    FileError::Refused {
        file: job.name.to_string(),
        reason: failure.0,
    }
}

/// The batch's rows and its bad rows.
fn split(batch: Vec<Item>) -> (Vec<RawRow>, Vec<BadRow>) {
    let mut rows = Vec::with_capacity(batch.len());
    let mut bad = Vec::new();
    for item in batch {
        match item {
            Item::Row(row) => rows.push(row),
            Item::Bad(row) => bad.push(row),
        }
    }
    (rows, bad)
}

/// The rows fitted to the table, those that do not fit added to `bad`.
fn fit_rows(
    shape: &TableShape,
    names: &mut Names,
    rows: Vec<RawRow>,
    mut bad: Vec<BadRow>,
    refuses_nul: bool,
) -> (Vec<Vec<Typed>>, Vec<BadRow>) {
    let mut typed = Vec::with_capacity(rows.len());
    for row in rows {
        match fit_row(shape, names, row, refuses_nul) {
            Ok(values) => typed.push(values),
            Err((row, reason)) => bad.push(BadRow {
                place: row.place,
                reason,
                raw: row.to_json(),
            }),
        }
    }
    (typed, bad)
}

/// The file refused when it has a bad row and its source says so.
fn refuse(job: &FileJob<'_>, bad: &[BadRow]) -> Result<(), FileError> {
    match bad.first() {
        Some(first) if job.on_bad_row == OnBadRow::Refuse => Err(FileError::Refused {
            file: job.name.to_string(),
            reason: format!("{} (on_bad_row = \"refuse\")", first.reason),
        }),
        _ => Ok(()),
    }
}

fn add(total: &mut Written, written: Written) {
    total.inserted += written.inserted;
    total.updated += written.updated;
    total.unchanged += written.unchanged;
    total.duplicates += written.duplicates;
}

/// Whether the batch's rows bring a column the table lacks.
fn brings_columns(shape: &TableShape, names: &mut Names, rows: &[RawRow]) -> bool {
    rows.iter().any(|row| {
        row.fields
            .iter()
            .enumerate()
            .any(|(at, (name, _))| names.slot(at, name, shape).position.is_none())
    })
}

/// The column each field name loads into, and its position in the table,
/// worked out once per field position while the names repeat (every row
/// of a CSV or Parquet file shares its header's names), rather than once
/// per cell. A position found stays right: columns are only ever added
/// at the end.
#[derive(Default)]
struct Names {
    slots: Vec<Option<Slot>>,
}

struct Slot {
    name: Arc<str>,
    column: String,
    position: Option<usize>,
}

impl Names {
    /// The slot of the field at `at` named `name`.
    fn slot(&mut self, at: usize, name: &Arc<str>, shape: &TableShape) -> &Slot {
        let known = matches!(
            self.slots.get(at),
            Some(Some(slot)) if Arc::ptr_eq(&slot.name, name) || *slot.name == **name
        );
        if !known {
            if self.slots.len() <= at {
                self.slots.resize_with(at + 1, || None);
            }
            let column = column_name(name);
            self.slots[at] = Some(Slot {
                name: name.clone(),
                position: shape.position(&column),
                column,
            });
        }
        let slot = self.slots[at].get_or_insert_with(|| Slot {
            name: name.clone(),
            column: column_name(name),
            position: None,
        });
        if slot.position.is_none() {
            slot.position = shape.position(&slot.column);
        }
        slot
    }
}

/// The columns the rows bring that the table lacks, in order of appearance.
fn new_columns(shape: &TableShape, names: &mut Names, rows: &[RawRow]) -> Vec<String> {
    let mut new: Vec<String> = Vec::new();
    for row in rows {
        for (at, (name, _)) in row.fields.iter().enumerate() {
            let slot = names.slot(at, name, shape);
            if slot.position.is_none() && !new.contains(&slot.column) {
                new.push(slot.column.clone());
            }
        }
    }
    new
}

/// The row's values in the table's column order, a missing column null;
/// or the row handed back with why it does not fit. Text bound for a text
/// or decimal column moves out of the row (no copy per cell), and is put
/// back when the row does not fit.
/// `refuses_nul`: the database cannot store the NUL character in text
/// (PostgreSQL), so such a value is a bad row rather than a failed COPY.
fn fit_row(
    shape: &TableShape,
    names: &mut Names,
    mut row: RawRow,
    refuses_nul: bool,
) -> Result<Vec<Typed>, (RawRow, String)> {
    let place = row.place;
    let mut values = vec![Typed::Null; shape.columns.len()];
    let mut moved: Vec<(usize, usize)> = Vec::new();
    let mut failure = None;
    for (at, (name, cell)) in row.fields.iter_mut().enumerate() {
        let slot = names.slot(at, name, shape);
        let Some(i) = slot.position else {
            continue;
        };
        let column = slot.column.as_str();
        let kind = shape.columns[i].kind;
        let fitted = match (kind, &mut *cell) {
            (ColumnType::Text, Cell::Text(text) | Cell::Decimal(text))
            | (ColumnType::Decimal, Cell::Decimal(text)) => {
                moved.push((at, i));
                Ok(Typed::Text(std::mem::take(text)))
            }
            (ColumnType::Decimal, Cell::Text(text)) if is_decimal(text.as_str()) => {
                moved.push((at, i));
                Ok(Typed::Text(std::mem::take(text)))
            }
            (_, cell) => fit(cell, kind),
        };
        match fitted {
            Ok(value) => {
                if refuses_nul && matches!(&value, Typed::Text(t) if t.contains('\0')) {
                    failure = Some(format!(
                        "{place}, column `{column}`: text holding the NUL character, which PostgreSQL cannot store"
                    ));
                }
                values[i] = value;
            }
            Err(why) => failure = Some(format!("{place}, column `{column}`: {why}")),
        }
        if failure.is_some() {
            break;
        }
    }
    if failure.is_none() {
        failure = shape
            .columns
            .iter()
            .zip(&values)
            .find(|(column, value)| {
                **value == Typed::Null && (!column.nullable || shape.key.contains(&column.name))
            })
            .map(|(column, _)| {
                format!(
                    "{place}, column `{}`: no value, and the column is not nullable",
                    column.name
                )
            });
    }
    match failure {
        None => Ok(values),
        Some(reason) => {
            for (at, i) in moved {
                if let (Cell::Text(text) | Cell::Decimal(text), Typed::Text(value)) =
                    (&mut row.fields[at].1, &mut values[i])
                {
                    *text = std::mem::take(value);
                }
            }
            Err((row, reason))
        }
    }
}

/// Files the bad rows in the quarantine, in the file's transaction.
async fn quarantine(tx: &mut Tx, job: &FileJob<'_>, bad: &[BadRow]) -> Result<u64, FileError> {
    if bad.is_empty() {
        return Ok(0);
    }
    let rejects: Vec<Reject> = bad
        .iter()
        .map(|b| {
            tracing::warn!(file = job.name, place = %b.place, reason = %b.reason, "row quarantined");
            Reject {
                provider_id: Some(format!("{}:{}", job.name, b.place)),
                reason: format!("{}, {}", job.name, b.reason),
                raw: b.raw.clone(),
            }
        })
        .collect();
    let ctx = context(job);
    Ok(
        crate::state::quarantine::store_rejects(tx, &ctx, job.sha256, &rejects, &now_timestamp())
            .await?,
    )
}

/// How the file's quarantined rows are filed: provider `file`, the table as
/// the stream, the format as the plugin's version.
pub fn context<'a>(job: &'a FileJob<'a>) -> ResponseContext<'a> {
    ResponseContext {
        run_id: job.run_id,
        pipeline: job.pipeline,
        stream_key: job.source_key,
        provider: "file",
        stream: job.source_key,
        plugin: "file",
        plugin_version: job.spec.format.as_str(),
    }
}
