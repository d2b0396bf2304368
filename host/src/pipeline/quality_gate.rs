//! The end of a run's quality checks: its batches' tally and the
//! table-level checks graded, stored, counted, and what the grade means for
//! the run (a failed `fail_run` check or a grade below `min_grade` fails
//! it; a failed table-level `fail_batch` check makes it partial).

use std::collections::BTreeMap;

use super::concurrency::RunContext;
use super::{Failure, RunError, RunReport, Stores};
use crate::db::DbError;
use crate::files::{PreparedSource, SourceReport};
use crate::internal_events::{InternalEvent, QualityGraded, TableGraded};
use crate::quality::{QualityPlan, grade, store};
use crate::state::RunMode;

/// Grades the run into `report`; a real run's report is stored.
pub(super) async fn grade(
    stores: &Stores,
    plan: &QualityPlan,
    sources: &[PreparedSource],
    run: &RunContext,
    report: &mut RunReport,
) -> Result<(), DbError> {
    let tally = run.quality.tally();
    let loaded = source_tables(sources, &report.files);
    let mut conn = stores
        .state
        .pool()
        .acquire()
        .await
        .map_err(DbError::query("acquiring a connection"))?;
    let quality =
        grade::grade_run(&mut conn, plan, &tally, &loaded, run.run_id, &run.pipeline).await?;
    if run.options.mode == RunMode::Run {
        store::save(&mut conn, run.run_id, &run.pipeline, &quality).await?;
    }
    QualityGraded {
        pipeline: &run.pipeline,
        grade: quality.grade,
        score: quality.score,
        tables: quality
            .tables
            .iter()
            .map(|t| TableGraded {
                table: &t.table,
                score: t.score,
                failed: t
                    .checks
                    .iter()
                    .filter(|c| !c.passed)
                    .map(|c| (c.name.as_str(), c.severity.as_str(), c.detail.as_str()))
                    .collect(),
            })
            .collect(),
    }
    .emit();
    let checks = |names: Vec<String>| names.join(", ");
    let failing_run = quality.failing_run();
    if !failing_run.is_empty() {
        report.failures.push(Failure {
            stream_key: "quality".to_string(),
            quarantined: false,
            error: RunError::QualityRun(format!(
                "quality checks that fail the run failed: {}",
                checks(failing_run)
            )),
        });
    }
    let failing_batch = quality.failing_batch();
    if !failing_batch.is_empty() {
        report.failures.push(Failure {
            stream_key: "quality".to_string(),
            quarantined: true,
            error: RunError::QualityBatch(format!(
                "table-level quality checks failed: {}",
                checks(failing_batch)
            )),
        });
    }
    if quality.below_min_grade() {
        report.failures.push(Failure {
            stream_key: "quality".to_string(),
            quarantined: false,
            error: RunError::QualityRun(format!(
                "quality grade {} (score {:.3}) is below the pipeline's min_grade {}",
                quality.grade,
                quality.score,
                quality.min_grade.unwrap_or('F')
            )),
        });
    }
    report.quality = Some(quality);
    Ok(())
}

/// The tables the run's sources wrote, with the rows each holds from this
/// run (inserted, updated or unchanged); a source that loaded no file (or
/// no batch) is left out, as a stream that produced no batch is.
fn source_tables(sources: &[PreparedSource], reports: &[SourceReport]) -> BTreeMap<String, u64> {
    let mut tables = BTreeMap::new();
    for source in sources {
        let Some(report) = reports.iter().find(|r| r.source == source.key) else {
            continue;
        };
        if !report.loaded_any() {
            continue;
        }
        *tables.entry(source.config.table.clone()).or_insert(0) +=
            report.inserted + report.updated + report.unchanged;
    }
    tables
}
