//! Turns a run's tally and the database's answers into a graded report:
//! each check's figures and unit score, each table's score and grade, the
//! run's.

use std::collections::BTreeMap;

use crate::config::{CheckConfig, CheckKind, Threshold};
use crate::db::{DbError, Exec};
use crate::state::RunId;

use super::plan::{QualityPlan, RunTally, TableTally};
use super::report::{CheckOutcome, QualityReport, TableReport};
use super::row_checks::allowed;
use super::score;
use super::table_checks::{self, Found};

/// Grades run `run_id` of `pipeline`: the tallied row-level checks, the
/// table-level checks of every table the run produced rows for (one
/// aggregate query each), volume and drift against earlier runs; and the
/// tables its file and database sources wrote (`loaded`: rows per table),
/// whose rows no batch tallied, judged over the table as `sluice check`
/// judges it.
pub async fn grade_run(
    db: &mut impl Exec,
    plan: &QualityPlan,
    tally: &RunTally,
    loaded: &BTreeMap<String, u64>,
    run_id: RunId,
    pipeline: &str,
) -> Result<QualityReport, DbError> {
    let mut tables = Vec::new();
    for (table, rows) in loaded {
        if tally.tables.contains_key(table) {
            continue;
        }
        if let Some(report) = grade_loaded(db, plan, table, *rows, run_id, pipeline).await? {
            tables.push(report);
        }
    }
    for (table, figures) in &tally.tables {
        let checks: Vec<(usize, &CheckConfig)> = plan.checks_of(table).collect();
        if checks.is_empty() && figures.null_keys == 0 {
            continue;
        }
        let in_db: Vec<&CheckConfig> = checks
            .iter()
            .map(|(_, c)| *c)
            .filter(|c| table_checks::in_database(c, false))
            .collect();
        let (loaded, found) = if in_db.is_empty() {
            (0, Vec::new())
        } else {
            table_checks::run(db, table, &in_db).await?
        };
        let mut found = found.into_iter();
        let mut outcomes = Vec::new();
        for (index, check) in &checks {
            let outcome = if table_checks::in_database(check, false) {
                let Some(found) = found.next() else { continue };
                from_database(check, loaded, found)
            } else {
                match check.check {
                    CheckKind::Volume => {
                        let runs = check.runs.unwrap_or(5);
                        let earlier =
                            super::store::previous_rows(db, pipeline, table, run_id, runs).await?;
                        volume(check, figures.rows, &earlier)
                    }
                    CheckKind::Drift => {
                        let previous =
                            super::store::previous_stats(db, pipeline, table, &check.name, run_id)
                                .await?;
                        drift(check, figures, *index, previous)
                    }
                    _ => tallied(check, figures, *index),
                }
            };
            outcomes.push(outcome);
        }
        let gate =
            (figures.null_keys > 0).then(|| format!("{} rows with a null key", figures.null_keys));
        tables.push(table_report(plan, table, figures.rows, outcomes, gate));
    }
    Ok(run_report(plan, tables))
}

/// A table a source loaded outside the batches: every check the database
/// can judge over the table, and volume against the rows this run wrote;
/// the row-level kinds only a batch can judge (regex, outliers, drift,
/// plugin) are left to the run's log, not failed.
async fn grade_loaded(
    db: &mut impl Exec,
    plan: &QualityPlan,
    table: &str,
    rows: u64,
    run_id: RunId,
    pipeline: &str,
) -> Result<Option<TableReport>, DbError> {
    let checks: Vec<&CheckConfig> = plan.checks_of(table).map(|(_, c)| c).collect();
    if checks.is_empty() {
        return Ok(None);
    }
    let in_db: Vec<&CheckConfig> = checks
        .iter()
        .copied()
        .filter(|c| table_checks::in_database(c, true))
        .collect();
    let (loaded, found) = if in_db.is_empty() {
        (0, Vec::new())
    } else {
        table_checks::run(db, table, &in_db).await?
    };
    let mut outcomes: Vec<CheckOutcome> = in_db
        .iter()
        .zip(found)
        .map(|(check, found)| from_database(check, loaded, found))
        .collect();
    for check in checks {
        match check.check {
            CheckKind::Volume => {
                let runs = check.runs.unwrap_or(5);
                let earlier =
                    super::store::previous_rows(db, pipeline, table, run_id, runs).await?;
                outcomes.push(volume(check, rows, &earlier));
            }
            _ if table_checks::in_database(check, true) => {}
            kind => tracing::warn!(
                table,
                check = %check.name,
                kind = ?kind,
                "a source's table is judged over its loaded rows: this kind of check needs batches and is not judged"
            ),
        }
    }
    // The table's rows from this run, as a stream's table reports its
    // batches' rows: what the next run's volume check compares with.
    Ok(Some(table_report(plan, table, rows, outcomes, None)))
}

/// `sluice check`: every check of `table` the database can judge, over
/// what is loaded, as one aggregate query.
pub async fn check_table(
    db: &mut impl Exec,
    plan: &QualityPlan,
    table: &str,
) -> Result<QualityReport, DbError> {
    let checks: Vec<&CheckConfig> = plan
        .checks_of(table)
        .map(|(_, c)| c)
        .filter(|c| table_checks::in_database(c, true))
        .collect();
    let (rows, found) = table_checks::run(db, table, &checks).await?;
    let outcomes = checks
        .iter()
        .zip(found)
        .map(|(check, found)| from_database(check, rows, found))
        .collect();
    Ok(run_report(
        plan,
        vec![table_report(plan, table, rows, outcomes, None)],
    ))
}

