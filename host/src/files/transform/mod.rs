//! A source's row transforms, compiled once when the source is prepared
//! and applied to each batch of rows between reading and loading:
//! `rename`, `cast`, `filter`, `derive`, `dedup` and `plugin`, in the order
//! the config lists them, each step over the whole batch before the next.
//! A filtered or duplicate row is counted and dropped; a row whose step
//! fails (a value that does not cast, an expression's type error or
//! division by zero, a plugin's reject) goes to the quarantine with the
//! step named. A plugin that fails on a batch refuses the file.

mod cast;
mod dedup;
mod plugin;
mod value;

use std::collections::HashMap;
use std::sync::Arc;

use rhai::Scope;

use super::cell::{BadRow, Place, RawRow};
use super::table::column_name;
use crate::config::{ColumnType, Keep, TransformStep};
use crate::expr::{Expression, Language};
use crate::plugin::Transformer;
use dedup::{Seen, key_of};
use plugin::PluginStep;

/// One compiled step.
#[derive(Debug)]
enum Step {
    Rename(Vec<(String, Arc<str>)>),
    Cast(Vec<(String, ColumnType)>),
    Filter(Expression),
    Derive(Vec<(Arc<str>, Expression)>),
    Dedup { key: Vec<String>, keep: Keep },
    Plugin(PluginStep),
}

impl Step {
    fn kind(&self) -> &'static str {
        match self {
            Step::Rename(_) => "rename",
            Step::Cast(_) => "cast",
            Step::Filter(_) => "filter",
            Step::Derive(_) => "derive",
            Step::Dedup { .. } => "dedup",
            Step::Plugin(_) => "plugin",
        }
    }
}

/// A step of the config that does not compile: its index and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    /// The step, from 0.
    pub step: usize,
    /// The key within the step (`filter`, `derive.band`).
    pub key: String,
    /// Why.
    pub message: String,
}

/// A source's compiled transforms.
#[derive(Debug, Default)]
pub struct Transforms {
    language: Language,
    steps: Vec<Step>,
}

/// What transforms did to a file's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransformCounts {
    /// Rows a `filter` dropped.
    pub filtered: u64,
    /// Rows a `dedup` dropped.
    pub deduplicated: u64,
    /// Rows a step failed on, quarantined.
    pub failed: u64,
}

impl TransformCounts {
    /// Adds `other`.
    pub fn add(&mut self, other: TransformCounts) {
        self.filtered += other.filtered;
        self.deduplicated += other.deduplicated;
        self.failed += other.failed;
    }
}

/// A step that stopped a whole file: a plugin failed on a batch, or the
/// columns a plugin answered with lack one a later step names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure(pub String);

impl Transforms {
    /// Compiles `steps` with no plugin at hand: a `plugin` step is an
    /// error.
    #[cfg(test)]
    pub fn compile(steps: &[TransformStep]) -> Result<Self, StepError> {
        Self::compile_with(steps, &mut |name| {
            Err(format!("no plugin folder to load `{name}` from"))
        })
    }

