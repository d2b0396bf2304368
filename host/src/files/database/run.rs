//! One database source's run: the source opened and described, its
//! columns matched to the table's, then by cursor (each batch in its own
//! transaction with the position it reached), by snapshot (one transaction:
//! changed rows merged, gone keys deleted soft or hard, the new snapshot
//! recorded), or whole (one transaction).

use sha2::{Digest, Sha256};

use super::connect::{self, SourceConn};
use super::read::{SourceQuery, SourceRow, position_value};
use super::row::{
    Mapping, fit_row, json_cell, raw_json, row_hash, row_key, row_label, source_columns,
};
use super::state;
use crate::config::{ChangeDetection, Deletes, WriteDisposition};
use crate::db::{DbError, Exec, Pool, Tx, now_timestamp};
use crate::files::report::SourceReport;
use crate::files::source::PreparedSource;
use crate::files::table::{self, TableShape, column_name, quote, sql_type};
use crate::files::typing::fit;
use crate::files::write::{self, Written};
use crate::files::{DEFAULT_BATCH_ROWS, FileError, infer};
use crate::model::Reject;
use crate::state::{LoadCounts, RunId, TableCounts};

/// The key of database rows in a run's [`LoadCounts`].
const DATABASE_ROWS: &str = "database sources";

/// The destination column a soft delete sets.
pub const DELETED_AT: &str = "_deleted_at";

/// Gone keys handled per statement round.
const GONE_CHUNK: usize = 1000;

/// One database source's run.
pub(in crate::files) struct DatabaseRun<'a> {
    pub(in crate::files) source: &'a PreparedSource,
    pub(in crate::files) pool: &'a Pool,
    pub(in crate::files) run_id: RunId,
    pub(in crate::files) dry_run: bool,
    pub(in crate::files) report: SourceReport,
    pub(in crate::files) counts: LoadCounts,
}

/// What writing one batch did.
#[derive(Default)]
struct BatchOutcome {
    written: Written,
    /// Rows quarantined, by index in the batch.
    quarantined: Vec<usize>,
}

