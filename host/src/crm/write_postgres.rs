//! Writing the features into PostgreSQL: rows streamed through `COPY` in
//! chunks (never all held at once), into a staging table for a merge,
//! into a table built beside the old one for a replace, or straight into
//! the table for an append; each disposition in one transaction. Rows go
//! in binary (`copy_binary.rs`) when the table's columns have the types
//! sluice creates them with, and as text into a table someone made with
//! other types (text `COPY` lets the server convert).

use sqlx::{Connection, PgConnection, PgPool};
use time::Date;

use super::CrmError;
use super::copy_binary;
use super::query::Backend;
use super::row::{COLUMNS, Cell, Cells, cents_text};
use super::target::{Target, column_list};
use crate::config::CrmWrite;
use crate::db::copy::{BinaryCopyIn, CopyIn, CopyText};

/// Writes `rows` (each in the order of [`COLUMNS`]) to `target` as of
/// `snapshot`; returns how many were written.
pub async fn write<'a>(
    pool: &PgPool,
    target: &Target,
    snapshot: Date,
    rows: impl Iterator<Item = Cells<'a>>,
) -> Result<u64, CrmError> {
    let name = target.name();
    let err = |doing: &str| {
        let doing = format!("{doing} {name}");
        move |source| CrmError::Query { doing, source }
    };
    let mut conn = super::connection::postgres(pool)
        .await
        .map_err(err("connecting to write"))?;
    let mut tx = conn.begin().await.map_err(err("starting to write"))?;
    if let Some(schema) = &target.schema {
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .execute(&mut *tx)
            .await
            .map_err(err("creating the schema of"))?;
    }
    let written = match target.write {
        CrmWrite::Merge => {
            sqlx::query(&target.create(Backend::Postgres, &name, true))
                .execute(&mut *tx)
                .await
                .map_err(err("creating"))?;
            sqlx::query(&format!(
                "CREATE TEMP TABLE sluice_crm_staged (LIKE {name}) ON COMMIT DROP"
            ))
            .execute(&mut *tx)
            .await
            .map_err(err("staging rows for"))?;
            let format = format_for(&mut tx, &name).await?;
            let copied = copy(&mut tx, "sluice_crm_staged", format, rows).await?;
            sqlx::query(&target.merge_from("sluice_crm_staged"))
                .execute(&mut *tx)
                .await
                .map_err(err(
                    "merging into (a merge needs user_id as the table's key; an appended table has another)",
                ))?;
            copied
        }
        CrmWrite::Replace => {
            let building = target.qualified(&target.building());
            sqlx::query(&format!("DROP TABLE IF EXISTS {building}"))
                .execute(&mut *tx)
                .await
                .map_err(err("clearing the replacement of"))?;
            sqlx::query(&target.create(Backend::Postgres, &building, false))
                .execute(&mut *tx)
                .await
                .map_err(err("building the replacement of"))?;
            // Built in this transaction: its rows can be stored frozen.
            let copied = copy(&mut tx, &building, Format::Binary { freeze: true }, rows).await?;
            // The swap: readers keep the old table until the commit.
            for statement in [
                format!("DROP TABLE IF EXISTS {name}"),
                format!("ALTER TABLE {building} RENAME TO {}", target.table),
                format!(
                    "ALTER INDEX {} RENAME TO {}_pkey",
                    target.qualified(&format!("{}_pkey", target.building())),
                    target.table
                ),
            ] {
                sqlx::query(&statement)
                    .execute(&mut *tx)
                    .await
                    .map_err(err("swapping in the new"))?;
            }
            copied
        }
        CrmWrite::Append => {
            sqlx::query(&target.create(Backend::Postgres, &name, true))
                .execute(&mut *tx)
                .await
                .map_err(err("creating"))?;
            sqlx::query(&format!(
                "DELETE FROM {name} WHERE snapshot_date = CAST($1 AS date)"
            ))
            .bind(snapshot.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err("clearing this day's snapshot in"))?;
            let format = format_for(&mut tx, &name).await?;
            copy(&mut tx, &name, format, rows).await?
        }
    };
    tx.commit().await.map_err(err("committing"))?;
    conn.close()
        .await
        .map_err(err("closing the connection to"))?;
    Ok(written)
}

/// How rows are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Binary values; `freeze` when the table was made in this
    /// transaction (`COPY ... FREEZE`).
    Binary { freeze: bool },
    /// Text the server converts to the columns' types.
    Text,
}

/// Binary for a table whose every features column has the type sluice
/// gives it; text otherwise.
async fn format_for(conn: &mut PgConnection, table: &str) -> Result<Format, CrmError> {
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute \
         WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .map_err(|source| CrmError::Query {
        doing: format!("reading the column types of {table}"),
        source,
    })?;
    let differing = COLUMNS.iter().find(|(name, kind)| {
        !types
            .iter()
            .any(|(column, ty)| column == name && copy_binary::fits(*kind, ty))
    });
    Ok(match differing {
        None => Format::Binary { freeze: false },
        Some((column, _)) => {
            tracing::info!(
                table,
                column,
                "a column has another type than sluice creates: rows go as text"
            );
            Format::Text
        }
    })
}

/// Streams `rows` into `table` by COPY in `format`; returns how many.
async fn copy<'a>(
    conn: &mut PgConnection,
    table: &str,
    format: Format,
    rows: impl Iterator<Item = Cells<'a>>,
) -> Result<u64, CrmError> {
    let doing = format!("copying features into {table}");
    let err = |source| CrmError::Query {
        doing: doing.clone(),
        source,
    };
    let columns = column_list();
    match format {
        Format::Binary { freeze } => {
            let options = if freeze { ", FREEZE" } else { "" };
            let statement = format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary{options})");
            let mut copy = BinaryCopyIn::start(conn, &statement).await.map_err(err)?;
            for row in rows {
                if let Err(e) = copy_binary::row(copy.buffer(), &row) {
                    copy.abort("sluice: a features row could not be encoded")
                        .await;
                    return Err(CrmError::Unexpected(format!(
                        "a features row for {table} could not be encoded: {e}"
                    )));
                }
                copy.end_row().await.map_err(err)?;
            }
            copy.finish().await.map_err(err)
        }
        Format::Text => {
            let statement = format!("COPY {table} ({columns}) FROM STDIN");
            let mut copy = CopyIn::start(conn, &statement).await.map_err(err)?;
            for row in rows {
                encode(copy.row(), &row);
                copy.end_row().await.map_err(err)?;
            }
            copy.finish().await.map_err(err)
        }
    }
}

/// Writes `row`'s fields in COPY's text format (the caller ends the row).
fn encode(out: &mut CopyText, row: &[Cell<'_>]) {
    for cell in row {
        match cell {
            Cell::Null => out.null(),
            Cell::Text(text) => out.text(text),
            Cell::Int(n) => out.plain(n),
            Cell::Cents(c) => out.plain(cents_text(*c)),
            Cell::Float(x) => out.plain(x),
            Cell::Date(d) => out.plain(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use time::macros::date;

    #[test]
    fn copy_text_escapes_and_marks_nulls() {
        let mut out = CopyText::default();
        encode(
            &mut out,
            &[
                Cell::Text(Cow::Borrowed("a\tb\\c")),
                Cell::Null,
                Cell::Int(-3),
                Cell::Cents(1205),
                Cell::Float(0.5),
                Cell::Date(date!(2025 - 06 - 30)),
            ],
        );
        out.end_row();
        assert_eq!(
            out.as_str(),
            "a\\tb\\\\c\t\\N\t-3\t12.05\t0.5\t2025-06-30\n"
        );
    }
}
