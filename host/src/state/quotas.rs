//! `sluice_quotas`: what each provider last reported of each quota window,
//! kept between runs for `sluice status`, the dashboard and alerts.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::db::row::{int, opt_int, opt_text, text};
use crate::db::{DbError, Exec, Value, now_timestamp};
use crate::extract::QuotaReport;

/// One quota window as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuotaRow {
    /// The provider's config name.
    pub provider: String,
    /// The manifest's name for the quota.
    pub quota: String,
    /// The window's scope; empty when the provider keeps one window.
    pub scope: String,
    /// Requests (or credits) left at the last report.
    pub remaining: i64,
    /// The window's size as far as sluice can tell: providers report what
    /// is left, not the size, so this is the most ever seen left (the size,
    /// once a report came early in a fresh window).
    pub quota_limit: Option<i64>,
    /// When the window resets, when the provider says.
    pub resets_at: Option<String>,
    /// When it was reported.
    pub updated_at: String,
}

/// Stores the latest report of each of `provider`'s windows.
pub async fn save(
    db: &mut impl Exec,
    provider: &str,
    reports: &[(String, String, QuotaReport)],
) -> Result<(), DbError> {
    for (quota, scope, report) in reports {
        let at = OffsetDateTime::from(report.at);
        let resets_at = report.resets_in_s.and_then(|s| {
            at.checked_add(time::Duration::seconds(i64::try_from(s).ok()?))?
                .format(&Rfc3339)
                .ok()
        });
        db.execute(
            "INSERT INTO sluice_quotas (provider, quota, scope, remaining, quota_limit, resets_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (provider, quota, scope) DO UPDATE SET remaining = excluded.remaining, \
             quota_limit = CASE WHEN sluice_quotas.quota_limit IS NULL OR excluded.remaining > sluice_quotas.quota_limit \
                           THEN excluded.remaining ELSE sluice_quotas.quota_limit END, \
             resets_at = excluded.resets_at, updated_at = excluded.updated_at",
            vec![
                provider.into(),
                quota.as_str().into(),
                scope.as_str().into(),
                Value::Int(i64::try_from(report.remaining).unwrap_or(i64::MAX)),
                Value::Int(i64::try_from(report.remaining).unwrap_or(i64::MAX)),
                resets_at.into(),
                at.format(&Rfc3339).unwrap_or_else(|_| now_timestamp()).into(),
            ],
        )
        .await
        .map_err(DbError::query("storing the provider's quota"))?;
    }
    Ok(())
}

/// Every stored quota window, by provider.
pub async fn all(db: &mut impl Exec) -> Result<Vec<QuotaRow>, DbError> {
    let rows = db
        .fetch(
            "SELECT provider, quota, scope, remaining, quota_limit, resets_at, updated_at FROM sluice_quotas \
             ORDER BY provider, quota, scope",
            vec![],
        )
        .await
        .map_err(DbError::query("reading the providers' quotas"))?;
    let what = "quota window";
    rows.iter()
        .map(|r| {
            Ok(QuotaRow {
                provider: text(r, 0, what)?,
                quota: text(r, 1, what)?,
                scope: text(r, 2, what)?,
                remaining: int(r, 3, what)?,
                quota_limit: opt_int(r, 4, what)?,
                resets_at: opt_text(r, 5, what)?,
                updated_at: text(r, 6, what)?,
            })
        })
        .collect()
}
