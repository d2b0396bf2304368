//! What a transformer (world `transformer`, contract 0.5.0) implements and
//! exchanges: a typed table in, rows of the columns it declares and the
//! rows it rejects out. Export an implementation of [`Transform`] with
//! [`crate::export_transformer!`].

pub use crate::transformer_bindings::exports::sluice::plugin::transform::Guest as Transform;
pub use crate::transformer_bindings::sluice::plugin::rows::Value;
pub use crate::transformer_bindings::sluice::plugin::tables::{
    Column, ColumnType, RejectedRow, Table, Transformed,
};
pub use crate::transformer_bindings::sluice::plugin::types::{Params, PluginError};

impl Table {
    /// The place of column `name` in every row, when the table has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

impl Column {
    /// A column `name` of type `type_`.
    pub fn new(name: impl Into<String>, type_: ColumnType) -> Self {
        Column {
            name: name.into(),
            type_,
        }
    }
}

impl Value {
    /// Whether the cell is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The cell's text; none for a cell that is not text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The cell as a number: an integer, a float, or text that reads as
    /// one (decimals arrive as text).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Text(t) => t.trim().parse().ok(),
            Value::Null | Value::Boolean(_) => None,
        }
    }
}

impl RejectedRow {
    /// Row `row` of the table handed in is refused, for `reason`.
    pub fn new(row: usize, reason: impl Into<String>) -> Self {
        RejectedRow {
            row: u32::try_from(row).unwrap_or(u32::MAX),
            reason: reason.into(),
        }
    }
}

impl Transformed {
    /// `table` out, no row rejected.
    pub fn of(table: Table) -> Self {
        Transformed {
            table,
            rejects: Vec::new(),
        }
    }
}
