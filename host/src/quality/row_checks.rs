//! Row-level checks: every check of a batch's tables judged in one pass
//! over its rows in memory, before the load. Failing rows of `quarantine`
//! checks leave the batch as rejects named after the check; a `fail_batch`
//! or `fail_run` check over its allowance fails the batch or the run.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::{DefaultHashBuilder, HashTable};

use super::plan::{Moments, QualityPlan, RunTally};
use crate::config::{CheckConfig, CheckKind, OutlierMethod, Severity, Threshold};
use crate::db::Value;
use crate::load::tables::{BatchRows, Row, TableSpec};
use crate::model::Reject;

/// Most failing rows kept as samples per check and run.
pub const MAX_SAMPLES: usize = 5;

/// What the checks make of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Load it (its quarantined rows, if any, are among its rejects now).
    Load,
    /// Quarantine the whole batch, for this reason.
    FailBatch(String),
    /// Fail the run, for this reason.
    FailRun(String),
}

/// Where a column's value sits in a [`Row`].
#[derive(Debug, Clone, Copy)]
enum Position {
    Provider,
    Key(usize),
    Content(usize),
}

fn position(table: &TableSpec, column: &str) -> Option<Position> {
    if column == "provider" {
        return Some(Position::Provider);
    }
    if let Some(i) = table.key.iter().position(|c| *c == column) {
        return Some(Position::Key(i));
    }
    table
        .content
        .iter()
        .position(|c| *c == column)
        .map(Position::Content)
}

/// A column's value in a row, borrowed: judging a row copies nothing.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    /// The `provider` column.
    Provider(&'a str),
    /// Any other column.
    Value(&'a Value),
}

impl<'a> Cell<'a> {
    /// The text of a `provider` or text cell.
    fn as_str(self) -> Option<&'a str> {
        match self {
            Cell::Provider(t) => Some(t),
            Cell::Value(Value::Text(t)) => Some(t.as_str()),
            Cell::Value(_) => None,
        }
    }

    fn is_null(self) -> bool {
        matches!(self, Cell::Value(v) if is_null(v))
    }

    /// The value as a number, when it is one.
    fn number(self) -> Option<f64> {
        match self {
            Cell::Value(Value::Int(i)) => Some(*i as f64),
            Cell::Value(Value::Float(f)) => Some(*f),
            _ => self.as_str().and_then(|t| t.trim().parse().ok()),
        }
    }

    /// The value as text, as an `allowed` or `regex` check compares it.
    fn text(self) -> Option<Cow<'a, str>> {
        match self {
            Cell::Provider(t) => Some(Cow::Borrowed(t)),
            Cell::Value(Value::Text(t)) => Some(Cow::Borrowed(t)),
            Cell::Value(v) => text(v).map(Cow::Owned),
        }
    }

    /// Feeds the value to `state`, consistently with [`Cell::same`].
    fn hash(self, state: &mut impl Hasher) {
        if let Some(t) = self.as_str() {
            state.write_u8(1);
            t.hash(state);
            return;
        }
        match self {
            Cell::Provider(_) | Cell::Value(Value::Text(_)) => {}
            Cell::Value(Value::Null | Value::NullInt | Value::NullFloat) => state.write_u8(0),
            Cell::Value(Value::Int(i)) => {
                state.write_u8(2);
                i.hash(state);
            }
            Cell::Value(Value::Float(f)) => {
                state.write_u8(3);
                f.to_bits().hash(state);
            }
            Cell::Value(Value::Blob(b)) => {
                state.write_u8(4);
                b.hash(state);
            }
            Cell::Value(Value::Key(k)) => {
                state.write_u8(5);
                k.hash(state);
            }
        }
    }

    /// Whether two values repeat each other for a `unique` check: NULLs of
    /// any type are one value, and a number is never equal to a text.
    fn same(self, other: Cell) -> bool {
        if let (Some(a), Some(b)) = (self.as_str(), other.as_str()) {
            return a == b;
        }
        match (self, other) {
            (Cell::Value(Value::Float(a)), Cell::Value(Value::Float(b))) => {
                a.to_bits() == b.to_bits()
            }
            (Cell::Value(a), Cell::Value(b)) => (is_null(a) && is_null(b)) || a == b,
            _ => false,
        }
    }
}

/// The cells of `columns` in `row`.
fn cells<'r>(columns: &'r [Position], row: &'r Row) -> impl Iterator<Item = Option<Cell<'r>>> + 'r {
    columns.iter().map(move |at| cell(row, *at))
}

