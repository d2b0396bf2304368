//! `sluice schema infer`: a typed schema from the first rows of a file,
//! printed as the `[tables.NAME]` TOML the config accepts; and the type of a
//! column a file brings to an existing table.

use std::path::Path;

use super::FileError;
use super::cell::{Batcher, Cell, Item, ReadError};
use super::read::{ReadSpec, read_file};
use super::table::column_name;
use super::typing::{is_decimal, parse_bool, parse_date, parse_timestamp};
use crate::config::{ColumnConfig, ColumnType, Compression, Encoding, FileFormat, TableSchema};

/// What `sluice schema infer` reads.
#[derive(Debug, Clone)]
pub struct InferOptions {
    /// The format; by the file's extension when `None`.
    pub format: Option<FileFormat>,
    /// Rows sampled.
    pub rows: usize,
    /// CSV: delimiter.
    pub delimiter: u8,
    /// CSV: text encoding.
    pub encoding: Encoding,
    /// xlsx: the sheet.
    pub sheet: Option<String>,
}

/// The narrowest type every non-null value of a column fits; text when
/// they disagree, or when there is none.
pub fn kind_of<'a>(cells: impl Iterator<Item = &'a Cell>) -> ColumnType {
    let mut kind: Option<ColumnType> = None;
    for cell in cells {
        let Some(this) = cell_kind(cell) else {
            continue;
        };
        kind = Some(match kind {
            None => this,
            Some(k) => widen(k, this),
        });
        if kind == Some(ColumnType::Text) {
            break;
        }
    }
    kind.unwrap_or(ColumnType::Text)
}

/// The narrowest type of one value; `None` for null.
fn cell_kind(cell: &Cell) -> Option<ColumnType> {
    Some(match cell {
        Cell::Null => return None,
        Cell::Int(_) => ColumnType::Int,
        Cell::Float(_) => ColumnType::Float,
        Cell::Bool(_) => ColumnType::Bool,
        Cell::Date(_) => ColumnType::Date,
        Cell::Timestamp(_) => ColumnType::Timestamp,
        Cell::Decimal(_) => ColumnType::Decimal,
        Cell::Json(_) => ColumnType::Json,
        Cell::Text(s) => {
            let s = s.trim();
            if s.parse::<i64>().is_ok() {
                ColumnType::Int
            } else if is_decimal(s) || (s.parse::<f64>().is_ok() && s.contains(['e', 'E'])) {
                ColumnType::Float
            } else if parse_bool(s).is_some() {
                ColumnType::Bool
            } else if parse_date(s).is_some() {
                ColumnType::Date
            } else if parse_timestamp(s).is_some() {
                ColumnType::Timestamp
            } else {
                ColumnType::Text
            }
        }
    })
}

fn widen(a: ColumnType, b: ColumnType) -> ColumnType {
    use ColumnType::*;
    match (a, b) {
        _ if a == b => a,
        (Int, Float) | (Float, Int) => Float,
        (Int | Float, Decimal) | (Decimal, Int | Float) => Decimal,
        (Date, Timestamp) | (Timestamp, Date) => Timestamp,
        _ => Text,
    }
}

/// The schema of the first `options.rows` rows of the file at `path`.
pub async fn infer_schema(path: &Path, options: &InferOptions) -> Result<TableSchema, FileError> {
    let name = path.display().to_string();
    let format = options
        .format
        .or_else(|| FileFormat::from_name(&name))
        .ok_or_else(|| FileError::Refused {
            file: name.clone(),
            reason: "unknown format: give --format csv, json, ndjson, parquet or xlsx".to_string(),
        })?;
    let spec = ReadSpec {
        format,
        compression: Compression::from_name(&name),
        delimiter: options.delimiter,
        quote: b'"',
        header: true,
        encoding: options.encoding,
        sheet: options.sheet.clone(),
        range: None,
        positional: Vec::new(),
    };
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<Item>>(1);
    let local = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        let mut out = Batcher::new(sender, 1024);
        read_file(&local, &spec, &mut out)
    });
    // Column name -> its values; columns in order of appearance.
    let mut columns: Vec<(String, Vec<Cell>, bool)> = Vec::new();
    let mut seen = 0usize;
    'read: while let Some(batch) = batches.recv().await {
        for item in batch {
            let Item::Row(row) = item else { continue };
            seen += 1;
            let mut present = vec![false; columns.len()];
            for (field, cell) in row.fields {
                let column = column_name(&field);
                let i = match columns.iter().position(|(c, _, _)| *c == column) {
                    Some(i) => i,
                    None => {
                        // Absent from the rows before: nullable.
                        columns.push((column, Vec::new(), seen > 1));
                        present.push(false);
                        columns.len() - 1
                    }
                };
                present[i] = true;
                if cell == Cell::Null {
                    columns[i].2 = true;
                }
                columns[i].1.push(cell);
            }
            for (i, here) in present.iter().enumerate() {
                if !here {
                    columns[i].2 = true;
                }
            }
            if seen >= options.rows {
                break 'read;
            }
        }
    }
    drop(batches);
    match reader.await {
        Ok(Ok(()) | Err(ReadError::Cancelled)) => {}
        Ok(Err(ReadError::Fatal(reason))) => return Err(FileError::Refused { file: name, reason }),
        Err(e) => {
            return Err(FileError::Aborted {
                file: name,
                message: e.to_string(),
            });
        }
    }
    Ok(TableSchema {
        columns: columns
            .into_iter()
            .map(|(name, cells, nullable)| ColumnConfig {
                name,
                kind: kind_of(cells.iter()),
                nullable,
                primary_key: false,
            })
            .collect(),
    })
}

/// `schema` as a `[tables.NAME]` section of `sluice.toml`.
pub fn schema_toml(table: &str, schema: &TableSchema) -> String {
    let mut out = format!(
        "# Inferred by `sluice schema infer`. Mark the key columns `primary_key = true`\n\
         # for write = \"merge\" (the default).\n[tables.{table}]\ncolumns = [\n"
    );
    for c in &schema.columns {
        out.push_str(&format!(
            "  {{ name = \"{}\", type = \"{}\", nullable = {} }},\n",
            c.name,
            c.kind.as_str(),
            c.nullable
        ));
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_widen_to_what_all_values_fit() {
        let t = |s: &str| Cell::Text(s.to_string());
        assert_eq!(kind_of([t("1"), t("2")].iter()), ColumnType::Int);
        assert_eq!(kind_of([t("1"), t("2.5")].iter()), ColumnType::Float);
        assert_eq!(
            kind_of([t("2024-01-01"), Cell::Null].iter()),
            ColumnType::Date
        );
        assert_eq!(kind_of([t("1"), t("x")].iter()), ColumnType::Text);
        assert_eq!(kind_of([Cell::Null].iter()), ColumnType::Text);
    }

    #[test]
    fn the_toml_reads_back_as_a_table() {
        let schema = TableSchema {
            columns: vec![ColumnConfig {
                name: "id".to_string(),
                kind: ColumnType::Int,
                nullable: false,
                primary_key: false,
            }],
        };
        let text = schema_toml("matches", &schema);
        let parsed: toml::Table = toml::from_str(&text).expect("valid TOML");
        assert!(parsed.contains_key("tables"), "{text}");
    }
}
