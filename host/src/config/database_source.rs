//! Database sources: a `[[pipelines.P.sources]]` entry naming a database
//! (`database`, `from_table` or `query`, `cursor` or
//! `change_detection = "snapshot"`, `deletes`) instead of files, checked at
//! load with errors naming the key.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::files::SourceConfig;
use super::{ConfigError, LoadedConfig, TableConfig, WriteDisposition, is_identifier};

/// How a database source finds the rows that changed since its last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeDetection {
    /// Rows whose `cursor` column is past the last value loaded.
    Cursor,
    /// The whole table read and compared, by key and row hash, with the
    /// last snapshot: inserts, updates and deletes found.
    Snapshot,
}

/// What a snapshot source does to a destination row whose key is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deletes {
    /// The row stays, its `_deleted_at` set; it is cleared when the key
    /// comes back.
    Soft,
    /// The row is deleted.
    Hard,
}

/// The database server a source URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `mysql://` or `mariadb://`.
    MySql,
    /// `sqlite://PATH` or `sqlite:PATH`.
    Sqlite,
}

impl DatabaseKind {
    /// The kind a URL's scheme names, if any.
    pub fn of(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "postgres" | "postgresql" => Some(DatabaseKind::Postgres),
            "mysql" | "mariadb" => Some(DatabaseKind::MySql),
            "sqlite" => Some(DatabaseKind::Sqlite),
            _ => None,
        }
    }

    /// Its name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            DatabaseKind::Postgres => "postgres",
            DatabaseKind::MySql => "mysql",
            DatabaseKind::Sqlite => "sqlite",
        }
    }
}

impl SourceConfig {
    /// How the source detects changes: `cursor` when a cursor column is
    /// named, otherwise as `change_detection` says; `None` reads the whole
    /// table every run.
    pub fn detection(&self) -> Option<ChangeDetection> {
        self.change_detection
            .or(self.cursor.as_ref().map(|_| ChangeDetection::Cursor))
    }
}

/// A database source as its key names it: the URL without its password,
/// then the table, or a short hash of the query.
pub(super) fn label(source: &SourceConfig, url: &str) -> String {
    let shown = match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    };
    match (&source.from_table, &source.query) {
        (Some(table), _) => format!("{shown} table {table}"),
        (None, Some(query)) => {
            let hash = Sha256::digest(query.trim().as_bytes());
            let short: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
            format!("{shown} query {short}")
        }
        (None, None) => shown,
    }
}

impl LoadedConfig {
    /// Checks a source that names a database.
    pub(super) fn validate_database_source(
        &self,
        at: &str,
        source: &SourceConfig,
        table: &TableConfig,
    ) -> Result<(), ConfigError> {
        let bad =
            |key: &str, message: &str| self.invalid(format!("{at}.{key}"), message.to_string());
        let url = source.database.as_deref().unwrap_or_default();
        if !source.path.is_empty() {
            return Err(bad(
                "path",
                "a source reads files (`path`) or a database (`database`), not both",
            ));
        }
        if url.trim().is_empty() {
            return Err(bad("database", "expected a database URL"));
        }
        if DatabaseKind::of(url).is_none() {
            return Err(bad(
                "database",
                "expected a URL starting postgres://, mysql:// (MariaDB too) or sqlite://",
            ));
        }
        for (key, set) in [
            ("endpoint", source.endpoint.is_some()),
            ("format", source.format.is_some()),
            ("compression", source.compression.is_some()),
            ("delimiter", source.delimiter.is_some()),
            ("quote", source.quote.is_some()),
            ("sheet", source.sheet.is_some()),
            ("range", source.range.is_some()),
            ("header", !source.header),
        ] {
            if set {
                return Err(bad(key, "applies to file sources only"));
            }
        }
        if !source.transforms.is_empty() {
            return Err(bad(
                "transforms",
                "apply to file sources only: shape a database source's rows in its `query`",
            ));
        }
        match (&source.from_table, &source.query) {
            (Some(_), Some(_)) => {
                return Err(bad("query", "give `from_table` or `query`, not both"));
            }
            (None, None) => {
                return Err(bad(
                    "from_table",
                    "a database source needs `from_table` (a table's name) or `query`",
                ));
            }
            (Some(name), None) if !name.split('.').all(is_identifier) => {
                return Err(bad(
                    "from_table",
                    "expected a table name (`orders` or `shop.orders`); use `query` for anything else",
                ));
            }
            (None, Some(query)) if query.trim().is_empty() => {
                return Err(bad("query", "the query is empty"));
            }
            _ => {}
        }
        if source.batch_rows == Some(0) {
            return Err(bad("batch_rows", "must be at least 1"));
        }
        let declared_key = table.schema.is_some() || table.columns.iter().any(|c| c.primary_key);
        match (source.change_detection, &source.cursor) {
            (Some(ChangeDetection::Snapshot), Some(_)) => {
                return Err(bad(
                    "cursor",
                    "a snapshot source compares whole snapshots: drop `cursor`, or change_detection = \"cursor\"",
                ));
            }
            (Some(ChangeDetection::Cursor), None) => {
                return Err(bad(
                    "cursor",
                    "change_detection = \"cursor\" needs the cursor column named",
                ));
            }
            (_, Some(cursor)) if cursor.trim().is_empty() => {
                return Err(bad("cursor", "expected a column name"));
            }
            _ => {}
        }
        let detection = source.detection();
        if source.deletes.is_some() && detection != Some(ChangeDetection::Snapshot) {
            return Err(bad(
                "deletes",
                "applies to change_detection = \"snapshot\" only (a cursor never sees a row go)",
            ));
        }
        match detection {
            Some(ChangeDetection::Snapshot) if source.write != WriteDisposition::Merge => {
                return Err(bad(
                    "write",
                    "a snapshot source merges on the key: write = \"merge\"",
                ));
            }
            Some(ChangeDetection::Snapshot) if !declared_key => {
                return Err(bad(
                    "change_detection",
                    &format!(
                        "a snapshot compares rows by key, and table `{}` has none: mark its key columns `primary_key = true`",
                        source.table
                    ),
                ));
            }
            Some(ChangeDetection::Cursor) if source.write == WriteDisposition::Replace => {
                return Err(bad(
                    "write",
                    "a cursor source loads only new rows: replace would drop the rest; use merge or append",
                ));
            }
            _ => {}
        }
        if source.write == WriteDisposition::Merge && !declared_key {
            return Err(bad(
                "write",
                &format!(
                    "merge upserts on the primary key, and table `{}` has none: mark its key columns `primary_key = true`, or use write = \"append\"",
                    source.table
                ),
            ));
        }
        Ok(())
    }

