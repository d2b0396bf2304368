//! `GET /quality`: the latest quality grade of every table graded.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::{ApiError, conn, db_error};
use crate::serve::state::AppState;

/// A table's latest grade.
#[derive(Debug, Serialize)]
pub struct TableGrade {
    /// The table.
    pub table: String,
    /// `A` to `F`.
    pub grade: String,
    /// The score, 0 to 1.
    pub score: f64,
    /// The run that graded it.
    pub run_id: i64,
}

/// The latest grade per table, by table name (one bounded query).
pub async fn latest(State(state): State<AppState>) -> Result<Json<Vec<TableGrade>>, ApiError> {
    let mut conn = conn(&state).await?;
    let grades = crate::quality::store::latest_grades(&mut conn)
        .await
        .map_err(db_error)?;
    Ok(Json(
        grades
            .into_iter()
            .map(|(table, grade, score, run_id)| TableGrade {
                table,
                grade: grade.to_string(),
                score,
                run_id,
            })
            .collect(),
    ))
}