impl DatabaseRun<'_> {
    fn fail(&self, reason: impl Into<String>) -> FileError {
        FileError::Source {
            source_key: self.source.key.clone(),
            reason: reason.into(),
        }
    }

    /// Runs the source; an error ends it.
    pub(in crate::files) async fn run(&mut self, clear_checkpoint: bool) -> Result<(), FileError> {
        let source = self.source;
        let config = &source.config;
        let written = config.database.as_deref().unwrap_or_default();
        let url = connect::expand_env(written).map_err(|r| self.fail(format!("database: {r}")))?;
        let shown = crate::db::without_password(&url);
        let mut conn = connect::open(&url)
            .await
            .map_err(|r| self.fail(format!("{shown}: {r}")))?;
        let what = match (&config.from_table, &config.query) {
            (Some(table), _) => format!("table `{table}`"),
            _ => "the query".to_string(),
        };
        let described = SourceQuery::describe(
            &mut conn,
            config.from_table.as_deref(),
            config.query.as_deref(),
        )
        .await;
        let query = match described {
            Ok(query) => query,
            Err(reason) => {
                conn.close().await;
                return Err(self.fail(format!("cannot read {what} on {shown}: {reason}")));
            }
        };
        let mapping = match self.mapping(&query, &what) {
            Ok(mapping) => mapping,
            Err(error) => {
                conn.close().await;
                return Err(error);
            }
        };
        let kind = config.detection();
        let cursor = match (&config.cursor, kind) {
            (Some(cursor), Some(ChangeDetection::Cursor)) => {
                match mapping.names.iter().position(|n| *n == column_name(cursor)) {
                    Some(i) => Some(i),
                    None => {
                        conn.close().await;
                        return Err(self.fail(format!(
                            "cursor column `{cursor}` is not among the columns of {what} ({})",
                            source_columns(&query)
                        )));
                    }
                }
            }
            _ => None,
        };
        tracing::info!(source = %self.source.key, columns = query.columns.len(), "database source described");
        match (kind, cursor) {
            (Some(ChangeDetection::Cursor), Some(cursor)) => {
                self.by_cursor(conn, &query, &mapping, cursor, clear_checkpoint)
                    .await
            }
            (Some(ChangeDetection::Snapshot), _) => {
                self.by_snapshot(conn, &query, &mapping, clear_checkpoint)
                    .await
            }
            _ => self.whole(conn, &query, &mapping).await,
        }
    }

    /// Matches the source's columns to the table's; the table's key must be
    /// among them when rows are merged or compared by it.
    fn mapping(&self, query: &SourceQuery, what: &str) -> Result<Mapping, FileError> {
        let config = &self.source.config;
        let names: Vec<String> = query.columns.iter().map(|c| column_name(&c.name)).collect();
        let needs_key = config.write == WriteDisposition::Merge
            || config.detection() == Some(ChangeDetection::Snapshot);
        let mut key = Vec::new();
        for column in self.source.schema.primary_key() {
            let column = column_name(column);
            match names.iter().position(|n| *n == column) {
                Some(i) => key.push(i),
                None if needs_key => {
                    return Err(self.fail(format!(
                        "key column `{column}` of table `{}` is not among the columns of {what} ({})",
                        config.table,
                        source_columns(query)
                    )));
                }
                None => {}
            }
        }
        if key.len() != self.source.schema.primary_key().len() {
            key.clear();
        }
        let kind = crate::config::DatabaseKind::of(config.database.as_deref().unwrap_or_default())
            .map_or("database", |k| k.as_str());
        Ok(Mapping { names, key, kind })
    }

    /// Cursor mode: rows past the saved position, ordered by cursor and
    /// key, each batch committed with the position it reached.
    async fn by_cursor(
        &mut self,
        conn: SourceConn,
        query: &SourceQuery,
        mapping: &Mapping,
        cursor: usize,
        clear_checkpoint: bool,
    ) -> Result<(), FileError> {
        let source = self.source;
        let (pipeline, key) = (&source.pipeline, &source.key);
        let mut order = vec![cursor];
        order.extend(mapping.key.iter().filter(|&&k| k != cursor));
        let mut db = self
            .pool
            .acquire()
            .await
            .map_err(DbError::query("acquiring a connection"))?;
        if clear_checkpoint && !self.dry_run {
            state::forget(&mut db, pipeline, key).await?;
        }
        let mut position = if clear_checkpoint {
            None
        } else {
            state::position(&mut db, pipeline, key).await?
        };
        drop(db);
        if position.as_ref().is_some_and(|p| p.len() != order.len()) {
            conn.close().await;
            return Err(self.fail(
                "its cursor or key changed since its position was saved: run once with --clear-checkpoint",
            ));
        }
        let sql = query.select(&order, position.is_some());
        let tie = mapping.key.is_empty().then_some(cursor);
        let mut batches = query.stream(
            conn,
            sql,
            position.take().unwrap_or_default(),
            self.batch_rows(),
            tie,
        );
        while let Some(batch) = batches.recv().await {
            let rows = batch.map_err(|r| self.fail(format!("reading stopped: {r}")))?;
            self.report.batches += 1;
            let Some(last) = rows.last() else {
                continue;
            };
            let reached: Vec<serde_json::Value> =
                order.iter().map(|&i| position_value(&last[i])).collect();
            let count = rows.len() as u64;
            let mut tx = begin_write(self.pool, self.run_id).await?;
            let mut shape = self.ensure(&mut tx, false).await?;
            let outcome = self
                .write_batch(&mut tx, &mut shape, mapping, &rows)
                .await?;
            state::save_position(&mut tx, pipeline, key, &reached, count, self.run_id).await?;
            let w = outcome.written;
            let counts = self.batch_counts(
                w.inserted,
                w.updated,
                w.unchanged,
                0,
                w.duplicates,
                outcome.quarantined.len() as u64,
            );
            crate::state::runs::add_batch(&mut tx, self.run_id, &counts).await?;
            self.finish(tx).await?;
            self.add(&counts, w.duplicates);
            tracing::debug!(source = %key, rows = count, "database batch loaded");
        }
        Ok(())
    }

    /// Snapshot mode: the whole source compared by key and row hash with
    /// the last snapshot, in one transaction.
    async fn by_snapshot(
        &mut self,
        conn: SourceConn,
        query: &SourceQuery,
        mapping: &Mapping,
        clear_checkpoint: bool,
    ) -> Result<(), FileError> {
        let source = self.source;
        let (pipeline, key) = (&source.pipeline, &source.key);
        let deletes = self.source.config.deletes.unwrap_or(Deletes::Hard);
        let mut batches = query.stream(
            conn,
            query.select(&[], false),
            Vec::new(),
            self.batch_rows(),
            None,
        );
        let mut tx = begin_write(self.pool, self.run_id).await?;
        let mut shape = self.ensure(&mut tx, deletes == Deletes::Soft).await?;
        if clear_checkpoint {
            state::forget(&mut tx, pipeline, key).await?;
        }
        let (mut inserted, mut updated, mut unchanged, mut duplicates, mut quarantined) =
            (0, 0, 0, 0, 0);
        while let Some(batch) = batches.recv().await {
            let rows = batch.map_err(|r| self.fail(format!("reading stopped: {r}")))?;
            self.report.batches += 1;
            let keyed: Vec<(String, String)> = rows
                .iter()
                .map(|row| (row_key(mapping, row), row_hash(query, row)))
                .collect();
            let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
            let before = state::hashes(&mut tx, pipeline, key, &keys).await?;
            let mut changed = Vec::new();
            let mut is_new = Vec::new();
            for (i, (k, hash)) in keyed.iter().enumerate() {
                match before.get(k) {
                    Some(old) if old == hash => unchanged += 1,
                    old => {
                        changed.push(rows[i].clone());
                        is_new.push((i, old.is_none()));
                    }
                }
            }
            let outcome = self
                .write_batch(&mut tx, &mut shape, mapping, &changed)
                .await?;
            duplicates += outcome.written.duplicates;
            let mut seen = keyed;
            for (n, &(i, new)) in is_new.iter().enumerate() {
                if outcome.quarantined.contains(&n) {
                    // Tried again next run; never taken for gone.
                    seen[i].1 = String::new();
                    quarantined += 1;
                } else if new {
                    inserted += 1;
                } else {
                    updated += 1;
                }
            }
            state::save_hashes(&mut tx, pipeline, key, &seen, self.run_id).await?;
        }
        let deleted = self.delete_gone(&mut tx, &shape, mapping, deletes).await?;
        let counts = self.batch_counts(
            inserted,
            updated,
            unchanged,
            deleted,
            duplicates,
            quarantined,
        );
        crate::state::runs::add_batch(&mut tx, self.run_id, &counts).await?;
        self.finish(tx).await?;
        self.add(&counts, duplicates);
        Ok(())
    }

    /// The keys the snapshot no longer holds: their rows deleted, or marked
    /// `_deleted_at`; returns how many rows that touched.
    async fn delete_gone(
        &self,
        tx: &mut Tx,
        shape: &TableShape,
        mapping: &Mapping,
        deletes: Deletes,
    ) -> Result<u64, FileError> {
        let (pipeline, key) = (&self.source.pipeline, &self.source.key);
        let postgres = matches!(tx, Tx::Postgres(_));
        let key_columns: Vec<(String, crate::config::ColumnType)> = shape
            .key
            .iter()
            .filter_map(|k| {
                shape
                    .position(k)
                    .map(|i| (k.clone(), shape.columns[i].kind))
            })
            .collect();
        let condition: Vec<String> = key_columns
            .iter()
            .map(|(name, kind)| {
                if postgres {
                    format!("{} = CAST(? AS {})", quote(name), sql_type(tx, *kind))
                } else {
                    format!("{} = ?", quote(name))
                }
            })
            .collect();
        let condition = condition.join(" AND ");
        let table = quote(&shape.name);
        let (statement, stamp) = match deletes {
            Deletes::Hard => (format!("DELETE FROM {table} WHERE {condition}"), None),
            Deletes::Soft => (
                format!(
                    "UPDATE {table} SET {} = {} WHERE {condition} AND {} IS NULL",
                    quote(DELETED_AT),
                    if postgres {
                        "CAST(? AS TIMESTAMPTZ)"
                    } else {
                        "?"
                    },
                    quote(DELETED_AT)
                ),
                Some(now_timestamp()),
            ),
        };
        let mut deleted = 0;
        if mapping.key.is_empty() || key_columns.len() != mapping.key.len() {
            return Ok(0);
        }
        loop {
            let gone = state::gone(tx, pipeline, key, self.run_id, GONE_CHUNK).await?;
            if gone.is_empty() {
                break;
            }
            for row_key in &gone {
                let values: Vec<serde_json::Value> = serde_json::from_str(row_key)
                    .map_err(|e| DbError::Unexpected(format!("snapshot key `{row_key}`: {e}")))?;
                let mut args = Vec::with_capacity(values.len() + 1);
                if let Some(stamp) = &stamp {
                    args.push(stamp.clone().into());
                }
                for (value, (column, kind)) in values.iter().zip(&key_columns) {
                    let typed = fit(&json_cell(value), *kind).map_err(|why| {
                        DbError::Unexpected(format!(
                            "snapshot key `{row_key}`, column `{column}`: {why}"
                        ))
                    })?;
                    args.push(if postgres {
                        typed.postgres()
                    } else {
                        typed.sqlite()
                    });
                }
                deleted += tx
                    .execute(&statement, args)
                    .await
                    .map_err(DbError::query(format!(
                        "deleting a gone row of {}",
                        shape.name
                    )))?;
            }
            state::drop_keys(tx, pipeline, key, &gone).await?;
        }
        Ok(deleted)
    }

    /// No change detection: every row, in one transaction (a `replace`
    /// empties the table first).
    async fn whole(
        &mut self,
        conn: SourceConn,
        query: &SourceQuery,
        mapping: &Mapping,
    ) -> Result<(), FileError> {
        let mut batches = query.stream(
            conn,
            query.select(&[], false),
            Vec::new(),
            self.batch_rows(),
            None,
        );
        let mut tx = begin_write(self.pool, self.run_id).await?;
        let mut shape = self.ensure(&mut tx, false).await?;
        let mut deleted = 0;
        if self.source.config.write == WriteDisposition::Replace {
            deleted = write::delete_all(&mut tx, &shape).await?;
        }
        let mut total = BatchOutcome::default();
        let mut quarantined = 0;
        while let Some(batch) = batches.recv().await {
            let rows = batch.map_err(|r| self.fail(format!("reading stopped: {r}")))?;
            self.report.batches += 1;
            let outcome = self
                .write_batch(&mut tx, &mut shape, mapping, &rows)
                .await?;
            total.written.inserted += outcome.written.inserted;
            total.written.updated += outcome.written.updated;
            total.written.unchanged += outcome.written.unchanged;
            total.written.duplicates += outcome.written.duplicates;
            quarantined += outcome.quarantined.len() as u64;
        }
        let w = total.written;
        let counts = self.batch_counts(
            w.inserted,
            w.updated,
            w.unchanged,
            deleted,
            w.duplicates,
            quarantined,
        );
        crate::state::runs::add_batch(&mut tx, self.run_id, &counts).await?;
        self.finish(tx).await?;
        self.add(&counts, w.duplicates);
        Ok(())
    }

    /// The table as it stands (created, declared columns added), with
    /// `_deleted_at` when deletes are soft.
    async fn ensure(&mut self, tx: &mut Tx, soft: bool) -> Result<TableShape, FileError> {
        let source = self.source;
        let config = &source.config;
        let (mut shape, added) = table::ensure(tx, &config.table, &self.source.schema).await?;
        self.note_added(added);
        if soft && shape.position(DELETED_AT).is_none() {
            table::add_column(
                tx,
                &mut shape,
                DELETED_AT,
                crate::config::ColumnType::Timestamp,
            )
            .await?;
            self.note_added(vec![DELETED_AT.to_string()]);
        }
        Ok(shape)
    }

    /// Fits `rows` to the table (adding the columns it lacks), writes the
    /// good ones and quarantines the rest with source, key and column.
    async fn write_batch(
        &mut self,
        tx: &mut Tx,
        shape: &mut TableShape,
        mapping: &Mapping,
        rows: &[SourceRow],
    ) -> Result<BatchOutcome, FileError> {
        let mut added = Vec::new();
        for (i, name) in mapping.names.iter().enumerate() {
            if shape.position(name).is_none() && !added.contains(name) {
                let kind = infer::kind_of(rows.iter().filter_map(|r| r.get(i)));
                table::add_column(tx, shape, name, kind).await?;
                added.push(name.clone());
            }
        }
        self.note_added(added);
        let positions: Vec<Option<usize>> =
            mapping.names.iter().map(|n| shape.position(n)).collect();
        let mut typed = Vec::with_capacity(rows.len());
        let mut outcome = BatchOutcome::default();
        let mut rejects = Vec::new();
        for (n, row) in rows.iter().enumerate() {
            match fit_row(shape, &positions, mapping, row) {
                Ok(values) => typed.push(values),
                Err(reason) => {
                    let at = row_label(mapping, row);
                    let reason = format!("{}, {at}, {reason}", self.source.key);
                    tracing::warn!(source = %self.source.key, row = %at, reason = %reason, "row quarantined");
                    outcome.quarantined.push(n);
                    rejects.push(Reject {
                        provider_id: Some(format!("{}:{at}", self.source.key)),
                        reason,
                        raw: raw_json(mapping, row),
                    });
                }
            }
        }
        outcome.written = match (self.source.config.write, shape.key.is_empty()) {
            (WriteDisposition::Append, _) | (WriteDisposition::Replace, true) => {
                write::append(tx, shape, &typed).await?
            }
            _ => write::merge(tx, shape, typed).await?,
        };
        if !rejects.is_empty() {
            let ctx = crate::state::archive::ResponseContext {
                run_id: self.run_id,
                pipeline: &self.source.pipeline,
                stream_key: &self.source.key,
                provider: "database",
                stream: &self.source.key,
                plugin: "database",
                plugin_version: mapping.kind,
            };
            let hash = hex::encode(Sha256::digest(
                rejects.iter().map(|r| r.raw.as_str()).collect::<String>(),
            ));
            crate::state::quarantine::store_rejects(tx, &ctx, &hash, &rejects, &now_timestamp())
                .await?;
        }
        Ok(outcome)
    }

    fn batch_counts(
        &self,
        inserted: u64,
        updated: u64,
        unchanged: u64,
        deleted: u64,
        duplicates: u64,
        quarantined: u64,
    ) -> LoadCounts {
        LoadCounts {
            tables: [(
                DATABASE_ROWS,
                TableCounts {
                    records: inserted + updated + unchanged,
                    inserted,
                    updated,
                    unchanged,
                    deleted,
                    ..TableCounts::default()
                },
            )]
            .into_iter()
            .collect(),
            duplicates,
            quarantined,
            ..LoadCounts::default()
        }
    }

    /// Adds a committed batch to the run's counts and the source's report.
    fn add(&mut self, counts: &LoadCounts, duplicates: u64) {
        self.counts.add(counts);
        let rows = counts
            .tables
            .get(DATABASE_ROWS)
            .copied()
            .unwrap_or_default();
        self.report.inserted += rows.inserted;
        self.report.updated += rows.updated;
        self.report.unchanged += rows.unchanged;
        self.report.deleted += rows.deleted;
        self.report.duplicates += duplicates;
        self.report.quarantined += counts.quarantined;
    }

    fn note_added(&mut self, columns: Vec<String>) {
        for column in columns {
            if !self.report.columns_added.contains(&column) {
                tracing::info!(table = %self.source.config.table, column = %column, "schema evolved: column added");
                self.report.columns_added.push(column);
            }
        }
    }

    fn batch_rows(&self) -> usize {
        self.source.config.batch_rows.unwrap_or(DEFAULT_BATCH_ROWS)
    }

    /// Commits, or rolls back in a dry run.
    async fn finish(&self, tx: Tx) -> Result<(), FileError> {
        let done = if self.dry_run {
            tx.rollback().await
        } else {
            tx.commit().await
        };
        done.map_err(DbError::query("committing a database source's batch"))?;
        Ok(())
    }
}

/// Starts a transaction holding the write lock from its first statement
/// (on SQLite, a transaction that reads first and writes later fails when
/// another connection wrote meanwhile).
pub(in crate::files) async fn begin_write(pool: &Pool, run_id: RunId) -> Result<Tx, FileError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(DbError::query("starting a source's transaction"))?;
    if matches!(tx, Tx::Sqlite(_)) {
        tx.execute(
            "UPDATE sluice_runs SET status = status WHERE id = ?",
            vec![run_id.into()],
        )
        .await
        .map_err(DbError::query("starting a source's transaction"))?;
    }
    Ok(tx)
}
