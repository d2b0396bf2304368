//! Writing a batch of fitted rows into a generic table: appended, or merged
//! on the primary key through a staging table (new rows inserted, changed
//! rows updated, identical rows left alone), inside the file's transaction.
//! Rows reach PostgreSQL by text `COPY` (into the table, or into the
//! staging table for a merge), SQLite by multi-row inserts.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::table::{TableShape, quote};
use super::typing::Typed;
use crate::db::copy::CopyIn;
use crate::db::{DbError, Exec, Tx, Value};

/// Most values bound to one statement (SQLite allows 32,766).
const MAX_PARAMS: usize = 30_000;

/// What writing one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// New rows.
    pub inserted: u64,
    /// Rows whose content changed.
    pub updated: u64,
    /// Rows already holding the same content.
    pub unchanged: u64,
    /// Rows that repeated a key of the same batch (the last one wins).
    pub duplicates: u64,
}

/// Adds every row.
pub async fn append(
    tx: &mut Tx,
    shape: &TableShape,
    rows: &[Vec<Typed>],
) -> Result<Written, DbError> {
    insert_values(tx, shape, &quote(&shape.name), rows).await?;
    Ok(Written {
        inserted: rows.len() as u64,
        ..Written::default()
    })
}

/// Upserts the rows on the table's primary key.
pub async fn merge(
    tx: &mut Tx,
    shape: &TableShape,
    rows: Vec<Vec<Typed>>,
) -> Result<Written, DbError> {
    let (rows, duplicates) = last_of_each_key(shape, rows);
    let stage = quote(&format!("sluice_stage_{}", shape.name));
    let temp = match tx {
        Tx::Sqlite(_) => "temp",
        Tx::Postgres(_) => "pg_temp",
    };
    let doing = format!("merging into {}", shape.name);
    let table = quote(&shape.name);
    tx.execute(&format!("DROP TABLE IF EXISTS {temp}.{stage}"), Vec::new())
        .await
        .map_err(DbError::query(doing.clone()))?;
    let columns: Vec<String> = shape.columns.iter().map(|c| quote(&c.name)).collect();
    tx.execute(
        &format!(
            "CREATE TEMP TABLE {stage} AS SELECT {} FROM {table} WHERE 1 = 0",
            columns.join(", ")
        ),
        Vec::new(),
    )
    .await
    .map_err(DbError::query(doing.clone()))?;
    insert_values(tx, shape, &stage, &rows).await?;
    let same_key: Vec<String> = shape
        .key
        .iter()
        .map(|k| format!("{table}.{k} = s.{k}", k = quote(k)))
        .collect();
    let same_key = same_key.join(" AND ");
    let others: Vec<&String> = shape
        .columns
        .iter()
        .map(|c| &c.name)
        .filter(|c| !shape.key.contains(c))
        .collect();
    let mut updated = 0;
    if !others.is_empty() {
        let set: Vec<String> = others
            .iter()
            .map(|c| format!("{c} = s.{c}", c = quote(c)))
            .collect();
        let differs: Vec<String> = others
            .iter()
            .map(|c| format!("{table}.{c} IS DISTINCT FROM s.{c}", c = quote(c)))
            .collect();
        updated = tx
            .execute(
                &format!(
                    "UPDATE {table} SET {} FROM {stage} AS s WHERE {same_key} AND ({})",
                    set.join(", "),
                    differs.join(" OR ")
                ),
                Vec::new(),
            )
            .await
            .map_err(DbError::query(doing.clone()))?;
    }
    let list = columns.join(", ");
    let select: Vec<String> = columns.iter().map(|c| format!("s.{c}")).collect();
    let inserted = tx
        .execute(
            &format!(
                "INSERT INTO {table} ({list}) SELECT {} FROM {stage} AS s \
                 WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same_key})",
                select.join(", ")
            ),
            Vec::new(),
        )
        .await
        .map_err(DbError::query(doing.clone()))?;
    tx.execute(&format!("DROP TABLE IF EXISTS {temp}.{stage}"), Vec::new())
        .await
        .map_err(DbError::query(doing))?;
    let total = rows.len() as u64;
    Ok(Written {
        inserted,
        updated,
        unchanged: total.saturating_sub(inserted + updated),
        duplicates,
    })
}

/// Deletes every row of the table; returns how many.
pub async fn delete_all(tx: &mut Tx, shape: &TableShape) -> Result<u64, DbError> {
    tx.execute(&format!("DELETE FROM {}", quote(&shape.name)), Vec::new())
        .await
        .map_err(DbError::query(format!(
            "emptying {} for replace",
            shape.name
        )))
}

