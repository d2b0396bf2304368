//! Dataset and run names as the OpenLineage naming spec writes them: a
//! PostgreSQL table is `postgres://HOST:PORT` + `DATABASE.SCHEMA.TABLE`; a
//! SQLite table (which the spec does not name) `sqlite://PATH` + `TABLE`;
//! a provider stream its base URL's scheme and host + the stream's name.

use sha2::{Digest, Sha256};

use crate::db::{DbError, Exec, Pool};

/// Where a database's tables live, as OpenLineage names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseNaming {
    /// `postgres://host:5432`, or `sqlite:///path/to/file.db`.
    pub namespace: String,
    /// What goes before a table's name: `database.schema.`, or nothing.
    pub prefix: String,
}

impl DatabaseNaming {
    /// Reads the naming of `pool`'s database (PostgreSQL's current schema
    /// takes one query).
    pub async fn of(pool: &Pool) -> Result<Self, DbError> {
        match pool {
            Pool::Postgres(pg) => {
                let options = pg.connect_options();
                let mut conn = pool.acquire().await.map_err(DbError::query("connect"))?;
                let rows = conn
                    .fetch(
                        "SELECT CAST(current_database() AS TEXT), CAST(current_schema() AS TEXT)",
                        vec![],
                    )
                    .await
                    .map_err(DbError::query("read the current schema"))?;
                let row = rows.first().map(Vec::as_slice).unwrap_or_default();
                let database = crate::db::row::opt_text(row, 0, "current_database")?
                    .or_else(|| options.get_database().map(str::to_string))
                    .unwrap_or_else(|| "postgres".to_string());
                let schema = crate::db::row::opt_text(row, 1, "current_schema")?
                    .unwrap_or_else(|| "public".to_string());
                Ok(DatabaseNaming {
                    namespace: format!("postgres://{}:{}", options.get_host(), options.get_port()),
                    prefix: format!("{database}.{schema}."),
                })
            }
            Pool::Sqlite(lite) => {
                let file = lite.connect_options().get_filename().to_path_buf();
                let file = std::path::absolute(&file).unwrap_or(file);
                Ok(DatabaseNaming {
                    namespace: format!("sqlite://{}", file.display()),
                    prefix: String::new(),
                })
            }
        }
    }

    /// The dataset name of `table`.
    pub fn table(&self, table: &str) -> String {
        format!("{}{table}", self.prefix)
    }
}

/// The namespace of a provider's datasets: its base URL's scheme, host and
/// port (the path and any credentials left out).
pub fn provider_namespace(base_url: &str) -> String {
    match reqwest::Url::parse(base_url) {
        Ok(url) => {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{}://{host}:{port}", url.scheme()),
                None => format!("{}://{host}", url.scheme()),
            }
        }
        Err(_) => base_url.to_string(),
    }
}

/// A run's OpenLineage id: a UUID (version 8, name-based on SHA-256) of the
/// database, the run's id there and when it started, so every event of a
/// run, and `sluice lineage` later, give the same one without storing it,
/// and a database made again at the same place gives its runs new ones.
pub fn run_uuid(database: &DatabaseNaming, run_id: i64, started_at: &str) -> String {
    let digest = Sha256::digest(format!(
        "{}/{}#{run_id}@{started_at}",
        database.namespace, database.prefix
    ));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naming() -> DatabaseNaming {
        DatabaseNaming {
            namespace: "postgres://db:5432".to_string(),
            prefix: "sluice.public.".to_string(),
        }
    }

    #[test]
    fn a_run_has_one_uuid_and_another_run_another() {
        let at = "2026-01-10T15:00:00Z";
        let id = run_uuid(&naming(), 7, at);
        assert_eq!(id, run_uuid(&naming(), 7, at));
        assert_ne!(id, run_uuid(&naming(), 8, at));
        assert_ne!(id, run_uuid(&naming(), 7, "2026-01-11T15:00:00Z"));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "8", "version 8: {id}");
        assert!(
            matches!(&id[19..20], "8" | "9" | "a" | "b"),
            "variant: {id}"
        );
    }

    #[test]
    fn provider_namespaces_keep_scheme_host_and_port_only() {
        assert_eq!(
            provider_namespace("https://user:pw@api.example.com/v4/"),
            "https://api.example.com"
        );
        assert_eq!(
            provider_namespace("http://127.0.0.1:8080/api"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(naming().table("events"), "sluice.public.events");
    }
}