    /// Compiles `steps`, the transformer of each `plugin` step got from
    /// `load` by name; column names are taken as the loader names them
    /// (`Amount EUR` is `amount_eur`).
    pub fn compile_with(
        steps: &[TransformStep],
        load: &mut dyn FnMut(&str) -> Result<Arc<Transformer>, String>,
    ) -> Result<Self, StepError> {
        let language = Language::new();
        let mut compiled = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            let compile = |key: String, text: &str| {
                language.compile(text).map_err(|e| StepError {
                    step: i,
                    key,
                    message: format!("the expression `{text}` does not compile: {e}"),
                })
            };
            compiled.push(match step {
                TransformStep::Rename(columns) => Step::Rename(
                    columns
                        .iter()
                        .map(|(from, to)| (column_name(from), Arc::from(column_name(to).as_str())))
                        .collect(),
                ),
                TransformStep::Cast(columns) => Step::Cast(
                    columns
                        .iter()
                        .map(|(column, kind)| (column_name(column), *kind))
                        .collect(),
                ),
                TransformStep::Filter(text) => Step::Filter(compile("filter".to_string(), text)?),
                TransformStep::Derive(columns) => Step::Derive(
                    columns
                        .iter()
                        .map(|(column, text)| {
                            Ok((
                                Arc::from(column_name(column).as_str()),
                                compile(format!("derive.{column}"), text)?,
                            ))
                        })
                        .collect::<Result<_, StepError>>()?,
                ),
                TransformStep::Dedup(dedup) => Step::Dedup {
                    key: dedup.key.iter().map(|c| column_name(c)).collect(),
                    keep: dedup.keep,
                },
                TransformStep::Plugin(step) => Step::Plugin(PluginStep {
                    name: step.name.clone(),
                    params: step.param_pairs(),
                    transformer: load(&step.name).map_err(|message| StepError {
                        step: i,
                        key: "plugin".to_string(),
                        message,
                    })?,
                }),
            });
        }
        Ok(Transforms {
            language,
            steps: compiled,
        })
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The `dedup` keeping the last row, which needs the file read once
    /// before it loads.
    fn keep_last(&self) -> Option<usize> {
        self.steps.iter().position(|s| {
            matches!(
                s,
                Step::Dedup {
                    keep: Keep::Last,
                    ..
                }
            )
        })
    }

    /// Whether loading a file needs a first pass over it
    /// ([`FileTransformer::scan`]).
    pub fn needs_scan(&self) -> bool {
        self.keep_last().is_some()
    }

    /// Checks the steps against the columns a file (or every file of the
    /// source) has, in order: the first column a step names that is not
    /// there at that step, as a message naming the step. The columns after
    /// a `plugin` step are the plugin's to say: they are checked on its
    /// first answer.
    pub fn check_columns(&self, columns: &[String]) -> Result<(), String> {
        self.check_columns_from(0, columns)
    }

    /// [`Transforms::check_columns`] from step `start` on.
    fn check_columns_from(&self, start: usize, columns: &[String]) -> Result<(), String> {
        let mut known: Vec<String> = columns.iter().map(|c| column_name(c)).collect();
        let missing = |i: usize, step: &Step, column: &str, known: &[String]| {
            format!(
                "transform step {} ({}): no column `{column}` (the row has: {})",
                i + 1,
                step.kind(),
                known.join(", ")
            )
        };
        for (i, step) in self.steps.iter().enumerate().skip(start) {
            match step {
                Step::Plugin(_) => return Ok(()),
                Step::Rename(pairs) => {
                    for (from, _) in pairs {
                        if !known.contains(from) {
                            return Err(missing(i, step, from, &known));
                        }
                    }
                    for column in &mut known {
                        if let Some((_, to)) = pairs.iter().find(|(from, _)| from == column) {
                            *column = to.to_string();
                        }
                    }
                }
                Step::Cast(columns) => {
                    if let Some((column, _)) = columns.iter().find(|(c, _)| !known.contains(c)) {
                        return Err(missing(i, step, column, &known));
                    }
                }
                Step::Filter(expression) => {
                    if let Some(column) = crate::expr::unknown_variable(&expression.text, &known) {
                        return Err(missing(i, step, &column, &known));
                    }
                }
                Step::Derive(columns) => {
                    for (_, expression) in columns {
                        if let Some(column) =
                            crate::expr::unknown_variable(&expression.text, &known)
                        {
                            return Err(missing(i, step, &column, &known));
                        }
                    }
                    for (column, _) in columns {
                        if !known.iter().any(|k| k.as_str() == &**column) {
                            known.push(column.to_string());
                        }
                    }
                }
                Step::Dedup { key, .. } => {
                    if let Some(column) = key.iter().find(|c| !known.contains(c)) {
                        return Err(missing(i, step, column, &known));
                    }
                }
            }
        }
        Ok(())
    }

