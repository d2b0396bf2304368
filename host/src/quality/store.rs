//! Quality reports in the database (`quality_reports`, `quality_checks`):
//! written once per run, read back by `sluice runs show`, the dashboard,
//! and the next run's volume and drift checks.

use crate::config::{CheckKind, Dimension, Severity};
use crate::db::{DbError, Exec, Value};
use crate::state::RunId;

use super::report::{CheckOutcome, ColumnStats, QualityReport, TableReport};

/// The `table_name` the run's own score is stored under.
pub const RUN_ROW: &str = "*";

/// Stores `report` as run `run_id`'s.
pub async fn save(
    db: &mut impl Exec,
    run_id: RunId,
    pipeline: &str,
    report: &QualityReport,
) -> Result<(), DbError> {
    let now = crate::db::now_timestamp();
    let insert_report = "INSERT INTO quality_reports \
        (run_id, pipeline, table_name, rows_checked, score, grade, gate, created_at) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    let run_row = [(RUN_ROW, rows, report.score, report.grade, None)];
    let table_rows = report.tables.iter().map(|t| {
        (
            t.table.as_str(),
            t.rows,
            t.score,
            t.grade,
            t.gate.as_deref(),
        )
    });
    for (table, rows, score, grade, gate) in run_row.into_iter().chain(table_rows) {
        db.execute(
            insert_report,
            vec![
                run_id.into(),
                pipeline.into(),
                table.into(),
                count(rows),
                Value::Float(score),
                grade.to_string().into(),
                gate.map_or(Value::Null, Value::from),
                now.as_str().into(),
            ],
        )
        .await
        .map_err(DbError::query("storing the quality report"))?;
    }
    for table in &report.tables {
        for check in &table.checks {
            let stats = check.stats;
            db.execute(
                "INSERT INTO quality_checks (run_id, table_name, name, kind, dimension, \
                 severity, rows_checked, failing, threshold, passed, unit_score, detail, \
                 samples, stat_count, stat_mean, stat_stddev) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    run_id.into(),
                    table.table.as_str().into(),
                    check.name.as_str().into(),
                    check.kind.as_str().into(),
                    check.dimension.as_str().into(),
                    check.severity.as_str().into(),
                    count(check.rows),
                    count(check.failing),
                    check.threshold.as_str().into(),
                    i64::from(check.passed).into(),
                    Value::Float(check.unit),
                    check.detail.as_str().into(),
                    serde_json::to_string(&check.samples)
                        .unwrap_or_default()
                        .into(),
                    stats.map_or(Value::NullInt, |s| count(s.count)),
                    stats.map_or(Value::NullFloat, |s| Value::Float(s.mean)),
                    stats.map_or(Value::NullFloat, |s| Value::Float(s.stddev)),
                ],
            )
            .await
            .map_err(DbError::query("storing a quality check"))?;
        }
    }
    Ok(())
}

