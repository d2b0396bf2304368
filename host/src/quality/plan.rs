//! The checks of a config ready to run (patterns compiled, bands read),
//! and what a run's batches add up to before the run is graded.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use regex::Regex;

use super::QualityError;
use super::report::ColumnStats;
use super::row_checks::{self, Verdict};
use super::validators::Validators;
use crate::config::{CheckConfig, CheckKind, QualityConfig};
use crate::load::tables::{BatchRows, TableSpec};
use crate::model::Reject;

/// The configured checks, their compiled patterns, the bands and the
/// pipeline's lowest acceptable grade.
#[derive(Debug, Clone, Default)]
pub struct QualityPlan {
    checks: Vec<CheckConfig>,
    regexes: Vec<Option<Regex>>,
    bands: Vec<(char, f64)>,
    min_grade: Option<char>,
    validators: Validators,
}

impl QualityPlan {
    /// The plan of `config`'s `[quality]` with a pipeline's `min_grade`.
    pub fn new(config: &QualityConfig, min_grade: Option<&str>) -> Result<Self, QualityError> {
        for (i, check) in config.checks.iter().enumerate() {
            let Some(table) = canonical(&check.table) else {
                continue;
            };
            let named = check.column.iter().map(|c| (".column", c));
            let listed = check.columns.iter().map(|c| (".columns", c));
            if let Some((key, column)) = named.chain(listed).find(|(_, c)| !has_column(table, c)) {
                return Err(QualityError::Invalid {
                    key: format!("quality.checks[{i}]{key}"),
                    message: format!("table `{}` has no column `{column}`", check.table),
                });
            }
        }
        let regexes = config
            .checks
            .iter()
            .map(|check| match &check.pattern {
                Some(pattern) if check.check == CheckKind::Regex => Regex::new(pattern)
                    .map(Some)
                    .map_err(|e| QualityError::Pattern {
                        check: check.name.clone(),
                        message: e.to_string(),
                    }),
                _ => Ok(None),
            })
            .collect::<Result<_, _>>()?;
        Ok(QualityPlan {
            checks: config.checks.clone(),
            regexes,
            bands: config.bands(),
            min_grade: min_grade.and_then(|g| g.chars().next()),
            validators: Validators::default(),
        })
    }

    /// This plan with the validators of its `plugin` checks loaded from
    /// `plugin_dir`: a run judges rows with them; `sluice check`, which
    /// judges what is loaded, has no need of them.
    pub fn with_validators(
        mut self,
        engine: &crate::plugin::PluginEngine,
        plugin_dir: &std::path::Path,
    ) -> Result<Self, QualityError> {
        self.validators = Validators::load(self.checks(), engine, plugin_dir)?;
        Ok(self)
    }

    /// The validator of `plugin` check `index`, once loaded.
    pub fn validator(&self, index: usize) -> Option<&crate::plugin::ValidatorPlugin> {
        self.validators.get(index)
    }

    /// Whether no check is configured (and no grade asked for).
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty() && self.min_grade.is_none()
    }

    /// Every check, with its index.
    pub fn checks(&self) -> impl Iterator<Item = (usize, &CheckConfig)> {
        self.checks.iter().enumerate()
    }

    /// The checks of `table`, with their indexes.
    pub fn checks_of<'a>(
        &'a self,
        table: &'a str,
    ) -> impl Iterator<Item = (usize, &'a CheckConfig)> + 'a {
        self.checks().filter(move |(_, c)| c.table == table)
    }

    /// The checks of `table` computed from the batch's rows in memory:
    /// the row-level ones, and drift's column figures.
    pub fn in_memory<'a>(
        &'a self,
        table: &'a str,
    ) -> impl Iterator<Item = (usize, &'a CheckConfig)> + 'a {
        self.checks_of(table)
            .filter(|(_, c)| c.check.is_row_level() || c.check == CheckKind::Drift)
    }

    /// The compiled pattern of check `index`.
    pub fn regex(&self, index: usize) -> Option<&Regex> {
        self.regexes.get(index).and_then(Option::as_ref)
    }

    /// The grade bands, best first.
    pub fn bands(&self) -> &[(char, f64)] {
        &self.bands
    }

    /// The pipeline's lowest acceptable grade.
    pub fn min_grade(&self) -> Option<char> {
        self.min_grade
    }
}

