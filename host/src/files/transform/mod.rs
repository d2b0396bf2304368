//! A source's row transforms, compiled once when the source is prepared
//! and applied to each row between reading and loading: `rename`, `cast`,
//! `filter`, `derive` and `dedup`, in the order the config lists them.
//! A filtered or duplicate row is counted and dropped; a row whose step
//! fails (a value that does not cast, an expression's type error or
//! division by zero) goes to the quarantine with the step named.

mod cast;
mod dedup;
mod value;

use std::collections::HashMap;
use std::sync::Arc;

use rhai::Scope;

use super::cell::{BadRow, Place, RawRow};
use super::table::column_name;
use crate::config::{ColumnType, Keep, TransformStep};
use crate::expr::{Expression, Language};
use dedup::{Seen, key_of};

/// One compiled step.
#[derive(Debug)]
enum Step {
    Rename(Vec<(String, Arc<str>)>),
    Cast(Vec<(String, ColumnType)>),
    Filter(Expression),
    Derive(Vec<(Arc<str>, Expression)>),
    Dedup { key: Vec<String>, keep: Keep },
}

impl Step {
    fn kind(&self) -> &'static str {
        match self {
            Step::Rename(_) => "rename",
            Step::Cast(_) => "cast",
            Step::Filter(_) => "filter",
            Step::Derive(_) => "derive",
            Step::Dedup { .. } => "dedup",
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

impl Transforms {
    /// Compiles `steps`; column names are taken as the loader names them
    /// (`Amount EUR` is `amount_eur`).
    pub fn compile(steps: &[TransformStep]) -> Result<Self, StepError> {
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
    /// there at that step, as a message naming the step.
    pub fn check_columns(&self, columns: &[String]) -> Result<(), String> {
        let mut known: Vec<String> = columns.iter().map(|c| column_name(c)).collect();
        let missing = |i: usize, step: &Step, column: &str, known: &[String]| {
            format!(
                "transform step {} ({}): no column `{column}` (the row has: {})",
                i + 1,
                step.kind(),
                known.join(", ")
            )
        };
        for (i, step) in self.steps.iter().enumerate() {
            match step {
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
            scope: Scope::new(),
            counts: TransformCounts::default(),
            last: HashMap::new(),
        }
    }
}

/// What became of a row.
#[derive(Debug)]
pub enum Outcome {
    /// It goes on to the table.
    Keep(RawRow),
    /// A filter or a dedup dropped it.
    Dropped,
    /// A step failed on it.
    Failed(BadRow),
}

/// The transforms applied to one file's rows, with what its dedups have
/// seen so far.
pub struct FileTransformer<'a> {
    transforms: &'a Transforms,
    seen: Vec<Option<Seen>>,
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
    /// applied and the place of each key's last row remembered.
    pub fn scan(&mut self, row: RawRow) {
        let Some(at) = self.transforms.keep_last() else {
            return;
        };
        let mut row = row;
        if let Ok(true) = self.steps(&mut row, at)
            && let Some(Step::Dedup { key, .. }) = self.transforms.steps.get(at)
        {
            self.last.insert(key_of(&row, key), row.place);
        }
    }

    /// What the scan found.
    pub fn into_last(self) -> HashMap<String, Place> {
        self.last
    }

    /// Applies every step to `row`. A failed row is quarantined as the
    /// failing step received it.
    pub fn apply(&mut self, mut row: RawRow) -> Outcome {
        match self.steps(&mut row, self.transforms.steps.len()) {
            Ok(true) => Outcome::Keep(row),
            Ok(false) => Outcome::Dropped,
            Err(reason) => {
                self.counts.failed += 1;
                Outcome::Failed(BadRow {
                    place: row.place,
                    reason: format!("{}, {reason}", row.place),
                    raw: row.to_json(),
                })
            }
        }
    }

    /// The first `until` steps applied to `row`: whether it stays, or why
    /// a step failed (the row then as that step received it).
    fn steps(&mut self, row: &mut RawRow, until: usize) -> Result<bool, String> {
        let transforms = self.transforms;
        for i in 0..until {
            let Some(step) = transforms.steps.get(i) else {
                break;
            };
            let fail = |why: String| format!("transform step {} ({}): {why}", i + 1, step.kind());
            match step {
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
