//! A loaded transformer: a custom transform of generic rows. The host hands
//! it a typed table and it answers with the rows to load (of the columns it
//! declares) and the input rows it rejects; every cell it returns is
//! checked against its column's type before the host believes it. Same
//! sandbox and limits as every plugin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::bindings::{self, transformer};
use super::component;
use super::manifest::WorldManifest;
use super::runner::Runner;
use super::sandbox::SandboxState;
use super::world::World;
use super::{PluginEngine, PluginError};

pub use transformer::rows::Value;
pub use transformer::tables::{Column, ColumnType};

/// Contract versions a transformer may be built for: the world arrived in
/// 0.5.0.
pub const ACCEPTED_TRANSFORMER_VERSIONS: &[&str] = &["0.5.0"];

/// Rows handed to the transformer in one call at most: a large batch goes
/// in slices, so that no single call needs more than the sandbox's memory.
pub const TRANSFORM_ROWS_PER_CALL: usize = 2_000;

const WORLD: World = World {
    name: "transformer",
    export: "sluice:plugin/transform@",
    accepted: ACCEPTED_TRANSFORMER_VERSIONS,
};

/// What a transformer made of a batch: rows of `columns`, and the input
/// rows it refused with its reasons, by index.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformed {
    /// The columns of the rows out, as the transformer declares them.
    pub columns: Vec<Column>,
    /// The rows out, each cell fitting its column's type.
    pub rows: Vec<Vec<Value>>,
    /// Input rows refused: index in the rows handed in, and why.
    pub rejects: BTreeMap<usize, String>,
}

/// A compiled transformer, ready to be called any number of times.
pub struct Transformer {
    manifest: WorldManifest,
    sha256: String,
    path: PathBuf,
    pre: transformer::TransformerPre<SandboxState>,
    runner: Runner,
}

crate::instantiate_via!(transformer::TransformerPre<SandboxState> => transformer::Transformer);

