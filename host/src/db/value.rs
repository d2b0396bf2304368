//! Values bound to and read from statements on either backend.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Column, PgConnection, Row, SqliteConnection, TypeInfo, ValueRef};
use time::format_description::well_known::Rfc3339;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL, typed as text.
    Null,
    /// NULL, typed as an integer (PostgreSQL refuses a text NULL in an
    /// integer column).
    NullInt,
    /// NULL, typed as a float.
    NullFloat,
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// A 128-bit key: a `uuid` on PostgreSQL, 32 hex digits on SQLite (and
    /// bound as those digits: a PostgreSQL statement casts it).
    Key([u8; 16]),
}

impl Value {
    /// A [`Value::Key`] as SQLite stores it and a `uuid` reads as text.
    pub fn key_hex(key: &[u8; 16]) -> String {
        hex::encode(key)
    }

    /// The integer, if this is one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The text, owned, if this is text.
    pub fn into_text(self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is a blob.
    pub fn into_blob(self) -> Option<Vec<u8>> {
        match self {
            Value::Blob(b) => Some(b),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::NullInt, Value::Int)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<Option<u32>> for Value {
    fn from(v: Option<u32>) -> Self {
        v.map_or(Value::NullInt, Value::from)
    }
}

impl From<Option<i32>> for Value {
    fn from(v: Option<i32>) -> Self {
        v.map_or(Value::NullInt, |i| Value::Int(i64::from(i)))
    }
}

impl From<[u8; 16]> for Value {
    fn from(v: [u8; 16]) -> Self {
        Value::Key(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Value::NullFloat, Value::Float)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::Null, Value::Text)
    }
}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Value::Null => query.bind(None::<String>),
                Value::NullInt => query.bind(None::<i64>),
                Value::NullFloat => query.bind(None::<f64>),
                Value::Int(i) => query.bind(i),
                Value::Float(f) => query.bind(f),
                Value::Text(s) => query.bind(s),
                Value::Blob(b) => query.bind(b),
                Value::Key(k) => query.bind(Value::key_hex(&k)),
            };
        }
        query
    }};
}

pub(super) async fn execute_sqlite(
    conn: &mut SqliteConnection,
    sql: &str,
    args: Vec<Value>,
) -> Result<u64, sqlx::Error> {
    Ok(bind_all!(sqlx::query(sql), args)
        .execute(conn)
        .await?
        .rows_affected())
}

pub(super) async fn execute_postgres(
    conn: &mut PgConnection,
    sql: &str,
    args: Vec<Value>,
) -> Result<u64, sqlx::Error> {
    Ok(bind_all!(sqlx::query(sql), args)
        .execute(conn)
        .await?
        .rows_affected())
}

pub(super) async fn fetch_sqlite(
    conn: &mut SqliteConnection,
    sql: &str,
    args: Vec<Value>,
) -> Result<Vec<Vec<Value>>, sqlx::Error> {
    let rows = bind_all!(sqlx::query(sql), args).fetch_all(conn).await?;
    rows.iter().map(sqlite_row).collect()
}

pub(super) async fn fetch_postgres(
    conn: &mut PgConnection,
    sql: &str,
    args: Vec<Value>,
) -> Result<Vec<Vec<Value>>, sqlx::Error> {
    let rows = bind_all!(sqlx::query(sql), args).fetch_all(conn).await?;
    rows.iter().map(postgres_row).collect()
}

fn sqlite_row(row: &SqliteRow) -> Result<Vec<Value>, sqlx::Error> {
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let kind = raw.type_info().name().to_ascii_uppercase();
            Ok(match kind.as_str() {
                "INTEGER" | "BOOLEAN" | "INT8" | "BIGINT" => Value::Int(row.try_get(i)?),
                "REAL" => Value::Float(row.try_get(i)?),
                "BLOB" => Value::Blob(row.try_get(i)?),
                _ => Value::Text(row.try_get(i)?),
            })
        })
        .collect()
}

fn postgres_row(row: &PgRow) -> Result<Vec<Value>, sqlx::Error> {
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let kind = row.column(i).type_info().name().to_ascii_uppercase();
            Ok(match kind.as_str() {
                "INT8" => Value::Int(row.try_get(i)?),
                "INT4" => Value::Int(i64::from(row.try_get::<i32, _>(i)?)),
                "INT2" => Value::Int(i64::from(row.try_get::<i16, _>(i)?)),
                "BOOL" => Value::Int(i64::from(row.try_get::<bool, _>(i)?)),
                "FLOAT8" => Value::Float(row.try_get(i)?),
                "FLOAT4" => Value::Float(f64::from(row.try_get::<f32, _>(i)?)),
                "BYTEA" => Value::Blob(row.try_get(i)?),
                // As RFC 3339 text, the form SQLite stores.
                "TIMESTAMPTZ" => {
                    let at: time::OffsetDateTime = row.try_get(i)?;
                    Value::Text(
                        at.format(&Rfc3339)
                            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                    )
                }
                _ => Value::Text(row.try_get(i)?),
            })
        })
        .collect()
}
