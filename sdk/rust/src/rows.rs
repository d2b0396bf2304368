//! Reading the rows a validator is handed: a column's place by name, and a
//! cell as text or a number whatever type the database gave it.

use crate::{RowBatch, Value, Verdict};

impl RowBatch {
    /// The place of column `name` in every row, when the batch has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
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

impl Verdict {
    /// Row `row` of the batch fails, for `reason`.
    pub fn fails(row: usize, reason: impl Into<String>) -> Self {
        Verdict {
            row: u32::try_from(row).unwrap_or(u32::MAX),
            reason: reason.into(),
        }
    }
}