fn cell(row: &Row, at: Position) -> Option<Cell<'_>> {
    match at {
        Position::Provider => Some(Cell::Provider(&row.provider)),
        Position::Key(i) => row.key.get(i).map(Cell::Value),
        Position::Content(i) => row.values.get(i).map(Cell::Value),
    }
}

/// Whether `value` is a NULL of any type.
pub fn is_null(value: &Value) -> bool {
    matches!(value, Value::Null | Value::NullInt | Value::NullFloat)
}

/// The value as text, as an `allowed` or `regex` check compares it.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Text(t) => Some(t.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Key(k) => Some(hex::encode(k)),
        _ => None,
    }
}

/// A value as JSON, for samples and quarantined rows.
fn json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null | Value::NullInt | Value::NullFloat => serde_json::Value::Null,
        Value::Int(i) => (*i).into(),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Text(t) => t.clone().into(),
        Value::Blob(b) => hex::encode(b).into(),
        Value::Key(k) => hex::encode(k).into(),
    }
}

/// A row as a JSON object of its columns.
pub fn row_json(row: &Row) -> String {
    let mut object = serde_json::Map::new();
    object.insert("provider".into(), row.provider.clone().into());
    for (column, value) in row.table.key.iter().zip(&row.key) {
        object.insert((*column).into(), json(value));
    }
    for (column, value) in row.table.content.iter().zip(&row.values) {
        object.insert((*column).into(), json(value));
    }
    serde_json::Value::Object(object).to_string()
}

/// Rows a check may fail out of `rows`.
pub fn allowed(threshold: Threshold, rows: u64) -> f64 {
    match threshold {
        Threshold::Count(n) => n as f64,
        Threshold::Fraction(share) => share * rows as f64,
    }
}

/// One check's work over one batch's rows of its table.
struct Pass<'a> {
    index: usize,
    check: &'a CheckConfig,
    columns: Vec<Position>,
    failing: Vec<usize>,
    /// Rows seen so far, by the hash of their columns' values (`unique`).
    seen: HashTable<usize>,
    values: Vec<(usize, f64)>,
    /// The column's sums over the batch (`drift`).
    moments: Moments,
    /// A validator's reasons, by failing row (`plugin`).
    reasons: BTreeMap<usize, String>,
}

