//! A file source's `transforms`: the steps applied, in order, to each row
//! between reading and loading. Each step is a table with one key naming
//! its kind (`rename`, `cast`, `filter`, `derive`, `dedup`); a new kind is
//! a new key of [`StepTable`] and a new variant of [`TransformStep`]; a
//! step with companion keys (`{ plugin = "name", params = {...} }`) takes
//! them as further optional fields checked in its `TryFrom`.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::pipeline::ParamValue;
use super::{ColumnType, ConfigError, LoadedConfig};

/// One step of a source's `transforms`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "StepTable")]
pub enum TransformStep {
    /// `{ rename = { "Amount EUR" = "amount" } }`: columns renamed, all at once.
    Rename(BTreeMap<String, String>),
    /// `{ cast = { amount = "decimal" } }`: values converted to a column
    /// type; a value that does not convert quarantines its row.
    Cast(BTreeMap<String, ColumnType>),
    /// `{ filter = "status == \"settled\"" }`: rows for which the expression
    /// is not `true` are dropped and counted.
    Filter(String),
    /// `{ derive = { band = "if amount >= 100 { \"high\" } else { \"low\" }" } }`:
    /// columns computed from the row as it entered the step.
    Derive(BTreeMap<String, String>),
    /// `{ dedup = { key = ["bet_id"], keep = "last" } }`: one row per key
    /// within a file, the others dropped and counted.
    Dedup(DedupStep),
    /// `{ plugin = "tidy-names", params = { column = "team" } }`: the
    /// rows handed, in batches, to a transformer plugin of the config's
    /// `plugin_dir`, which answers with the rows to go on (of the columns
    /// it declares) and the rows it rejects, quarantined with its reason.
    Plugin(PluginStep),
}

/// `{ plugin = "name", params = { ... } }`.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginStep {
    /// The transformer, `NAME.wasm` in the plugin folder.
    pub name: String,
    /// What it is handed with every batch, as text.
    pub params: BTreeMap<String, ParamValue>,
}

impl PluginStep {
    /// The parameters as the plugin receives them, sorted by name.
    pub fn param_pairs(&self) -> Vec<(String, String)> {
        self.params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect()
    }
}

