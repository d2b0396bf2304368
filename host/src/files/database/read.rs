//! Reading a source table or query: its columns described, one `SELECT`
//! written for its server (values it cannot hand over as they are cast to
//! text; a cursor source's rows past its position, ordered by cursor and
//! key), and its rows streamed by a task into batches of `batch_rows`
//! through a channel of two, so memory never grows with the table.

use futures_util::{Stream, TryStreamExt};
use sqlx::{Column, Executor, Row, Statement, TypeInfo, ValueRef};
use tokio::sync::mpsc;

use super::connect::SourceConn;
use crate::config::DatabaseKind;
use crate::files::Cell;

/// A source row's values, in the source's column order.
pub type SourceRow = Vec<Cell>;

/// What the reading task sends: a batch of rows, or why reading stopped.
pub type ReadBatch = Result<Vec<SourceRow>, String>;

/// How a column's values are selected and decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decode {
    I16,
    I32,
    Int,
    Unsigned,
    F32,
    F64,
    Bool,
    Date,
    Naive,
    Tz,
    Decimal,
    Text,
    /// SQLite: by each value's storage class.
    Dynamic,
}

/// A column of the source.
#[derive(Debug, Clone)]
pub struct SourceColumn {
    /// Its name, as the source spells it.
    pub name: String,
    /// Its type as the server names it.
    pub type_name: String,
    decode: Decode,
}

/// The source's table or query, as SQL the server reads.
#[derive(Debug, Clone)]
pub struct SourceQuery {
    kind: DatabaseKind,
    base: String,
    /// The columns it yields.
    pub columns: Vec<SourceColumn>,
}

