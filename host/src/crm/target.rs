//! The features table: its name split into schema and table, its DDL per
//! backend and disposition, and the statements the three dispositions
//! share.

use super::query::Backend;
use super::row::{COLUMNS, Kind};
use crate::config::CrmWrite;

/// Where the features go and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The schema, when the name has one (PostgreSQL).
    pub schema: Option<String>,
    /// The table's own name.
    pub table: String,
    /// The disposition.
    pub write: CrmWrite,
}

impl Target {
    /// `name` (`table` or `schema.table`, validated by the config) written
    /// with `write`.
    pub fn new(name: &str, write: CrmWrite) -> Self {
        let (schema, table) = match name.split_once('.') {
            Some((schema, table)) => (Some(schema.to_string()), table.to_string()),
            None => (None, name.to_string()),
        };
        Target {
            schema,
            table,
            write,
        }
    }

    /// The qualified name of table `table` in this target's schema.
    pub fn qualified(&self, table: &str) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{table}"),
            None => table.to_string(),
        }
    }

    /// The target's qualified name.
    pub fn name(&self) -> String {
        self.qualified(&self.table)
    }

    /// The table a replace builds before swapping it in.
    pub fn building(&self) -> String {
        format!("{}__building", self.table)
    }

    /// The key columns: the user, and the snapshot's day when appending.
    pub fn key(&self) -> &'static str {
        match self.write {
            CrmWrite::Append => "snapshot_date, user_id",
            CrmWrite::Merge | CrmWrite::Replace => "user_id",
        }
    }

    /// `CREATE TABLE [IF NOT EXISTS] qualified (…)` with every column.
    pub fn create(&self, backend: Backend, qualified: &str, if_not_exists: bool) -> String {
        let columns: Vec<String> = COLUMNS
            .iter()
            .map(|(name, kind)| {
                let not_null = if matches!(*name, "user_id" | "snapshot_date") {
                    " NOT NULL"
                } else {
                    ""
                };
                format!("{name} {}{not_null}", sql_type(backend, *kind))
            })
            .collect();
        format!(
            "CREATE TABLE {}{qualified} ({}, PRIMARY KEY ({}))",
            if if_not_exists { "IF NOT EXISTS " } else { "" },
            columns.join(", "),
            self.key()
        )
    }

    /// `INSERT INTO target (…) SELECT … FROM staged ON CONFLICT (user_id)
    /// DO UPDATE SET …`: the merge, on both backends.
    pub fn merge_from(&self, staged: &str) -> String {
        let names = column_list();
        let updates: Vec<String> = COLUMNS
            .iter()
            .filter(|(name, _)| *name != "user_id")
            .map(|(name, _)| format!("{name} = excluded.{name}"))
            .collect();
        format!(
            "INSERT INTO {} ({names}) SELECT {names} FROM {staged} WHERE true \
             ON CONFLICT (user_id) DO UPDATE SET {}",
            self.name(),
            updates.join(", ")
        )
    }
}

/// Every column, comma-separated.
pub fn column_list() -> String {
    COLUMNS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn sql_type(backend: Backend, kind: Kind) -> &'static str {
    match (backend, kind) {
        (_, Kind::Text) => "TEXT",
        (Backend::Postgres, Kind::Int) => "BIGINT",
        (Backend::Sqlite, Kind::Int) => "INTEGER",
        (_, Kind::Money) => "NUMERIC(16, 2)",
        (Backend::Postgres, Kind::Float) => "DOUBLE PRECISION",
        (Backend::Sqlite, Kind::Float) => "REAL",
        (Backend::Postgres, Kind::Date) => "DATE",
        (Backend::Sqlite, Kind::Date) => "TEXT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_qualified_name_splits() {
        let t = Target::new("ml_features.user_features", CrmWrite::Replace);
        assert_eq!(t.schema.as_deref(), Some("ml_features"));
        assert_eq!(t.name(), "ml_features.user_features");
        assert_eq!(
            t.qualified(&t.building()),
            "ml_features.user_features__building"
        );
        let plain = Target::new("user_features", CrmWrite::Append);
        assert_eq!(plain.name(), "user_features");
        assert!(
            plain
                .create(Backend::Sqlite, "user_features", true)
                .ends_with("PRIMARY KEY (snapshot_date, user_id))")
        );
    }

    #[test]
    fn merge_updates_every_column_but_the_key() {
        let sql = Target::new("f", CrmWrite::Merge).merge_from("staged");
        assert!(sql.contains(
            "ON CONFLICT (user_id) DO UPDATE SET snapshot_date = excluded.snapshot_date"
        ));
        assert!(!sql.contains("user_id = excluded.user_id"));
    }
}
