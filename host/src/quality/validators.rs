//! `plugin` checks: the validator components a config's checks name,
//! loaded once per run, and a batch's rows of one table handed to one of
//! them as the contract's rows (`provider`, the key, then the content
//! columns), its verdicts coming back by row.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::CheckKind;
use crate::db::Value;
use crate::load::tables::Row;
use crate::plugin::{PluginEngine, PluginError, RowValue, ValidatorPlugin};

/// The validators of a plan's `plugin` checks, by check index.
#[derive(Clone, Default)]
pub struct Validators {
    by_check: BTreeMap<usize, Arc<ValidatorPlugin>>,
}

impl std::fmt::Debug for Validators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.by_check.iter().map(|(i, v)| (i, &v.manifest().name)))
            .finish()
    }
}

impl Validators {
    /// Loads from `plugin_dir` the validator of every `plugin` check among
    /// `checks`, each file once; an error names the check.
    pub fn load<'a>(
        checks: impl Iterator<Item = (usize, &'a crate::config::CheckConfig)>,
        engine: &PluginEngine,
        plugin_dir: &Path,
    ) -> Result<Self, super::QualityError> {
        let mut by_name: BTreeMap<String, Arc<ValidatorPlugin>> = BTreeMap::new();
        let mut by_check = BTreeMap::new();
        for (index, check) in checks.filter(|(_, c)| c.check == CheckKind::Plugin) {
            let Some(name) = check.plugin.as_deref() else {
                continue;
            };
            let plugin = match by_name.get(name) {
                Some(plugin) => plugin.clone(),
                None => {
                    let loaded = crate::plugin::load_named(plugin_dir, name, |wasm| {
                        ValidatorPlugin::load(engine, wasm).map(Arc::new)
                    });
                    let plugin = loaded.map_err(|source| super::QualityError::Validator {
                        check: check.name.clone(),
                        source,
                    })?;
                    by_name.insert(name.to_string(), plugin.clone());
                    plugin
                }
            };
            by_check.insert(index, plugin);
        }
        Ok(Validators { by_check })
    }

    /// The validator of check `index`.
    pub fn get(&self, index: usize) -> Option<&ValidatorPlugin> {
        self.by_check.get(&index).map(Arc::as_ref)
    }
}

/// Hands `rows` (all of one table) to `validator` with the check's
/// `params`; the failing rows' indexes with the validator's reasons.
pub fn judge(
    validator: &ValidatorPlugin,
    params: &BTreeMap<String, String>,
    rows: &[Row],
) -> Result<BTreeMap<usize, String>, PluginError> {
    let Some(first) = rows.first() else {
        return Ok(BTreeMap::new());
    };
    let table = first.table;
    let columns: Vec<String> = std::iter::once("provider")
        .chain(table.key.iter().copied())
        .chain(table.content.iter().copied())
        .map(str::to_string)
        .collect();
    let cells = rows
        .iter()
        .map(|row| {
            std::iter::once(RowValue::Text(row.provider.clone()))
                .chain(row.key.iter().chain(&row.values).map(cell))
                .collect()
        })
        .collect();
    let params: Vec<(String, String)> =
        params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    validator.validate(table.name, &params, &columns, cells)
}

/// A database value as the contract's cell.
fn cell(value: &Value) -> RowValue {
    match value {
        Value::Null | Value::NullInt | Value::NullFloat => RowValue::Null,
        Value::Int(i) => RowValue::Integer(*i),
        Value::Float(f) => RowValue::Float(*f),
        Value::Text(t) => RowValue::Text(t.clone()),
        Value::Blob(b) => RowValue::Text(hex::encode(b)),
        Value::Key(k) => RowValue::Text(hex::encode(k)),
    }
}
