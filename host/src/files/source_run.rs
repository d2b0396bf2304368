//! One file source's run: its files listed and compared with those loaded
//! before, each changed file loaded in its own transaction (a `replace`
//! source's all in one), a refused file rolled back and quarantined whole.

use std::collections::HashMap;
use std::sync::Arc;

use super::checkpoint::{self, FileStamp};
use super::load::{FileCounts, FileJob, load_file};
use super::locate::{self, FoundFile, Location};
use super::read::ReadSpec;
use super::report::SourceReport;
use super::source::PreparedSource;
use super::table::{self, column_name};
use super::{DEFAULT_BATCH_ROWS, FileError};
use crate::config::{Compression, FileFormat, WriteDisposition};
use crate::db::{DbError, Pool, Tx, now_timestamp};
use crate::state::{LoadCounts, RunId, TableCounts};

/// The key of file rows in a run's [`LoadCounts`]: the run's counters and
/// balance take them with the streams' records.
const FILE_ROWS: &str = "file sources";

/// One source's run.
pub(super) struct SourceRun<'a> {
    pub(super) source: &'a PreparedSource,
    pub(super) pool: &'a Pool,
    pub(super) run_id: RunId,
    pub(super) dry_run: bool,
    pub(super) report: SourceReport,
    pub(super) counts: LoadCounts,
    pub(super) failures: Vec<FileError>,
}

