//! What the checks found: each check's figures, each table's score and
//! grade, the run's, and how they read in a terminal.

use std::fmt::Write;

use crate::config::{CheckKind, Dimension, Severity};

/// One check's figures for one run (or one `sluice check`).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// The check's name.
    pub name: String,
    /// Its kind.
    pub kind: CheckKind,
    /// What it measures.
    pub dimension: Dimension,
    /// What a failure does.
    pub severity: Severity,
    /// Rows looked at.
    pub rows: u64,
    /// Rows that failed (0 or 1 for freshness, volume and drift).
    pub failing: u64,
    /// The allowance, as configured (`2%`, `10`, `6h`, …).
    pub threshold: String,
    /// Whether it stayed within its allowance.
    pub passed: bool,
    /// Its unit score (see [`super::score`]).
    pub unit: f64,
    /// A short account of what was measured.
    pub detail: String,
    /// A few failing rows, as JSON.
    pub samples: Vec<String>,
    /// The column's count, mean and standard deviation (drift checks),
    /// kept for the next run's comparison.
    pub stats: Option<ColumnStats>,
}

/// A numeric column's figures in one run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ColumnStats {
    /// Values seen.
    pub count: u64,
    /// Their mean.
    pub mean: f64,
    /// Their standard deviation.
    pub stddev: f64,
}

/// One table's checks, score and grade.
#[derive(Debug, Clone, PartialEq)]
pub struct TableReport {
    /// The table.
    pub table: String,
    /// Rows the run produced for it (or rows in it, for `sluice check`).
    pub rows: u64,
    /// The checks, in config order.
    pub checks: Vec<CheckOutcome>,
    /// The severity-weighted score, 0 to 1.
    pub score: f64,
    /// The grade, `A` to `F`.
    pub grade: char,
    /// Why the grade is forced to F, when it is.
    pub gate: Option<String>,
}

/// A run's quality: every table's report and the run's own score.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityReport {
    /// Per table, in the order the checks are configured.
    pub tables: Vec<TableReport>,
    /// The run's score over every check of every table.
    pub score: f64,
    /// The run's grade.
    pub grade: char,
    /// The pipeline's `min_grade`, when it has one.
    pub min_grade: Option<char>,
}

impl QualityReport {
    /// Whether the run's grade is below the pipeline's `min_grade`.
    pub fn below_min_grade(&self) -> bool {
        self.min_grade
            .is_some_and(|min| super::score::below(self.grade, min))
    }

    /// The failed checks whose severity fails the run.
    pub fn failing_run(&self) -> Vec<String> {
        self.failed_with(|s| s == Severity::FailRun)
    }

    /// The failed table-level checks whose severity fails a batch: their
    /// table's data is loaded already, so the run is partial.
    pub fn failing_batch(&self) -> Vec<String> {
        self.tables
            .iter()
            .flat_map(|t| t.checks.iter().map(move |c| (t, c)))
            .filter(|(_, c)| {
                !c.passed && c.severity == Severity::FailBatch && !c.kind.is_row_level()
            })
            .map(|(t, c)| format!("{}.{}", t.table, c.name))
            .collect()
    }

    fn failed_with(&self, severity: impl Fn(Severity) -> bool) -> Vec<String> {
        self.tables
            .iter()
            .flat_map(|t| t.checks.iter().map(move |c| (t, c)))
            .filter(|(_, c)| !c.passed && severity(c.severity))
            .map(|(t, c)| format!("{}.{}", t.table, c.name))
            .collect()
    }

    /// The report as the run summary, `sluice runs show` and `sluice
    /// check` print it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let min = self
            .min_grade
            .map(|m| format!(" (min_grade {m})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "quality: grade {} (score {:.3}){min}",
            self.grade, self.score
        );
        for table in &self.tables {
            let gate = table
                .gate
                .as_ref()
                .map(|g| format!(" — forced F: {g}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}: grade {} (score {:.3}, {} rows){gate}",
                table.table, table.grade, table.score, table.rows
            );
            for check in &table.checks {
                let _ = writeln!(
                    out,
                    "    {} {:<24} {:<12} {:<11} {:<10} {} (max {}) unit {:.3}",
                    if check.passed { "ok  " } else { "FAIL" },
                    check.name,
                    check.kind.as_str(),
                    check.dimension.as_str(),
                    check.severity.as_str(),
                    check.detail,
                    check.threshold,
                    check.unit
                );
                if let Some(sample) = check.samples.first() {
                    let _ = writeln!(out, "         e.g. {}", shorten(sample, SAMPLE_WIDTH));
                }
            }
        }
        out
    }
}

/// How much of a failing row's JSON a report line shows.
const SAMPLE_WIDTH: usize = 160;

/// `text` cut to `width` characters, with `…` when cut.
fn shorten(text: &str, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
