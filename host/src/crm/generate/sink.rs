//! Where generated transactions go: a PostgreSQL table by text `COPY`, or
//! a SQLite table by multi-row inserts, each created for them, the rows'
//! checksum computed on the way.

use sqlx::{PgPool, SqlitePool};

use super::{Checksum, Transaction, timestamp_text};
use crate::crm::CrmError;
use crate::crm::row::cents_text;
use crate::db::Pool;
use crate::db::copy::CopyIn;

/// Rows per SQLite INSERT.
const ROWS_PER_INSERT: usize = 1_000;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Rows written.
    pub rows: u64,
    /// The rows' checksum (see [`Checksum`]).
    pub checksum: String,
}

fn err(doing: String) -> impl FnOnce(sqlx::Error) -> CrmError {
    move |source| CrmError::Query { doing, source }
}

/// Creates `table` (dropping it first when `replace`) and writes `rows`.
pub async fn write(
    pool: &Pool,
    table: &str,
    replace: bool,
    rows: impl Iterator<Item = Transaction>,
) -> Result<Written, CrmError> {
    match pool {
        Pool::Postgres(pg) => write_postgres(pg, table, replace, rows).await,
        Pool::Sqlite(lite) => write_sqlite(lite, table, replace, rows).await,
    }
}

async fn prepare(pool: &Pool, table: &str, replace: bool) -> Result<(), CrmError> {
    let (ddl, exists_sql) = match pool {
        Pool::Postgres(_) => (
            "transaction_id UUID, user_id BIGINT, amount NUMERIC(10, 2), transaction_type TEXT, \
             status TEXT, created_at TIMESTAMPTZ, game_type TEXT",
            format!(
                "SELECT COUNT(*) FROM (SELECT to_regclass('{table}') AS t) r WHERE r.t IS NOT NULL"
            ),
        ),
        Pool::Sqlite(_) => (
            "transaction_id TEXT, user_id INTEGER, amount NUMERIC(10, 2), transaction_type TEXT, \
             status TEXT, created_at TEXT, game_type TEXT",
            format!("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
        ),
    };
    let mut statements = Vec::new();
    if replace {
        statements.push(format!("DROP TABLE IF EXISTS {table}"));
    } else {
        let exists: i64 = match pool {
            Pool::Postgres(pg) => sqlx::query_scalar(&exists_sql).fetch_one(pg).await,
            Pool::Sqlite(lite) => sqlx::query_scalar(&exists_sql).fetch_one(lite).await,
        }
        .map_err(err(format!("looking for table {table}")))?;
        if exists > 0 {
            return Err(CrmError::Generate(format!(
                "table {table} already exists: pass --replace to drop it first, or --table to name another"
            )));
        }
    }
    if let (Pool::Postgres(_), Some((schema, _))) = (pool, table.split_once('.')) {
        statements.push(format!("CREATE SCHEMA IF NOT EXISTS {schema}"));
    }
    statements.push(format!("CREATE TABLE {table} ({ddl})"));
    for sql in statements {
        let done = match pool {
            Pool::Postgres(pg) => sqlx::query(&sql).execute(pg).await.map(|_| ()),
            Pool::Sqlite(lite) => sqlx::query(&sql).execute(lite).await.map(|_| ()),
        };
        done.map_err(err(format!("creating table {table}")))?;
    }
    Ok(())
}

async fn write_postgres(
    pg: &PgPool,
    table: &str,
    replace: bool,
    rows: impl Iterator<Item = Transaction>,
) -> Result<Written, CrmError> {
    prepare(&Pool::Postgres(pg.clone()), table, replace).await?;
    let doing = format!("copying transactions into {table}");
    let mut conn = pg.acquire().await.map_err(err(doing.clone()))?;
    let mut copy = CopyIn::start(
        &mut conn,
        &format!(
            "COPY {table} (transaction_id, user_id, amount, transaction_type, status, created_at, game_type) FROM STDIN"
        ),
    )
    .await
    .map_err(err(doing.clone()))?;
    let mut checksum = Checksum::default();
    let mut line = String::new();
    let mut count = 0u64;
    for t in rows {
        line.clear();
        t.copy_line(&mut line);
        checksum.add(&line);
        copy.encoded_row(&line).await.map_err(err(doing.clone()))?;
        count += 1;
    }
    copy.finish().await.map_err(err(doing))?;
    sqlx::query(&format!("ANALYZE {table}"))
        .execute(&mut *conn)
        .await
        .map_err(err(format!("analyzing {table}")))?;
    Ok(Written {
        rows: count,
        checksum: checksum.finish(),
    })
}

async fn write_sqlite(
    lite: &SqlitePool,
    table: &str,
    replace: bool,
    rows: impl Iterator<Item = Transaction>,
) -> Result<Written, CrmError> {
    prepare(&Pool::Sqlite(lite.clone()), table, replace).await?;
    let doing = format!("inserting transactions into {table}");
    let one = "(?, ?, ?, ?, ?, ?, ?)";
    let statement = |n: usize| {
        format!(
            "INSERT INTO {table} (transaction_id, user_id, amount, transaction_type, status, created_at, game_type) VALUES {}",
            vec![one; n].join(", ")
        )
    };
    let full = statement(ROWS_PER_INSERT);
    let mut tx = lite.begin().await.map_err(err(doing.clone()))?;
    let mut checksum = Checksum::default();
    let mut line = String::new();
    let mut batch = Vec::with_capacity(ROWS_PER_INSERT);
    let mut count = 0u64;
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        batch.clear();
        batch.extend(rows.by_ref().take(ROWS_PER_INSERT));
        let sql = if batch.len() == ROWS_PER_INSERT {
            full.clone()
        } else {
            statement(batch.len())
        };
        let mut query = sqlx::query(&sql);
        for t in &batch {
            line.clear();
            t.copy_line(&mut line);
            checksum.add(&line);
            query = query
                .bind(t.id_text())
                .bind(t.user_id)
                .bind(t.amount_cents.map(cents_text))
                .bind(t.kind)
                .bind(t.status)
                .bind(t.created_at.and_then(timestamp_text))
                .bind(t.game_type);
        }
        query.execute(&mut *tx).await.map_err(err(doing.clone()))?;
        count += batch.len() as u64;
    }
    tx.commit().await.map_err(err(doing))?;
    Ok(Written {
        rows: count,
        checksum: checksum.finish(),
    })
}
