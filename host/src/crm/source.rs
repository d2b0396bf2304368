//! Runs the grouped query against the database holding the transactions and
//! streams its rows, one per user, into [`UserAggregates`]: no transaction
//! ever reaches the host.

use futures_util::TryStreamExt;
use sqlx::{ColumnIndex, Connection, Decode, Row, Type};
use time::{Date, OffsetDateTime};

use super::CrmError;
use super::aggregates::{GapStats, TypeTotal, UserAggregates};
use super::query::{self, Backend, SQLITE_ZONE_TABLE};
use super::users::Users;
use super::{connection, table_stream, zone};
use crate::db::Pool;

/// What the query reads: which table, which transactions count, and how
/// local time is told.
#[derive(Debug, Clone)]
pub struct SourceQuery {
    /// The transactions table.
    pub source: String,
    /// The time zone of days, weekdays and hours.
    pub zone: chrono_tz::Tz,
    /// Transactions at or after this instant do not count.
    pub cutoff: OffsetDateTime,
    /// The statuses that count.
    pub statuses: Vec<String>,
}

/// PostgreSQL's memory for the query's hash tables and sorts: enough to
/// hold a few million (user, day) groups without spilling to disk.
const POSTGRES_WORK_MEM: &str = "256MB";

/// Every user's aggregates. A
/// PostgreSQL table whose columns the COPY decoder reads is streamed on
/// the connections of `plan` ([`table_stream`]); others are grouped by
/// the database.
pub async fn read_users(
    pool: &Pool,
    q: &SourceQuery,
    reference_date: Date,
    plan: table_stream::Plan,
) -> Result<Users, CrmError> {
    if let Pool::Postgres(pg) = pool
        && let Some(users) = table_stream::read_users(pg, q, reference_date, plan).await?
    {
        return Ok(Users::Compact(users));
    }
    grouped_users(pool, q).await.map(Users::Listed)
}

/// Every user's aggregates from the grouped query of [`query`], in the
/// order the database returns them.
pub async fn grouped_users(pool: &Pool, q: &SourceQuery) -> Result<Vec<UserAggregates>, CrmError> {
    let doing = || format!("aggregating the transactions of {}", q.source);
    let query_err = |source| CrmError::Query {
        doing: doing(),
        source,
    };
    let mut users = Vec::new();
    match pool {
        Pool::Postgres(pg) => {
            let mut conn = connection::postgres(pg).await.map_err(query_err)?;
            let mut tx = conn.begin().await.map_err(query_err)?;
            sqlx::query(&format!("SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'"))
                .execute(&mut *tx)
                .await
                .map_err(query_err)?;
            let sql = query::user_aggregates(Backend::Postgres, &q.source, q.statuses.len());
            let cutoff = crate::db::timestamp(q.cutoff);
            let mut statement = sqlx::query(&sql).bind(q.zone.name()).bind(cutoff);
            for status in &q.statuses {
                statement = statement.bind(status);
            }
            let mut rows = statement.fetch(&mut *tx);
            while let Some(row) = rows.try_next().await.map_err(query_err)? {
                users.push(decode(&row)?);
            }
            drop(rows);
            tx.rollback().await.map_err(query_err)?;
            conn.close().await.map_err(query_err)?;
        }
        Pool::Sqlite(lite) => {
            let mut conn = connection::sqlite(lite).await.map_err(query_err)?;
            let until = q.cutoff.unix_timestamp();
            sqlx::query(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS {} (from_epoch INTEGER PRIMARY KEY, modifier TEXT NOT NULL)",
                SQLITE_ZONE_TABLE.trim_start_matches("temp.")
            ))
            .execute(&mut conn)
            .await
            .map_err(query_err)?;
            sqlx::query(&format!("DELETE FROM {SQLITE_ZONE_TABLE}"))
                .execute(&mut conn)
                .await
                .map_err(query_err)?;
            for period in zone::periods(q.zone, until) {
                sqlx::query(&format!(
                    "INSERT INTO {SQLITE_ZONE_TABLE} (from_epoch, modifier) VALUES (?, ?)"
                ))
                .bind(period.from_epoch)
                .bind(zone::modifier(period.offset_seconds))
                .execute(&mut conn)
                .await
                .map_err(query_err)?;
            }
            let sql = query::user_aggregates(Backend::Sqlite, &q.source, q.statuses.len());
            let mut statement = sqlx::query(&sql).bind(until);
            for status in &q.statuses {
                statement = statement.bind(status);
            }
            let mut rows = statement.fetch(&mut conn);
            while let Some(row) = rows.try_next().await.map_err(query_err)? {
                users.push(decode(&row)?);
            }
            drop(rows);
            conn.close().await.map_err(query_err)?;
        }
    }
    Ok(users)
}

/// Reads a row's columns in order.
struct Columns<'a, R> {
    row: &'a R,
    next: usize,
}

impl<R> Columns<'_, R>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    fn int(&mut self) -> Result<i64, CrmError> {
        let at = self.next;
        self.next += 1;
        self.row.try_get(at).map_err(CrmError::decode(at))
    }

    fn count(&mut self) -> Result<u64, CrmError> {
        Ok(u64::try_from(self.int()?).unwrap_or(0))
    }

    fn text(&mut self) -> Result<String, CrmError> {
        let at = self.next;
        self.next += 1;
        self.row.try_get(at).map_err(CrmError::decode(at))
    }
}

/// One row of the query, in its column order (see [`query`]).
fn decode<R>(row: &R) -> Result<UserAggregates, CrmError>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    let mut c = Columns { row, next: 0 };
    let user_id = c.text()?;
    let transactions = c.count()?;
    let active_days = c.count()?;
    let first_day = epoch_day(c.int()?)?;
    let last_day = epoch_day(c.int()?)?;
    let mut bets_by_game = [0; 5];
    for slot in &mut bets_by_game {
        *slot = c.count()?;
    }
    let mut by_weekday = [0; 7];
    for slot in &mut by_weekday {
        *slot = c.count()?;
    }
    let mut by_daypart = [0; 4];
    for slot in &mut by_daypart {
        *slot = c.count()?;
    }
    let mut by_type = [TypeTotal::default(); 5];
    for slot in &mut by_type {
        slot.count = c.count()?;
        slot.cents = c.int()?;
    }
    let squares = c.text()?;
    let bet_cents_squared = squares
        .trim()
        .parse::<i128>()
        .map_err(|_| CrmError::Unexpected(format!("a sum of squared cents `{squares}`")))?;
    let max_bet_cents = c.int()?;
    let gaps = GapStats {
        count: c.count()?,
        sum: c.int()?,
        sum_squares: c.int()?,
    };
    debug_assert_eq!(c.next, query::COLUMNS);
    Ok(UserAggregates {
        user_id,
        transactions,
        active_days,
        first_day,
        last_day,
        bets_by_game,
        by_weekday,
        by_daypart,
        by_type,
        bet_cents_squared,
        max_bet_cents,
        gaps,
    })
}

/// The day `days` after 1970-01-01.
fn epoch_day(days: i64) -> Result<Date, CrmError> {
    i32::try_from(days)
        .ok()
        .and_then(|d| Date::from_julian_day(d + 2_440_588).ok())
        .ok_or_else(|| CrmError::Unexpected(format!("a day {days} days after 1970-01-01")))
}