/// `name` quoted for `kind` (`schema.table` part by part).
fn quote(kind: DatabaseKind, name: &str) -> String {
    name.split('.')
        .map(|part| match kind {
            DatabaseKind::MySql => format!("`{}`", part.replace('`', "``")),
            _ => format!("\"{}\"", part.replace('"', "\"\"")),
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl SourceQuery {
    /// Describes `from_table`, or `query`, on `conn`; the error is the
    /// server's (a missing table, a bad query).
    pub async fn describe(
        conn: &mut SourceConn,
        from_table: Option<&str>,
        query: Option<&str>,
    ) -> Result<Self, String> {
        let kind = conn.kind();
        let base = match (from_table, query) {
            (Some(table), _) => format!("SELECT * FROM {}", quote(kind, table)),
            (None, Some(query)) => query.trim().trim_end_matches(';').to_string(),
            (None, None) => return Err("neither a table nor a query".to_string()),
        };
        let probe = format!("SELECT * FROM ({base}) AS s");
        let described: Vec<(String, String)> = match conn {
            SourceConn::Postgres(c) => columns_of(c.prepare(&probe).await)?,
            SourceConn::MySql(c) => columns_of(c.prepare(&probe).await)?,
            SourceConn::Sqlite(c) => columns_of(c.prepare(&probe).await)?,
        };
        let columns = described
            .into_iter()
            .map(|(name, type_name)| SourceColumn {
                decode: decode_of(kind, &type_name),
                name,
                type_name,
            })
            .collect();
        Ok(SourceQuery {
            kind,
            base,
            columns,
        })
    }

    /// The `SELECT` of every row, or with `order` (column indices: the
    /// cursor, then the key) the rows with a non-null cursor in that order,
    /// past the position bound as parameters when `after`.
    pub fn select(&self, order: &[usize], after: bool) -> String {
        let kind = self.kind;
        let col = |i: usize| format!("s.{}", quote(kind, &self.columns[i].name));
        let list: Vec<String> = (0..self.columns.len())
            .map(|i| match (kind, self.columns[i].decode) {
                (DatabaseKind::Postgres, Decode::Decimal | Decode::Text) => {
                    format!("CAST({} AS TEXT)", col(i))
                }
                (DatabaseKind::MySql, Decode::Int | Decode::Unsigned) => col(i),
                (DatabaseKind::MySql, _) => format!("CAST({} AS CHAR)", col(i)),
                _ => col(i),
            })
            .collect();
        let mut sql = format!("SELECT {} FROM ({}) AS s", list.join(", "), self.base);
        if let Some(&cursor) = order.first() {
            sql.push_str(&format!(" WHERE {} IS NOT NULL", col(cursor)));
            if after {
                let left: Vec<String> = order.iter().map(|&i| col(i)).collect();
                let right: Vec<String> = order
                    .iter()
                    .enumerate()
                    .map(|(n, &i)| match kind {
                        DatabaseKind::Postgres => {
                            format!("CAST(${} AS {})", n + 1, self.columns[i].type_name)
                        }
                        _ => "?".to_string(),
                    })
                    .collect();
                sql.push_str(&format!(
                    " AND ({}) > ({})",
                    left.join(", "),
                    right.join(", ")
                ));
            }
            let by: Vec<String> = order.iter().map(|&i| col(i)).collect();
            sql.push_str(&format!(" ORDER BY {}", by.join(", ")));
        }
        sql
    }

    /// Starts a task that runs `sql` on `conn` with `params` and sends its
    /// rows in batches of `batch_rows`; with `tie`, a batch is never cut
    /// between rows holding the same value in that column.
    pub fn stream(
        &self,
        conn: SourceConn,
        sql: String,
        params: Vec<serde_json::Value>,
        batch_rows: usize,
        tie: Option<usize>,
    ) -> mpsc::Receiver<ReadBatch> {
        let (sender, receiver) = mpsc::channel(2);
        let decodes: Vec<Decode> = self.columns.iter().map(|c| c.decode).collect();
        let batch_rows = batch_rows.max(1);
        tokio::spawn(async move {
            let out = Batches {
                sender: &sender,
                size: batch_rows,
                tie,
            };
            let result = match conn {
                SourceConn::Postgres(mut c) => {
                    let mut q = sqlx::query(&sql);
                    for p in &params {
                        q = q.bind(as_text(p));
                    }
                    let done = out.pump(q.fetch(&mut c), |r| pg_row(r, &decodes)).await;
                    let _ = sqlx::Connection::close(c).await;
                    done
                }
                SourceConn::MySql(mut c) => {
                    let mut q = sqlx::query(&sql);
                    for p in &params {
                        q = match p {
                            serde_json::Value::Number(n) if n.is_i64() => {
                                q.bind(n.as_i64().unwrap_or_default())
                            }
                            other => q.bind(as_text(other)),
                        };
                    }
                    let done = out.pump(q.fetch(&mut c), |r| mysql_row(r, &decodes)).await;
                    let _ = sqlx::Connection::close(c).await;
                    done
                }
                SourceConn::Sqlite(mut c) => {
                    let mut q = sqlx::query(&sql);
                    for p in &params {
                        q = match p {
                            serde_json::Value::Number(n) if n.is_i64() => {
                                q.bind(n.as_i64().unwrap_or_default())
                            }
                            serde_json::Value::Number(n) => q.bind(n.as_f64().unwrap_or_default()),
                            other => q.bind(as_text(other)),
                        };
                    }
                    let done = out.pump(q.fetch(&mut c), |r| sqlite_row(r, &decodes)).await;
                    let _ = sqlx::Connection::close(c).await;
                    done
                }
            };
            if let Err(message) = result {
                let _ = sender.send(Err(message)).await;
            }
        });
        receiver
    }
}

/// The name and type of each column a prepared statement yields.
fn columns_of<'q, S: Statement<'q>>(
    prepared: Result<S, sqlx::Error>,
) -> Result<Vec<(String, String)>, String> {
    let statement = prepared.map_err(|e| e.to_string())?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.type_info().name().to_string()))
        .collect())
}

