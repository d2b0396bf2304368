//! One source row on its way to the table: fitted to the table's columns,
//! keyed and hashed for the snapshot, and named in messages and the
//! quarantine.

use sha2::{Digest, Sha256};

use super::read::{SourceQuery, SourceRow, position_value};
use crate::files::Cell;
use crate::files::table::TableShape;
use crate::files::typing::{Typed, fit};

/// How the source's columns meet the table's.
pub(super) struct Mapping {
    /// Each source column's table column name.
    pub(super) names: Vec<String>,
    /// The source columns holding the table's key, in key order.
    pub(super) key: Vec<usize>,
    /// The server, for the quarantine.
    pub(super) kind: &'static str,
}

/// The row's values in the table's column order, or why it does not fit.
pub(super) fn fit_row(
    shape: &TableShape,
    positions: &[Option<usize>],
    mapping: &Mapping,
    row: &SourceRow,
) -> Result<Vec<Typed>, String> {
    let mut values = vec![Typed::Null; shape.columns.len()];
    for (i, cell) in row.iter().enumerate() {
        let Some(Some(p)) = positions.get(i) else {
            continue;
        };
        values[*p] = fit(cell, shape.columns[*p].kind)
            .map_err(|why| format!("column `{}`: {why}", mapping.names[i]))?;
    }
    for (column, value) in shape.columns.iter().zip(&values) {
        if *value == Typed::Null && (!column.nullable || shape.key.contains(&column.name)) {
            return Err(format!(
                "column `{}`: no value, and the column is not nullable",
                column.name
            ));
        }
    }
    Ok(values)
}

/// The row's key as the snapshot stores it: its key values as JSON.
pub(super) fn row_key(mapping: &Mapping, row: &SourceRow) -> String {
    serde_json::Value::from(
        mapping
            .key
            .iter()
            .map(|&i| row.get(i).map_or(serde_json::Value::Null, position_value))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// The sha256 of the row's values, named by column.
pub(super) fn row_hash(query: &SourceQuery, row: &SourceRow) -> String {
    let mut hasher = Sha256::new();
    for (column, cell) in query.columns.iter().zip(row) {
        hasher.update(column.name.as_bytes());
        hasher.update([0]);
        hasher.update(cell.to_json().to_string().as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

/// How a message names a row: by its key.
pub(super) fn row_label(mapping: &Mapping, row: &SourceRow) -> String {
    if mapping.key.is_empty() {
        return format!("row {}", raw_json(mapping, row));
    }
    let parts: Vec<String> = mapping
        .key
        .iter()
        .map(|&i| {
            let value = row.get(i).map_or_else(|| "null".to_string(), Cell::shown);
            format!("{} = {value}", mapping.names[i])
        })
        .collect();
    format!("key {}", parts.join(", "))
}

/// The row as a JSON object, for the quarantine.
pub(super) fn raw_json(mapping: &Mapping, row: &SourceRow) -> String {
    let map: serde_json::Map<String, serde_json::Value> = mapping
        .names
        .iter()
        .zip(row)
        .map(|(name, cell)| (name.clone(), cell.to_json()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// A stored key value as a cell, fitted again to its column.
pub(super) fn json_cell(value: &serde_json::Value) -> Cell {
    match value {
        serde_json::Value::Null => Cell::Null,
        serde_json::Value::Bool(b) => Cell::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Float(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Json(other.clone()),
    }
}

/// The source's columns, for messages.
pub(super) fn source_columns(query: &SourceQuery) -> String {
    query
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
