//! The schema's migrations, embedded in the binary, one list per backend,
//! applied by sqlx's migrator (its `_sqlx_migrations` table, checksums and
//! locking). They are listed here rather than found by `sqlx::migrate!`,
//! whose macro would build sqlx's database drivers a second time, for the
//! compiler, in every build of the host.

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

/// One migration file: its version, its description (the file name's words)
/// and its SQL.
type Embedded = (i64, &'static str, &'static str);

/// `migrations/sqlite/`, in version order.
const SQLITE: &[Embedded] = &[
    (
        1,
        "canonical and host tables",
        include_str!("../../migrations/sqlite/0001_canonical_and_host_tables.sql"),
    ),
    (
        2,
        "archive and breakers",
        include_str!("../../migrations/sqlite/0002_archive_and_breakers.sql"),
    ),
    (
        3,
        "quarantine resolution",
        include_str!("../../migrations/sqlite/0003_quarantine_resolution.sql"),
    ),
    (
        4,
        "odds",
        include_str!("../../migrations/sqlite/0004_odds.sql"),
    ),
    (
        5,
        "resolution",
        include_str!("../../migrations/sqlite/0005_resolution.sql"),
    ),
    (
        6,
        "tables incidents prices",
        include_str!("../../migrations/sqlite/0006_tables_incidents_prices.sql"),
    ),
    (
        7,
        "serve",
        include_str!("../../migrations/sqlite/0007_serve.sql"),
    ),
    (
        8,
        "live",
        include_str!("../../migrations/sqlite/0008_live.sql"),
    ),
    (
        9,
        "live matches",
        include_str!("../../migrations/sqlite/0009_live_matches.sql"),
    ),
    (
        10,
        "quality",
        include_str!("../../migrations/sqlite/0010_quality.sql"),
    ),
    (
        11,
        "source files",
        include_str!("../../migrations/sqlite/0011_source_files.sql"),
    ),
    (
        13,
        "database sources",
        include_str!("../../migrations/sqlite/0013_database_sources.sql"),
    ),
];

/// `migrations/postgres/`, in version order.
const POSTGRES: &[Embedded] = &[
    (
        1,
        "canonical and host tables",
        include_str!("../../migrations/postgres/0001_canonical_and_host_tables.sql"),
    ),
    (
        2,
        "archive and breakers",
        include_str!("../../migrations/postgres/0002_archive_and_breakers.sql"),
    ),
    (
        3,
        "quarantine resolution",
        include_str!("../../migrations/postgres/0003_quarantine_resolution.sql"),
    ),
    (
        4,
        "odds",
        include_str!("../../migrations/postgres/0004_odds.sql"),
    ),
    (
        5,
        "resolution",
        include_str!("../../migrations/postgres/0005_resolution.sql"),
    ),
    (
        6,
        "tables incidents prices",
        include_str!("../../migrations/postgres/0006_tables_incidents_prices.sql"),
    ),
    (
        7,
        "serve",
        include_str!("../../migrations/postgres/0007_serve.sql"),
    ),
    (
        8,
        "live",
        include_str!("../../migrations/postgres/0008_live.sql"),
    ),
    (
        9,
        "live matches",
        include_str!("../../migrations/postgres/0009_live_matches.sql"),
    ),
    (
        10,
        "quality",
        include_str!("../../migrations/postgres/0010_quality.sql"),
    ),
    (
        11,
        "source files",
        include_str!("../../migrations/postgres/0011_source_files.sql"),
    ),
    (
        12,
        "workers",
        include_str!("../../migrations/postgres/0012_workers.sql"),
    ),
    (
        13,
        "database sources",
        include_str!("../../migrations/postgres/0013_database_sources.sql"),
    ),
];

/// The SQLite schema's migrator.
pub async fn sqlite() -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(EmbeddedMigrations(SQLITE)).await
}

/// The PostgreSQL schema's migrator.
pub async fn postgres() -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(EmbeddedMigrations(POSTGRES)).await
}

/// A list of embedded migrations as sqlx's migrator takes them.
#[derive(Debug)]
struct EmbeddedMigrations(&'static [Embedded]);

impl<'s> MigrationSource<'s> for EmbeddedMigrations {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration file added to a folder but not to its list would never
    /// run: every file is listed, under its own version.
    #[test]
    fn every_migration_file_is_embedded_in_order() {
        for (dir, list) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir);
            let mut files: Vec<String> = std::fs::read_dir(&folder)
                .expect("migrations folder")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".sql"))
                .collect();
            files.sort();
            assert_eq!(files.len(), list.len(), "{dir}: {files:?}");
            for (file, (version, description, sql)) in files.iter().zip(list) {
                let expected = format!("{version:04}_{}.sql", description.replace(' ', "_"));
                assert_eq!(file, &expected, "{dir}");
                let on_disk = std::fs::read_to_string(folder.join(file)).expect("readable");
                assert_eq!(&on_disk, sql, "{dir}/{file}");
            }
        }
    }
}
