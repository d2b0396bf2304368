//! `GET /alerts`: the alerts firing now, newest first, read straight from
//! `sluice_alerts`.

use axum::Json;
use axum::extract::State;

use super::{ApiError, conn, db_error};
use crate::db::row::{opt_text, text};
use crate::db::{DbError, Exec};
use crate::serve::state::AppState;

/// Most alerts one answer lists.
const MAX_ALERTS: i64 = 200;

/// One firing alert.
#[derive(Debug, serde::Serialize)]
pub struct FiringAlert {
    rule: String,
    subject: String,
    message: String,
    fired_at: String,
    last_sent_at: Option<String>,
}

/// The firing alerts, newest first.
pub async fn firing(State(state): State<AppState>) -> Result<Json<Vec<FiringAlert>>, ApiError> {
    let mut conn = conn(&state).await?;
    let rows = conn
        .fetch(
            "SELECT rule, subject, message, fired_at, last_sent_at FROM sluice_alerts \
             WHERE state = 'firing' ORDER BY fired_at DESC, rule, subject LIMIT ?",
            vec![MAX_ALERTS.into()],
        )
        .await
        .map_err(|e| db_error(DbError::query("reading the firing alerts")(e)))?;
    let what = "firing alert";
    rows.iter()
        .map(|r| {
            Ok(FiringAlert {
                rule: text(r, 0, what)?,
                subject: text(r, 1, what)?,
                message: text(r, 2, what)?,
                fired_at: text(r, 3, what)?,
                last_sent_at: opt_text(r, 4, what)?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()
        .map(Json)
        .map_err(db_error)
}
