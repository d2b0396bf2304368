//! What the quality checks found for a run.

use super::InternalEvent;

/// A run was graded: its grade logged, each table's score set as
/// `sluice_quality_score{pipeline,table}`, and each failed check logged and
/// counted in `sluice_quality_check_failures_total{check,table}`.
pub struct QualityGraded<'a> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// The run's grade.
    pub grade: char,
    /// The run's score.
    pub score: f64,
    /// Each table graded.
    pub tables: Vec<TableGraded<'a>>,
}

/// One table's part of a [`QualityGraded`].
pub struct TableGraded<'a> {
    /// The table.
    pub table: &'a str,
    /// Its score.
    pub score: f64,
    /// Its failed checks: name, severity and what was measured.
    pub failed: Vec<(&'a str, &'a str, &'a str)>,
}

impl InternalEvent for QualityGraded<'_> {
    fn emit(self) {
        tracing::info!(grade = %self.grade, score = self.score, "quality graded");
        for table in &self.tables {
            metrics::gauge!(
                "sluice_quality_score",
                "pipeline" => self.pipeline.to_string(),
                "table" => table.table.to_string()
            )
            .set(table.score);
            for (check, severity, detail) in &table.failed {
                tracing::warn!(
                    table = %table.table,
                    check = %check,
                    severity = %severity,
                    detail = %detail,
                    "quality check failed"
                );
                metrics::counter!(
                    "sluice_quality_check_failures_total",
                    "check" => check.to_string(),
                    "table" => table.table.to_string()
                )
                .increment(1);
            }
        }
    }
}
