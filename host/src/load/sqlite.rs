//! The SQLite sink: multi-row upserts in one transaction per batch.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use super::tables::{Row, SqlValue, TableSpec};
use super::{BatchOutcome, LoadBatch, LoadCounts, LoadError, TableCounts};
use crate::extract::BreakerSnapshot;
use crate::state::archive::{LatestResponse, ReplayItem, ResponseContext};
use crate::state::providers::ProviderStatus;
use crate::state::runs::RunRow;
use crate::state::{self, ReplaySelection, RunId, RunMode, RunStatus};

/// SQLite accepts at most 32,766 bound parameters per statement.
const MAX_PARAMS: usize = 32_000;
/// Columns of every canonical table besides its content.
const KEY_COLUMNS: [&str; 2] = ["provider", "provider_id"];
const PROVENANCE_COLUMNS: [&str; 4] = ["plugin", "plugin_version", "run_id", "payload_hash"];

/// A SQLite database file holding the canonical and host tables.
pub struct SqliteSink {
    pool: SqlitePool,
}

impl SqliteSink {
    /// Opens (creating if needed) the database at `url` and migrates it.
    pub async fn connect(url: &str) -> Result<Self, LoadError> {
        let connect = |source| LoadError::Connect {
            url: url.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(connect)?;
        sqlx::migrate!("migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|source| LoadError::Migrate {
                url: url.to_string(),
                source,
            })?;
        Ok(SqliteSink { pool })
    }

    /// The connection pool, for callers that query the tables.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(super) async fn start_run(
        &self,
        pipeline: &str,
        mode: RunMode,
    ) -> Result<RunId, LoadError> {
        state::runs::start(&mut *self.acquire().await?, pipeline, mode).await
    }

    pub(super) async fn checkpoint(
        &self,
        pipeline: &str,
        stream_key: &str,
    ) -> Result<Option<String>, LoadError> {
        state::checkpoints::load(&mut *self.acquire().await?, pipeline, stream_key).await
    }

    pub(super) async fn finish_run(
        &self,
        run_id: RunId,
        status: RunStatus,
        error: Option<&str>,
        note: Option<&str>,
    ) -> Result<(), LoadError> {
        state::runs::finish(&mut *self.acquire().await?, run_id, status, error, note).await
    }

    pub(super) async fn latest_response(
        &self,
        stream_key: &str,
        url: &str,
    ) -> Result<Option<LatestResponse>, LoadError> {
        state::archive::latest(&mut *self.acquire().await?, stream_key, url).await
    }

    pub(super) async fn payload(&self, payload_hash: &str) -> Result<Vec<u8>, LoadError> {
        state::archive::payload(&mut *self.acquire().await?, payload_hash).await
    }

    pub(super) async fn replay_items(
        &self,
        selection: &ReplaySelection,
    ) -> Result<Vec<ReplayItem>, LoadError> {
        state::archive::select(&mut *self.acquire().await?, selection).await
    }

    pub(super) async fn load_breaker(
        &self,
        provider: &str,
    ) -> Result<Option<BreakerSnapshot>, LoadError> {
        state::providers::load_breaker(&mut *self.acquire().await?, provider).await
    }

    pub(super) async fn save_breaker(
        &self,
        provider: &str,
        snapshot: &BreakerSnapshot,
    ) -> Result<(), LoadError> {
        state::providers::save_breaker(&mut *self.acquire().await?, provider, snapshot).await
    }

    pub(super) async fn status(
        &self,
        runs: i64,
    ) -> Result<(Vec<RunRow>, Vec<ProviderStatus>), LoadError> {
        let mut conn = self.acquire().await?;
        let recent = state::runs::recent(&mut conn, runs).await?;
        let providers = state::providers::all(&mut conn).await?;
        Ok((recent, providers))
    }

    pub(super) async fn commit_batch(
        &self,
        batch: LoadBatch,
        mode: RunMode,
    ) -> Result<LoadCounts, LoadError> {
        let now = state::now_timestamp();
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(LoadError::query("starting a transaction"))?;
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
            state::archive::store(&mut tx, &ctx, response).await?;
        }
        let mut counts = LoadCounts {
            requests: batch.requests,
            ..LoadCounts::default()
        };
        match &batch.outcome {
            BatchOutcome::Loaded {
                records,
                rejects,
                cursor,
            } => {
                let (by_table, duplicates) = rows_by_table(records.iter().cloned().map(Row::from));
                counts.duplicates = duplicates;
                for (table, rows) in by_table {
                    let table_counts = upsert(&mut tx, table, &rows, &batch, &now).await?;
                    counts.tables.insert(table.name, table_counts);
                }
                counts.quarantined = state::quarantine::store_rejects(
                    &mut tx,
                    &ctx,
                    &batch.payload_hash,
                    rejects,
                    &now,
                )
                .await?;
                if mode == RunMode::Run {
                    state::checkpoints::save(
                        &mut tx,
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
                    &mut tx,
                    &ctx,
                    &batch.payload_hash,
                    reason,
                    raw,
                    &now,
                )
                .await?;
                counts.failed_batches = 1;
            }
        }
        if mode == RunMode::DryRun {
            // What the batch would have done is known; nothing of it stays
            // but the run's counters.
            tx.rollback()
                .await
                .map_err(LoadError::query("rolling back the dry run's batch"))?;
            state::runs::add_batch(&mut *self.acquire().await?, batch.run_id, &counts).await?;
            return Ok(counts);
        }
        state::runs::add_batch(&mut tx, batch.run_id, &counts).await?;
        tx.commit()
            .await
            .map_err(LoadError::query("committing the batch"))?;
        Ok(counts)
    }

    async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<Sqlite>, LoadError> {
        self.pool
            .acquire()
            .await
            .map_err(LoadError::query("acquiring a connection"))
    }
}

