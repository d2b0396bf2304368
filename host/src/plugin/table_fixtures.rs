//! A transformer's fixtures: a typed table with params, and what the
//! transformer must make of it, run through the component in the sandbox
//! by `sluice plugin test`, whatever language the plugin is written in.
//!
//! A case is a folder `fixtures/CASE/` holding `case.toml` (`params`, and
//! `columns`: the input's `{ name, type }` in order, types as the contract
//! names them), `input.ndjson` (one row a line, a JSON array of cells in
//! the columns' order: `null`, booleans, numbers for `integer` and `float`,
//! strings for the rest), and either `expected.ndjson` (the rows out, the
//! same way) with `columns.txt` (the columns out, `name type` a line) and
//! `rejects.txt` when rows are rejected (`ROW: reason`, rows from 0), or
//! `error.txt` when the call must fail with that message.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

use super::fixtures::{FixtureReport, compare, compare_if, read, run_cases};
use super::transformer::{Column, ColumnType, Transformer, Value, type_name};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[serde(default)]
    params: BTreeMap<String, String>,
    columns: Vec<CaseColumn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseColumn {
    name: String,
    #[serde(rename = "type")]
    type_: String,
}

/// Runs every case under `fixtures` through `transformer`; with `update`,
/// the expected files are rewritten from the output instead of compared.
pub fn run_all(transformer: &Transformer, fixtures: &Path, update: bool) -> FixtureReport {
    run_cases(fixtures, |case| run_case(transformer, case, update))
}

fn run_case(transformer: &Transformer, case: &Path, update: bool) -> Result<usize, String> {
    let spec: Case = toml::from_str(&read(&case.join("case.toml"))?)
        .map_err(|e| format!("case.toml: {}", e.message()))?;
    let columns = spec
        .columns
        .iter()
        .map(|c| {
            Ok(Column {
                name: c.name.clone(),
                type_: column_type(&c.type_).ok_or_else(|| {
                    format!(
                        "case.toml: column `{}` has type `{}`; the types are boolean, integer, float, text, decimal, date, timestamp and json",
                        c.name, c.type_
                    )
                })?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let input = read(&case.join("input.ndjson"))?;
    let rows = input
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            row_of(line, &columns).map_err(|why| format!("input.ndjson line {}: {why}", i + 1))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let params: Vec<(String, String)> = spec.params.into_iter().collect();
    let error_file = case.join("error.txt");
    match transformer.transform(&columns, rows, &params) {
        Err(err) if error_file.is_file() || update => {
            compare(&error_file, &format!("{err}\n"), update)
        }
        Err(err) => Err(format!("unexpected error: {err}")),
        Ok(_) if error_file.is_file() => Err(format!(
            "expected the call to fail as {} says, but it succeeded",
            error_file.display()
        )),
        Ok(out) => {
            let described: String = out
                .columns
                .iter()
                .map(|c| format!("{} {}\n", c.name, type_name(c.type_)))
                .collect();
            let mut rewritten = compare(&case.join("columns.txt"), &described, update)?;
            let rows: String = out
                .rows
                .iter()
                .map(|row| format!("{}\n", line_of(row)))
                .collect();
            rewritten += compare(&case.join("expected.ndjson"), &rows, update)?;
            let rejects: String = out
                .rejects
                .iter()
                .map(|(row, reason)| format!("{row}: {reason}\n"))
                .collect();
            rewritten += compare_if(
                &case.join("rejects.txt"),
                &rejects,
                !rejects.is_empty() && update,
                update,
            )?;
            Ok(rewritten)
        }
    }
}

/// A column type by the name the contract gives it.
fn column_type(name: &str) -> Option<ColumnType> {
    Some(match name {
        "boolean" => ColumnType::Boolean,
        "integer" => ColumnType::Integer,
        "float" => ColumnType::Float,
        "text" => ColumnType::Text,
        "decimal" => ColumnType::Decimal,
        "date" => ColumnType::Date,
        "timestamp" => ColumnType::Timestamp,
        "json" => ColumnType::Json,
        _ => return None,
    })
}

/// One input line as cells of `columns`.
fn row_of(line: &str, columns: &[Column]) -> Result<Vec<Value>, String> {
    let cells: Vec<serde_json::Value> =
        serde_json::from_str(line).map_err(|e| format!("not a JSON array: {e}"))?;
    if cells.len() != columns.len() {
        return Err(format!(
            "{} cells for {} columns",
            cells.len(),
            columns.len()
        ));
    }
    cells
        .into_iter()
        .zip(columns)
        .map(|(cell, column)| {
            value_of(cell, column.type_).map_err(|why| format!("column `{}`: {why}", column.name))
        })
        .collect()
}

fn value_of(cell: serde_json::Value, t: ColumnType) -> Result<Value, String> {
    use serde_json::Value as J;
    Ok(match (cell, t) {
        (J::Null, _) => Value::Null,
        (J::Bool(b), ColumnType::Boolean) => Value::Boolean(b),
        (J::Number(n), ColumnType::Integer) => Value::Integer(
            n.as_i64()
                .ok_or_else(|| format!("{n} is not a 64-bit integer"))?,
        ),
        (J::Number(n), ColumnType::Float) => {
            Value::Float(n.as_f64().ok_or_else(|| format!("{n} is not a float"))?)
        }
        (J::String(s), ColumnType::Json) => Value::Text(s),
        (other, ColumnType::Json) => Value::Text(other.to_string()),
        (
            J::String(s),
            ColumnType::Text | ColumnType::Decimal | ColumnType::Date | ColumnType::Timestamp,
        ) => Value::Text(s),
        (other, t) => {
            return Err(format!("{other} does not fit type {}", type_name(t)));
        }
    })
}

/// Cells as one JSON array.
fn line_of(row: &[Value]) -> String {
    let cells: Vec<serde_json::Value> = row
        .iter()
        .map(|cell| match cell {
            Value::Null => serde_json::Value::Null,
            Value::Boolean(b) => (*b).into(),
            Value::Integer(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or_else(|| f.to_string().into(), serde_json::Value::Number),
            Value::Text(s) => s.clone().into(),
        })
        .collect();
    serde_json::Value::Array(cells).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_by_their_column_type() {
        let columns = [
            Column {
                name: "id".into(),
                type_: ColumnType::Integer,
            },
            Column {
                name: "rate".into(),
                type_: ColumnType::Float,
            },
            Column {
                name: "meta".into(),
                type_: ColumnType::Json,
            },
        ];
        let row = row_of(r#"[1, 2, {"a": 1}]"#, &columns).expect("a row");
        assert_eq!(
            row,
            [
                Value::Integer(1),
                Value::Float(2.0),
                Value::Text("{\"a\":1}".into())
            ]
        );
        assert_eq!(line_of(&row), r#"[1,2.0,"{\"a\":1}"]"#);
        assert_eq!(
            row_of(r#"["1", 2, null]"#, &columns),
            Err("column `id`: \"1\" does not fit type integer".to_string())
        );
        assert_eq!(
            row_of("[1]", &columns),
            Err("1 cells for 3 columns".to_string())
        );
    }
}
