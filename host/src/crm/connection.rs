//! Connections of the features job's own, opened with the pool's options
//! but without statement logging: its aggregate query and its loads run
//! for seconds by design, and sqlx would print each whole statement as a
//! slow one.

use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, SqliteConnection, SqlitePool};

/// A PostgreSQL connection to the pool's database, statements unlogged.
pub async fn postgres(pool: &PgPool) -> Result<PgConnection, sqlx::Error> {
    let options = (*pool.connect_options())
        .clone()
        .disable_statement_logging();
    PgConnection::connect_with(&options).await
}

/// A SQLite connection to the pool's database, statements unlogged.
pub async fn sqlite(pool: &SqlitePool) -> Result<SqliteConnection, sqlx::Error> {
    let options = (*pool.connect_options())
        .clone()
        .disable_statement_logging();
    SqliteConnection::connect_with(&options).await
}
