//! Reading columns of a row fetched through [`crate::db::Exec`].

use super::{DbError, Value};

fn column<'a>(row: &'a [Value], i: usize, what: &str) -> Result<&'a Value, DbError> {
    row.get(i)
        .ok_or_else(|| DbError::Unexpected(format!("{what}: the row has no column {i}")))
}

/// Column `i` as an integer.
pub fn int(row: &[Value], i: usize, what: &str) -> Result<i64, DbError> {
    column(row, i, what)?
        .int()
        .ok_or_else(|| DbError::Unexpected(format!("{what}: column {i} is not an integer")))
}

/// Column `i` as text.
pub fn text(row: &[Value], i: usize, what: &str) -> Result<String, DbError> {
    column(row, i, what)?
        .text()
        .map(str::to_string)
        .ok_or_else(|| DbError::Unexpected(format!("{what}: column {i} is not text")))
}

/// Column `i` as text, or none when NULL.
pub fn opt_text(row: &[Value], i: usize, what: &str) -> Result<Option<String>, DbError> {
    match column(row, i, what)? {
        Value::Null => Ok(None),
        Value::Text(s) => Ok(Some(s.clone())),
        _ => Err(DbError::Unexpected(format!(
            "{what}: column {i} is not text"
        ))),
    }
}

/// Column `i` as an integer, or none when NULL.
pub fn opt_int(row: &[Value], i: usize, what: &str) -> Result<Option<i64>, DbError> {
    match column(row, i, what)? {
        Value::Null | Value::NullInt => Ok(None),
        value => value
            .int()
            .map(Some)
            .ok_or_else(|| DbError::Unexpected(format!("{what}: column {i} is not an integer"))),
    }
}

/// Column `i` as a float (an integer column reads as one too).
pub fn float(row: &[Value], i: usize, what: &str) -> Result<f64, DbError> {
    match column(row, i, what)? {
        Value::Float(f) => Ok(*f),
        Value::Int(n) => Ok(*n as f64),
        _ => Err(DbError::Unexpected(format!(
            "{what}: column {i} is not a number"
        ))),
    }
}