/// Judges every row of `rows` against the plan's row-level checks in one
/// pass, adds the figures to `tally`, moves the rows failing `quarantine`
/// checks to `rejects`, and says what becomes of the batch.
pub fn check_batch(
    plan: &QualityPlan,
    rows: &mut BatchRows,
    rejects: &mut Vec<Reject>,
    tally: &mut RunTally,
) -> Verdict {
    let mut verdict = Verdict::Load;
    for (table, table_rows) in &mut rows.tables {
        let table_tally = tally.table(table.name);
        table_tally.rows += table_rows.len() as u64;
        let mut passes: Vec<Pass> = plan
            .in_memory(table.name)
            .filter_map(|(index, check)| {
                let names: Vec<&str> = match check.check {
                    CheckKind::Unique => check.columns.iter().map(String::as_str).collect(),
                    _ => check.column.iter().map(String::as_str).collect(),
                };
                let columns: Option<Vec<Position>> =
                    names.iter().map(|c| position(table, c)).collect();
                // A column the rows do not carry (a provenance column) is
                // judged in the database only.
                Some(Pass {
                    index,
                    check,
                    columns: columns?,
                    failing: Vec::new(),
                    seen: HashTable::new(),
                    values: Vec::new(),
                    moments: Moments::default(),
                    reasons: BTreeMap::new(),
                })
            })
            .collect();
        let hasher = DefaultHashBuilder::default();
        for (i, row) in table_rows.iter().enumerate() {
            if row.key.iter().any(is_null) {
                table_tally.null_keys += 1;
            }
            for pass in &mut passes {
                judge(plan, pass, i, table_rows, &hasher);
            }
        }
        // Why each row is quarantined, by the first check that says so.
        let mut quarantined: Vec<Option<String>> = vec![None; table_rows.len()];
        for pass in &mut passes {
            if pass.check.check == CheckKind::Outliers {
                pass.failing = outliers(pass.check, &pass.values);
            }
            if pass.check.check == CheckKind::Plugin
                && let Err(error) = run_validator(plan, pass, table_rows)
            {
                // A validator that cannot judge the batch fails it all:
                // nothing it was to judge loads unjudged.
                pass.failing = (0..table_rows.len()).collect();
                let reason = format!(
                    "quality check `{}` on {}: the validator could not judge the batch: {error}",
                    pass.check.name, table.name
                );
                if !matches!(verdict, Verdict::FailRun(_)) {
                    verdict = Verdict::FailBatch(reason);
                }
            }
            if pass.check.check == CheckKind::Drift {
                table_tally.drift(pass.index).merge(&pass.moments);
                continue;
            }
            let figures = table_tally.check(pass.index);
            figures.rows += table_rows.len() as u64;
            figures.failing += pass.failing.len() as u64;
            for &i in &pass.failing {
                if figures.samples.len() >= MAX_SAMPLES {
                    break;
                }
                figures.samples.push(row_json(&table_rows[i]));
            }
            let threshold = pass.check.max_failing.unwrap_or_default();
            let over = pass.failing.len() as f64 > allowed(threshold, table_rows.len() as u64);
            let reason = || {
                format!(
                    "quality check `{}` on {}: {} of {} rows failed (max {threshold})",
                    pass.check.name,
                    table.name,
                    pass.failing.len(),
                    table_rows.len()
                )
            };
            match pass.check.severity {
                Severity::Warn => {}
                Severity::Quarantine => {
                    for &i in &pass.failing {
                        quarantined[i].get_or_insert_with(|| {
                            let name = &pass.check.name;
                            match pass.reasons.get(&i) {
                                Some(why) => format!("quality check `{name}` failed: {why}"),
                                None => format!("quality check `{name}` failed"),
                            }
                        });
                    }
                }
                Severity::FailBatch if over && verdict == Verdict::Load => {
                    verdict = Verdict::FailBatch(reason());
                }
                Severity::FailRun if over && !matches!(verdict, Verdict::FailRun(_)) => {
                    verdict = Verdict::FailRun(reason());
                }
                _ => {}
            }
        }
        if quarantined.iter().any(Option::is_some) {
            let kept = std::mem::take(table_rows);
            for (row, reason) in kept.into_iter().zip(quarantined) {
                match reason {
                    None => table_rows.push(row),
                    Some(reason) => rejects.push(Reject {
                        provider_id: row.key.first().and_then(text),
                        reason,
                        raw: row_json(&row),
                    }),
                }
            }
        }
    }
    rows.tables.retain(|(_, rows)| !rows.is_empty());
    verdict
}

/// Has the validator of a `plugin` check judge the table's rows: its
/// failing rows and reasons go into the pass.
fn run_validator(
    plan: &QualityPlan,
    pass: &mut Pass,
    rows: &[Row],
) -> Result<(), crate::plugin::PluginError> {
    let validator =
        plan.validator(pass.index)
            .ok_or_else(|| crate::plugin::PluginError::NotLoaded {
                name: pass.check.plugin.clone().unwrap_or_default(),
                dir: std::path::PathBuf::from("(the run's plugin folder)"),
            })?;
    pass.reasons = super::validators::judge(validator, &pass.check.params, rows)?;
    pass.failing = pass.reasons.keys().copied().collect();
    Ok(())
}

/// Judges row `i` of `rows` for one check.
fn judge(plan: &QualityPlan, pass: &mut Pass, i: usize, rows: &[Row], hasher: &DefaultHashBuilder) {
    let row = &rows[i];
    let value = || pass.columns.first().and_then(|at| cell(row, *at));
    let fails = match pass.check.check {
        CheckKind::NotNull => value().is_none_or(Cell::is_null),
        CheckKind::Range => value().and_then(Cell::number).is_some_and(|x| {
            pass.check.min.is_some_and(|min| x < min) || pass.check.max.is_some_and(|max| x > max)
        }),
        CheckKind::Allowed => value()
            .filter(|v| !v.is_null())
            .and_then(Cell::text)
            .is_some_and(|t| !pass.check.values.iter().any(|allowed| *allowed == *t)),
        CheckKind::Regex => match (value().and_then(Cell::text), plan.regex(pass.index)) {
            (Some(t), Some(pattern)) => !pattern.is_match(&t),
            _ => false,
        },
        CheckKind::Unique => {
            let columns = &pass.columns;
            let hash = |r: &Row| {
                let mut state = hasher.build_hasher();
                for c in cells(columns, r) {
                    match c {
                        Some(c) => c.hash(&mut state),
                        None => state.write_u8(0),
                    }
                }
                state.finish()
            };
            let same = |j: &usize| {
                cells(columns, &rows[*j])
                    .zip(cells(columns, row))
                    .all(|pair| match pair {
                        (Some(a), Some(b)) => a.same(b),
                        (None, None) => true,
                        (Some(c), None) | (None, Some(c)) => c.is_null(),
                    })
            };
            let h = hash(row);
            if pass.seen.find(h, same).is_some() {
                true
            } else {
                pass.seen.insert_unique(h, i, |j| hash(&rows[*j]));
                false
            }
        }
        CheckKind::Outliers => {
            if let Some(x) = value().and_then(Cell::number).filter(|x| x.is_finite()) {
                pass.values.push((i, x));
            }
            false
        }
        CheckKind::Drift => {
            if let Some(x) = value().and_then(Cell::number).filter(|x| x.is_finite()) {
                pass.moments.add(x);
            }
            false
        }
        _ => false,
    };
    if fails {
        pass.failing.push(i);
    }
}

