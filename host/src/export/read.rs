//! Rows streamed from the database in batches of at most [`BATCH_ROWS`],
//! decoded into [`Cell`]s of their column's type. A batch counts its rows
//! on a [`RowGauge`] while it lives, which is how a test sees that the rows
//! held at once stay bounded whatever the table's size.

use futures_util::TryStreamExt;
use futures_util::stream::BoxStream;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, TypeInfo, ValueRef};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::ExportError;
use super::cells::{
    Cell, Column, ColumnType, days_since_epoch, micros_since_epoch, parse_date, parse_decimal,
    parse_timestamp,
};
use crate::db::Conn;

/// Rows read from the database before they are handed to the writer.
pub const BATCH_ROWS: usize = 4096;

/// Batches queued between the reader and the writer.
pub const BATCHES_IN_FLIGHT: usize = 2;

/// The most rows an export holds at once: the queued batches, the one the
/// writer is writing and the one being read.
pub const MAX_ROWS_HELD: usize = BATCH_ROWS * (BATCHES_IN_FLIGHT + 2);

/// Counts the rows held by live batches, and the most ever held at once.
#[derive(Debug, Clone, Default)]
pub struct RowGauge(Arc<(AtomicUsize, AtomicUsize)>);

impl RowGauge {
    fn hold(&self, rows: usize) {
        let now = self.0.0.fetch_add(rows, Ordering::SeqCst) + rows;
        self.0.1.fetch_max(now, Ordering::SeqCst);
    }

    fn release(&self, rows: usize) {
        self.0.0.fetch_sub(rows, Ordering::SeqCst);
    }

    /// The most rows held at once so far.
    pub fn peak(&self) -> usize {
        self.0.1.load(Ordering::SeqCst)
    }
}

/// Rows on their way from the database to a file.
#[derive(Debug)]
pub struct Batch {
    /// The rows, each a cell per column.
    pub rows: Vec<Vec<Cell>>,
    gauge: RowGauge,
    held: usize,
}

impl Batch {
    /// A batch of `rows`, counted on `gauge` until dropped.
    pub fn new(rows: Vec<Vec<Cell>>, gauge: &RowGauge) -> Self {
        let held = rows.len();
        gauge.hold(held);
        Batch {
            rows,
            gauge: gauge.clone(),
            held,
        }
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.gauge.release(self.held);
    }
}

/// The rows of one statement as they arrive (sqlx's `fetch`: never the
/// whole result at once).
pub enum RowStream<'c> {
    /// SQLite.
    Sqlite(BoxStream<'c, Result<SqliteRow, sqlx::Error>>),
    /// PostgreSQL.
    Postgres(BoxStream<'c, Result<PgRow, sqlx::Error>>),
}

impl<'c> RowStream<'c> {
    /// Starts `sql` on `conn`.
    pub fn open(conn: &'c mut Conn, sql: &'c str) -> Self {
        match conn {
            Conn::Sqlite(c) => RowStream::Sqlite(sqlx::query(sql).fetch(&mut **c)),
            Conn::Postgres(c) => RowStream::Postgres(sqlx::query(sql).fetch(&mut **c)),
        }
    }

    /// The next rows, at most [`BATCH_ROWS`]; none at the end. `read`
    /// counts the rows read so far, which errors name.
    pub async fn next_batch(
        &mut self,
        columns: &[Column],
        read: &mut u64,
        gauge: &RowGauge,
    ) -> Result<Option<Batch>, ExportError> {
        let mut rows = Vec::with_capacity(BATCH_ROWS);
        while rows.len() < BATCH_ROWS {
            let row = match self {
                RowStream::Sqlite(stream) => match stream.try_next().await {
                    Ok(Some(row)) => sqlite_row(&row, columns, *read + 1)?,
                    Ok(None) => break,
                    Err(source) => return Err(ExportError::Read { source }),
                },
                RowStream::Postgres(stream) => match stream.try_next().await {
                    Ok(Some(row)) => postgres_row(&row, columns, *read + 1)?,
                    Ok(None) => break,
                    Err(source) => return Err(ExportError::Read { source }),
                },
            };
            *read += 1;
            rows.push(row);
        }
        Ok((!rows.is_empty()).then(|| Batch::new(rows, gauge)))
    }
}

fn value_error(column: &Column, row: u64, message: String) -> ExportError {
    ExportError::Value {
        column: column.name.clone(),
        row,
        message,
    }
}

/// A SQLite row: each value as SQLite stored it, then as its column's type.
fn sqlite_row(row: &SqliteRow, columns: &[Column], number: u64) -> Result<Vec<Cell>, ExportError> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let native = sqlite_value(row, i).map_err(|source| ExportError::Read { source })?;
            coerce(native, column.kind).map_err(|m| value_error(column, number, m))
        })
        .collect()
}