fn table_report(
    plan: &QualityPlan,
    table: &str,
    rows: u64,
    checks: Vec<CheckOutcome>,
    gate: Option<String>,
) -> TableReport {
    let score = score::weighted(checks.iter().map(|c| (c.severity, c.unit)));
    // Data past its freshness limit is a hard gate, like a null key.
    let gate = gate.or_else(|| {
        checks
            .iter()
            .find(|c| c.kind == CheckKind::Freshness && !c.passed)
            .map(|c| format!("`{}`: data past its freshness limit", c.name))
    });
    TableReport {
        table: table.to_string(),
        rows,
        grade: score::grade(score, plan.bands(), gate.is_some()),
        score,
        checks,
        gate,
    }
}

fn run_report(plan: &QualityPlan, tables: Vec<TableReport>) -> QualityReport {
    let score = score::weighted(
        tables
            .iter()
            .flat_map(|t| t.checks.iter().map(|c| (c.severity, c.unit))),
    );
    let gated = tables.iter().any(|t| t.gate.is_some());
    QualityReport {
        grade: score::grade(score, plan.bands(), gated),
        score,
        tables,
        min_grade: plan.min_grade(),
    }
}

fn outcome(
    check: &CheckConfig,
    rows: u64,
    failing: u64,
    used: f64,
    detail: String,
) -> CheckOutcome {
    CheckOutcome {
        name: check.name.clone(),
        kind: check.check,
        dimension: check.dimension(),
        severity: check.severity,
        rows,
        failing,
        threshold: check.max_failing.unwrap_or_default().to_string(),
        passed: used <= 1.0,
        unit: score::unit(used),
        detail,
        samples: Vec::new(),
        stats: None,
    }
}

/// A rows-failing outcome under the check's `max_failing`.
fn failing_rows(check: &CheckConfig, rows: u64, failing: u64) -> CheckOutcome {
    let threshold = check.max_failing.unwrap_or_default();
    let used = score::used(failing as f64, allowed(threshold, rows));
    let share = if rows == 0 {
        0.0
    } else {
        failing as f64 / rows as f64
    };
    let detail = format!("{failing} of {rows} rows failed ({:.1}%)", share * 100.0);
    outcome(check, rows, failing, used, detail)
}

fn tallied(check: &CheckConfig, tally: &TableTally, index: usize) -> CheckOutcome {
    let figures = tally.checks.get(&index).cloned().unwrap_or_default();
    let mut out = failing_rows(check, figures.rows, figures.failing);
    out.samples = figures.samples;
    out
}

fn from_database(check: &CheckConfig, rows: u64, found: Found) -> CheckOutcome {
    match found {
        Found::Failing(failing) => failing_rows(check, rows, failing),
        Found::Age(age) => {
            let limit = check.max_age.map_or(0.0, |d| d.0.as_secs_f64());
            let used = match age {
                Some(age) if limit > 0.0 => age / limit,
                _ => f64::INFINITY,
            };
            let detail = match (age, check.stream.as_deref()) {
                (Some(age), None) => format!("newest value {} old", humanize(age)),
                (None, None) => "no value at all".to_string(),
                (Some(age), Some(stream)) => {
                    format!("last success of {stream} {} ago", humanize(age))
                }
                (None, Some(stream)) => format!("{stream} never succeeded"),
            };
            let mut out = outcome(check, rows, u64::from(used > 1.0), used, detail);
            out.threshold = check
                .max_age
                .map(|d| humanize(d.0.as_secs_f64()))
                .unwrap_or_default();
            out
        }
    }
}

fn volume(check: &CheckConfig, rows: u64, earlier: &[u64]) -> CheckOutcome {
    let tolerance = check.tolerance_share();
    let mut out = if earlier.is_empty() {
        outcome(
            check,
            rows,
            0,
            0.0,
            format!("{rows} rows; no earlier run to compare"),
        )
    } else {
        let mean = earlier.iter().sum::<u64>() as f64 / earlier.len() as f64;
        let deviation = if mean == 0.0 {
            if rows == 0 { 0.0 } else { 1.0 }
        } else {
            (rows as f64 - mean).abs() / mean
        };
        let used = score::used(deviation, tolerance);
        let detail = format!(
            "{rows} rows against a mean of {mean:.1} over {} runs ({:+.1}%)",
            earlier.len(),
            if mean == 0.0 {
                0.0
            } else {
                (rows as f64 - mean) / mean * 100.0
            }
        );
        outcome(check, rows, u64::from(used > 1.0), used, detail)
    };
    out.threshold = format!("±{}", Threshold::Fraction(tolerance));
    out
}

fn drift(
    check: &CheckConfig,
    tally: &TableTally,
    index: usize,
    previous: Option<super::report::ColumnStats>,
) -> CheckOutcome {
    let stats = tally
        .drift
        .get(&index)
        .map(|m| m.stats())
        .unwrap_or_default();
    let max_shift = check.max_shift.unwrap_or(3.0);
    let mut out = match previous {
        Some(before) if stats.count > 0 => {
            let shift = if before.stddev > 0.0 {
                (stats.mean - before.mean).abs() / before.stddev
            } else if stats.mean == before.mean {
                0.0
            } else {
                f64::INFINITY
            };
            let detail = format!(
                "mean {:.3} against {:.3} (sd {:.3}): {shift:.2} sd",
                stats.mean, before.mean, before.stddev
            );
            outcome(
                check,
                stats.count,
                u64::from(shift > max_shift),
                shift / max_shift,
                detail,
            )
        }
        _ => outcome(
            check,
            stats.count,
            0,
            0.0,
            format!("mean {:.3}; no earlier run to compare", stats.mean),
        ),
    };
    out.threshold = format!("{max_shift} sd");
    out.stats = Some(stats);
    out
}

/// Seconds as `3h 20m`-style text.
fn humanize(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "forever".to_string();
    }
    humantime::format_duration(std::time::Duration::from_secs(seconds as u64)).to_string()
}
