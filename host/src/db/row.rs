//! Reading columns of a row fetched through [`crate::db::Exec`].

use crate::db::Value;
use crate::load::LoadError;

fn column<'a>(row: &'a [Value], i: usize, what: &str) -> Result<&'a Value, LoadError> {
    row.get(i)
        .ok_or_else(|| LoadError::Unexpected(format!("{what}: the row has no column {i}")))
}

/// Column `i` as an integer.
pub fn int(row: &[Value], i: usize, what: &str) -> Result<i64, LoadError> {
    column(row, i, what)?
        .int()
        .ok_or_else(|| LoadError::Unexpected(format!("{what}: column {i} is not an integer")))
}

/// Column `i` as text.
pub fn text(row: &[Value], i: usize, what: &str) -> Result<String, LoadError> {
    column(row, i, what)?
        .text()
        .map(str::to_string)
        .ok_or_else(|| LoadError::Unexpected(format!("{what}: column {i} is not text")))
}

/// Column `i` as text, or none when NULL.
pub fn opt_text(row: &[Value], i: usize, what: &str) -> Result<Option<String>, LoadError> {
    match column(row, i, what)? {
        Value::Null => Ok(None),
        Value::Text(s) => Ok(Some(s.clone())),
        _ => Err(LoadError::Unexpected(format!(
            "{what}: column {i} is not text"
        ))),
    }
}
