//! Writing the features into SQLite: multi-row inserts with bound values,
//! an upsert for a merge, a table built beside the old one and renamed into
//! place for a replace, plain inserts for an append; each disposition in
//! one transaction.

use sqlx::{Connection, Sqlite, SqlitePool, Transaction};
use time::Date;

use super::CrmError;
use super::query::Backend;
use super::row::{COLUMNS, Cell, Cells, cents_text};
use super::target::{Target, column_list};
use crate::config::CrmWrite;

/// Rows per INSERT statement (50 columns each, far under SQLite's limit of
/// bound values).
const ROWS_PER_INSERT: usize = 200;

/// Writes `rows` (each in the order of [`COLUMNS`]) to `target` as of
/// `snapshot`; returns how many were written.
pub async fn write<'a>(
    pool: &SqlitePool,
    target: &Target,
    snapshot: Date,
    rows: impl Iterator<Item = Cells<'a>>,
) -> Result<u64, CrmError> {
    let name = target.name();
    let err = |doing: &str| {
        let doing = format!("{doing} {name}");
        move |source| CrmError::Query { doing, source }
    };
    let mut conn = super::connection::sqlite(pool)
        .await
        .map_err(err("connecting to write"))?;
    let mut tx = conn.begin().await.map_err(err("starting to write"))?;
    let written = match target.write {
        CrmWrite::Merge => {
            sqlx::query(&target.create(Backend::Sqlite, &name, true))
                .execute(&mut *tx)
                .await
                .map_err(err("creating"))?;
            let conflict = COLUMNS
                .iter()
                .filter(|(c, _)| *c != "user_id")
                .map(|(c, _)| format!("{c} = excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            insert(
                &mut tx,
                &name,
                &format!(" ON CONFLICT (user_id) DO UPDATE SET {conflict}"),
                rows,
            )
            .await
            .map_err(|e| match e {
                CrmError::Query { doing, source } => CrmError::Query {
                    doing: format!(
                        "{doing} (a merge needs user_id as the table's key; an appended table has another)"
                    ),
                    source,
                },
                other => other,
            })?
        }
        CrmWrite::Replace => {
            let building = target.building();
            sqlx::query(&format!("DROP TABLE IF EXISTS {building}"))
                .execute(&mut *tx)
                .await
                .map_err(err("clearing the replacement of"))?;
            sqlx::query(&target.create(Backend::Sqlite, &building, false))
                .execute(&mut *tx)
                .await
                .map_err(err("building the replacement of"))?;
            let copied = insert(&mut tx, &building, "", rows).await?;
            for statement in [
                format!("DROP TABLE IF EXISTS {name}"),
                format!("ALTER TABLE {building} RENAME TO {name}"),
            ] {
                sqlx::query(&statement)
                    .execute(&mut *tx)
                    .await
                    .map_err(err("swapping in the new"))?;
            }
            copied
        }
        CrmWrite::Append => {
            sqlx::query(&target.create(Backend::Sqlite, &name, true))
                .execute(&mut *tx)
                .await
                .map_err(err("creating"))?;
            sqlx::query(&format!("DELETE FROM {name} WHERE snapshot_date = ?"))
                .bind(snapshot.to_string())
                .execute(&mut *tx)
                .await
                .map_err(err("clearing this day's snapshot in"))?;
            insert(&mut tx, &name, "", rows).await?
        }
    };
    tx.commit().await.map_err(err("committing"))?;
    conn.close()
        .await
        .map_err(err("closing the connection to"))?;
    Ok(written)
}

/// Inserts `rows` into `table`, `ROWS_PER_INSERT` per statement, each
/// statement ending with `tail`; returns how many.
async fn insert<'a>(
    tx: &mut Transaction<'_, Sqlite>,
    table: &str,
    tail: &str,
    rows: impl Iterator<Item = Cells<'a>>,
) -> Result<u64, CrmError> {
    let one = format!("({})", vec!["?"; COLUMNS.len()].join(", "));
    let statement = |n: usize| {
        format!(
            "INSERT INTO {table} ({}) VALUES {}{tail}",
            column_list(),
            vec![one.as_str(); n].join(", ")
        )
    };
    let full = statement(ROWS_PER_INSERT);
    let mut batch: Vec<Cells<'a>> = Vec::with_capacity(ROWS_PER_INSERT);
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
        for cell in batch.iter().flatten() {
            query = match cell {
                Cell::Null => query.bind(None::<String>),
                Cell::Text(t) => query.bind(t.to_string()),
                Cell::Int(n) => query.bind(*n),
                Cell::Cents(c) => query.bind(cents_text(*c)),
                Cell::Float(x) => query.bind(*x),
                Cell::Date(d) => query.bind(d.to_string()),
            };
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(|source| CrmError::Query {
                doing: format!("inserting features into {table}"),
                source,
            })?;
        count += batch.len() as u64;
    }
    Ok(count)
}
