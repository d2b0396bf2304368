//! A provider's rate limit and day quota as one row of
//! `sluice_rate_limits`, taken with the database's clock before every
//! request, so every worker together stays under it and a restart forgets
//! nothing.

use futures_util::future::BoxFuture;
use sqlx::PgPool;
use std::time::Duration;

use super::WorkerError;
use crate::config::RateLimits;
use crate::extract::{SharedRate, SharedTurn};

/// Extra spacing over `period / N`, as the in-process limiter keeps:
/// requests that reach the provider a little late, after a busy moment of
/// their worker, must not make the next ones look early in its window.
const SPACING_MARGIN: f64 = 1.04;

const DAY: Duration = Duration::from_secs(86_400);

/// One provider's shared limit.
pub struct SharedRateRow {
    pool: PgPool,
    provider: String,
}

/// The spacing and the day quota `limits` add up to: the tightest
/// `period / N` of the limits shorter than a day (with the margin), and
/// the smallest daily count.
pub fn row_of(limits: &RateLimits) -> (Duration, Option<u64>) {
    let mut interval = Duration::ZERO;
    let mut day = None::<u64>;
    for limit in &limits.0 {
        if limit.period >= DAY {
            let per_day = u64::from(limit.requests.get()) * DAY.as_secs() / limit.period.as_secs();
            day = Some(day.map_or(per_day, |d| d.min(per_day)));
        } else {
            interval = interval.max(limit.period.mul_f64(SPACING_MARGIN) / limit.requests.get());
        }
    }
    (interval, day)
}

impl SharedRateRow {
    /// The row of `provider`, written from `limits` (a changed config wins;
    /// the day's count and the next turn stay).
    pub async fn open(
        pool: PgPool,
        provider: &str,
        limits: &RateLimits,
    ) -> Result<Self, WorkerError> {
        let (interval, day_limit) = row_of(limits);
        sqlx::query(
            "INSERT INTO sluice_rate_limits (provider, interval_us, day_limit) VALUES ($1, $2, $3) \
             ON CONFLICT (provider) DO UPDATE SET interval_us = excluded.interval_us, \
             day_limit = excluded.day_limit",
        )
        .bind(provider)
        .bind(i64::try_from(interval.as_micros()).unwrap_or(i64::MAX))
        .bind(day_limit.map(|d| i64::try_from(d).unwrap_or(i64::MAX)))
        .execute(&pool)
        .await
        .map_err(|source| WorkerError::Sql {
            doing: "writing a provider's shared rate limit",
            source,
        })?;
        Ok(SharedRateRow {
            pool,
            provider: provider.to_string(),
        })
    }

    async fn take_turn(&self) -> Result<SharedTurn, sqlx::Error> {
        // One statement: the row's lock orders every worker's turn, and the
        // database's clock is the only one asked.
        let taken: Option<f64> = sqlx::query_scalar(
            "WITH clock AS (SELECT clock_timestamp() AS now, \
                                   (clock_timestamp() AT TIME ZONE 'UTC')::date AS today) \
             UPDATE sluice_rate_limits r SET \
               tat = GREATEST(r.tat, clock.now) + make_interval(secs => r.interval_us / 1e6::float8), \
               day_used = CASE WHEN r.day = clock.today THEN r.day_used ELSE 0 END + 1, \
               day = clock.today, requests = r.requests + 1 \
             FROM clock \
             WHERE r.provider = $1 \
               AND (r.day_limit IS NULL OR r.day <> clock.today OR r.day_used < r.day_limit) \
             RETURNING EXTRACT(EPOCH FROM r.tat - make_interval(secs => r.interval_us / 1e6::float8) \
                               - clock.now)::float8",
        )
        .bind(&self.provider)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match taken {
            Some(wait) => SharedTurn::After(Duration::from_secs_f64(wait.max(0.0))),
            None => {
                let limit: Option<i64> = sqlx::query_scalar(
                    "SELECT day_limit FROM sluice_rate_limits WHERE provider = $1",
                )
                .bind(&self.provider)
                .fetch_optional(&self.pool)
                .await?
                .flatten();
                SharedTurn::DaySpent {
                    limit: limit.and_then(|l| u64::try_from(l).ok()).unwrap_or(0),
                }
            }
        })
    }
}

impl SharedRate for SharedRateRow {
    fn take(&self) -> BoxFuture<'_, Result<SharedTurn, String>> {
        Box::pin(async move {
            self.take_turn()
                .await
                .map_err(|e| format!("provider {}: {e}", self.provider))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_become_one_spacing_and_one_day_count() {
        let limits = |text: &str| -> RateLimits {
            RateLimits(
                text.split(',')
                    .map(|t| t.parse().expect("a limit"))
                    .collect(),
            )
        };
        let (interval, day) = row_of(&limits("20/s,600/min,1000/day"));
        // 20/s is 50 ms apart, 600/min 100 ms: the tighter wins.
        assert_eq!(interval, Duration::from_millis(104));
        assert_eq!(day, Some(1000));
        assert_eq!(row_of(&RateLimits::default()), (Duration::ZERO, None));
    }
}