fn sqlite_value(row: &SqliteRow, i: usize) -> Result<Cell, sqlx::Error> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let storage = raw.type_info().name().to_ascii_uppercase();
    Ok(match storage.as_str() {
        "INTEGER" | "INT8" | "BIGINT" | "BOOLEAN" => Cell::Int(row.try_get(i)?),
        "REAL" => Cell::Float(row.try_get(i)?),
        "BLOB" => Cell::Bytes(row.try_get(i)?),
        _ => Cell::Text(row.try_get(i)?),
    })
}

/// A value as SQLite stored it (`Int`, `Float`, `Text`, `Bytes`) as a value
/// of `kind`, or why it is not one.
pub fn coerce(native: Cell, kind: ColumnType) -> Result<Cell, String> {
    let not = |what: &str, value: &Cell| format!("{} is not {what}", shown(value));
    Ok(match (kind, native) {
        (_, Cell::Null) => Cell::Null,
        (ColumnType::Undeclared, value) => value,
        (ColumnType::Bool, Cell::Int(0)) => Cell::Bool(false),
        (ColumnType::Bool, Cell::Int(1)) => Cell::Bool(true),
        (ColumnType::Bool, Cell::Text(t)) => match t.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => Cell::Bool(true),
            "false" | "f" | "0" => Cell::Bool(false),
            _ => return Err(not("a boolean", &Cell::Text(t))),
        },
        (ColumnType::Int, Cell::Int(i)) => Cell::Int(i),
        (ColumnType::Int, Cell::Float(f))
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 =>
        {
            // Exact below 2^53, so the cast loses nothing.
            Cell::Int(f as i64)
        }
        (ColumnType::Int, Cell::Text(t)) => match t.trim().parse() {
            Ok(i) => Cell::Int(i),
            Err(_) => return Err(not("an integer", &Cell::Text(t))),
        },
        (ColumnType::Float, Cell::Float(f)) => Cell::Float(f),
        (ColumnType::Float, Cell::Int(i)) => Cell::Float(i as f64),
        (ColumnType::Float, Cell::Text(t)) => match t.trim().parse() {
            Ok(f) => Cell::Float(f),
            Err(_) => return Err(not("a number", &Cell::Text(t))),
        },
        (ColumnType::Decimal { precision, scale }, value) => {
            let text = match &value {
                Cell::Int(i) => i.to_string(),
                Cell::Float(f) => format!(
                    "{f:.prec$}",
                    prec = usize::try_from(scale.max(0)).unwrap_or(0)
                ),
                Cell::Text(t) => t.clone(),
                other => return Err(not("a decimal", other)),
            };
            Cell::Decimal(parse_decimal(&text, precision, scale)?)
        }
        (ColumnType::Text, Cell::Text(t)) => Cell::Text(t),
        (ColumnType::Text, Cell::Int(i)) => Cell::Text(i.to_string()),
        (ColumnType::Text, Cell::Float(f)) => Cell::Text(f.to_string()),
        (ColumnType::Text, Cell::Bytes(b)) => match String::from_utf8(b) {
            Ok(t) => Cell::Text(t),
            Err(e) => Cell::Text(hex::encode(e.into_bytes())),
        },
        (ColumnType::Bytes, Cell::Bytes(b)) => Cell::Bytes(b),
        (ColumnType::Bytes, Cell::Text(t)) => Cell::Bytes(t.into_bytes()),
        (ColumnType::Date, Cell::Text(t)) => Cell::Date(parse_date(&t)?),
        (ColumnType::Timestamp { .. }, Cell::Text(t)) => Cell::Timestamp(parse_timestamp(&t)?),
        (ColumnType::Timestamp { .. }, Cell::Int(seconds)) => Cell::Timestamp(
            seconds
                .checked_mul(1_000_000)
                .ok_or_else(|| format!("{seconds} is not a timestamp in seconds"))?,
        ),
        (kind, value) => return Err(not(&format!("a {}", kind.name()), &value)),
    })
}