impl Transformer {
    /// Loads `wasm` and the manifest beside it and checks its contract.
    pub fn load(engine: &PluginEngine, wasm: &Path) -> Result<Self, PluginError> {
        let name = component::name_of(wasm);
        let manifest = WorldManifest::load(&component::manifest_path(wasm)?, &name, "transformer")?;
        let (sha256, component) = component::compile(engine, wasm, None)?;
        WORLD.check(engine, &component, wasm, &manifest.wit)?;
        let pre = component::link(engine, &component, wasm, transformer::TransformerPre::new)?;
        let runner = Runner::new(
            engine,
            &manifest.name,
            &manifest.version,
            engine.limits.narrowed(&manifest.limits),
            None,
        );
        Ok(Transformer {
            manifest,
            sha256,
            path: wasm.to_path_buf(),
            pre,
            runner,
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &WorldManifest {
        &self.manifest
    }

    /// Hex sha256 of the component file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Where the component was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hands the transformer `rows` (cells in the order of `columns`),
    /// [`TRANSFORM_ROWS_PER_CALL`] at a time, with `params`, and returns
    /// the rows out and the rows it rejected. An answer whose columns
    /// differ between slices, whose rows do not fit its columns, or that
    /// rejects a row it was not given is the plugin's error.
    pub fn transform(
        &self,
        columns: &[Column],
        rows: Vec<Vec<Value>>,
        params: &[(String, String)],
    ) -> Result<Transformed, PluginError> {
        let params = params.to_vec();
        let mut out: Option<Transformed> = None;
        let mut rows = rows.into_iter().peekable();
        let mut offset = 0;
        // An empty batch is still handed over once: the columns out are
        // the transformer's to say.
        let mut first = true;
        while first || rows.peek().is_some() {
            first = false;
            let slice: Vec<Vec<Value>> = rows.by_ref().take(TRANSFORM_ROWS_PER_CALL).collect();
            let count = slice.len();
            let input = transformer::tables::Table {
                columns: columns.to_vec(),
                rows: slice,
            };
            let answer = self.runner.call(&self.pre, "transform", |store, plugin| {
                plugin
                    .sluice_plugin_transform()
                    .call_transform(store, &params, &input)
            })?;
            let answer = answer.map_err(|e| self.returned(bindings::describe(&e)))?;
            self.runner.check_output("transform", size(&answer))?;
            check_table(&answer.table).map_err(|m| self.returned(m))?;
            let all = out.get_or_insert_with(|| Transformed {
                columns: answer.table.columns.clone(),
                rows: Vec::new(),
                rejects: BTreeMap::new(),
            });
            if all.columns != answer.table.columns {
                return Err(self.returned(format!(
                    "answered rows {offset}.. with columns ({}) but earlier rows with ({})",
                    describe_columns(&answer.table.columns),
                    describe_columns(&all.columns)
                )));
            }
            for reject in answer.rejects {
                let row = usize::try_from(reject.row).unwrap_or(usize::MAX);
                if row >= count {
                    return Err(self.returned(format!(
                        "rejected row {} of a batch of {count} rows",
                        reject.row
                    )));
                }
                all.rejects.entry(offset + row).or_insert(reject.reason);
            }
            all.rows.extend(answer.table.rows);
            offset += count;
        }
        Ok(out.unwrap_or_else(|| Transformed {
            columns: columns.to_vec(),
            rows: Vec::new(),
            rejects: BTreeMap::new(),
        }))
    }

    fn returned(&self, message: String) -> PluginError {
        PluginError::Returned {
            plugin: self.manifest.name.clone(),
            call: "transform",
            message,
        }
    }
}

/// The columns as `name type, …`, for messages.
fn describe_columns(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| format!("{} {}", c.name, type_name(c.type_)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column type as the contract spells it.
pub fn type_name(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Boolean => "boolean",
        ColumnType::Integer => "integer",
        ColumnType::Float => "float",
        ColumnType::Text => "text",
        ColumnType::Decimal => "decimal",
        ColumnType::Date => "date",
        ColumnType::Timestamp => "timestamp",
        ColumnType::Json => "json",
    }
}

/// Columns named, each once; every row as long as the columns; every cell
/// null or of its column's type.
fn check_table(table: &transformer::tables::Table) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for column in &table.columns {
        if column.name.trim().is_empty() {
            return Err("declared a column without a name".to_string());
        }
        if !seen.insert(column.name.as_str()) {
            return Err(format!("declared column `{}` twice", column.name));
        }
    }
    for (i, row) in table.rows.iter().enumerate() {
        if row.len() != table.columns.len() {
            return Err(format!(
                "returned row {i} with {} cells for {} columns",
                row.len(),
                table.columns.len()
            ));
        }
        for (cell, column) in row.iter().zip(&table.columns) {
            if let Err(why) = fits(cell, column.type_) {
                return Err(format!(
                    "returned row {i}, column `{}` ({}): {why}",
                    column.name,
                    type_name(column.type_)
                ));
            }
        }
    }
    Ok(())
}

/// Whether `cell` may stand in a column of type `t`, or why not.
fn fits(cell: &Value, t: ColumnType) -> Result<(), String> {
    use ColumnType as T;
    match (cell, t) {
        (Value::Null, _)
        | (Value::Boolean(_), T::Boolean)
        | (Value::Integer(_), T::Integer)
        | (Value::Float(_), T::Float)
        | (Value::Text(_), T::Text | T::Timestamp) => Ok(()),
        (Value::Text(s), T::Decimal) => is_decimal(s)
            .then_some(())
            .ok_or_else(|| format!("`{}` is not a decimal", excerpt(s))),
        (Value::Text(s), T::Date) => is_date(s)
            .then_some(())
            .ok_or_else(|| format!("`{}` is not a date (YYYY-MM-DD)", excerpt(s))),
        (Value::Text(s), T::Json) => serde_json::from_str::<serde::de::IgnoredAny>(s)
            .map(|_| ())
            .map_err(|e| format!("`{}` is not JSON: {e}", excerpt(s))),
        (other, _) => Err(format!("a {} cell", value_kind(other))),
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Boolean(_) => "boolean",
        Value::Integer(_) => "integer",
        Value::Float(_) => "float",
        Value::Text(_) => "text",
    }
}

/// `-12`, `3.50`, `+0.5`: an optional sign, digits, at most one point.
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(s: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format).is_ok()
}

fn excerpt(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// About how many bytes an answer holds, for the output cap.
fn size(t: &transformer::tables::Transformed) -> usize {
    let cell = |v: &Value| match v {
        Value::Text(s) => 16 + s.len(),
        _ => 16,
    };
    t.table
        .columns
        .iter()
        .map(|c| 16 + c.name.len())
        .sum::<usize>()
        + t.table
            .rows
            .iter()
            .map(|r| 16 + r.iter().map(cell).sum::<usize>())
            .sum::<usize>()
        + t.rejects.iter().map(|r| 8 + r.reason.len()).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_fit_their_column_types_or_say_why_not() {
        assert!(fits(&Value::Null, ColumnType::Integer).is_ok());
        assert!(fits(&Value::Integer(3), ColumnType::Integer).is_ok());
        assert!(fits(&Value::Text("12.50".into()), ColumnType::Decimal).is_ok());
        assert!(fits(&Value::Text("2025-06-30".into()), ColumnType::Date).is_ok());
        assert!(fits(&Value::Text("{\"a\":1}".into()), ColumnType::Json).is_ok());
        assert_eq!(
            fits(&Value::Text("3".into()), ColumnType::Integer),
            Err("a text cell".to_string())
        );
        assert!(fits(&Value::Text("1.2.3".into()), ColumnType::Decimal).is_err());
        assert!(fits(&Value::Text(".".into()), ColumnType::Decimal).is_err());
        assert!(fits(&Value::Text("2025-02-30".into()), ColumnType::Date).is_err());
        assert!(fits(&Value::Float(1.0), ColumnType::Integer).is_err());
    }

    #[test]
    fn a_table_is_refused_for_its_first_misfit() {
        let table = transformer::tables::Table {
            columns: vec![
                Column {
                    name: "id".into(),
                    type_: ColumnType::Integer,
                },
                Column {
                    name: "name".into(),
                    type_: ColumnType::Text,
                },
            ],
            rows: vec![
                vec![Value::Integer(1), Value::Text("a".into())],
                vec![Value::Integer(2)],
            ],
        };
        assert_eq!(
            check_table(&table),
            Err("returned row 1 with 1 cells for 2 columns".to_string())
        );
    }
}
