//! Loading: writes a batch's rows, its quarantined items, its archived
//! response, its checkpoint and its run counters in one transaction, so a
//! crash never separates the data from the position that says it was loaded.

mod copy_binary;
mod fence;
mod odds;
mod postgres;
mod replace;
mod sqlite;
pub mod tables;

use crate::config::WriteDisposition;
use crate::db::{DbError, Exec, Pool, Tx};
use crate::model::Reject;
use crate::state::archive::ResponseContext;
use crate::state::{self, ArchivedResponse, LoadCounts, RunId, RunMode, TableCounts};

pub use fence::BatchFence;

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

/// Where batches go: SQLite or PostgreSQL, with the same tables and the
/// same guarantees.
#[derive(Clone)]
pub struct Sink {
    pool: Pool,
}

impl Sink {
    /// Writes batches into the database of `pool`.
    pub fn new(pool: Pool) -> Self {
        Sink { pool }
    }

    async fn conn(&self) -> Result<crate::db::Conn, DbError> {
        self.pool
            .acquire()
            .await
            .map_err(DbError::query("acquiring a connection"))
    }

    /// Loads a batch atomically with its archived response, checkpoint and
    /// counters; a dry run rolls it back and keeps only the counters.
    pub async fn commit_batch(
        &self,
        batch: LoadBatch,
        mode: RunMode,
        write: WriteDisposition,
    ) -> Result<LoadCounts, DbError> {
        self.commit_fenced_batch(batch, mode, write, None).await
    }

    /// [`Sink::commit_batch`], with `fence` sealed last in the batch's
    /// transaction (told whether the batch ends its stream): when it
    /// refuses, nothing of the batch commits.
    pub async fn commit_fenced_batch(
        &self,
        batch: LoadBatch,
        mode: RunMode,
        write: WriteDisposition,
        fence: Option<(&dyn BatchFence, bool)>,
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
        if let Some((fence, last)) = fence {
            fence.seal(&mut tx, last).await?;
        }
        tx.commit()
            .await
            .map_err(DbError::query("committing the batch"))?;
        if counts.live_events > 0 {
            state::live::outbox_committed();
        }
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
/// The PostgreSQL channel told the newest outbox sequence number when a
/// batch appended live events (`LISTEN sluice_live`). The notification
/// goes out when the batch commits and never if it does not.
pub const LIVE_CHANNEL: &str = "sluice_live";

/// Tracks each match of a live stream's batch (one state per real match,
/// whichever provider reports it) and appends what changed to the outbox;
/// returns how many events it told. A match whose poll changed nothing
/// writes nothing.
async fn tell_live(
    tx: &mut Tx,
    live: &[crate::live::LiveSnapshot],
    settings: crate::live::LiveSettings,
) -> Result<u64, DbError> {
    use crate::live::{ServedMatch, TrackerSettings};
    let mut told = 0;
    let mut newest = None;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let lookup = state::live_lookup::LiveLookup::read(tx, live).await?;
    // States this batch committed: a match listed twice is tracked on.
    let mut committed: std::collections::HashMap<String, ServedMatch> = Default::default();
    for item in live {
        let at = lookup.match_ref(item);
        let (stored, under_unlinked) = match committed.get(&at.key) {
            Some(state) => (Some(state.clone()), false),
            None => lookup.served(&at),
        };
        let mut served = stored.unwrap_or_else(|| ServedMatch::new(TrackerSettings::default()));
        let before = served.clone();
        let observed = served.observe(
            &item.provider,
            &item.event,
            &item.snapshot,
            now,
            settings.stale_after_secs,
        );
        if served == before {
            continue;
        }
        if let Some(handover) = &observed.handover {
            use crate::internal_events::InternalEvent;
            crate::internal_events::LiveHandover {
                match_key: &at.key,
                from: &handover.from,
                to: &handover.to,
                silent_secs: handover.silent_secs,
            }
            .emit();
        }
        let seqs =
            state::live::commit_moving(tx, &at, &served, &observed.events, under_unlinked).await?;
        committed.insert(at.key.clone(), served);
        told += seqs.len() as u64;
        newest = seqs.last().copied().or(newest);
    }
    notify_live(tx, newest).await?;
    Ok(told)
}

/// The markets the batch's odds quote, per provider.
fn quoted_markets(
    tables: &[(&'static tables::TableSpec, Vec<tables::Row>)],
) -> std::collections::BTreeSet<state::live_odds::QuotedMarket> {
    tables
        .iter()
        .filter(|(table, _)| **table == tables::ODDS)
        .flat_map(|(_, rows)| rows.iter())
        .filter_map(|row| match row.key.first() {
            Some(crate::db::Value::Key(market_key)) => Some(state::live_odds::QuotedMarket {
                provider: row.provider.clone(),
                market_key: *market_key,
            }),
            _ => None,
        })
        .collect()
}

/// Tells `LISTEN sluice_live` listeners the newest sequence number a batch
/// appended, on PostgreSQL; delivered when the batch commits. Only the
/// number: a NOTIFY payload is small and not kept; listeners read the
/// events from the outbox after the sequence number they saw.
async fn notify_live(tx: &mut Tx, newest: Option<i64>) -> Result<(), DbError> {
    if let (Some(seq), Tx::Postgres(_)) = (newest, &*tx) {
        tx.execute(
            "SELECT pg_notify(?, ?)",
            vec![LIVE_CHANNEL.into(), seq.to_string().into()],
        )
        .await
        .map_err(DbError::query("notifying the live channel"))?;
    }
    Ok(())
}

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
            let live = rows.live;
            let live_settings = rows.live_settings;
            // A live stream's odds tell their moves: those recorded after
            // this mark, by this batch.
            let odds_live = match live_settings {
                Some(settings) => {
                    let markets = quoted_markets(&rows.tables);
                    if markets.is_empty() {
                        None
                    } else {
                        let mark = state::live_odds::history_mark(tx).await?;
                        Some((settings, mark, markets))
                    }
                }
                None => None,
            };
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
            if let Some(settings) = live_settings {
                counts.live_events = tell_live(tx, &live, settings).await?;
            }
            if let Some((settings, mark, markets)) = odds_live {
                let told = state::live_odds::tell(
                    tx,
                    mark,
                    batch.run_id,
                    &batch.payload_hash,
                    &markets,
                    settings.odds_suspended_after_secs,
                )
                .await?;
                counts.live_events += told.events;
                notify_live(tx, told.newest).await?;
            }
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
