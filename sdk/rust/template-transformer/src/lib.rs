//! The my-provider transformer: every text cell trimmed of surrounding
//! spaces, and, with the parameter `required` naming a column, each row
//! whose cell there is null or empty rejected with the reason. The host
//! checks that every cell returned fits its column's type.

use sluice_plugin_sdk::params;
use sluice_plugin_sdk::transform::{
    ColumnType, Params, PluginError, RejectedRow, Table, Transform, Transformed, Value,
};

/// The transformer.
pub struct MyProvider;

impl Transform for MyProvider {
    fn transform(params: Params, input: Table) -> Result<Transformed, PluginError> {
        let required = match params::get(&params, "required") {
            Some(name) => Some(input.column(name).ok_or_else(|| {
                PluginError::InvalidParams(format!("the table has no column `{name}`"))
            })?),
            None => None,
        };
        let text: Vec<bool> = input
            .columns
            .iter()
            .map(|c| c.type_ == ColumnType::Text)
            .collect();
        let mut rows = Vec::with_capacity(input.rows.len());
        let mut rejects = Vec::new();
        for (i, mut row) in input.rows.into_iter().enumerate() {
            for (cell, is_text) in row.iter_mut().zip(&text) {
                if let (Value::Text(t), true) = (&*cell, is_text) {
                    *cell = Value::Text(t.trim().to_string());
                }
            }
            let missing = required.is_some_and(|at| {
                row.get(at)
                    .is_none_or(|v| v.is_null() || v.as_text() == Some(""))
            });
            if missing {
                let name = required.map_or("", |at| input.columns[at].name.as_str());
                rejects.push(RejectedRow::new(i, format!("`{name}` is empty")));
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
}

// Exported from the component only: native builds (the tests) link without it.
#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_transformer!(MyProvider);

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::transform::Column;

    fn table() -> Table {
        Table {
            columns: vec![
                Column::new("id", ColumnType::Integer),
                Column::new("email", ColumnType::Text),
            ],
            rows: vec![
                vec![Value::Integer(1), Value::Text("  a@example.com ".into())],
                vec![Value::Integer(2), Value::Null],
            ],
        }
    }

    #[test]
    fn trims_text_and_rejects_rows_missing_the_required_column() {
        let params = params::of(&[("required", "email")]);
        let out = MyProvider::transform(params, table()).expect("transformed");
        assert_eq!(
            out.table.rows,
            vec![vec![Value::Integer(1), Value::Text("a@example.com".into())]]
        );
        assert_eq!(out.rejects, vec![RejectedRow::new(1, "`email` is empty")]);
    }

    #[test]
    fn an_unknown_required_column_is_an_error() {
        let params = params::of(&[("required", "phone")]);
        assert!(MyProvider::transform(params, table()).is_err());
    }
}