/// How a `kind` server's `type_name` column is read.
fn decode_of(kind: DatabaseKind, type_name: &str) -> Decode {
    match kind {
        DatabaseKind::Postgres => match type_name {
            "INT2" => Decode::I16,
            "INT4" => Decode::I32,
            "INT8" => Decode::Int,
            "FLOAT4" => Decode::F32,
            "FLOAT8" => Decode::F64,
            "BOOL" => Decode::Bool,
            "DATE" => Decode::Date,
            "TIMESTAMP" => Decode::Naive,
            "TIMESTAMPTZ" => Decode::Tz,
            "NUMERIC" => Decode::Decimal,
            _ => Decode::Text,
        },
        DatabaseKind::MySql => match type_name {
            "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" => Decode::Int,
            t if t.ends_with(" UNSIGNED") => Decode::Unsigned,
            "DECIMAL" => Decode::Decimal,
            _ => Decode::Text,
        },
        DatabaseKind::Sqlite => Decode::Dynamic,
    }
}

/// A position value as text, for a parameter the statement casts.
fn as_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A cell as a position value: what the next run's `SELECT` binds.
pub fn position_value(cell: &Cell) -> serde_json::Value {
    match cell {
        Cell::Null => serde_json::Value::Null,
        Cell::Int(i) => (*i).into(),
        Cell::Float(f) => serde_json::Number::from_f64(*f)
            .map_or_else(|| f.to_string().into(), serde_json::Value::Number),
        Cell::Bool(b) => (*b).into(),
        Cell::Date(d) => {
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()).into()
        }
        other => other.shown().into(),
    }
}

/// Rows collected into batches and sent.
struct Batches<'a> {
    sender: &'a mpsc::Sender<ReadBatch>,
    size: usize,
    tie: Option<usize>,
}

impl Batches<'_> {
    /// Sends the rows of `rows`, decoded, in batches; stops quietly when
    /// the loader stopped listening.
    async fn pump<R, S>(
        &self,
        mut rows: S,
        decode: impl Fn(&R) -> Result<SourceRow, sqlx::Error>,
    ) -> Result<(), String>
    where
        S: Stream<Item = Result<R, sqlx::Error>> + Unpin,
    {
        let mut batch: Vec<SourceRow> = Vec::with_capacity(self.size.min(65_536));
        while let Some(row) = rows.try_next().await.map_err(|e| e.to_string())? {
            let row = decode(&row).map_err(|e| format!("cannot read a row: {e}"))?;
            let same_tie = self
                .tie
                .zip(batch.last())
                .is_some_and(|(i, last)| last.get(i) == row.get(i));
            if batch.len() >= self.size && !same_tie {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(self.size.min(65_536)));
                if self.sender.send(Ok(full)).await.is_err() {
                    return Ok(());
                }
            }
            batch.push(row);
        }
        if !batch.is_empty() {
            let _ = self.sender.send(Ok(batch)).await;
        }
        Ok(())
    }
}

fn pg_row(row: &sqlx::postgres::PgRow, decodes: &[Decode]) -> Result<SourceRow, sqlx::Error> {
    decodes
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Ok(match d {
                Decode::I16 => row
                    .try_get::<Option<i16>, _>(i)?
                    .map(|v| Cell::Int(v.into())),
                Decode::I32 => row
                    .try_get::<Option<i32>, _>(i)?
                    .map(|v| Cell::Int(v.into())),
                Decode::Int => row.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                Decode::F32 => row
                    .try_get::<Option<f32>, _>(i)?
                    .map(|v| Cell::Float(v.into())),
                Decode::F64 => row.try_get::<Option<f64>, _>(i)?.map(Cell::Float),
                Decode::Bool => row.try_get::<Option<bool>, _>(i)?.map(Cell::Bool),
                Decode::Date => row.try_get::<Option<time::Date>, _>(i)?.map(Cell::Date),
                Decode::Naive => row
                    .try_get::<Option<time::PrimitiveDateTime>, _>(i)?
                    .map(|t| Cell::Timestamp(t.assume_utc())),
                Decode::Tz => row
                    .try_get::<Option<time::OffsetDateTime>, _>(i)?
                    .map(Cell::Timestamp),
                Decode::Decimal => row.try_get::<Option<String>, _>(i)?.map(Cell::Decimal),
                _ => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
            }
            .unwrap_or(Cell::Null))
        })
        .collect()
}

