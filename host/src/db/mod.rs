//! One way to talk to either database: a pool, a transaction and bound
//! values that work the same on SQLite and PostgreSQL, so the host's own
//! state (runs, checkpoints, quarantine, archive, breakers) is written once.
//! SQL is written with `?` placeholders; on PostgreSQL they become `$1`, `$2`….
//! Bulk loading, where the two differ most, has its own code per backend
//! (`load::sqlite`, `load::postgres`); [`copy`] is PostgreSQL's text `COPY`
//! that every bulk load into PostgreSQL shares.

pub mod copy;
pub mod copy_out;
mod migrations;
pub(crate) mod row;
mod value;

pub use value::Value;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Connection, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::format_description;

/// Why the database could not be opened, read or written: the one error
/// of everything the host keeps there (loaded rows, runs, checkpoints,
/// archive, quarantine, links).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names a database this build cannot use.
    #[error(
        "database URL `{url}`: unsupported scheme (supported: sqlite://PATH, postgres://USER@HOST/DB)"
    )]
    Unsupported {
        /// The URL, without its password.
        url: String,
    },
    /// Connecting failed.
    #[error("cannot open database {url}: {source}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// What sqlx said.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        /// The URL, without its password.
        url: String,
        /// What sqlx said.
        source: sqlx::migrate::MigrateError,
    },
    /// A stored payload could not be compressed or decompressed.
    #[error("raw archive: {0}")]
    Archive(String),
    /// A row did not have the shape the host wrote it with.
    #[error("unexpected database content: {0}")]
    Unexpected(String),
    /// A statement failed; the transaction was rolled back.
    #[error("database error while {doing}: {source}")]
    Query {
        /// What the host was doing.
        doing: String,
        /// What sqlx said.
        source: sqlx::Error,
    },
}

impl DbError {
    /// A [`DbError::Query`] for `doing`.
    pub(crate) fn query(doing: impl Into<String>) -> impl FnOnce(sqlx::Error) -> Self {
        let doing = doing.into();
        move |source| DbError::Query { doing, source }
    }
}

/// A connection pool to one of the supported databases.
#[derive(Clone)]
pub enum Pool {
    /// SQLite.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

impl Pool {
    /// Opens the database at `url` (creating a SQLite file if needed) and
    /// applies the migrations of its backend.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let shown = without_password(url);
        let connect = |source| DbError::Connect {
            url: shown.clone(),
            source,
        };
        let migrate = |source| DbError::Migrate {
            url: shown.clone(),
            source,
        };
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .map_err(connect)?;
            migrations::sqlite()
                .await
                .map_err(migrate)?
                .run(&pool)
                .await
                .map_err(migrate)?;
            return Ok(Pool::Sqlite(pool));
        }
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(connect)?;
            // One direct connection first: a pool would retry until its
            // timeout and then report only that it timed out.
            sqlx::PgConnection::connect_with(&options)
                .await
                .map_err(connect)?
                .close()
                .await
                .map_err(connect)?;
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await
                .map_err(connect)?;
            migrations::postgres()
                .await
                .map_err(migrate)?
                .run(&pool)
                .await
                .map_err(migrate)?;
            return Ok(Pool::Postgres(pool));
        }
        Err(DbError::Unsupported { url: shown })
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Takes a connection for statements outside a transaction.
    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }
}

/// A transaction on either backend.
pub enum Tx {
    /// SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Commits.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }
}

/// A pooled connection on either backend.
pub enum Conn {
    /// SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

/// Runs statements with bound [`Value`]s on a connection or in a transaction.
pub trait Exec {
    /// Runs `sql`; returns the rows it affected.
    fn execute(
        &mut self,
        sql: &str,
        args: Vec<Value>,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;
    /// Runs `sql` and returns every row as values, in column order.
    fn fetch(
        &mut self,
        sql: &str,
        args: Vec<Value>,
    ) -> impl Future<Output = Result<Vec<Vec<Value>>, sqlx::Error>> + Send;
    /// The placeholder of a stored timestamp compared with a timestamp
    /// column: PostgreSQL's columns are `timestamptz` and refuse text,
    /// SQLite's are text in the same format.
    fn time_param(&self) -> &'static str;
}

/// [`Exec::time_param`] on PostgreSQL.
const PG_TIME_PARAM: &str = "CAST(? AS timestamptz)";

impl Exec for Tx {
    async fn execute(&mut self, sql: &str, args: Vec<Value>) -> Result<u64, sqlx::Error> {
        match self {
            Tx::Sqlite(t) => value::execute_sqlite(t, sql, args).await,
            Tx::Postgres(t) => value::execute_postgres(t, &numbered(sql), args).await,
        }
    }

    async fn fetch(&mut self, sql: &str, args: Vec<Value>) -> Result<Vec<Vec<Value>>, sqlx::Error> {
        match self {
            Tx::Sqlite(t) => value::fetch_sqlite(t, sql, args).await,
            Tx::Postgres(t) => value::fetch_postgres(t, &numbered(sql), args).await,
        }
    }

    fn time_param(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "?",
            Tx::Postgres(_) => PG_TIME_PARAM,
        }
    }
}

impl Exec for Conn {
    async fn execute(&mut self, sql: &str, args: Vec<Value>) -> Result<u64, sqlx::Error> {
        match self {
            Conn::Sqlite(c) => value::execute_sqlite(c, sql, args).await,
            Conn::Postgres(c) => value::execute_postgres(c, &numbered(sql), args).await,
        }
    }

    async fn fetch(&mut self, sql: &str, args: Vec<Value>) -> Result<Vec<Vec<Value>>, sqlx::Error> {
        match self {
            Conn::Sqlite(c) => value::fetch_sqlite(c, sql, args).await,
            Conn::Postgres(c) => value::fetch_postgres(c, &numbered(sql), args).await,
        }
    }

    fn time_param(&self) -> &'static str {
        match self {
            Conn::Sqlite(_) => "?",
            Conn::Postgres(_) => PG_TIME_PARAM,
        }
    }
}

/// `?` placeholders as PostgreSQL's `$1`, `$2`…, leaving quoted text alone.
pub fn numbered(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let (mut n, mut quoted) = (0, false);
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The URL with any password replaced, for messages.
pub fn without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Now, as stored in every timestamp column: RFC 3339 UTC with microseconds,
/// fixed width so that text order is time order.
pub fn now_timestamp() -> String {
    timestamp(OffsetDateTime::now_utc())
}

/// `at` as stored in every timestamp column (see [`now_timestamp`]).
pub fn timestamp(at: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            numbered("UPDATE t SET a = ?, b = 'why?' WHERE c = ?"),
            "UPDATE t SET a = $1, b = 'why?' WHERE c = $2"
        );
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            without_password("postgres://sluice:hunter2@db:5432/sports"),
            "postgres://sluice:***@db:5432/sports"
        );
        assert_eq!(without_password("sqlite://sluice.db"), "sqlite://sluice.db");
    }
}
