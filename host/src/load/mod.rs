//! Loading: writes a batch's rows, its quarantined items, its archived
//! response, its checkpoint and its run counters in one transaction, so a
//! crash never separates the data from the position that says it was loaded.

mod copy_binary;
mod odds;
mod postgres;
mod replace;
mod sqlite;
pub mod tables;

use std::collections::BTreeMap;

use crate::config::WriteDisposition;
use crate::db::{DbError, Exec, Pool, Tx};
use crate::extract::BreakerSnapshot;
use crate::model::Reject;
use crate::state::archive::{LatestResponse, ReplayItem, ResponseContext};
use crate::state::providers::ProviderStatus;
use crate::state::quarantine::QuarantinedItem;
use crate::state::runs::RunRow;
use crate::state::{self, ArchivedResponse, ReplaySelection, RunId, RunMode, RunStatus};

/// One response's worth of output, with what identifies where it came from.
#[derive(Debug, Clone)]
pub struct LoadBatch {
    /// The run loading it.
    pub run_id: RunId,
    /// Pipeline name.
    pub pipeline: String,
    /// Identifies the stream and its parameters across runs.
    pub stream_key: String,
    /// Provider config name.
    pub provider: String,
    /// Stream name.
    pub stream: String,
    /// Plugin that produced it.
    pub plugin: String,
    /// The plugin's version.
    pub plugin_version: String,
    /// sha256 of the response body.
    pub payload_hash: String,
    /// HTTP requests made for this batch (0 when served from the archive).
    pub requests: u64,
    /// The response to archive; none when it is archived already (replay).
    pub response: Option<ArchivedResponse>,
    /// What the plugin made of it.
    pub outcome: BatchOutcome,
}

/// What the plugin made of a response.
#[derive(Debug, Clone)]
pub enum BatchOutcome {
    /// Records to load, items to quarantine, and the stream's new position.
    Loaded {
        /// Canonical records as rows.
        rows: tables::BatchRows,
        /// Rejected items.
        rejects: Vec<Reject>,
        /// The stream's position after this batch.
        cursor: Option<String>,
    },
    /// The plugin failed on the whole response: it is quarantined with its
    /// body and nothing of it loads.
    Failed {
        /// Why.
        reason: String,
        /// The body as text.
        raw: String,
    },
}

/// What loading did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableCounts {
    /// Records received for the table.
    pub records: u64,
    /// New rows.
    pub inserted: u64,
    /// Rows whose content changed.
    pub updated: u64,
    /// Rows already holding the same content.
    pub unchanged: u64,
    /// Rows deleted: lines withdrawn from a market.
    pub deleted: u64,
    /// Price and line moves written to `odds_history`.
    pub moves: u64,
}

impl TableCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: TableCounts) {
        self.records += other.records;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.deleted += other.deleted;
        self.moves += other.moves;
    }
}

/// What loading did with one or more batches. Every record in is accounted
/// for: `records_in = inserted + updated + unchanged + duplicates +
/// quarantined`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadCounts {
    /// Per table.
    pub tables: BTreeMap<&'static str, TableCounts>,
    /// Records that repeated an earlier record of the same batch (the last
    /// one wins).
    pub duplicates: u64,
    /// Items quarantined.
    pub quarantined: u64,
    /// Responses quarantined whole.
    pub failed_batches: u64,
    /// HTTP requests made.
    pub requests: u64,
}

impl LoadCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &LoadCounts) {
        for (table, counts) in &other.tables {
            self.tables.entry(table).or_default().add(*counts);
        }
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
        self.failed_batches += other.failed_batches;
        self.requests += other.requests;
    }

    /// Every item the plugins produced: records and rejected items.
    pub fn records_in(&self) -> u64 {
        self.total().records + self.duplicates + self.quarantined
    }

    /// Whether every item in is accounted for by exactly one outcome.
    pub fn balances(&self) -> bool {
        let t = self.total();
        self.records_in()
            == t.inserted + t.updated + t.unchanged + self.duplicates + self.quarantined
            && self
                .tables
                .values()
                .all(|c| c.records == c.inserted + c.updated + c.unchanged)
    }

    /// All tables together.
    pub fn total(&self) -> TableCounts {
        let mut total = TableCounts::default();
        for counts in self.tables.values() {
            total.add(*counts);
        }
        total
    }
}

/// Where rows go, chosen by the database URL: SQLite or PostgreSQL, with
/// the same tables and the same guarantees.
pub struct Sink {
    pool: Pool,
}