/// The rows whose values are outliers by the check's method.
fn outliers(check: &CheckConfig, values: &[(usize, f64)]) -> Vec<usize> {
    if values.len() < 3 {
        return Vec::new();
    }
    match check.method.unwrap_or(OutlierMethod::Zscore) {
        OutlierMethod::Zscore => {
            let limit = check.limit.unwrap_or(3.0);
            let n = values.len() as f64;
            let mean = values.iter().map(|(_, x)| x).sum::<f64>() / n;
            let variance = values.iter().map(|(_, x)| (x - mean).powi(2)).sum::<f64>() / n;
            let sd = variance.sqrt();
            if sd == 0.0 {
                return Vec::new();
            }
            values
                .iter()
                .filter(|(_, x)| ((x - mean) / sd).abs() > limit)
                .map(|(i, _)| *i)
                .collect()
        }
        OutlierMethod::Iqr => {
            let limit = check.limit.unwrap_or(1.5);
            let mut sorted: Vec<f64> = values.iter().map(|(_, x)| *x).collect();
            sorted.sort_by(f64::total_cmp);
            let q1 = quantile(&sorted, 0.25);
            let q3 = quantile(&sorted, 0.75);
            let (low, high) = (q1 - limit * (q3 - q1), q3 + limit * (q3 - q1));
            values
                .iter()
                .filter(|(_, x)| *x < low || *x > high)
                .map(|(i, _)| *i)
                .collect()
        }
    }
}

/// The `q` quantile of sorted values, interpolated linearly.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = q * (sorted.len() - 1) as f64;
    let (low, high) = (at.floor() as usize, at.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (at - low as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zscore_and_iqr_find_the_far_values() {
        let mut values: Vec<(usize, f64)> = (0..20).map(|i| (i, 10.0 + (i % 3) as f64)).collect();
        values.push((20, 100.0));
        let mut check: CheckConfig = toml::from_str(
            "table = \"events\"\nname = \"o\"\ncheck = \"outliers\"\ncolumn = \"home_score\"",
        )
        .expect("a check");
        assert_eq!(outliers(&check, &values), [20]);
        check.method = Some(OutlierMethod::Iqr);
        assert_eq!(outliers(&check, &values), [20]);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    }

    fn hash_of(hasher: &DefaultHashBuilder, cell: Cell) -> u64 {
        let mut state = hasher.build_hasher();
        cell.hash(&mut state);
        state.finish()
    }

    #[test]
    fn unique_cells_repeat_as_their_values_do() {
        let (null, null_int) = (Value::Null, Value::NullInt);
        let (one, one_float) = (Value::Int(1), Value::Float(1.0));
        let (text, same_text) = (Value::Text("a".into()), Value::Text("a".into()));
        let pairs = [
            (Cell::Value(&null), Cell::Value(&null_int), true),
            (Cell::Value(&text), Cell::Value(&same_text), true),
            (Cell::Provider("a"), Cell::Value(&text), true),
            (Cell::Value(&one), Cell::Value(&one_float), false),
            (Cell::Value(&one), Cell::Value(&null), false),
        ];
        let hasher = DefaultHashBuilder::default();
        for (a, b, same) in pairs {
            assert_eq!(a.same(b), same, "{a:?} and {b:?}");
            if same {
                assert_eq!(
                    hash_of(&hasher, a),
                    hash_of(&hasher, b),
                    "{a:?} and {b:?} hash alike"
                );
            }
        }
    }
}