/// Running sums of a numeric column.
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    count: u64,
    sum: f64,
    squares: f64,
}

impl Moments {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        self.squares += x * x;
    }

    /// Adds every value `other` holds.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum += other.sum;
        self.squares += other.squares;
    }

    /// Count, mean and (population) standard deviation.
    pub fn stats(&self) -> ColumnStats {
        if self.count == 0 {
            return ColumnStats::default();
        }
        let n = self.count as f64;
        let mean = self.sum / n;
        ColumnStats {
            count: self.count,
            mean,
            stddev: (self.squares / n - mean * mean).max(0.0).sqrt(),
        }
    }
}

/// One row-level check's figures over a run's batches.
#[derive(Debug, Clone, Default)]
pub struct CheckFigures {
    /// Rows judged.
    pub rows: u64,
    /// Rows that failed.
    pub failing: u64,
    /// The first failing rows, as JSON.
    pub samples: Vec<String>,
}

/// What a run's batches of one table added up to.
#[derive(Debug, Clone, Default)]
pub struct TableTally {
    /// Rows the batches had.
    pub rows: u64,
    /// Rows with a NULL key part.
    pub null_keys: u64,
    /// Row-level checks' figures, by check index.
    pub checks: BTreeMap<usize, CheckFigures>,
    /// Drift checks' column sums, by check index.
    pub drift: BTreeMap<usize, Moments>,
}

impl TableTally {
    /// The figures of check `index`.
    pub fn check(&mut self, index: usize) -> &mut CheckFigures {
        self.checks.entry(index).or_default()
    }

    /// The column sums of drift check `index`.
    pub fn drift(&mut self, index: usize) -> &mut Moments {
        self.drift.entry(index).or_default()
    }
}

/// What a run's batches added up to, per table.
#[derive(Debug, Clone, Default)]
pub struct RunTally {
    /// By table name.
    pub tables: BTreeMap<String, TableTally>,
}

impl RunTally {
    /// The tally of `table`.
    pub fn table(&mut self, table: &str) -> &mut TableTally {
        self.tables.entry(table.to_string()).or_default()
    }
}

/// A run's plan and tally, shared by its streams.
#[derive(Debug, Default)]
pub struct RunQuality {
    plan: Arc<QualityPlan>,
    tally: Mutex<RunTally>,
}

impl RunQuality {
    /// A fresh tally for a run under `plan`.
    pub fn new(plan: Arc<QualityPlan>) -> Self {
        RunQuality {
            plan,
            tally: Mutex::new(RunTally::default()),
        }
    }

    /// The plan.
    pub fn plan(&self) -> &QualityPlan {
        &self.plan
    }

    /// Judges a batch's rows (see [`row_checks::check_batch`]).
    pub fn check_batch(&self, rows: &mut BatchRows, rejects: &mut Vec<Reject>) -> Verdict {
        if self.plan.is_empty() {
            return Verdict::Load;
        }
        let mut tally = self
            .tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        row_checks::check_batch(&self.plan, rows, rejects, &mut tally)
    }

    /// What the run's batches added up to.
    pub fn tally(&self) -> RunTally {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The canonical table named `name`, if it is one.
fn canonical(name: &str) -> Option<&'static TableSpec> {
    crate::load::tables::ALL
        .iter()
        .copied()
        .find(|t| t.name == name)
}

/// Whether a canonical table has `column`.
fn has_column(table: &TableSpec, column: &str) -> bool {
    column == "provider"
        || table.key.contains(&column)
        || table.content.contains(&column)
        || crate::load::tables::PROVENANCE_COLUMNS.contains(&column)
        || matches!(column, "created_at" | "updated_at")
}
