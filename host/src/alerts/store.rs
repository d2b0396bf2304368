//! `sluice_alerts`: one row per rule and subject that ever fired, with when
//! it fired, when it was last sent and when it resolved.

use crate::db::row::{opt_text, text};
use crate::db::{DbError, Exec};

/// A condition as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredAlert {
    pub rule: String,
    pub subject: String,
    pub firing: bool,
    pub message: String,
    pub fired_at: String,
    pub last_sent_at: Option<String>,
}

/// A condition firing now, for `sluice alerts`, the dashboard and
/// `GET /alerts`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FiringAlert {
    /// The rule's name.
    pub rule: String,
    /// What it is about: a pipeline, `pipeline/stream`, a provider, a
    /// provider's quota, a plugin.
    pub subject: String,
    /// What is wrong, as last evaluated.
    pub message: String,
    /// When it started firing (RFC 3339).
    pub since: String,
    /// When a message about it was last sent.
    pub last_sent_at: Option<String>,
}

/// Every condition firing now, oldest first.
pub async fn firing(db: &mut impl Exec) -> Result<Vec<FiringAlert>, DbError> {
    let rows = db
        .fetch(
            "SELECT rule, subject, message, fired_at, last_sent_at FROM sluice_alerts \
             WHERE state = 'firing' ORDER BY fired_at, rule, subject",
            Vec::new(),
        )
        .await
        .map_err(DbError::query("reading the firing alerts"))?;
    let what = "firing alert";
    rows.iter()
        .map(|r| {
            Ok(FiringAlert {
                rule: text(r, 0, what)?,
                subject: text(r, 1, what)?,
                message: text(r, 2, what)?,
                since: text(r, 3, what)?,
                last_sent_at: opt_text(r, 4, what)?,
            })
        })
        .collect()
}

/// Every stored condition, firing or resolved.
pub(crate) async fn all(db: &mut impl Exec) -> Result<Vec<StoredAlert>, DbError> {
    let rows = db
        .fetch(
            "SELECT rule, subject, state, message, fired_at, last_sent_at FROM sluice_alerts \
             ORDER BY rule, subject",
            Vec::new(),
        )
        .await
        .map_err(DbError::query("reading the alerts"))?;
    let what = "alert";
    rows.iter()
        .map(|r| {
            Ok(StoredAlert {
                rule: text(r, 0, what)?,
                subject: text(r, 1, what)?,
                firing: text(r, 2, what)? == "firing",
                message: text(r, 3, what)?,
                fired_at: text(r, 4, what)?,
                last_sent_at: opt_text(r, 5, what)?,
            })
        })
        .collect()
}

/// Stores a condition that started firing (again) at `at`, sent then.
pub(crate) async fn fire(
    db: &mut impl Exec,
    rule: &str,
    subject: &str,
    message: &str,
    at: &str,
) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO sluice_alerts (rule, subject, state, message, fired_at, last_sent_at, resolved_at) \
         VALUES (?, ?, 'firing', ?, ?, ?, NULL) ON CONFLICT (rule, subject) DO UPDATE SET \
         state = 'firing', message = excluded.message, fired_at = excluded.fired_at, \
         last_sent_at = excluded.last_sent_at, resolved_at = NULL",
        vec![
            rule.into(),
            subject.into(),
            message.into(),
            at.into(),
            at.into(),
        ],
    )
    .await
    .map_err(DbError::query("storing a firing alert"))?;
    Ok(())
}

/// Updates a firing condition's message and, when a reminder was sent,
/// when.
pub(crate) async fn update(
    db: &mut impl Exec,
    rule: &str,
    subject: &str,
    message: &str,
    sent_at: Option<&str>,
) -> Result<(), DbError> {
    db.execute(
        "UPDATE sluice_alerts SET message = ?, last_sent_at = COALESCE(?, last_sent_at) \
         WHERE rule = ? AND subject = ?",
        vec![message.into(), sent_at.into(), rule.into(), subject.into()],
    )
    .await
    .map_err(DbError::query("updating a firing alert"))?;
    Ok(())
}

/// Marks a condition resolved at `at`; `sent` when a message says so.
pub(crate) async fn resolve(
    db: &mut impl Exec,
    rule: &str,
    subject: &str,
    at: &str,
    sent: bool,
) -> Result<(), DbError> {
    let (sql, args) = if sent {
        (
            "UPDATE sluice_alerts SET state = 'resolved', resolved_at = ?, last_sent_at = ? \
             WHERE rule = ? AND subject = ?",
            vec![at.into(), at.into(), rule.into(), subject.into()],
        )
    } else {
        (
            "UPDATE sluice_alerts SET state = 'resolved', resolved_at = ? \
             WHERE rule = ? AND subject = ?",
            vec![at.into(), rule.into(), subject.into()],
        )
    };
    db.execute(sql, args)
        .await
        .map_err(DbError::query("storing a resolved alert"))?;
    Ok(())
}