    /// A transformer for one file; `last` is what [`FileTransformer::scan`]
    /// found when the transforms need it.
    pub fn for_file(&self, last: Option<HashMap<String, Place>>) -> FileTransformer<'_> {
        let mut last = last;
        let seen = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Dedup {
                    keep: Keep::Last, ..
                } => Some(Seen::Last(last.take().unwrap_or_default())),
                Step::Dedup { .. } => Some(Seen::First(Default::default())),
                _ => None,
            })
            .collect();
        FileTransformer {
            transforms: self,
            seen,
            made: vec![0; self.steps.len()],
            answered: vec![false; self.steps.len()],
            scope: Scope::new(),
            counts: TransformCounts::default(),
            last: HashMap::new(),
        }
    }
}

/// The transforms applied to one file's rows, with what its dedups have
/// seen so far and how many rows its plugins made.
pub struct FileTransformer<'a> {
    transforms: &'a Transforms,
    seen: Vec<Option<Seen>>,
    /// Rows each `plugin` step made of the file so far.
    made: Vec<u64>,
    /// Whether each `plugin` step has answered, its columns checked.
    answered: Vec<bool>,
    scope: Scope<'static>,
    counts: TransformCounts,
    last: HashMap<String, Place>,
}

impl FileTransformer<'_> {
    /// What the transforms did so far.
    pub fn counts(&self) -> TransformCounts {
        self.counts
    }

    /// The first pass of a `keep = "last"` dedup: the steps before it are
    /// applied to `rows` and the place of each key's last row remembered.
    pub fn scan(&mut self, rows: Vec<RawRow>) -> Result<(), StepFailure> {
        let Some(at) = self.transforms.keep_last() else {
            return Ok(());
        };
        let mut bad = Vec::new();
        let rows = self.steps(rows, &mut bad, at)?;
        if let Some(Step::Dedup { key, .. }) = self.transforms.steps.get(at) {
            for row in rows {
                self.last.insert(key_of(&row, key), row.place);
            }
        }
        Ok(())
    }

    /// What the scan found.
    pub fn into_last(self) -> HashMap<String, Place> {
        self.last
    }

    /// Applies every step to `rows`: the rows that go on, in order. A row
    /// a step fails on is pushed on `bad` as that step received it, the
    /// failed rows of the batch in the file's order.
    pub fn apply(
        &mut self,
        rows: Vec<RawRow>,
        bad: &mut Vec<BadRow>,
    ) -> Result<Vec<RawRow>, StepFailure> {
        let before = bad.len();
        let kept = self.steps(rows, bad, self.transforms.steps.len())?;
        if let Some(failed) = bad.get_mut(before..) {
            failed.sort_by_key(|row| row.place);
        }
        Ok(kept)
    }

    /// The first `until` steps applied to `rows`, each over the whole
    /// batch.
    fn steps(
        &mut self,
        rows: Vec<RawRow>,
        bad: &mut Vec<BadRow>,
        until: usize,
    ) -> Result<Vec<RawRow>, StepFailure> {
        let transforms = self.transforms;
        let mut rows = rows;
        for (i, step) in transforms.steps.iter().enumerate().take(until) {
            if rows.is_empty() {
                break;
            }
            if let Step::Plugin(plugin) = step {
                rows = self.plugin(i, plugin, rows, bad)?;
                continue;
            }
            let mut kept = Vec::with_capacity(rows.len());
            for mut row in rows {
                match self.row_step(i, step, &mut row) {
                    Ok(true) => kept.push(row),
                    Ok(false) => {}
                    Err(reason) => {
                        self.counts.failed += 1;
                        bad.push(BadRow {
                            place: row.place,
                            reason: format!("{}, {reason}", row.place),
                            raw: row.to_json(),
                        });
                    }
                }
            }
            rows = kept;
        }
        Ok(rows)
    }

    /// Step `i`, a `plugin`, over `rows`: the rows it made, its rejects
    /// quarantined with its reasons. Its first answer's columns are
    /// checked against the steps after it.
    fn plugin(
        &mut self,
        i: usize,
        plugin: &PluginStep,
        rows: Vec<RawRow>,
        bad: &mut Vec<BadRow>,
    ) -> Result<Vec<RawRow>, StepFailure> {
        let named = |why: String| {
            StepFailure(format!(
                "transform step {} (plugin `{}`): {why}",
                i + 1,
                plugin.name
            ))
        };
        let answer = plugin.run(&rows).map_err(named)?;
        if !self.answered[i] {
            let columns: Vec<String> = answer.columns.iter().map(|c| c.to_string()).collect();
            self.transforms
                .check_columns_from(i + 1, &columns)
                .map_err(|why| {
                    StepFailure(format!(
                        "{why}; the columns are those plugin `{}` of step {} answered with",
                        plugin.name,
                        i + 1
                    ))
                })?;
            self.answered[i] = true;
        }
        for (index, reason) in answer.rejects {
            if let Some(row) = rows.get(index) {
                self.counts.failed += 1;
                bad.push(BadRow {
                    place: row.place,
                    reason: format!(
                        "{}, transform step {} (plugin `{}`) rejected it: {reason}",
                        row.place,
                        i + 1,
                        plugin.name
                    ),
                    raw: row.to_json(),
                });
            }
        }
        let step = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let made = &mut self.made[i];
        Ok(answer
            .rows
            .into_iter()
            .map(|cells| {
                *made += 1;
                RawRow {
                    place: Place::Made { step, row: *made },
                    fields: answer.columns.iter().cloned().zip(cells).collect(),
                }
            })
            .collect())
    }

    /// Step `i`, one of the row steps, on `row`: whether it stays, or why
    /// the step failed.
    fn row_step(&mut self, i: usize, step: &Step, row: &mut RawRow) -> Result<bool, String> {
        let transforms = self.transforms;
        let fail = |why: String| format!("transform step {} ({}): {why}", i + 1, step.kind());
        match step {
            Step::Plugin(_) => {}
            Step::Rename(pairs) => {
                for (name, _) in &mut row.fields {
                    let column = column_name(name);
                    if let Some((_, to)) = pairs.iter().find(|(from, _)| *from == column) {
                        *name = to.clone();
                    }
                }
            }
            Step::Cast(columns) => {
                for (name, cell) in &mut row.fields {
                    let column = column_name(name);
                    if let Some((_, kind)) = columns.iter().find(|(c, _)| *c == column) {
                        let typed = cast::cast(cell, *kind)
                            .map_err(|why| fail(format!("column `{column}`: {why}")))?;
                        *cell = typed;
                    }
                }
            }
            Step::Filter(expression) => {
                fill(&mut self.scope, row);
                let verdict = transforms
                    .language
                    .eval(&mut self.scope, expression)
                    .map_err(|e| fail(e.to_string()))?;
                if verdict.is_unit() {
                    self.counts.filtered += 1;
                    return Ok(false);
                }
                let kind = verdict.type_name();
                let keep = verdict.as_bool().map_err(|_| {
                    fail(format!(
                        "the expression gave {}, not true or false",
                        value::article(kind)
                    ))
                })?;
                if !keep {
                    self.counts.filtered += 1;
                    return Ok(false);
                }
            }
            Step::Derive(columns) => {
                fill(&mut self.scope, row);
                let mut derived = Vec::with_capacity(columns.len());
                for (column, expression) in columns {
                    let value = transforms
                        .language
                        .eval(&mut self.scope, expression)
                        .map_err(|e| fail(format!("column `{column}`: {e}")))?;
                    let cell = value::to_cell(value)
                        .map_err(|why| fail(format!("column `{column}`: {why}")))?;
                    derived.push((column.clone(), cell));
                }
                for (column, cell) in derived {
                    match row
                        .fields
                        .iter_mut()
                        .find(|(name, _)| column_name(name) == *column)
                    {
                        Some(field) => field.1 = cell,
                        None => row.fields.push((column, cell)),
                    }
                }
            }
            Step::Dedup { key, .. } => {
                let keeps = match self.seen.get_mut(i) {
                    Some(Some(seen)) => seen.keeps(key_of(row, key), row.place),
                    _ => true,
                };
                if !keeps {
                    self.counts.deduplicated += 1;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// Puts the row's columns in `scope`, as the expressions read them.
fn fill(scope: &mut Scope<'static>, row: &RawRow) {
    scope.clear();
    for (name, cell) in &row.fields {
        scope.push_dynamic(column_name(name), value::to_dynamic(cell));
    }
}

#[cfg(test)]
mod tests;
