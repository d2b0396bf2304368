//! A `plugin` step: a batch of rows handed to a transformer plugin as a
//! typed table, and its answer turned back into rows. A column's type is
//! the one its cells share in the batch (CSV fields are text until a
//! `cast` types them; a column of mixed kinds goes as text); the rows out
//! are cells of the types the plugin declares.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::files::cell::{Cell, RawRow};
use crate::files::typing::{parse_date, parse_timestamp};
use crate::plugin::Transformer;
use crate::plugin::transformer::{Column, ColumnType, Value};

/// A loaded transformer with the params the step hands it.
pub struct PluginStep {
    /// The plugin's name, as the config writes it.
    pub name: String,
    /// Its params, sorted by name.
    pub params: Vec<(String, String)>,
    /// The loaded component, shared by the steps that name it.
    pub transformer: Arc<Transformer>,
}

impl fmt::Debug for PluginStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginStep")
            .field("name", &self.name)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// What a plugin made of a batch: rows with their cells named, and the
/// input rows it refused, by index, with its reasons.
pub struct Answer {
    /// The names of the columns out.
    pub columns: Vec<Arc<str>>,
    /// The rows out, cells in the order of `columns`.
    pub rows: Vec<Vec<Cell>>,
    /// Input rows refused.
    pub rejects: BTreeMap<usize, String>,
}

impl PluginStep {
    /// Hands `rows` to the plugin; an error is the plugin's (a trap, an
    /// error it returned, an answer the host refused).
    pub fn run(&self, rows: &[RawRow]) -> Result<Answer, String> {
        let (columns, values) = table_of(rows);
        let out = self
            .transformer
            .transform(&columns, values, &self.params)
            .map_err(|e| e.to_string())?;
        let names: Vec<Arc<str>> = out
            .columns
            .iter()
            .map(|c| Arc::from(c.name.as_str()))
            .collect();
        let types: Vec<ColumnType> = out.columns.iter().map(|c| c.type_).collect();
        let rows = out
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&types)
                    .map(|(value, t)| cell_of(value, *t))
                    .collect()
            })
            .collect();
        Ok(Answer {
            columns: names,
            rows,
            rejects: out.rejects,
        })
    }
}

/// `rows` as a table: the columns every row has, in the order first met
/// (a row without one holds null there), each typed by its cells.
fn table_of(rows: &[RawRow]) -> (Vec<Column>, Vec<Vec<Value>>) {
    let mut names: Vec<Arc<str>> = Vec::new();
    let mut kinds: Vec<Option<ColumnType>> = Vec::new();
    let mut mixed: Vec<bool> = Vec::new();
    for row in rows {
        for (name, cell) in &row.fields {
            let at = match names.iter().position(|n| n == name) {
                Some(at) => at,
                None => {
                    names.push(name.clone());
                    kinds.push(None);
                    mixed.push(false);
                    names.len() - 1
                }
            };
            if let Some(kind) = kind_of(cell) {
                match kinds[at] {
                    None => kinds[at] = Some(kind),
                    Some(seen) if seen != kind => mixed[at] = true,
                    Some(_) => {}
                }
            }
        }
    }
    let types: Vec<ColumnType> = kinds
        .iter()
        .zip(&mixed)
        .map(|(kind, mixed)| match (kind, mixed) {
            (Some(kind), false) => *kind,
            _ => ColumnType::Text,
        })
        .collect();
    let values = rows
        .iter()
        .map(|row| {
            names
                .iter()
                .zip(&types)
                .map(|(name, t)| {
                    row.fields
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or(Value::Null, |(_, cell)| value_of(cell, *t))
                })
                .collect()
        })
        .collect();
    let columns = names
        .iter()
        .zip(types)
        .map(|(name, type_)| Column {
            name: name.to_string(),
            type_,
        })
        .collect();
    (columns, values)
}

/// The column type a cell would have on its own; none for null.
fn kind_of(cell: &Cell) -> Option<ColumnType> {
    Some(match cell {
        Cell::Null => return None,
        Cell::Text(_) => ColumnType::Text,
        Cell::Int(_) => ColumnType::Integer,
        Cell::Float(_) => ColumnType::Float,
        Cell::Bool(_) => ColumnType::Boolean,
        Cell::Date(_) => ColumnType::Date,
        Cell::Timestamp(_) => ColumnType::Timestamp,
        Cell::Decimal(_) => ColumnType::Decimal,
        Cell::Json(_) => ColumnType::Json,
    })
}