impl TransformStep {
    /// The step's kind, as the config names it.
    pub fn kind(&self) -> &'static str {
        match self {
            TransformStep::Rename(_) => "rename",
            TransformStep::Cast(_) => "cast",
            TransformStep::Filter(_) => "filter",
            TransformStep::Derive(_) => "derive",
            TransformStep::Dedup(_) => "dedup",
            TransformStep::Plugin(_) => "plugin",
        }
    }

    /// The step's expressions, with the key each is written under.
    pub fn expressions(&self) -> Vec<(String, &str)> {
        match self {
            TransformStep::Filter(text) => vec![(self.kind().to_string(), text.as_str())],
            TransformStep::Derive(columns) => columns
                .iter()
                .map(|(column, text)| (format!("derive.{column}"), text.as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// `{ dedup = { key = [...], keep = "first" | "last" } }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedupStep {
    /// The columns whose values together identify a row.
    pub key: Vec<String>,
    /// Which row of a key stays.
    #[serde(default)]
    pub keep: Keep,
}

/// Which of the rows sharing a key a `dedup` keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// The first in the file.
    #[default]
    First,
    /// The last in the file.
    Last,
}

/// A step as written: exactly one of its keys is set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepTable {
    rename: Option<BTreeMap<String, String>>,
    cast: Option<BTreeMap<String, ColumnType>>,
    filter: Option<String>,
    derive: Option<BTreeMap<String, String>>,
    dedup: Option<DedupStep>,
    plugin: Option<String>,
    params: Option<BTreeMap<String, ParamValue>>,
}

impl TryFrom<StepTable> for TransformStep {
    type Error = String;

    fn try_from(table: StepTable) -> Result<Self, String> {
        let mut steps: Vec<TransformStep> = Vec::new();
        steps.extend(table.rename.map(TransformStep::Rename));
        steps.extend(table.cast.map(TransformStep::Cast));
        steps.extend(table.filter.map(TransformStep::Filter));
        steps.extend(table.derive.map(TransformStep::Derive));
        steps.extend(table.dedup.map(TransformStep::Dedup));
        match (table.plugin, table.params) {
            (Some(name), params) => steps.push(TransformStep::Plugin(PluginStep {
                name,
                params: params.unwrap_or_default(),
            })),
            (None, Some(_)) if steps.is_empty() => {
                return Err(
                    "`params` go with `plugin`: `{ plugin = \"name\", params = { ... } }`"
                        .to_string(),
                );
            }
            (None, Some(_)) => {
                return Err(format!(
                    "`params` go with a `plugin` step, not with `{}`",
                    steps[0].kind()
                ));
            }
            (None, None) => {}
        }
        match steps.len() {
            1 => Ok(steps.remove(0)),
            0 => Err(
                "a transform step names one of `rename`, `cast`, `filter`, `derive`, `dedup`, `plugin`"
                    .to_string(),
            ),
            _ => Err(format!(
                "a transform step does one thing; write `{}` and `{}` as two steps",
                steps[0].kind(),
                steps[1].kind()
            )),
        }
    }
}

impl LoadedConfig {
    /// Checks a source's `transforms`: every expression compiles (an error
    /// names the step and the place in the expression), every step names
    /// columns, a `plugin` step a plugin, and at most one `dedup` keeps the
    /// last row.
    pub(super) fn validate_transforms(
        &self,
        at: &str,
        steps: &[TransformStep],
    ) -> Result<(), ConfigError> {
        if steps.is_empty() {
            return Ok(());
        }
        let language = crate::expr::Language::new();
        let mut keep_last = false;
        for (i, step) in steps.iter().enumerate() {
            let at = format!("{at}.transforms[{i}]");
            for (key, text) in step.expressions() {
                language.compile(text).map_err(|e| {
                    self.invalid(
                        format!("{at}.{key}"),
                        format!("the expression `{text}` does not compile: {e}"),
                    )
                })?;
            }
            let empty = match step {
                TransformStep::Rename(columns) => {
                    columns.is_empty() || columns.values().any(|to| to.trim().is_empty())
                }
                TransformStep::Cast(columns) => columns.is_empty(),
                TransformStep::Derive(columns) => columns.is_empty(),
                TransformStep::Filter(_) => false,
                TransformStep::Dedup(dedup) => dedup.key.is_empty(),
                TransformStep::Plugin(step) => {
                    if !super::quality::is_plugin_name(&step.name) {
                        return Err(self.invalid(
                            format!("{at}.plugin"),
                            format!(
                                "`{}` is not a plugin name (lower-case letters, digits and `-`: the transformer `NAME.wasm` of the plugin folder)",
                                step.name
                            ),
                        ));
                    }
                    false
                }
            };
            if empty {
                return Err(self.invalid(
                    format!("{at}.{}", step.kind()),
                    "names no column".to_string(),
                ));
            }
            if let TransformStep::Dedup(dedup) = step
                && dedup.keep == Keep::Last
            {
                if keep_last {
                    return Err(self.invalid(
                        format!("{at}.dedup.keep"),
                        "one dedup of a source may keep the last row (each reads the file once more)"
                            .to_string(),
                    ));
                }
                keep_last = true;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Steps {
        transforms: Vec<TransformStep>,
    }

    fn parse(text: &str) -> Result<Vec<TransformStep>, String> {
        toml::from_str::<Steps>(text)
            .map(|s| s.transforms)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn each_kind_of_step_reads_from_its_key() {
        let steps = parse(
            r#"transforms = [
  { rename = { "Amount EUR" = "amount" } },
  { cast = { amount = "decimal" } },
  { filter = "amount > 0" },
  { derive = { band = "\"x\"" } },
  { dedup = { key = ["id"], keep = "last" } },
]"#,
        )
        .expect("parses");
        let kinds: Vec<_> = steps.iter().map(TransformStep::kind).collect();
        assert_eq!(kinds, ["rename", "cast", "filter", "derive", "dedup"]);
        assert_eq!(
            steps[4],
            TransformStep::Dedup(DedupStep {
                key: vec!["id".to_string()],
                keep: Keep::Last
            })
        );
    }

    #[test]
    fn a_step_with_two_kinds_or_none_is_refused() {
        let two = parse("transforms = [{ filter = \"true\", derive = { a = \"1\" } }]");
        assert!(two.expect_err("two kinds").contains("as two steps"));
        let none = parse("transforms = [{ }]");
        assert!(none.expect_err("none").contains("names one of"));
        let typo = parse("transforms = [{ filtre = \"true\" }]");
        assert!(typo.expect_err("unknown key").contains("filtre"));
        let cast = parse("transforms = [{ cast = { a = \"money\" } }]");
        assert!(cast.expect_err("unknown type").contains("money"));
        let stray = parse("transforms = [{ filter = \"true\", params = { a = 1 } }]");
        assert!(
            stray
                .expect_err("params without plugin")
                .contains("not with `filter`")
        );
    }

    #[test]
    fn a_plugin_step_reads_its_name_and_params_as_text() {
        let steps = parse(
            r#"transforms = [{ plugin = "tidy-names", params = { column = "team", limit = 3, strict = true } }, { plugin = "bare" }]"#,
        )
        .expect("parses");
        let TransformStep::Plugin(step) = &steps[0] else {
            panic!("a plugin step: {steps:?}");
        };
        assert_eq!(step.name, "tidy-names");
        assert_eq!(
            step.param_pairs(),
            [
                ("column".to_string(), "team".to_string()),
                ("limit".to_string(), "3".to_string()),
                ("strict".to_string(), "true".to_string())
            ]
        );
        assert!(matches!(&steps[1], TransformStep::Plugin(p) if p.params.is_empty()));
    }
}