/// The rows with each key once, its last row kept, and how many repeats
/// were dropped.
fn last_of_each_key(shape: &TableShape, rows: Vec<Vec<Typed>>) -> (Vec<Vec<Typed>>, u64) {
    let key: Vec<usize> = shape.key.iter().filter_map(|k| shape.position(k)).collect();
    let mut at: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut kept: Vec<Vec<Typed>> = Vec::with_capacity(rows.len());
    let mut duplicates = 0;
    for row in rows {
        let id = format!("{:?}", key.iter().map(|&i| &row[i]).collect::<Vec<_>>());
        match at.get(&id) {
            Some(&i) => {
                kept[i] = row;
                duplicates += 1;
            }
            None => {
                at.insert(id, kept.len());
                kept.push(row);
            }
        }
    }
    (kept, duplicates)
}

/// Writes `rows` (in the shape's column order) into `target`: by text
/// `COPY` on PostgreSQL, by multi-row inserts on SQLite.
async fn insert_values(
    tx: &mut Tx,
    shape: &TableShape,
    target: &str,
    rows: &[Vec<Typed>],
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Postgres(t) => copy_rows(t, shape, target, rows).await,
        Tx::Sqlite(_) => insert_rows(tx, shape, target, rows).await,
    }
}

/// Streams `rows` into `target` through one `COPY … FROM STDIN`, sent in
/// chunks. Every value was fitted to its column before, so the server's
/// parsing of the text cannot refuse one.
async fn copy_rows(
    conn: &mut PgConnection,
    shape: &TableShape,
    target: &str,
    rows: &[Vec<Typed>],
) -> Result<(), DbError> {
    let mut stream = AppendStream::start(conn, shape, target).await?;
    stream.write(rows).await?;
    stream.finish().await
}

/// An append through one `COPY` that batch after batch joins, so the
/// server stores one batch while the next is read and fitted; PostgreSQL
/// only. No other statement can run on the transaction until it finishes.
pub struct AppendStream<'c> {
    copy: CopyIn<'c>,
    table: String,
}

impl<'c> AppendStream<'c> {
    /// Starts appending to `shape`'s table in `tx`; `None` on SQLite, whose
    /// rows go through [`append`].
    pub async fn open(tx: &'c mut Tx, shape: &TableShape) -> Result<Option<Self>, DbError> {
        match tx {
            Tx::Postgres(t) => Ok(Some(Self::start(t, shape, &quote(&shape.name)).await?)),
            Tx::Sqlite(_) => Ok(None),
        }
    }

    async fn start(
        conn: &'c mut PgConnection,
        shape: &TableShape,
        target: &str,
    ) -> Result<Self, DbError> {
        let columns: Vec<String> = shape.columns.iter().map(|c| quote(&c.name)).collect();
        let statement = format!("COPY {target} ({}) FROM STDIN", columns.join(", "));
        let copy = CopyIn::start(conn, &statement)
            .await
            .map_err(DbError::query(format!("copying rows into {}", shape.name)))?;
        Ok(AppendStream {
            copy,
            table: shape.name.clone(),
        })
    }

    /// Adds `rows` (in the shape's column order).
    pub async fn write(&mut self, rows: &[Vec<Typed>]) -> Result<Written, DbError> {
        for row in rows {
            let out = self.copy.row();
            for value in row {
                match value {
                    Typed::Null => out.null(),
                    Typed::Int(i) => out.plain(i),
                    Typed::Float(f) if f.is_nan() => out.plain("NaN"),
                    Typed::Float(f) if f.is_infinite() => {
                        out.plain(if *f > 0.0 { "Infinity" } else { "-Infinity" })
                    }
                    Typed::Float(f) => out.plain(f),
                    Typed::Bool(b) => out.plain(b),
                    Typed::Text(s) => out.text(s),
                }
            }
            self.copy
                .end_row()
                .await
                .map_err(DbError::query(format!("copying rows into {}", self.table)))?;
        }
        Ok(Written {
            inserted: rows.len() as u64,
            ..Written::default()
        })
    }

    /// Ends the COPY: the rows are in the table once it returns.
    pub async fn finish(self) -> Result<(), DbError> {
        self.copy
            .finish()
            .await
            .map_err(DbError::query(format!("copying rows into {}", self.table)))?;
        Ok(())
    }
}

/// Inserts `rows` into `target` on SQLite, as many rows per statement as
/// the bound-value limit allows.
async fn insert_rows(
    tx: &mut Tx,
    shape: &TableShape,
    target: &str,
    rows: &[Vec<Typed>],
) -> Result<(), DbError> {
    let width = shape.columns.len().max(1);
    let per_statement = (MAX_PARAMS / width).max(1);
    let columns: Vec<String> = shape.columns.iter().map(|c| quote(&c.name)).collect();
    let one = format!("({})", vec!["?"; shape.columns.len()].join(", "));
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {target} ({}) VALUES ", columns.join(", "));
        let mut args: Vec<Value> = Vec::with_capacity(chunk.len() * width);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&one);
            args.extend(row.iter().map(Typed::sqlite));
        }
        tx.execute(&sql, args)
            .await
            .map_err(DbError::query(format!(
                "inserting rows into {}",
                shape.name
            )))?;
    }
    Ok(())
}
