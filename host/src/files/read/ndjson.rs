//! NDJSON: one JSON object per line; a line that does not parse, or is not
//! UTF-8, is a bad row named by its line and column, and the lines around
//! it load.

use std::io::BufRead;
use std::sync::Arc;

use crate::files::cell::{BadRow, Batcher, Cell, Item, Place, RawRow, ReadError};

/// Reads NDJSON from `input` into `out`.
pub fn read(mut input: Box<dyn BufRead + Send>, out: &mut Batcher) -> Result<(), ReadError> {
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        line += 1;
        let place = Place::Line(line);
        if !super::next_line(&mut input, &mut buf).map_err(|e| super::io_fatal(e, place))? {
            return Ok(());
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(text) => text.trim(),
            Err(e) => {
                out.push(Item::Bad(BadRow {
                    place,
                    reason: format!("{place}: invalid UTF-8 (byte {})", e.valid_up_to() + 1),
                    raw: String::from_utf8_lossy(&buf).trim_end().to_string(),
                }))?;
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        let item = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => match object_row(place, value) {
                Ok(row) => Item::Row(row),
                Err(raw) => Item::Bad(BadRow {
                    place,
                    reason: format!("{place}: not a JSON object"),
                    raw,
                }),
            },
            Err(e) => Item::Bad(BadRow {
                place,
                reason: format!("{place}, column {}: JSON syntax error: {}", e.column(), {
                    let m = e.to_string();
                    m.rsplit_once(" at line ")
                        .map_or(m.clone(), |(m, _)| m.to_string())
                }),
                raw: text.to_string(),
            }),
        };
        out.push(item)?;
    }
}

/// A JSON object as a row; anything else back as its text.
pub fn object_row(place: Place, value: serde_json::Value) -> Result<RawRow, String> {
    let serde_json::Value::Object(map) = value else {
        return Err(value.to_string());
    };
    let fields = map
        .into_iter()
        .map(|(k, v)| (Arc::from(k.as_str()), json_cell(v)))
        .collect();
    Ok(RawRow { place, fields })
}

/// A JSON value as a cell.
fn json_cell(value: serde_json::Value) -> Cell {
    use serde_json::Value;
    match value {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => n
                .as_f64()
                .map_or_else(|| Cell::Text(n.to_string()), Cell::Float),
        },
        Value::String(s) => Cell::Text(s),
        other => Cell::Json(other),
    }
}
