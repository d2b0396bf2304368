//! What is exported, described before a row is read: the table or query
//! becomes a temporary view on the export's connection, whose columns and
//! declared types the database reports the same way for both sources
//! (`information_schema.columns` on PostgreSQL, `table_info` on SQLite).

use sqlx::Row;

use super::cells::{Column, ColumnType};
use super::types::{postgres_type, sqlite_type};
use super::{ExportError, Source};
use crate::db::Conn;

/// A column name quoted for SQL.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The view's `SELECT`: every row of the table (of one run when asked), or
/// the query as given.
fn view_body(source: &Source) -> String {
    match source {
        Source::Table { name, run: None } => format!("SELECT * FROM {}", quoted(name)),
        Source::Table {
            name,
            run: Some(run),
        } => format!("SELECT * FROM {} WHERE run_id = {run}", quoted(name)),
        Source::Query(sql) => sql.trim().trim_end_matches(';').to_string(),
    }
}

/// The names of the tables and views of the database, for messages.
async fn table_names(conn: &mut Conn) -> Result<Vec<String>, sqlx::Error> {
    let rows = match conn {
        Conn::Sqlite(c) => sqlx::query(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
        )
        .fetch_all(&mut **c)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?,
        Conn::Postgres(c) => sqlx::query(
            "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = ANY (current_schemas(false)) \
                 AND table_name NOT LIKE '\\_sqlx%' ORDER BY 1",
        )
        .fetch_all(&mut **c)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

/// Refuses a table the database does not have, naming the closest it has.
async fn check_table(conn: &mut Conn, table: &str) -> Result<(), ExportError> {
    let names = table_names(conn)
        .await
        .map_err(|source| ExportError::Read { source })?;
    if names.iter().any(|n| n == table) {
        return Ok(());
    }
    let closest = names
        .iter()
        .map(|n| (strsim::jaro_winkler(n, table), n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n.clone());
    Err(ExportError::UnknownTable {
        table: table.to_string(),
        closest,
    })
}

/// Creates view `view` over `source` on `conn` and returns its columns.
pub async fn describe(
    conn: &mut Conn,
    source: &Source,
    view: &str,
) -> Result<Vec<Column>, ExportError> {
    if let Source::Table { name, .. } = source {
        check_table(conn, name).await?;
    }
    let query = source_query(source);
    let refused = |source: sqlx::Error| match query {
        Some(query) => ExportError::BadQuery {
            query: query.to_string(),
            message: database_message(&source),
        },
        None => ExportError::Read { source },
    };
    let create = format!("AS {}", view_body(source));
    let columns = match conn {
        Conn::Sqlite(c) => {
            sqlx::query(&format!("CREATE TEMP VIEW {} {create}", quoted(view)))
                .execute(&mut **c)
                .await
                .map_err(refused)?;
            // Resolving the view's columns is where SQLite finds unknown
            // tables and columns of the query.
            let rows = sqlx::query("SELECT name, type FROM pragma_table_info(?, 'temp')")
                .bind(view)
                .fetch_all(&mut **c)
                .await
                .map_err(refused)?;
            rows.iter()
                .map(|r| {
                    Ok(Column {
                        name: r.try_get::<String, _>(0)?,
                        kind: sqlite_type(&r.try_get::<String, _>(1)?),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(|source| ExportError::Read { source })?
        }
        Conn::Postgres(c) => {
            sqlx::query(&format!("CREATE TEMPORARY VIEW {} {create}", quoted(view)))
                .execute(&mut **c)
                .await
                .map_err(refused)?;
            let rows = sqlx::query(
                "SELECT column_name::text, data_type::text, numeric_precision::int4, \
                 numeric_scale::int4 FROM information_schema.columns \
                 WHERE table_schema = (SELECT nspname::text FROM pg_namespace \
                                       WHERE oid = pg_my_temp_schema()) \
                 AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(view)
            .fetch_all(&mut **c)
            .await
            .map_err(|source| ExportError::Read { source })?;
            rows.iter()
                .map(|r| {
                    Ok(Column {
                        name: r.try_get::<String, _>(0)?,
                        kind: postgres_type(
                            &r.try_get::<String, _>(1)?,
                            r.try_get::<Option<i32>, _>(2)?,
                            r.try_get::<Option<i32>, _>(3)?,
                        ),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(|source| ExportError::Read { source })?
        }
    };
    if columns.is_empty() {
        return Err(ExportError::Read {
            source: sqlx::Error::Protocol(format!("the view over {source} has no columns")),
        });
    }
    Ok(columns)
}

fn source_query(source: &Source) -> Option<&str> {
    match source {
        Source::Query(sql) => Some(sql),
        Source::Table { .. } => None,
    }
}

/// What the database said, without sqlx's framing.
pub fn database_message(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

/// Drops the view; a failure only leaves a temporary view on a connection.
pub async fn drop_view(conn: &mut Conn, view: &str) {
    let sql = format!("DROP VIEW IF EXISTS {}", quoted(view));
    let dropped = match conn {
        Conn::Sqlite(c) => sqlx::query(&sql).execute(&mut **c).await.map(drop),
        Conn::Postgres(c) => sqlx::query(&sql).execute(&mut **c).await.map(drop),
    };
    if let Err(error) = dropped {
        tracing::debug!(%error, view, "could not drop the export's temporary view");
    }
}

/// How many distinct values `columns` take together in the view: the
/// partitions a partitioned export would write.
pub async fn count_distinct(
    conn: &mut Conn,
    view: &str,
    columns: &[String],
) -> Result<u64, ExportError> {
    let list: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT DISTINCT {} FROM {}) AS partitions",
        list.join(", "),
        quoted(view)
    );
    let count: i64 = match conn {
        Conn::Sqlite(c) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await,
        Conn::Postgres(c) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await,
    }
    .map_err(|source| ExportError::Read { source })?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// The statement that streams the view's rows, each column cast on
/// PostgreSQL to what it is decoded as.
pub fn select_sql(conn: &Conn, view: &str, columns: &[Column]) -> String {
    match conn {
        Conn::Sqlite(_) => format!("SELECT * FROM temp.{}", quoted(view)),
        Conn::Postgres(_) => {
            let list: Vec<String> = columns
                .iter()
                .map(|c| {
                    let name = quoted(&c.name);
                    match c.kind {
                        ColumnType::Int => format!("CAST({name} AS bigint)"),
                        ColumnType::Float => format!("CAST({name} AS double precision)"),
                        ColumnType::Decimal { .. } | ColumnType::Text | ColumnType::Undeclared => {
                            format!("CAST({name} AS text)")
                        }
                        ColumnType::Bool
                        | ColumnType::Bytes
                        | ColumnType::Date
                        | ColumnType::Timestamp { .. } => name,
                    }
                })
                .collect();
            format!("SELECT {} FROM pg_temp.{}", list.join(", "), quoted(view))
        }
    }
}