fn count(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn int(value: Option<&Value>) -> u64 {
    match value {
        Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

fn float(value: Option<&Value>) -> f64 {
    match value {
        Some(Value::Float(f)) => *f,
        Some(Value::Int(n)) => *n as f64,
        _ => 0.0,
    }
}

fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

/// The row counts of `table` in the last `runs` graded runs of `pipeline`
/// before `run_id`, newest first.
pub async fn previous_rows(
    db: &mut impl Exec,
    pipeline: &str,
    table: &str,
    before: RunId,
    runs: u32,
) -> Result<Vec<u64>, DbError> {
    let rows = db
        .fetch(
            "SELECT rows_checked FROM quality_reports \
             WHERE pipeline = ? AND table_name = ? AND run_id < ? \
             ORDER BY run_id DESC LIMIT ?",
            vec![
                pipeline.into(),
                table.into(),
                before.into(),
                i64::from(runs).into(),
            ],
        )
        .await
        .map_err(DbError::query("reading earlier quality reports"))?;
    Ok(rows.iter().map(|r| int(r.first())).collect())
}

/// The column figures a drift check stored in the last run of `pipeline`
/// before `run_id` that stored any.
pub async fn previous_stats(
    db: &mut impl Exec,
    pipeline: &str,
    table: &str,
    check: &str,
    before: RunId,
) -> Result<Option<ColumnStats>, DbError> {
    let rows = db
        .fetch(
            "SELECT c.stat_count, c.stat_mean, c.stat_stddev FROM quality_checks c \
             JOIN quality_reports r ON r.run_id = c.run_id AND r.table_name = c.table_name \
             WHERE r.pipeline = ? AND c.table_name = ? AND c.name = ? AND c.run_id < ? \
             AND c.stat_count > 0 ORDER BY c.run_id DESC LIMIT 1",
            vec![pipeline.into(), table.into(), check.into(), before.into()],
        )
        .await
        .map_err(DbError::query("reading the previous run's column figures"))?;
    Ok(rows.first().map(|r| ColumnStats {
        count: int(r.first()),
        mean: float(r.get(1)),
        stddev: float(r.get(2)),
    }))
}

/// The report stored for run `run_id`, if it was graded.
pub async fn load(db: &mut impl Exec, run_id: RunId) -> Result<Option<QualityReport>, DbError> {
    let reports = db
        .fetch(
            "SELECT table_name, rows_checked, score, grade, gate FROM quality_reports \
             WHERE run_id = ? ORDER BY table_name",
            vec![run_id.into()],
        )
        .await
        .map_err(DbError::query("reading the quality report"))?;
    if reports.is_empty() {
        return Ok(None);
    }
    let checks = db
        .fetch(
            "SELECT table_name, name, kind, dimension, severity, rows_checked, failing, \
             threshold, passed, unit_score, detail, samples FROM quality_checks \
             WHERE run_id = ? ORDER BY table_name, name",
            vec![run_id.into()],
        )
        .await
        .map_err(DbError::query("reading the quality checks"))?;
    let mut report = QualityReport {
        tables: Vec::new(),
        score: 1.0,
        grade: 'A',
        min_grade: None,
    };
    for row in &reports {
        let table = text(row.first());
        let grade = text(row.get(3)).chars().next().unwrap_or('F');
        if table == RUN_ROW {
            report.score = float(row.get(2));
            report.grade = grade;
            continue;
        }
        let outcomes = checks
            .iter()
            .filter(|c| text(c.first()) == table)
            .filter_map(|c| {
                Some(CheckOutcome {
                    name: text(c.get(1)),
                    kind: parse_kind(&text(c.get(2)))?,
                    dimension: parse_dimension(&text(c.get(3)))?,
                    severity: parse_severity(&text(c.get(4)))?,
                    rows: int(c.get(5)),
                    failing: int(c.get(6)),
                    threshold: text(c.get(7)),
                    passed: int(c.get(8)) == 1,
                    unit: float(c.get(9)),
                    detail: text(c.get(10)),
                    samples: serde_json::from_str(&text(c.get(11))).unwrap_or_default(),
                    stats: None,
                })
            })
            .collect();
        report.tables.push(TableReport {
            table,
            rows: int(row.get(1)),
            checks: outcomes,
            score: float(row.get(2)),
            grade,
            gate: match row.get(4) {
                Some(Value::Text(g)) => Some(g.clone()),
                _ => None,
            },
        });
    }
    Ok(Some(report))
}

/// The latest grade of every table graded, with its score and run:
/// `(table, grade, score, run_id)`, by table name.
pub async fn latest_grades(db: &mut impl Exec) -> Result<Vec<(String, char, f64, RunId)>, DbError> {
    let rows = db
        .fetch(
            "SELECT r.table_name, r.grade, r.score, r.run_id FROM quality_reports r \
             WHERE r.table_name <> ? AND r.run_id = \
             (SELECT MAX(l.run_id) FROM quality_reports l WHERE l.table_name = r.table_name) \
             ORDER BY r.table_name",
            vec![RUN_ROW.into()],
        )
        .await
        .map_err(DbError::query("reading the latest quality grades"))?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                text(r.first()),
                text(r.get(1)).chars().next().unwrap_or('F'),
                float(r.get(2)),
                match r.get(3) {
                    Some(Value::Int(n)) => *n,
                    _ => 0,
                },
            )
        })
        .collect())
}

fn parse_kind(text: &str) -> Option<CheckKind> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

fn parse_dimension(text: &str) -> Option<Dimension> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

fn parse_severity(text: &str) -> Option<Severity> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}
