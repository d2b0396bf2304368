//! A transformer the tests steer with `mode`:
//! - `pass` (default): the table unchanged;
//! - `uppercase`: text `column` upper-cased;
//! - `drop`: the rows whose integer `column` is odd left out;
//! - `add`: a column `name` (text) added, the row's index in the slice;
//! - `reject`: the rows whose integer `column` is odd rejected, the others
//!   passed;
//! - `wrong-types`: every column declared `integer`, cells unchanged;
//! - `ragged`: one cell fewer in every row;
//! - `beyond`: a reject of a row past the end of the table;
//! - `error`: returns an error;
//! - `loop`: never returns;
//! - `memory-bomb`: allocates without end;
//! - `huge-output`: 5,000 rows of 1 KB each, over the probe's 4 MiB
//!   output cap but within its memory.

use sluice_plugin_sdk::params;
use sluice_plugin_sdk::transform::{
    Column, ColumnType, Params, PluginError, RejectedRow, Table, Transform, Transformed, Value,
};

struct Probe;

fn column_at(table: &Table, params: &Params) -> Result<(String, usize), PluginError> {
    let name = params::get(params, "column")
        .ok_or_else(|| PluginError::InvalidParams("parameter `column` is required".into()))?;
    let at = table
        .column(name)
        .ok_or_else(|| PluginError::InvalidParams(format!("the table has no column `{name}`")))?;
    Ok((name.to_string(), at))
}

fn odd(row: &[Value], at: usize) -> bool {
    matches!(row.get(at), Some(Value::Integer(n)) if n % 2 != 0)
}

impl Transform for Probe {
    fn transform(params: Params, input: Table) -> Result<Transformed, PluginError> {
        match params::get(&params, "mode").unwrap_or("pass") {
            "uppercase" => {
                let (_, at) = column_at(&input, &params)?;
                let mut table = input;
                for row in &mut table.rows {
                    if let Some(Value::Text(t)) = row.get_mut(at) {
                        *t = t.to_uppercase();
                    }
                }
                Ok(Transformed::of(table))
            }
            "drop" => {
                let (_, at) = column_at(&input, &params)?;
                let mut table = input;
                table.rows.retain(|row| !odd(row, at));
                Ok(Transformed::of(table))
            }
            "add" => {
                let name = params::get(&params, "name").unwrap_or("added");
                let mut table = input;
                table.columns.push(Column::new(name, ColumnType::Text));
                for (i, row) in table.rows.iter_mut().enumerate() {
                    row.push(Value::Text(format!("row {i}")));
                }
                Ok(Transformed::of(table))
            }
            "reject" => {
                let (name, at) = column_at(&input, &params)?;
                let mut rejects = Vec::new();
                let mut rows = Vec::new();
                for (i, row) in input.rows.into_iter().enumerate() {
                    if odd(&row, at) {
                        rejects.push(RejectedRow::new(i, format!("{name} is odd")));
                    } else {
                        rows.push(row);
                    }
                }
                Ok(Transformed {
                    table: Table {
                        columns: input.columns,
                        rows,
                    },
                    rejects,
                })
            }
            "wrong-types" => {
                let mut table = input;
                for column in &mut table.columns {
                    column.type_ = ColumnType::Integer;
                }
                Ok(Transformed::of(table))
            }
            "ragged" => {
                let mut table = input;
                for row in &mut table.rows {
                    row.pop();
                }
                Ok(Transformed::of(table))
            }
            "beyond" => {
                let past = input.rows.len() + 5;
                let mut out = Transformed::of(input);
                out.rejects.push(RejectedRow::new(past, "nowhere"));
                Ok(out)
            }
            "error" => Err(PluginError::InvalidParams(
                "the probe was told to fail".into(),
            )),
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "memory-bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "huge-output" => Ok(Transformed::of(Table {
                columns: vec![Column::new("blob", ColumnType::Text)],
                rows: (0..5_000)
                    .map(|_| vec![Value::Text("x".repeat(1_000))])
                    .collect(),
            })),
            _ => Ok(Transformed::of(input)),
        }
    }
}

sluice_plugin_sdk::export_transformer!(Probe);