impl Sink {
    /// Opens the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        Ok(Sink {
            pool: Pool::connect(url).await?,
        })
    }

    /// The connection pool, for callers that query the tables.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    async fn conn(&self) -> Result<crate::db::Conn, DbError> {
        self.pool
            .acquire()
            .await
            .map_err(DbError::query("acquiring a connection"))
    }

    /// Records the start of a run of `pipeline`.
    pub async fn start_run(&self, pipeline: &str, mode: RunMode) -> Result<RunId, DbError> {
        state::runs::start(&mut self.conn().await?, pipeline, mode).await
    }

    /// The stored position of a stream, if any.
    pub async fn checkpoint(
        &self,
        pipeline: &str,
        stream_key: &str,
    ) -> Result<Option<String>, DbError> {
        state::checkpoints::load(&mut self.conn().await?, pipeline, stream_key).await
    }

    /// Forgets the stored position of a stream, so it starts over.
    pub async fn clear_checkpoint(&self, pipeline: &str, stream_key: &str) -> Result<(), DbError> {
        state::checkpoints::clear(&mut self.conn().await?, pipeline, stream_key).await
    }

    /// Records how a run ended.
    pub async fn finish_run(
        &self,
        run_id: RunId,
        status: RunStatus,
        error: Option<&str>,
        note: Option<&str>,
    ) -> Result<(), DbError> {
        state::runs::finish(&mut self.conn().await?, run_id, status, error, note).await
    }

    /// The newest archived response of `url` in a stream.
    pub async fn latest_response(
        &self,
        stream_key: &str,
        url: &str,
    ) -> Result<Option<LatestResponse>, DbError> {
        state::archive::latest(&mut self.conn().await?, stream_key, url).await
    }

    /// An archived body.
    pub async fn payload(&self, payload_hash: &str) -> Result<Vec<u8>, DbError> {
        state::archive::payload(&mut self.conn().await?, payload_hash).await
    }

    /// Archived responses to replay.
    pub async fn replay_items(
        &self,
        selection: &ReplaySelection,
    ) -> Result<Vec<ReplayItem>, DbError> {
        state::archive::select(&mut self.conn().await?, selection).await
    }

    /// A provider's stored breaker.
    pub async fn load_breaker(&self, provider: &str) -> Result<Option<BreakerSnapshot>, DbError> {
        state::providers::load_breaker(&mut self.conn().await?, provider).await
    }

    /// Stores a provider's breaker.
    pub async fn save_breaker(
        &self,
        provider: &str,
        snapshot: &BreakerSnapshot,
    ) -> Result<(), DbError> {
        state::providers::save_breaker(&mut self.conn().await?, provider, snapshot).await
    }

    /// Quarantined items (see [`state::quarantine::list`]).
    pub async fn quarantined(
        &self,
        run: Option<RunId>,
        all: bool,
    ) -> Result<Vec<QuarantinedItem>, DbError> {
        state::quarantine::list(&mut self.conn().await?, run, all).await
    }

    /// One quarantined item.
    pub async fn quarantined_item(&self, id: i64) -> Result<Option<QuarantinedItem>, DbError> {
        state::quarantine::get(&mut self.conn().await?, id).await
    }

    /// Marks what a replay of `payload_hash` loaded as resolved.
    pub async fn resolve_quarantine(
        &self,
        payload_hash: &str,
        run_id: RunId,
        failed: bool,
        still_rejected: &[Option<String>],
    ) -> Result<u64, DbError> {
        state::quarantine::resolve(
            &mut self.conn().await?,
            payload_hash,
            run_id,
            failed,
            still_rejected,
        )
        .await
    }

    /// Latest runs and every provider's state, for `sluice status`.
    pub async fn status(&self, runs: i64) -> Result<(Vec<RunRow>, Vec<ProviderStatus>), DbError> {
        let mut conn = self.conn().await?;
        let recent = state::runs::recent(&mut conn, runs).await?;
        let providers = state::providers::all(&mut conn).await?;
        Ok((recent, providers))
    }

    /// Loads a batch atomically with its archived response, checkpoint and
    /// counters; a dry run rolls it back and keeps only the counters.
    pub async fn commit_batch(
        &self,
        batch: LoadBatch,
        mode: RunMode,
        write: WriteDisposition,
    ) -> Result<LoadCounts, DbError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(DbError::query("starting a transaction"))?;
        let run_id = batch.run_id;
        let counts = write_batch(&mut tx, batch, mode, write, None).await?;
        if mode == RunMode::DryRun {
            // What the batch would have done is known; nothing of it stays
            // but the run's counters.
            tx.rollback()
                .await
                .map_err(DbError::query("rolling back the dry run's batch"))?;
            state::runs::add_batch(&mut self.conn().await?, run_id, &counts).await?;
            return Ok(counts);
        }
        state::runs::add_batch(&mut tx, run_id, &counts).await?;
        tx.commit()
            .await
            .map_err(DbError::query("committing the batch"))?;
        Ok(counts)
    }

    /// Starts a stream written with `write = "replace"`: every batch of it
    /// goes into this one transaction.
    pub async fn begin_replace(&self, mode: RunMode) -> Result<ReplaceTx, DbError> {
        let tx = self
            .pool
            .begin()
            .await
            .map_err(DbError::query("starting the replace transaction"))?;
        Ok(ReplaceTx {
            tx,
            mode,
            written: Vec::new(),
            counts: LoadCounts::default(),
        })
    }

    /// Loads a batch of a replace stream into its transaction.
    pub async fn replace_batch(
        &self,
        replace: &mut ReplaceTx,
        batch: LoadBatch,
    ) -> Result<LoadCounts, DbError> {
        let run_id = batch.run_id;
        let counts = write_batch(
            &mut replace.tx,
            batch,
            replace.mode,
            WriteDisposition::Replace,
            Some(&mut replace.written),
        )
        .await?;
        if replace.mode == RunMode::Run {
            state::runs::add_batch(&mut replace.tx, run_id, &counts).await?;
        }
        replace.counts.add(&counts);
        Ok(counts)
    }

    /// Ends a replace stream. When it is `complete`, the provider's rows
    /// the stream did not produce are deleted from each table it wrote;
    /// then everything commits at once (a dry run rolls back). Returns the
    /// rows deleted per table.
    pub async fn finish_replace(
        &self,
        replace: ReplaceTx,
        run_id: RunId,
        complete: bool,
    ) -> Result<LoadCounts, DbError> {
        let ReplaceTx {
            mut tx,
            mode,
            written,
            counts: loaded,
        } = replace;
        let mut deleted = LoadCounts::default();
        if complete {
            for table in &written {
                let removed = replace::delete_unproduced(&mut tx, table).await?;
                deleted.tables.entry(table.name).or_default().deleted += removed;
            }
        }
        if mode == RunMode::DryRun {
            tx.rollback()
                .await
                .map_err(DbError::query("rolling back the dry run's stream"))?;
            let mut all = loaded;
            all.add(&deleted);
            state::runs::add_batch(&mut self.conn().await?, run_id, &all).await?;
            return Ok(deleted);
        }
        state::runs::add_batch(&mut tx, run_id, &deleted).await?;
        tx.commit()
            .await
            .map_err(DbError::query("committing the replace stream"))?;
        Ok(deleted)
    }
}

