//! Loading one file inside its transaction: the reader's batches fitted to
//! the table (new columns added), good rows written, bad rows quarantined
//! with their file, place and reason, or the whole file refused.

use std::path::Path;

use super::FileError;
use super::cell::{BadRow, Batcher, Item, RawRow, ReadError};
use super::infer;
use super::read::{ReadSpec, read_file};
use super::table::{self, TableShape, column_name};
use super::transform::{Outcome, TransformCounts, Transforms};
use super::typing::{Typed, fit};
use super::write::{self, Written};
use crate::config::{FileFormat, OnBadRow, WriteDisposition};
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
    let mut transformer = job.transforms.for_file(last);
    // Files whose every row has the same columns are checked against the
    // transforms on their first row, before any row is loaded.
    let mut checked = job.transforms.is_empty()
        || matches!(job.spec.format, FileFormat::Json | FileFormat::Ndjson);
    let (mut batches, reader) = start_reader(job);
    let mut counts = FileCounts::default();
    while let Some(batch) = batches.recv().await {
        let mut rows = Vec::with_capacity(batch.len());
        let mut bad = Vec::new();
        for item in batch {
            match item {
                Item::Row(row) => rows.push(row),
                Item::Bad(row) => bad.push(row),
            }
        }
        if !checked && let Some(first) = rows.first() {
            let columns: Vec<String> = first.fields.iter().map(|(n, _)| n.to_string()).collect();
            job.transforms
                .check_columns(&columns)
                .map_err(|reason| FileError::Refused {
                    file: job.name.to_string(),
                    reason,
                })?;
            checked = true;
        }
        if !job.transforms.is_empty() {
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                match transformer.apply(row) {
                    Outcome::Keep(row) => kept.push(row),
                    Outcome::Dropped => {}
                    Outcome::Failed(row) => bad.push(row),
                }
            }
            rows = kept;
        }
        for column in new_columns(shape, &rows) {
            let kind = infer::kind_of(rows.iter().flat_map(|r| {
                r.fields
                    .iter()
                    .filter(|(name, _)| column_name(name) == column)
                    .map(|(_, cell)| cell)
            }));
            table::add_column(tx, shape, &column, kind).await?;
            added.push(column);
        }
        let mut typed = Vec::with_capacity(rows.len());
        for row in rows {
            match fit_row(shape, &row) {
                Ok(values) => typed.push(values),
                Err(reason) => bad.push(BadRow {
                    place: row.place,
                    reason,
                    raw: row.to_json(),
                }),
            }
        }
        if let Some(first) = bad.first()
            && job.on_bad_row == OnBadRow::Refuse
        {
            return Err(FileError::Refused {
                file: job.name.to_string(),
                reason: format!("{} (on_bad_row = \"refuse\")", first.reason),
            });
        }
        let written = match (job.write, shape.key.is_empty()) {
            (WriteDisposition::Append, _) | (WriteDisposition::Replace, true) => {
                write::append(tx, shape, &typed).await?
            }
            _ => write::merge(tx, shape, typed).await?,
        };
        counts.written.inserted += written.inserted;
        counts.written.updated += written.updated;
        counts.written.unchanged += written.unchanged;
        counts.written.duplicates += written.duplicates;
        counts.quarantined += quarantine(tx, job, &bad).await?;
    }
    finish_reader(job, reader).await?;
    counts.transformed = transformer.counts();
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
        for item in batch {
            if let Item::Row(row) = item {
                scanner.scan(row);
            }
        }
    }
    finish_reader(job, reader).await?;
    Ok(scanner.into_last())
}

/// The columns the rows bring that the table lacks, in order of appearance.
fn new_columns(shape: &TableShape, rows: &[RawRow]) -> Vec<String> {
    let mut new: Vec<String> = Vec::new();
    for row in rows {
        for (name, _) in &row.fields {
            let column = column_name(name);
            if shape.position(&column).is_none() && !new.contains(&column) {
                new.push(column);
            }
        }
    }
    new
}

/// The row's values in the table's column order, a missing column null; or
/// why the row does not fit.
fn fit_row(shape: &TableShape, row: &RawRow) -> Result<Vec<Typed>, String> {
    let mut values = vec![Typed::Null; shape.columns.len()];
    for (name, cell) in &row.fields {
        let column = column_name(name);
        let Some(i) = shape.position(&column) else {
            continue;
        };
        values[i] = fit(cell, shape.columns[i].kind)
            .map_err(|why| format!("{}, column `{column}`: {why}", row.place))?;
    }
    for (column, value) in shape.columns.iter().zip(&values) {
        if *value == Typed::Null && (!column.nullable || shape.key.contains(&column.name)) {
            return Err(format!(
                "{}, column `{}`: no value, and the column is not nullable",
                row.place, column.name
            ));
        }
    }
    Ok(values)
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
