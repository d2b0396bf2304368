//! The generic tables file sources load: `[tables.NAME]` with a typed
//! schema, inline or in a schema file.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::is_identifier;

/// The type of a generic table's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// Any text.
    Text,
    /// A 64-bit integer.
    Int,
    /// A 64-bit float.
    Float,
    /// `true` / `false`.
    Bool,
    /// A calendar day, `YYYY-MM-DD`.
    Date,
    /// An instant, stored in UTC.
    Timestamp,
    /// An exact decimal number (`numeric` is the same).
    #[serde(alias = "numeric")]
    Decimal,
    /// Any JSON value.
    Json,
}

impl ColumnType {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Int => "int",
            ColumnType::Float => "float",
            ColumnType::Bool => "bool",
            ColumnType::Date => "date",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Decimal => "decimal",
            ColumnType::Json => "json",
        }
    }
}

/// One column of a generic table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnConfig {
    /// The column's name (a SQL identifier).
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Whether it may hold NULL (a primary key column never does).
    #[serde(default = "yes")]
    pub nullable: bool,
    /// Whether it is part of the primary key that `write = "merge"` upserts on.
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key: bool,
}

pub(super) fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `[tables.NAME]`: the columns inline, or `schema = "file.toml"` holding them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    /// A TOML file holding the columns (as `sluice schema infer` prints
    /// them), relative to the config file.
    pub schema: Option<PathBuf>,
    /// The columns, in order.
    #[serde(default)]
    pub columns: Vec<ColumnConfig>,
}

/// A table's columns, as declared inline or in a schema file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableSchema {
    /// The columns, in order.
    pub columns: Vec<ColumnConfig>,
}

impl TableSchema {
    /// The primary key's columns, in order.
    pub fn primary_key(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// A schema file: the bare columns, or a `[tables.NAME]` document with one
/// table (what `sluice schema infer` prints).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum SchemaFile {
    Wrapped {
        tables: BTreeMap<String, TableSchema>,
    },
    Bare(TableSchema),
}

/// Whether a table's columns are well formed: identifiers, each once.
pub(super) fn check_columns(columns: &[ColumnConfig]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for column in columns {
        if !is_identifier(&column.name) {
            return Err(format!(
                "column `{}`: expected a SQL identifier",
                column.name
            ));
        }
        if !seen.insert(column.name.to_ascii_lowercase()) {
            return Err(format!("column `{}` is declared twice", column.name));
        }
    }
    Ok(())
}