    /// A file source may not carry a database source's keys.
    pub(super) fn refuse_database_keys(
        &self,
        at: &str,
        source: &SourceConfig,
    ) -> Result<(), ConfigError> {
        for (key, set) in [
            ("from_table", source.from_table.is_some()),
            ("query", source.query.is_some()),
            ("cursor", source.cursor.is_some()),
            ("change_detection", source.change_detection.is_some()),
            ("deletes", source.deletes.is_some()),
        ] {
            if set {
                return Err(self.invalid(
                    format!("{at}.{key}"),
                    "applies to database sources only (`database = \"...\"`)".to_string(),
                ));
            }
        }
        if source.path.is_empty() {
            return Err(self.invalid(
                format!("{at}.path"),
                "a source needs `path` (files) or `database`".to_string(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        match LoadedConfig::parse(std::path::Path::new("sluice.toml"), text) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    fn source(extra: &str) -> String {
        format!(
            "[tables.t]\ncolumns = [{{ name = \"id\", type = \"int\", primary_key = true }}]\n\
             [[pipelines.p.sources]]\ntable = \"t\"\n{extra}"
        )
    }

    #[test]
    fn database_sources_are_checked_naming_the_key() {
        let db = "database = \"mysql://root@127.0.0.1/shop\"\n";
        assert_eq!(
            problem(&source(&format!("{db}from_table = \"orders\""))),
            ""
        );
        assert_eq!(
            problem(&source(&format!(
                "{db}query = \"SELECT 1 AS id\"\ncursor = \"id\""
            ))),
            ""
        );
        assert!(
            problem(&source(db))
                .contains("pipelines.p.sources[0].from_table: a database source needs")
        );
        assert!(
            problem(&source(&format!("{db}from_table = \"a\"\nquery = \"b\"")))
                .contains("sources[0].query: give `from_table` or `query`")
        );
        assert!(
            problem(&source("database = \"oracle://x\"\nfrom_table = \"a\""))
                .contains("sources[0].database: expected a URL")
        );
        assert!(
            problem(&source(&format!("{db}from_table = \"a; drop\"")))
                .contains("sources[0].from_table: expected a table name")
        );
        assert!(
            problem(&source(&format!(
                "{db}from_table = \"a\"\ndeletes = \"soft\""
            )))
            .contains("sources[0].deletes: applies to change_detection = \"snapshot\" only")
        );
        assert!(
            problem(&source(&format!(
                "{db}from_table = \"a\"\nchange_detection = \"snapshot\"\ncursor = \"u\""
            )))
            .contains("sources[0].cursor: a snapshot source")
        );
        assert!(
            problem(&source(&format!(
                "{db}from_table = \"a\"\nformat = \"csv\""
            )))
            .contains("sources[0].format: applies to file sources only")
        );
        assert!(
            problem(&source(&format!(
                "{db}from_table = \"a\"\ntransforms = [{{ rename = {{ a = \"b\" }} }}]"
            )))
            .contains("sources[0].transforms: apply to file sources only")
        );
        assert!(
            problem(&source("path = \"a.csv\"\ncursor = \"u\""))
                .contains("sources[0].cursor: applies to database sources only")
        );
        assert!(problem(&source("")).contains("sources[0].path: a source needs"));
    }

    #[test]
    fn the_key_hides_the_password() {
        let text = source("database = \"postgres://u:secret@h/db\"\nfrom_table = \"orders\"");
        let config =
            LoadedConfig::parse(std::path::Path::new("sluice.toml"), &text).expect("valid");
        let key = config.config.pipelines["p"].sources[0].key();
        assert_eq!(key, "t <- postgres://u:***@h/db table orders");
    }
}
