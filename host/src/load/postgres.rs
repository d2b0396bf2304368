//! PostgreSQL staging at the speed of `COPY`: a batch's rows of one table
//! are copied into a temporary staging table whose rows live until the
//! transaction ends; the merge and the odds moves run on it.

use sqlx::{Executor, PgConnection};

use super::copy_binary::{BinaryRows, ColumnType, EncodeError};
use super::tables::{Provenance, Row, TableSpec, load_columns, stage_name};
use crate::db::copy::BinaryCopyIn;
use crate::db::{DbError, Value};
use crate::internal_events::{ConcurrentLoadMerged, InternalEvent};

/// Copies `rows` into the connection's staging table shaped like `table`,
/// emptied first. The table is created once per connection and emptied in
/// place at every commit (`ON COMMIT DELETE ROWS`): creating and dropping
/// one per batch costs the server a file, catalog rows and invalidations
/// sent to every other session, batch after batch.
pub async fn stage(
    conn: &mut PgConnection,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<(), DbError> {
    let stage = stage_name(table);
    // Both statements in one simple-query message: one round trip.
    let sql = format!(
        "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS; \
         DELETE FROM pg_temp.{stage}",
        table.name
    );
    conn.execute(sql.as_str())
        .await
        .map_err(DbError::query(format!(
            "creating the staging table of {}",
            table.name
        )))?;
    copy_rows(conn, &stage, table, rows, provenance).await?;
    Ok(())
}

/// Copies `rows` of `table` into `target` (the staging table, or the table
/// itself when nothing of the batch can conflict) in binary `COPY` format;
/// returns the rows copied.
pub async fn copy_rows(
    conn: &mut PgConnection,
    target: &str,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<u64, DbError> {
    let columns = column_types(conn, table).await?;
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let copying = format!("copying rows into {}", table.name);
    let copy_error = |source| DbError::Query {
        doing: copying.clone(),
        source,
    };
    let encode_error = |e: EncodeError| {
        DbError::Unexpected(format!("a row of {} could not be encoded: {e}", table.name))
    };
    let mut encoder = BinaryRows::new(&columns, provenance.now).map_err(encode_error)?;
    let mut copy = BinaryCopyIn::start(
        conn,
        &format!(
            "COPY {target} ({}) FROM STDIN (FORMAT binary)",
            names.join(", ")
        ),
    )
    .await
    .map_err(DbError::query(format!("starting COPY into {}", table.name)))?;
    for row in rows {
        if let Err(e) = encoder.row(copy.buffer(), row, provenance) {
            copy.abort("sluice: a row could not be encoded").await;
            return Err(encode_error(e));
        }
        copy.end_row().await.map_err(copy_error)?;
    }
    copy.finish().await.map_err(copy_error)
}

/// The column types read so far, by table: the canonical tables are the
/// migrations' and do not change under a running process (a process works
/// on one database), so they are read once, not once per batch.
type KnownTypes = std::collections::HashMap<&'static str, Vec<(&'static str, ColumnType)>>;
static COLUMN_TYPES: std::sync::LazyLock<std::sync::Mutex<KnownTypes>> =
    std::sync::LazyLock::new(Default::default);

/// The load columns of `table` with their types in the database.
async fn column_types(
    conn: &mut PgConnection,
    table: &TableSpec,
) -> Result<Vec<(&'static str, ColumnType)>, DbError> {
    let known = COLUMN_TYPES
        .lock()
        .ok()
        .and_then(|known| known.get(table.name).cloned());
    if let Some(columns) = known {
        return Ok(columns);
    }
    let columns = read_column_types(conn, table).await?;
    if let Ok(mut known) = COLUMN_TYPES.lock() {
        known.insert(table.name, columns.clone());
    }
    Ok(columns)
}

/// [`column_types`] from the catalog, checked against what sluice writes.
async fn read_column_types(
    conn: &mut PgConnection,
    table: &TableSpec,
) -> Result<Vec<(&'static str, ColumnType)>, DbError> {
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT attname::text, atttypid::regtype::text FROM pg_attribute \
         WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
    )
    .bind(table.name)
    .fetch_all(&mut *conn)
    .await
    .map_err(DbError::query(format!(
        "reading the column types of {}",
        table.name
    )))?;
    load_columns(table)
        .into_iter()
        .map(|name| {
            let found = types.iter().find(|(column, _)| column == name);
            match found.map(|(_, kind)| (kind, ColumnType::from_postgres(kind))) {
                Some((_, Some(kind))) => Ok((name, kind)),
                Some((kind, None)) => Err(DbError::Unexpected(format!(
                    "column {name} of {} has type {kind}, which sluice does not write; \
                     the table differs from the one sluice's migrations create",
                    table.name
                ))),
                None => Err(DbError::Unexpected(format!(
                    "table {} has no column {name}; \
                     the table differs from the one sluice's migrations create",
                    table.name
                ))),
            }
        })
        .collect()
}

/// Copies rows none of which can be in `table` yet straight into it, under
/// a savepoint: when a concurrent run loaded some of them in between, the
/// copy is undone and `None` says to merge instead.
pub async fn copy_new_rows(
    conn: &mut PgConnection,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<Option<u64>, DbError> {
    conn.execute("SAVEPOINT sluice_direct_copy")
        .await
        .map_err(DbError::query(format!("copying rows into {}", table.name)))?;
    match copy_rows(conn, table.name, table, rows, provenance).await {
        Ok(copied) => Ok(Some(copied)),
        Err(error) => {
            ConcurrentLoadMerged {
                table: table.name,
                error: &error,
            }
            .emit();
            conn.execute("ROLLBACK TO SAVEPOINT sluice_direct_copy")
                .await
                .map_err(DbError::query(format!("copying rows into {}", table.name)))?;
            Ok(None)
        }
    }
}

/// Whether `odds` holds any quote of the events of `rows`: when it holds
/// none, nothing of the batch can conflict, move or be withdrawn. A market
/// key starts with 64 bits of its event's digest (tables::odds_keys), so
/// one index range per event answers, instead of one probe per market.
pub async fn odds_events_known(conn: &mut PgConnection, rows: &[Row]) -> Result<bool, DbError> {
    let mut events: Vec<(&str, &[u8])> = rows
        .iter()
        .filter_map(|r| match r.key.first() {
            Some(Value::Key(market)) => Some((r.provider.as_str(), &market[..8])),
            _ => None,
        })
        .collect();
    events.sort_unstable();
    events.dedup();
    let range = |event: &[u8], fill: u8| {
        let mut bound = [fill; 16];
        bound[..8].copy_from_slice(event);
        Value::key_hex(&bound)
    };
    let mut providers = Vec::with_capacity(events.len());
    let mut lows = Vec::with_capacity(events.len());
    let mut highs = Vec::with_capacity(events.len());
    for (provider, event) in events {
        providers.push(provider);
        lows.push(range(event, 0x00));
        highs.push(range(event, 0xff));
    }
    let known: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM unnest($1::text[], $2::uuid[], $3::uuid[]) AS e (provider, low, high) \
         WHERE EXISTS (SELECT 1 FROM odds o WHERE o.provider = e.provider \
                       AND o.market_key BETWEEN e.low AND e.high) LIMIT 1",
    )
    .bind(providers)
    .bind(lows)
    .bind(highs)
    .fetch_optional(&mut *conn)
    .await
    .map_err(DbError::query("looking up the batch's events"))?;
    Ok(known.is_some())
}
