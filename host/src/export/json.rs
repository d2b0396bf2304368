//! JSON: one array of objects (`json`) or one object per line (`ndjson`),
//! keys in column order. Numbers are numbers (decimals written with their
//! exact digits), dates and timestamps RFC 3339 strings, bytes hex strings,
//! NULL and non-finite floats `null`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::ExportError;
use super::cells::{Cell, Column};
use super::format::{FormatWriter, WriterOptions, create, io_error};
use crate::config::ExportFormat;

/// Writes `json` and `ndjson`.
pub struct JsonWriter {
    out: BufWriter<File>,
    columns: Vec<Column>,
    /// Each column's name, already a JSON string with its colon.
    keys: Vec<String>,
    array: bool,
    rows: u64,
    path: PathBuf,
    relative: PathBuf,
}

impl JsonWriter {
    /// Creates the file (and opens the array).
    pub fn new(options: WriterOptions) -> Result<Self, ExportError> {
        let path = options.file();
        let mut out = create(&path)?;
        let array = options.format == ExportFormat::Json;
        if array {
            out.write_all(b"[").map_err(io_error(&path))?;
        }
        let keys = options
            .columns
            .iter()
            .map(|c| format!("{}:", json_string(&c.name)))
            .collect();
        Ok(JsonWriter {
            out,
            keys,
            columns: options.columns,
            array,
            rows: 0,
            relative: PathBuf::from(options.file_name.unwrap_or_default()),
            path,
        })
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// `cell` as a JSON value.
fn json_value(cell: &Cell, column: &Column) -> String {
    match cell {
        Cell::Null => "null".to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) if f.is_finite() => serde_json::Value::from(*f).to_string(),
        Cell::Float(_) => "null".to_string(),
        Cell::Decimal(_) => cell.text(column.kind).unwrap_or_default().into_owned(),
        Cell::Text(_) | Cell::Bytes(_) | Cell::Date(_) | Cell::Timestamp(_) => {
            json_string(&cell.text(column.kind).unwrap_or_default())
        }
    }
}

impl FormatWriter for JsonWriter {
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        let mut line = String::new();
        for row in rows {
            line.clear();
            if self.array {
                line.push_str(if self.rows == 0 { "\n" } else { ",\n" });
            }
            line.push('{');
            for (i, (cell, column)) in row.iter().zip(&self.columns).enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&self.keys[i]);
                line.push_str(&json_value(cell, column));
            }
            line.push('}');
            if !self.array {
                line.push('\n');
            }
            self.out
                .write_all(line.as_bytes())
                .map_err(io_error(&self.path))?;
            self.rows += 1;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>, ExportError> {
        if self.array {
            self.out.write_all(b"\n]\n").map_err(io_error(&self.path))?;
        }
        self.out.flush().map_err(io_error(&self.path))?;
        Ok(vec![self.relative])
    }
}