/// A replace stream's open transaction and what it wrote so far.
pub struct ReplaceTx {
    tx: Tx,
    mode: RunMode,
    written: Vec<&'static tables::TableSpec>,
    counts: LoadCounts,
}

/// Writes one batch in `tx`: its archived response, rows, rejects and
/// checkpoint. A replace stream passes the tables it wrote so far, and the
/// keys of the staged rows are kept for its end.
async fn write_batch(
    tx: &mut Tx,
    batch: LoadBatch,
    mode: RunMode,
    write: WriteDisposition,
    mut replace_written: Option<&mut Vec<&'static tables::TableSpec>>,
) -> Result<LoadCounts, DbError> {
    let now = crate::db::now_timestamp();
    let ctx = ResponseContext {
        run_id: batch.run_id,
        pipeline: &batch.pipeline,
        stream_key: &batch.stream_key,
        provider: &batch.provider,
        stream: &batch.stream,
        plugin: &batch.plugin,
        plugin_version: &batch.plugin_version,
    };
    if let Some(response) = &batch.response {
        state::archive::store(tx, &ctx, response).await?;
    }
    let mut counts = LoadCounts {
        requests: batch.requests,
        ..LoadCounts::default()
    };
    match batch.outcome {
        BatchOutcome::Loaded {
            rows,
            rejects,
            cursor,
        } => {
            counts.duplicates = rows.duplicates;
            let provenance = tables::Provenance {
                plugin: &batch.plugin,
                plugin_version: &batch.plugin_version,
                run_id: batch.run_id,
                payload_hash: &batch.payload_hash,
                now: &now,
            };
            let producers = rows.producers;
            for (table, rows) in rows.tables {
                // Rows an enricher added say so; the rest are the normalizer's.
                let provenance = match producers.iter().find(|p| p.table == table.name) {
                    Some(producer) => tables::Provenance {
                        plugin: &producer.plugin,
                        plugin_version: &producer.plugin_version,
                        ..provenance
                    },
                    None => provenance,
                };
                let table_counts = match write {
                    WriteDisposition::Append => append(tx, table, &rows, &provenance).await?,
                    WriteDisposition::Merge | WriteDisposition::Replace => {
                        upsert(tx, table, &rows, &provenance).await?
                    }
                };
                if let Some(written) = replace_written.as_deref_mut() {
                    let first = !written.contains(&table);
                    replace::keep_keys(tx, table, first).await?;
                    if first {
                        written.push(table);
                    }
                }
                counts.tables.insert(table.name, table_counts);
            }
            counts.quarantined =
                state::quarantine::store_rejects(tx, &ctx, &batch.payload_hash, &rejects, &now)
                    .await?;
            if mode == RunMode::Run {
                state::checkpoints::save(
                    tx,
                    &batch.pipeline,
                    &batch.stream_key,
                    cursor.as_deref(),
                    batch.run_id,
                    &now,
                )
                .await?;
            }
        }
        BatchOutcome::Failed { reason, raw } => {
            state::quarantine::store_failed_batch(
                tx,
                &ctx,
                &batch.payload_hash,
                &reason,
                &raw,
                &now,
            )
            .await?;
            counts.failed_batches = 1;
        }
    }
    Ok(counts)
}

