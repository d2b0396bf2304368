//! What the quality checks found for a run.

use super::InternalEvent;
use crate::quality::QualityReport;

/// A run was graded: its grade logged, each table's score set as
/// `sluice_quality_score{pipeline,table}`, and each failed check counted in
/// `sluice_quality_check_failures_total{check,table}`.
pub struct QualityGraded<'a> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// The report.
    pub report: &'a QualityReport,
}

impl InternalEvent for QualityGraded<'_> {
    fn emit(self) {
        tracing::info!(
            grade = %self.report.grade,
            score = self.report.score,
            "quality graded"
        );
        for table in &self.report.tables {
            metrics::gauge!(
                "sluice_quality_score",
                "pipeline" => self.pipeline.to_string(),
                "table" => table.table.clone()
            )
            .set(table.score);
            for check in table.checks.iter().filter(|c| !c.passed) {
                tracing::warn!(
                    table = %table.table,
                    check = %check.name,
                    severity = check.severity.as_str(),
                    detail = %check.detail,
                    "quality check failed"
                );
                metrics::counter!(
                    "sluice_quality_check_failures_total",
                    "check" => check.name.clone(),
                    "table" => table.table.clone()
                )
                .increment(1);
            }
        }
    }
}