/// A value in an error message, cut short.
fn shown(value: &Cell) -> String {
    match value {
        Cell::Text(t) => {
            let cut: String = t.chars().take(40).collect();
            if cut.len() < t.len() {
                format!("`{cut}…`")
            } else {
                format!("`{cut}`")
            }
        }
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => f.to_string(),
        Cell::Bytes(b) => format!("{} bytes", b.len()),
        other => format!("{other:?}"),
    }
}

/// A PostgreSQL row of [`super::columns::select_sql`]: each column decoded
/// as the type it was cast to.
fn postgres_row(row: &PgRow, columns: &[Column], number: u64) -> Result<Vec<Cell>, ExportError> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            postgres_value(row, i, column.kind)
                .map_err(|source| ExportError::Read { source })?
                .map_err(|m| value_error(column, number, m))
        })
        .collect()
}

type Decoded = Result<Result<Cell, String>, sqlx::Error>;

fn postgres_value(row: &PgRow, i: usize, kind: ColumnType) -> Decoded {
    fn cell<T>(value: Option<T>, to: impl FnOnce(T) -> Cell) -> Result<Cell, String> {
        Ok(value.map_or(Cell::Null, to))
    }
    Ok(match kind {
        ColumnType::Bool => cell(row.try_get::<Option<bool>, _>(i)?, Cell::Bool),
        ColumnType::Int => cell(row.try_get::<Option<i64>, _>(i)?, Cell::Int),
        ColumnType::Float => cell(row.try_get::<Option<f64>, _>(i)?, Cell::Float),
        ColumnType::Decimal { precision, scale } => match row.try_get::<Option<String>, _>(i)? {
            Some(text) => parse_decimal(&text, precision, scale).map(Cell::Decimal),
            None => Ok(Cell::Null),
        },
        ColumnType::Text | ColumnType::Undeclared => {
            cell(row.try_get::<Option<String>, _>(i)?, Cell::Text)
        }
        ColumnType::Bytes => cell(row.try_get::<Option<Vec<u8>>, _>(i)?, Cell::Bytes),
        ColumnType::Date => cell(row.try_get::<Option<time::Date>, _>(i)?, |d| {
            Cell::Date(days_since_epoch(d))
        }),
        ColumnType::Timestamp { utc: true } => {
            cell(row.try_get::<Option<time::OffsetDateTime>, _>(i)?, |at| {
                Cell::Timestamp(micros_since_epoch(at))
            })
        }
        ColumnType::Timestamp { utc: false } => cell(
            row.try_get::<Option<time::PrimitiveDateTime>, _>(i)?,
            |at| Cell::Timestamp(micros_since_epoch(at.assume_utc())),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_values_become_their_columns_type_or_an_error() {
        let decimal = ColumnType::Decimal {
            precision: 10,
            scale: 2,
        };
        assert_eq!(coerce(Cell::Float(2.5), decimal), Ok(Cell::Decimal(250)));
        assert_eq!(coerce(Cell::Int(1), ColumnType::Bool), Ok(Cell::Bool(true)));
        assert_eq!(
            coerce(Cell::Int(7), ColumnType::Text),
            Ok(Cell::Text("7".into()))
        );
        assert_eq!(
            coerce(Cell::Text("2024-08-01".into()), ColumnType::Date),
            Ok(Cell::Date(19936))
        );
        let error = coerce(Cell::Text("many".into()), ColumnType::Int).expect_err("not a number");
        assert_eq!(error, "`many` is not an integer");
    }
}
