//! Opening a database source: `${NAME}` in its URL taken from the
//! environment, one connection to PostgreSQL, MySQL/MariaDB or SQLite, and
//! errors that say which source and which server without its password.

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use crate::config::DatabaseKind;

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// One open connection to a source database.
pub enum SourceConn {
    /// PostgreSQL.
    Postgres(PgConnection),
    /// MySQL or MariaDB.
    MySql(MySqlConnection),
    /// SQLite.
    Sqlite(SqliteConnection),
}

impl SourceConn {
    /// The kind of server.
    pub fn kind(&self) -> DatabaseKind {
        match self {
            SourceConn::Postgres(_) => DatabaseKind::Postgres,
            SourceConn::MySql(_) => DatabaseKind::MySql,
            SourceConn::Sqlite(_) => DatabaseKind::Sqlite,
        }
    }

    /// Closes the connection, ignoring a server already gone.
    pub async fn close(self) {
        let _ = match self {
            SourceConn::Postgres(c) => c.close().await,
            SourceConn::MySql(c) => c.close().await,
            SourceConn::Sqlite(c) => c.close().await,
        };
    }
}

/// `url` with every `${NAME}` replaced by the environment variable `NAME`;
/// names a variable that is not set.
pub fn expand_env(url: &str) -> Result<String, String> {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("`${` without its closing `}`".to_string());
        };
        let name = &after[..end];
        let value = std::env::var(name)
            .map_err(|_| format!("the environment variable `{name}` it names is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Opens one connection to `url`; the error says why, without the password.
pub async fn open(url: &str) -> Result<SourceConn, String> {
    let kind = DatabaseKind::of(url).ok_or_else(|| {
        "unsupported URL (expected postgres://, mysql:// or sqlite://)".to_string()
    })?;
    let bad_url = |e: sqlx::Error| format!("bad URL: {e}");
    let unreachable = |e: sqlx::Error| format!("cannot connect: {e}");
    let timed_out = || format!("cannot connect: no answer within {CONNECT_TIMEOUT:?}");
    let connect = async {
        Ok::<_, String>(match kind {
            DatabaseKind::Postgres => {
                let options = PgConnectOptions::from_str(url).map_err(bad_url)?;
                SourceConn::Postgres(options.connect().await.map_err(unreachable)?)
            }
            DatabaseKind::MySql => {
                let url = match url.strip_prefix("mariadb:") {
                    Some(rest) => format!("mysql:{rest}"),
                    None => url.to_string(),
                };
                let options = MySqlConnectOptions::from_str(&url).map_err(bad_url)?;
                SourceConn::MySql(options.connect().await.map_err(unreachable)?)
            }
            DatabaseKind::Sqlite => {
                // A source is read, never created: a missing file is an error.
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(bad_url)?
                    .read_only(true);
                SourceConn::Sqlite(options.connect().await.map_err(unreachable)?)
            }
        })
    };
    tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .map_err(|_| timed_out())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_variables_are_expanded_or_named() {
        assert_eq!(
            expand_env("mysql://root@h/db").as_deref(),
            Ok("mysql://root@h/db")
        );
        let missing = expand_env("postgres://u:${SLUICE_SURELY_UNSET_VAR}@h/db");
        assert_eq!(
            missing,
            Err(
                "the environment variable `SLUICE_SURELY_UNSET_VAR` it names is not set"
                    .to_string()
            )
        );
        assert!(expand_env("x${A").is_err());
    }
}
