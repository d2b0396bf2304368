//! `sluice_providers`: each provider's circuit breaker between runs.

use std::time::SystemTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::db::DbError;
use crate::db::Exec;
use crate::db::now_timestamp;
use crate::db::row::{int, opt_text, text};
use crate::extract::{BreakerPhase, BreakerSnapshot};

/// The stored breaker of `provider`, if any.
pub async fn load_breaker(
    db: &mut impl Exec,
    provider: &str,
) -> Result<Option<BreakerSnapshot>, DbError> {
    let rows = db
        .fetch(
            "SELECT breaker_state, consecutive_failures, opened_at, last_error FROM sluice_providers WHERE provider = ?",
            vec![provider.into()],
        )
        .await
        .map_err(DbError::query("reading the provider's breaker"))?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let what = "provider breaker";
    Ok(Some(BreakerSnapshot {
        phase: BreakerPhase::parse(&text(r, 0, what)?).unwrap_or(BreakerPhase::Closed),
        consecutive_failures: u32::try_from(int(r, 1, what)?).unwrap_or(0),
        opened_at: opt_text(r, 2, what)?
            .and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok())
            .map(SystemTime::from),
        last_error: opt_text(r, 3, what)?,
    }))
}

/// Stores the breaker of `provider`.
pub async fn save_breaker(
    db: &mut impl Exec,
    provider: &str,
    snapshot: &BreakerSnapshot,
) -> Result<(), DbError> {
    let opened_at = snapshot
        .opened_at
        .and_then(|t| OffsetDateTime::from(t).format(&Rfc3339).ok());
    db.execute(
        "INSERT INTO sluice_providers (provider, breaker_state, consecutive_failures, opened_at, last_error, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (provider) DO UPDATE SET breaker_state = excluded.breaker_state, \
         consecutive_failures = excluded.consecutive_failures, opened_at = excluded.opened_at, \
         last_error = excluded.last_error, updated_at = excluded.updated_at",
        vec![
            provider.into(),
            snapshot.phase.as_str().into(),
            i64::from(snapshot.consecutive_failures).into(),
            opened_at.into(),
            snapshot.last_error.clone().into(),
            now_timestamp().into(),
        ],
    )
    .await
    .map_err(DbError::query("saving the provider's breaker"))?;
    Ok(())
}

/// One provider's row, for `sluice status`.
#[derive(Debug, Clone)]
pub struct ProviderStatus {
    /// Provider name.
    pub provider: String,
    /// Breaker phase.
    pub breaker_state: String,
    /// Failures in a row.
    pub consecutive_failures: i64,
    /// When it opened.
    pub opened_at: Option<String>,
    /// Last failure.
    pub last_error: Option<String>,
}

/// Every provider's stored state.
pub async fn all(db: &mut impl Exec) -> Result<Vec<ProviderStatus>, DbError> {
    let rows = db
        .fetch(
            "SELECT provider, breaker_state, consecutive_failures, opened_at, last_error FROM sluice_providers ORDER BY provider",
            Vec::new(),
        )
        .await
        .map_err(DbError::query("reading provider states"))?;
    let what = "provider state";
    rows.iter()
        .map(|r| {
            Ok(ProviderStatus {
                provider: text(r, 0, what)?,
                breaker_state: text(r, 1, what)?,
                consecutive_failures: int(r, 2, what)?,
                opened_at: opt_text(r, 3, what)?,
                last_error: opt_text(r, 4, what)?,
            })
        })
        .collect()
}