/// `cell` in a column of type `t`: its own value where the kinds agree,
/// else its text.
fn value_of(cell: &Cell, t: ColumnType) -> Value {
    match (cell, t) {
        (Cell::Null, _) => Value::Null,
        (Cell::Int(i), ColumnType::Integer) => Value::Integer(*i),
        (Cell::Float(f), ColumnType::Float) => Value::Float(*f),
        (Cell::Bool(b), ColumnType::Boolean) => Value::Boolean(*b),
        (Cell::Timestamp(at), _) => Value::Text(crate::db::timestamp(*at)),
        (Cell::Date(d), _) => Value::Text(format!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )),
        (other, _) => Value::Text(other.shown()),
    }
}

/// A value the host has checked against its column's type, as a cell.
/// A timestamp the loader cannot read stays text: fitting it to its
/// table column then quarantines its row with the reason.
fn cell_of(value: Value, t: ColumnType) -> Cell {
    match value {
        Value::Null => Cell::Null,
        Value::Boolean(b) => Cell::Bool(b),
        Value::Integer(i) => Cell::Int(i),
        Value::Float(f) => Cell::Float(f),
        Value::Text(s) => match t {
            ColumnType::Decimal => Cell::Decimal(s),
            ColumnType::Date => parse_date(&s).map_or(Cell::Text(s), Cell::Date),
            ColumnType::Timestamp => parse_timestamp(&s).map_or(Cell::Text(s), Cell::Timestamp),
            ColumnType::Json => serde_json::from_str(&s).map_or(Cell::Text(s), Cell::Json),
            _ => Cell::Text(s),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::cell::Place;

    fn row(fields: Vec<(&str, Cell)>) -> RawRow {
        RawRow {
            place: Place::Line(1),
            fields: fields.into_iter().map(|(n, c)| (Arc::from(n), c)).collect(),
        }
    }

    #[test]
    fn a_batch_becomes_a_table_typed_by_its_cells() {
        let day = time::macros::date!(2024 - 08 - 17);
        let rows = [
            row(vec![
                ("id", Cell::Int(1)),
                ("amount", Cell::Decimal("1.50".into())),
                ("mixed", Cell::Int(3)),
                ("day", Cell::Date(day)),
            ]),
            row(vec![
                ("id", Cell::Null),
                ("mixed", Cell::Text("x".into())),
                ("extra", Cell::Bool(true)),
            ]),
        ];
        let (columns, values) = table_of(&rows);
        let described: Vec<(String, ColumnType)> =
            columns.into_iter().map(|c| (c.name, c.type_)).collect();
        assert_eq!(
            described,
            [
                ("id".to_string(), ColumnType::Integer),
                ("amount".to_string(), ColumnType::Decimal),
                ("mixed".to_string(), ColumnType::Text),
                ("day".to_string(), ColumnType::Date),
                ("extra".to_string(), ColumnType::Boolean),
            ]
        );
        assert_eq!(
            values[0],
            [
                Value::Integer(1),
                Value::Text("1.50".into()),
                Value::Text("3".into()),
                Value::Text("2024-08-17".into()),
                Value::Null,
            ]
        );
        assert_eq!(
            values[1],
            [
                Value::Null,
                Value::Null,
                Value::Text("x".into()),
                Value::Null,
                Value::Boolean(true),
            ]
        );
    }

    #[test]
    fn answers_become_cells_of_their_declared_types() {
        assert_eq!(
            cell_of(Value::Text("2.10".into()), ColumnType::Decimal),
            Cell::Decimal("2.10".into())
        );
        assert_eq!(
            cell_of(Value::Text("2024-08-17".into()), ColumnType::Date),
            Cell::Date(time::macros::date!(2024 - 08 - 17))
        );
        assert_eq!(
            cell_of(Value::Text("soon".into()), ColumnType::Timestamp),
            Cell::Text("soon".into())
        );
        assert_eq!(
            cell_of(Value::Text("{\"a\":1}".into()), ColumnType::Json),
            Cell::Json(serde_json::json!({"a": 1}))
        );
        assert_eq!(
            cell_of(Value::Integer(4), ColumnType::Integer),
            Cell::Int(4)
        );
    }
}
