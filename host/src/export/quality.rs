//! The latest quality report stored for a table (`quality_reports`,
//! `quality_checks`, written by each graded run), as the HTML and Markdown
//! reports show it.

use crate::db::{Conn, DbError, Exec, row};

/// A table's grade in its latest graded run, and that run's checks.
#[derive(Debug, Clone)]
pub struct TableQuality {
    /// The run that graded it.
    pub run_id: i64,
    /// When the report was stored.
    pub at: String,
    /// Rows the checks looked at.
    pub rows_checked: i64,
    /// Score, 0 to 1.
    pub score: f64,
    /// Grade, `A` to `F`.
    pub grade: String,
    /// The checks, by name.
    pub checks: Vec<CheckLine>,
}

/// One check of a report.
#[derive(Debug, Clone)]
pub struct CheckLine {
    /// Its name in the config.
    pub name: String,
    /// Its dimension (completeness, validity, …).
    pub dimension: String,
    /// Whether it passed.
    pub passed: bool,
    /// Rows failing it.
    pub failing: i64,
    /// Rows it looked at.
    pub rows: i64,
    /// What it found, in words.
    pub detail: String,
}

/// The latest quality report of `table`, if a run graded it.
pub async fn latest(conn: &mut Conn, table: &str) -> Result<Option<TableQuality>, DbError> {
    let reports = conn
        .fetch(
            "SELECT run_id, created_at, rows_checked, score, grade FROM quality_reports \
             WHERE table_name = ? ORDER BY run_id DESC LIMIT 1",
            vec![table.into()],
        )
        .await
        .map_err(DbError::query("reading the table's latest quality report"))?;
    let Some(report) = reports.first() else {
        return Ok(None);
    };
    let what = "quality_reports";
    let run_id = row::int(report, 0, what)?;
    let checks = conn
        .fetch(
            "SELECT name, dimension, passed, failing, rows_checked, detail FROM quality_checks \
             WHERE run_id = ? AND table_name = ? ORDER BY name",
            vec![run_id.into(), table.into()],
        )
        .await
        .map_err(DbError::query("reading the table's quality checks"))?;
    let what = "quality_checks";
    Ok(Some(TableQuality {
        run_id,
        at: row::text(report, 1, "quality_reports")?,
        rows_checked: row::int(report, 2, "quality_reports")?,
        score: row::float(report, 3, "quality_reports")?,
        grade: row::text(report, 4, "quality_reports")?,
        checks: checks
            .iter()
            .map(|c| {
                Ok(CheckLine {
                    name: row::text(c, 0, what)?,
                    dimension: row::text(c, 1, what)?,
                    passed: row::int(c, 2, what)? != 0,
                    failing: row::int(c, 3, what)?,
                    rows: row::int(c, 4, what)?,
                    detail: row::text(c, 5, what)?,
                })
            })
            .collect::<Result<_, DbError>>()?,
    }))
}
