//! `sluice_providers`: each provider's circuit breaker between runs.

use sqlx::SqliteConnection;
use std::time::SystemTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::now_timestamp;
use crate::extract::{BreakerPhase, BreakerSnapshot};
use crate::load::LoadError;

/// The stored breaker of `provider`, if any.
pub async fn load_breaker(
    conn: &mut SqliteConnection,
    provider: &str,
) -> Result<Option<BreakerSnapshot>, LoadError> {
    let row: Option<(String, i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT breaker_state, consecutive_failures, opened_at, last_error FROM sluice_providers WHERE provider = ?",
    )
    .bind(provider)
    .fetch_optional(conn)
    .await
    .map_err(LoadError::query("reading the provider's breaker"))?;
    Ok(
        row.map(|(phase, failures, opened_at, last_error)| BreakerSnapshot {
            phase: BreakerPhase::parse(&phase).unwrap_or(BreakerPhase::Closed),
            consecutive_failures: u32::try_from(failures).unwrap_or(0),
            opened_at: opened_at
                .and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok())
                .map(SystemTime::from),
            last_error,
        }),
    )
}

/// Stores the breaker of `provider`.
pub async fn save_breaker(
    conn: &mut SqliteConnection,
    provider: &str,
    snapshot: &BreakerSnapshot,
) -> Result<(), LoadError> {
    let opened_at = snapshot
        .opened_at
        .and_then(|t| OffsetDateTime::from(t).format(&Rfc3339).ok());
    sqlx::query(
        "INSERT INTO sluice_providers (provider, breaker_state, consecutive_failures, opened_at, last_error, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (provider) DO UPDATE SET breaker_state = excluded.breaker_state, \
         consecutive_failures = excluded.consecutive_failures, opened_at = excluded.opened_at, \
         last_error = excluded.last_error, updated_at = excluded.updated_at",
    )
    .bind(provider)
    .bind(snapshot.phase.as_str())
    .bind(i64::from(snapshot.consecutive_failures))
    .bind(opened_at)
    .bind(&snapshot.last_error)
    .bind(now_timestamp())
    .execute(conn)
    .await
    .map_err(LoadError::query("saving the provider's breaker"))?;
    Ok(())
}

/// One provider's row, for `sluice status`.
#[derive(Debug, Clone, sqlx::FromRow)]
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
pub async fn all(conn: &mut SqliteConnection) -> Result<Vec<ProviderStatus>, LoadError> {
    sqlx::query_as(
        "SELECT provider, breaker_state, consecutive_failures, opened_at, last_error FROM sluice_providers ORDER BY provider",
    )
    .fetch_all(conn)
    .await
    .map_err(LoadError::query("reading provider states"))
}