impl SourceRun<'_> {
    /// Runs the source; an error ends it (a refused file does not).
    pub(super) async fn run(&mut self, clear_checkpoint: bool) -> Result<(), FileError> {
        let config = &self.source.config;
        let files = locate::list(&config.path, &self.source.base, config.endpoint.as_deref())
            .await
            .map_err(|message| FileError::List {
                source_key: self.source.key.clone(),
                path: config.path.clone(),
                message,
            })?;
        if files.is_empty() {
            tracing::warn!(path = %config.path, "no file matches the source's path");
        } else if !self.dry_run {
            // The table exists from the first run on, even when every file
            // of it is refused.
            let mut tx = self.begin().await?;
            let (_, added) = table::ensure(&mut tx, &config.table, &self.source.schema).await?;
            tx.commit()
                .await
                .map_err(DbError::query("creating the source's table"))?;
            self.note_added(added, "the config");
        }
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(DbError::query("acquiring a connection"))?;
        if clear_checkpoint && !self.dry_run {
            checkpoint::forget(&mut conn, &self.source.pipeline, &self.source.key).await?;
        }
        let mut loaded =
            checkpoint::loaded(&mut conn, &self.source.pipeline, &self.source.key).await?;
        drop(conn);
        if clear_checkpoint {
            loaded.clear();
        }
        if config.write == WriteDisposition::Replace {
            return self.replace(files, &loaded).await;
        }
        for mut file in files {
            let stored = loaded.get(&file.name);
            if s3_unchanged(&file, stored) {
                self.report.files_skipped += 1;
                continue;
            }
            let copy = self.fetch_hashed(&mut file).await?;
            if stored.is_some_and(|s| s.size == file.stamp.size && s.sha256 == file.stamp.sha256) {
                tracing::debug!(file = %file.name, "unchanged since it was loaded; skipped");
                self.report.files_skipped += 1;
                continue;
            }
            let mut tx = self.begin().await?;
            let result = self.load_one(&mut tx, &file, &copy.path).await;
            self.settle(tx, &file, result).await?;
        }
        Ok(())
    }

    /// A replace source: when any file changed (or went), every file is
    /// loaded again in one transaction that first empties the table.
    async fn replace(
        &mut self,
        mut files: Vec<FoundFile>,
        loaded: &HashMap<String, FileStamp>,
    ) -> Result<(), FileError> {
        let mut copies = Vec::with_capacity(files.len());
        let mut changed = files.len() != loaded.len();
        for file in &mut files {
            let stored = loaded.get(&file.name);
            if s3_unchanged(file, stored) {
                copies.push(None);
                continue;
            }
            let copy = self.fetch_hashed(file).await?;
            changed |=
                !stored.is_some_and(|s| s.size == file.stamp.size && s.sha256 == file.stamp.sha256);
            copies.push(Some(copy));
        }
        if !changed {
            self.report.files_skipped += files.len() as u64;
            return Ok(());
        }
        let before = (self.report.clone(), self.counts.clone());
        let mut tx = self.begin().await?;
        let (shape, added) =
            table::ensure(&mut tx, &self.source.config.table, &self.source.schema).await?;
        self.note_added(added, "the config");
        let deleted = crate::files::write::delete_all(&mut tx, &shape).await?;
        self.report.deleted += deleted;
        self.counts.tables.entry(FILE_ROWS).or_default().deleted += deleted;
        checkpoint::forget(&mut tx, &self.source.pipeline, &self.source.key).await?;
        for (file, copy) in files.iter_mut().zip(copies) {
            let copy = match copy {
                Some(copy) => copy,
                None => self.fetch_hashed(file).await?,
            };
            if let Err(error) = self.load_one(&mut tx, file, &copy.path).await {
                let _ = tx.rollback().await;
                (self.report, self.counts) = before;
                self.refuse(file, error).await?;
                return Ok(());
            }
        }
        self.finish(tx).await?;
        self.report.files_loaded += files.len() as u64;
        Ok(())
    }

    /// Loads `file` into `tx`, recording it as loaded and adding its counts
    /// to the run, in `tx`.
    async fn load_one(
        &mut self,
        tx: &mut Tx,
        file: &FoundFile,
        local: &std::path::Path,
    ) -> Result<FileCounts, FileError> {
        let config = &self.source.config;
        let (mut shape, added) = table::ensure(tx, &config.table, &self.source.schema).await?;
        let mut columns_added = added;
        let job = FileJob {
            pipeline: &self.source.pipeline,
            source_key: &self.source.key,
            run_id: self.run_id,
            name: &file.name,
            local,
            sha256: &file.stamp.sha256,
            spec: self.spec(
                &file.name,
                &shape
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>(),
            ),
            batch_rows: config.batch_rows.unwrap_or(DEFAULT_BATCH_ROWS),
            write: config.write,
            on_bad_row: config.on_bad_row,
            transforms: &self.source.transforms,
        };
        checkpoint::resolve_quarantined(tx, &self.source.key, &file.name, self.run_id).await?;
        let counts = load_file(tx, &mut shape, &job, &mut columns_added).await?;
        let w = counts.written;
        let file_counts = LoadCounts {
            tables: [(
                FILE_ROWS,
                TableCounts {
                    records: w.inserted + w.updated + w.unchanged,
                    inserted: w.inserted,
                    updated: w.updated,
                    unchanged: w.unchanged,
                    ..TableCounts::default()
                },
            )]
            .into_iter()
            .collect(),
            duplicates: w.duplicates,
            quarantined: counts.quarantined,
            ..LoadCounts::default()
        };
        let rows = w.inserted + w.updated + w.unchanged + w.duplicates;
        checkpoint::record(
            tx,
            &self.source.pipeline,
            &self.source.key,
            &file.name,
            &file.stamp,
            rows,
            self.run_id,
        )
        .await?;
        crate::state::runs::add_batch(tx, self.run_id, &file_counts).await?;
        self.note_added(columns_added, &file.name);
        self.counts.add(&file_counts);
        self.report.inserted += w.inserted;
        self.report.updated += w.updated;
        self.report.unchanged += w.unchanged;
        self.report.duplicates += w.duplicates;
        self.report.quarantined += counts.quarantined;
        self.report.transformed.add(counts.transformed);
        Ok(counts)
    }

    /// Tells and reports the columns `by` added to the table.
    fn note_added(&mut self, columns: Vec<String>, by: &str) {
        for column in columns {
            if !self.report.columns_added.contains(&column) {
                tracing::info!(table = %self.source.config.table, column = %column, by, "schema evolved: column added");
                self.report.columns_added.push(column);
            }
        }
    }

    /// Commits (or, the file having failed, rolls back and refuses) one
    /// file's transaction.
    async fn settle(
        &mut self,
        tx: Tx,
        file: &FoundFile,
        result: Result<FileCounts, FileError>,
    ) -> Result<(), FileError> {
        match result {
            Ok(_) => {
                self.finish(tx).await?;
                self.report.files_loaded += 1;
                tracing::info!(file = %file.name, "file loaded");
                Ok(())
            }
            Err(error) => {
                let _ = tx.rollback().await;
                self.refuse(file, error).await
            }
        }
    }

    /// Records a refused file (quarantined whole, counted in the run) and
    /// keeps its error; an error that is not the file's own ends the source.
    async fn refuse(&mut self, file: &FoundFile, error: FileError) -> Result<(), FileError> {
        if !error.is_bad_input() {
            return Err(error);
        }
        tracing::warn!(file = %file.name, error = %error, "file refused");
        self.report.files_refused += 1;
        self.counts.failed_batches += 1;
        if !self.dry_run {
            let mut tx = self.begin().await?;
            let job_spec = self.spec(&file.name, &[]);
            let ctx = crate::state::archive::ResponseContext {
                run_id: self.run_id,
                pipeline: &self.source.pipeline,
                stream_key: &self.source.key,
                provider: "file",
                stream: &self.source.key,
                plugin: "file",
                plugin_version: job_spec.format.as_str(),
            };
            crate::state::quarantine::store_failed_batch(
                &mut tx,
                &ctx,
                &file.stamp.sha256,
                &error.to_string(),
                &file.name,
                &now_timestamp(),
            )
            .await?;
            let refused = LoadCounts {
                failed_batches: 1,
                ..LoadCounts::default()
            };
            crate::state::runs::add_batch(&mut tx, self.run_id, &refused).await?;
            tx.commit()
                .await
                .map_err(DbError::query("recording a refused file"))?;
        }
        self.failures.push(error);
        Ok(())
    }

    /// Starts a transaction that holds the write lock from its first
    /// statement: on SQLite, a transaction that reads first and writes later
    /// fails when another connection (the run's log lines) wrote meanwhile.
    async fn begin(&self) -> Result<Tx, FileError> {
        super::database::run::begin_write(self.pool, self.run_id).await
    }

    /// Commits, or rolls back in a dry run.
    async fn finish(&self, tx: Tx) -> Result<(), FileError> {
        let done = if self.dry_run {
            tx.rollback().await
        } else {
            tx.commit().await
        };
        done.map_err(DbError::query("committing a file"))?;
        Ok(())
    }

    /// The file's local copy, its checksum put in its stamp.
    async fn fetch_hashed(&self, file: &mut FoundFile) -> Result<locate::LocalCopy, FileError> {
        let copy = locate::fetch(file)
            .await
            .map_err(|reason| FileError::Refused {
                file: file.name.clone(),
                reason: format!("cannot fetch it: {reason}"),
            })?;
        file.stamp.sha256 = locate::sha256(&copy.path)
            .await
            .map_err(|source| FileError::Io {
                path: copy.path.clone(),
                source,
            })?;
        Ok(copy)
    }

    /// How to read `name`, given the table's columns (a file without a
    /// header holds them in order).
    fn spec(&self, name: &str, columns: &[String]) -> ReadSpec {
        let config = &self.source.config;
        ReadSpec {
            format: config
                .format
                .or_else(|| FileFormat::from_name(name))
                .or_else(|| FileFormat::from_name(&config.path))
                .unwrap_or(FileFormat::Csv),
            compression: config
                .compression
                .unwrap_or_else(|| Compression::from_name(name)),
            delimiter: config.delimiter.map_or(b',', |c| c as u8),
            quote: config.quote.map_or(b'"', |c| c as u8),
            header: config.header,
            encoding: config.encoding,
            sheet: config.sheet.clone(),
            range: config
                .range
                .as_deref()
                .and_then(|r| crate::config::CellRange::parse(r).ok()),
            positional: columns
                .iter()
                .map(|c| Arc::from(column_name(c).as_str()))
                .collect(),
        }
    }
}

/// Whether an S3 object is the one loaded before: same size and
/// modification time (an object is rewritten whole, never edited).
fn s3_unchanged(file: &FoundFile, stored: Option<&FileStamp>) -> bool {
    matches!(file.location, Location::S3 { .. })
        && stored.is_some_and(|s| s.size == file.stamp.size && s.modified == file.stamp.modified)
}