/// Groups rows by table, keeping the last of rows with the same key; returns
/// the groups in table order and how many rows were dropped as repeats.
fn rows_by_table(rows: impl Iterator<Item = Row>) -> (Vec<(&'static TableSpec, Vec<Row>)>, u64) {
    let mut groups: Vec<(&'static TableSpec, Vec<Row>)> = Vec::new();
    let mut index: HashMap<(&'static str, String, String), (usize, usize)> = HashMap::new();
    let mut duplicates = 0;
    for row in rows {
        let key = (
            row.table.name,
            row.provider.clone(),
            row.provider_id.clone(),
        );
        if let Some(&(g, i)) = index.get(&key) {
            groups[g].1[i] = row;
            duplicates += 1;
            continue;
        }
        let g = match groups.iter().position(|(t, _)| t.name == row.table.name) {
            Some(g) => g,
            None => {
                groups.push((row.table, Vec::new()));
                groups.len() - 1
            }
        };
        index.insert(key, (g, groups[g].1.len()));
        groups[g].1.push(row);
    }
    (groups, duplicates)
}

/// Upserts `rows` into `table`: new keys are inserted, changed content is
/// updated (with `updated_at` and provenance), identical content is left
/// untouched.
async fn upsert(
    conn: &mut SqliteConnection,
    table: &TableSpec,
    rows: &[Row],
    batch: &LoadBatch,
    now: &str,
) -> Result<TableCounts, LoadError> {
    let columns: Vec<&str> = KEY_COLUMNS
        .iter()
        .chain(table.content)
        .chain(&PROVENANCE_COLUMNS)
        .chain(&["created_at", "updated_at"])
        .copied()
        .collect();
    let rows_per_statement = (MAX_PARAMS / columns.len()).max(1);
    let mut counts = TableCounts {
        records: rows.len() as u64,
        ..TableCounts::default()
    };
    for chunk in rows.chunks(rows_per_statement) {
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "INSERT INTO {} ({}) ",
            table.name,
            columns.join(", ")
        ));
        query.push_values(chunk, |mut b, row| {
            b.push_bind(row.provider.clone())
                .push_bind(row.provider_id.clone());
            for value in &row.values {
                match value {
                    SqlValue::Null => b.push_bind(None::<String>),
                    SqlValue::Int(i) => b.push_bind(*i),
                    SqlValue::Text(s) => b.push_bind(s.clone()),
                };
            }
            b.push_bind(batch.plugin.clone())
                .push_bind(batch.plugin_version.clone())
                .push_bind(batch.run_id)
                .push_bind(batch.payload_hash.clone())
                .push_bind(now.to_string())
                .push_bind(now.to_string());
        });
        query.push(on_conflict(table));
        let inserted_flags: Vec<bool> = query
            .build_query_scalar()
            .fetch_all(&mut *conn)
            .await
            .map_err(LoadError::query(format!("upserting into {}", table.name)))?;
        let inserted = inserted_flags.iter().filter(|i| **i).count() as u64;
        counts.inserted += inserted;
        counts.updated += inserted_flags.len() as u64 - inserted;
        counts.unchanged += chunk.len() as u64 - inserted_flags.len() as u64;
    }
    Ok(counts)
}

/// The conflict clause: update only when the content differs, and return
/// one row per insert or update, true for an insert.
fn on_conflict(table: &TableSpec) -> String {
    let sets: Vec<String> = table
        .content
        .iter()
        .chain(&PROVENANCE_COLUMNS)
        .chain(&["updated_at"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let old: Vec<String> = table
        .content
        .iter()
        .map(|c| format!("{}.{c}", table.name))
        .collect();
    let new: Vec<String> = table
        .content
        .iter()
        .map(|c| format!("excluded.{c}"))
        .collect();
    format!(
        " ON CONFLICT (provider, provider_id) DO UPDATE SET {} WHERE ({}) IS NOT ({}) RETURNING created_at = updated_at",
        sets.join(", "),
        old.join(", "),
        new.join(", ")
    )
}