fn mysql_row(row: &sqlx::mysql::MySqlRow, decodes: &[Decode]) -> Result<SourceRow, sqlx::Error> {
    decodes
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Ok(match d {
                Decode::Int => row.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                Decode::Unsigned => row.try_get::<Option<u64>, _>(i)?.map(|v| {
                    i64::try_from(v).map_or_else(|_| Cell::Decimal(v.to_string()), Cell::Int)
                }),
                d => {
                    let text = match row.try_get::<Option<String>, _>(i) {
                        Ok(text) => text,
                        Err(_) => row
                            .try_get::<Option<Vec<u8>>, _>(i)?
                            .map(|b| String::from_utf8_lossy(&b).into_owned()),
                    };
                    text.map(|t| match d {
                        Decode::Decimal => Cell::Decimal(t),
                        _ => Cell::Text(t),
                    })
                }
            }
            .unwrap_or(Cell::Null))
        })
        .collect()
}

fn sqlite_row(row: &sqlx::sqlite::SqliteRow, decodes: &[Decode]) -> Result<SourceRow, sqlx::Error> {
    (0..decodes.len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Cell::Null);
            }
            let storage = raw.type_info().name().to_ascii_uppercase();
            Ok(if storage.contains("INT") || storage.contains("BOOL") {
                Cell::Int(row.try_get::<i64, _>(i)?)
            } else if storage.contains("REAL")
                || storage.contains("FLOA")
                || storage.contains("DOUB")
            {
                Cell::Float(row.try_get::<f64, _>(i)?)
            } else if storage.contains("BLOB") {
                Cell::Text(String::from_utf8_lossy(&row.try_get::<Vec<u8>, _>(i)?).into_owned())
            } else {
                Cell::Text(row.try_get::<String, _>(i)?)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(kind: DatabaseKind, types: &[(&str, &str)]) -> SourceQuery {
        SourceQuery {
            kind,
            base: "SELECT * FROM \"t\"".to_string(),
            columns: types
                .iter()
                .map(|(n, t)| SourceColumn {
                    name: n.to_string(),
                    type_name: t.to_string(),
                    decode: decode_of(kind, t),
                })
                .collect(),
        }
    }

    #[test]
    fn cursor_selects_order_by_cursor_then_key_past_the_position() {
        let pg = query(
            DatabaseKind::Postgres,
            &[("id", "INT8"), ("amount", "NUMERIC"), ("at", "TIMESTAMPTZ")],
        );
        assert_eq!(
            pg.select(&[2, 0], true),
            "SELECT s.\"id\", CAST(s.\"amount\" AS TEXT), s.\"at\" FROM (SELECT * FROM \"t\") AS s \
             WHERE s.\"at\" IS NOT NULL AND (s.\"at\", s.\"id\") > (CAST($1 AS TIMESTAMPTZ), CAST($2 AS INT8)) \
             ORDER BY s.\"at\", s.\"id\""
        );
        let my = query(DatabaseKind::MySql, &[("id", "INT"), ("at", "DATETIME")]);
        assert_eq!(
            my.select(&[1], false),
            "SELECT s.`id`, CAST(s.`at` AS CHAR) FROM (SELECT * FROM \"t\") AS s WHERE s.`at` IS NOT NULL ORDER BY s.`at`"
        );
        assert_eq!(
            my.select(&[], false),
            "SELECT s.`id`, CAST(s.`at` AS CHAR) FROM (SELECT * FROM \"t\") AS s"
        );
    }

    #[test]
    fn names_are_quoted_per_server() {
        assert_eq!(
            quote(DatabaseKind::MySql, "shop.or`ders"),
            "`shop`.`or``ders`"
        );
        assert_eq!(
            quote(DatabaseKind::Postgres, "public.orders"),
            "\"public\".\"orders\""
        );
    }
}