/// Stages `rows` and adds every one of them to the table's `_log` twin.
async fn append(
    tx: &mut Tx,
    table: &'static tables::TableSpec,
    rows: &[tables::Row],
    provenance: &tables::Provenance<'_>,
) -> Result<TableCounts, DbError> {
    stage(tx, table, rows, provenance).await?;
    let columns = tables::load_columns(table).join(", ");
    let inserted = tx
        .execute(
            &format!(
                "INSERT INTO {t}_log ({columns}) SELECT {columns} FROM {stage}",
                t = table.name,
                stage = tables::stage_name(table)
            ),
            Vec::new(),
        )
        .await
        .map_err(DbError::query(format!("appending to {}_log", table.name)))?;
    Ok(TableCounts {
        records: rows.len() as u64,
        inserted,
        ..TableCounts::default()
    })
}

/// Stages `rows` of `table` on the transaction's backend.
async fn stage(
    tx: &mut Tx,
    table: &'static tables::TableSpec,
    rows: &[tables::Row],
    provenance: &tables::Provenance<'_>,
) -> Result<tables::Dialect, DbError> {
    Ok(match tx {
        Tx::Sqlite(t) => {
            sqlite::stage(t, table, rows, provenance).await?;
            tables::Dialect::Sqlite
        }
        Tx::Postgres(t) => {
            postgres::stage(t, table, rows, provenance).await?;
            tables::Dialect::Postgres
        }
    })
}

/// Stages `rows` of `table`, records the odds' moves when they are odds,
/// and merges them; counts what happened.
async fn upsert(
    tx: &mut Tx,
    table: &'static tables::TableSpec,
    rows: &[tables::Row],
    provenance: &tables::Provenance<'_>,
) -> Result<TableCounts, DbError> {
    // A first load of these events cannot conflict: the rows are copied
    // straight into `odds`, under a savepoint that hands over to the merge
    // below when a concurrent run loaded the same markets in between.
    if let (Tx::Postgres(t), true) = (&mut *tx, *table == tables::ODDS)
        && !postgres::odds_events_known(t, rows).await?
        && let Some(inserted) = postgres::copy_new_rows(t, table, rows, provenance).await?
    {
        return Ok(TableCounts {
            records: rows.len() as u64,
            inserted,
            ..TableCounts::default()
        });
    }
    let dialect = stage(tx, table, rows, provenance).await?;
    let mut counts = TableCounts {
        records: rows.len() as u64,
        ..TableCounts::default()
    };
    if *table == tables::ODDS {
        let moves = odds::record_moves(tx, dialect).await?;
        counts.moves = moves.recorded;
        counts.deleted = moves.withdrawn;
    }
    let merge = tables::merge_sql(table, dialect);
    let merging = format!("merging into {}", table.name);
    let inserted_flags: Vec<bool> = match tx {
        Tx::Sqlite(t) => sqlx::query_scalar(&merge).fetch_all(&mut **t).await,
        Tx::Postgres(t) => sqlx::query_scalar(&merge).fetch_all(&mut **t).await,
    }
    .map_err(DbError::query(merging))?;
    if let Some(sql) = tables::delete_outside_stage_sql(table) {
        counts.deleted += tx
            .execute(&sql, Vec::new())
            .await
            .map_err(DbError::query(format!(
                "deleting the rows of {} no longer sent",
                table.name
            )))?;
    }
    let inserted = inserted_flags.iter().filter(|i| **i).count() as u64;
    counts.inserted = inserted;
    counts.updated = inserted_flags.len() as u64 - inserted;
    counts.unchanged = rows.len() as u64 - inserted_flags.len() as u64;
    Ok(counts)
}
