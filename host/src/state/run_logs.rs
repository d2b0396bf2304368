//! `sluice_run_logs`: a run's log lines, kept in the database so `sluice
//! logs --run ID` and `sluice runs show ID` can tell what happened long
//! after the terminal is gone. A run keeps at most its bound of lines, then
//! one line saying how many more were dropped.

use super::RunId;
use crate::db::row::{int, text};
use crate::db::{DbError, Exec, Value};

/// One stored log line of a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunLogLine {
    /// The run it belongs to.
    pub run_id: RunId,
    /// Its place in the run, from 1.
    pub seq: i64,
    /// When it was written (`now_timestamp` form).
    pub at: String,
    /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: String,
    /// The message.
    pub message: String,
    /// The event's and its spans' fields, as a JSON object.
    pub fields: String,
}

/// Stores `lines` (each with its own run and seq); a line whose place is
/// already taken is left as it is, so writing a batch again changes nothing.
pub async fn insert(db: &mut impl Exec, lines: &[RunLogLine]) -> Result<(), DbError> {
    for line in lines {
        db.execute(
            "INSERT INTO sluice_run_logs (run_id, seq, at, level, message, fields) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (run_id, seq) DO NOTHING",
            vec![
                line.run_id.into(),
                line.seq.into(),
                line.at.as_str().into(),
                line.level.as_str().into(),
                line.message.as_str().into(),
                line.fields.as_str().into(),
            ],
        )
        .await
        .map_err(DbError::query("storing the run's log lines"))?;
    }
    Ok(())
}

/// Stores, or updates in place, the line that closes a run's log once its
/// bound is reached: it sits at `seq` (the bound plus one) and says how
/// many lines were not kept.
pub async fn record_dropped(
    db: &mut impl Exec,
    run_id: RunId,
    seq: i64,
    at: &str,
    dropped: u64,
) -> Result<(), DbError> {
    let message = format!(
        "{dropped} more log line{} of this run not kept ([serve] log_lines_per_run)",
        if dropped == 1 { "" } else { "s" }
    );
    let fields = serde_json::json!({ "dropped": dropped }).to_string();
    db.execute(
        "INSERT INTO sluice_run_logs (run_id, seq, at, level, message, fields) VALUES (?, ?, ?, 'WARN', ?, ?) \
         ON CONFLICT (run_id, seq) DO UPDATE SET at = excluded.at, message = excluded.message, fields = excluded.fields",
        vec![
            run_id.into(),
            seq.into(),
            at.into(),
            message.into(),
            fields.into(),
        ],
    )
    .await
    .map_err(DbError::query("storing how many of the run's log lines were dropped"))?;
    Ok(())
}

/// The levels at least as severe as `level` (`error` … `trace`), for a
/// filter; `None` when `level` names none of them.
pub fn levels_from(level: &str) -> Option<&'static [&'static str]> {
    const ALL: [&str; 5] = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];
    let at = ALL.iter().position(|l| l.eq_ignore_ascii_case(level))?;
    Some(&ALL[..=at])
}

/// The last `limit` lines of run `run_id` at `levels` (all when `None`),
/// oldest first.
pub async fn of_run(
    db: &mut impl Exec,
    run_id: RunId,
    levels: Option<&[&str]>,
    limit: i64,
) -> Result<Vec<RunLogLine>, DbError> {
    let mut sql =
        "SELECT run_id, seq, at, level, message, fields FROM sluice_run_logs WHERE run_id = ?"
            .to_string();
    let mut args: Vec<Value> = vec![run_id.into()];
    if let Some(levels) = levels {
        sql.push_str(" AND level IN (");
        sql.push_str(&vec!["?"; levels.len()].join(", "));
        sql.push(')');
        args.extend(levels.iter().map(|l| Value::from(*l)));
    }
    sql.push_str(" ORDER BY seq DESC LIMIT ?");
    args.push(limit.into());
    let rows = db
        .fetch(&sql, args)
        .await
        .map_err(DbError::query("reading the run's log lines"))?;
    let what = "run log line";
    let mut lines = rows
        .iter()
        .map(|r| {
            Ok(RunLogLine {
                run_id: int(r, 0, what)?,
                seq: int(r, 1, what)?,
                at: text(r, 2, what)?,
                level: text(r, 3, what)?,
                message: text(r, 4, what)?,
                fields: text(r, 5, what)?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    lines.reverse();
    Ok(lines)
}

/// Deletes the log lines of runs started before `before` (a timestamp in
/// `now_timestamp` form); returns how many went. The runs themselves stay.
pub async fn prune(db: &mut impl Exec, before: &str) -> Result<u64, DbError> {
    db.execute(
        "DELETE FROM sluice_run_logs WHERE run_id IN (SELECT id FROM sluice_runs WHERE started_at < ?)",
        vec![before.into()],
    )
    .await
    .map_err(DbError::query("deleting old run logs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_filter_keeps_the_more_severe_levels() {
        assert_eq!(levels_from("warn"), Some(&["ERROR", "WARN"][..]));
        assert_eq!(levels_from("ERROR"), Some(&["ERROR"][..]));
        assert_eq!(levels_from("loud"), None);
    }
}
