//! What is exported, described before a row is read: the table or query
//! becomes a temporary view on the export's connection, whose columns and
//! declared types the database reports the same way for both sources
//! (`information_schema.columns` on PostgreSQL, `table_info` on SQLite).

use sqlx::Row;

use super::cells::{Cell, Column, ColumnType};
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

/// A PostgreSQL column's type (`information_schema.columns.data_type`).
pub fn postgres_type(data_type: &str, precision: Option<i32>, scale: Option<i32>) -> ColumnType {
    match data_type {
        "smallint" | "integer" | "bigint" => ColumnType::Int,
        "real" | "double precision" => ColumnType::Float,
        "numeric" => decimal(precision, scale),
        "boolean" => ColumnType::Bool,
        "bytea" => ColumnType::Bytes,
        "date" => ColumnType::Date,
        "timestamp with time zone" => ColumnType::Timestamp { utc: true },
        "timestamp without time zone" => ColumnType::Timestamp { utc: false },
        _ => ColumnType::Text,
    }
}

/// A decimal type when its precision fits Arrow's 128-bit decimal, else
/// text, which keeps every digit.
fn decimal(precision: Option<i32>, scale: Option<i32>) -> ColumnType {
    match (precision, scale) {
        (Some(p), Some(s)) if (1..=38).contains(&p) && (0..=p).contains(&s) => {
            ColumnType::Decimal {
                precision: u8::try_from(p).unwrap_or(38),
                scale: i8::try_from(s).unwrap_or(0),
            }
        }
        _ => ColumnType::Text,
    }
}

/// A SQLite column's declared type, read as SQLite's affinity rules read
/// it, with the names that say more (`BOOLEAN`, `DATE`, `TIMESTAMP`,
/// `DECIMAL(p, s)`). An expression without one, or `BLOB` (no affinity),
/// is `Undeclared`: its values settle it.
pub fn sqlite_type(declared: &str) -> ColumnType {
    let d = declared.trim().to_ascii_uppercase();
    if d.is_empty() {
        return ColumnType::Undeclared;
    }
    if d.starts_with("DECIMAL") || d.starts_with("NUMERIC") {
        let inside = d
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(inside, _)| inside);
        let mut parts = inside
            .unwrap_or_default()
            .split(',')
            .map(|p| p.trim().parse::<i32>().ok());
        let precision = parts.next().flatten();
        let scale = parts.next().flatten().or(precision.map(|_| 0));
        return decimal(precision, scale);
    }
    if d.contains("BOOL") {
        ColumnType::Bool
    } else if d.contains("TIMESTAMP") || d.contains("DATETIME") {
        ColumnType::Timestamp { utc: true }
    } else if d == "DATE" {
        ColumnType::Date
    } else if d.contains("INT") {
        ColumnType::Int
    } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
        ColumnType::Text
    } else if d.contains("BLOB") {
        // BLOB is SQLite's "no affinity": values keep whatever they were
        // stored as (`CREATE TABLE … AS SELECT` declares its expressions
        // so), so the values say.
        ColumnType::Undeclared
    } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
        ColumnType::Float
    } else {
        ColumnType::Text
    }
}

/// Gives each `Undeclared` column the type its values in `rows` share:
/// integers, floats (integers among them), bytes, else text.
pub fn settle(columns: &mut [Column], rows: &[Vec<Cell>]) {
    for (i, column) in columns.iter_mut().enumerate() {
        if column.kind != ColumnType::Undeclared {
            continue;
        }
        let (mut ints, mut floats, mut bytes, mut texts) = (0, 0, 0, 0);
        for row in rows {
            match row.get(i) {
                Some(Cell::Int(_)) => ints += 1,
                Some(Cell::Float(_)) => floats += 1,
                Some(Cell::Bytes(_)) => bytes += 1,
                Some(Cell::Null) | None => {}
                Some(_) => texts += 1,
            }
        }
        column.kind = match (ints, floats, bytes, texts) {
            (_, _, 0, 0) if floats > 0 => ColumnType::Float,
            (n, 0, 0, 0) if n > 0 => ColumnType::Int,
            (0, 0, n, 0) if n > 0 => ColumnType::Bytes,
            _ => ColumnType::Text,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_declared_types_map_by_affinity_and_name() {
        assert_eq!(sqlite_type("INTEGER"), ColumnType::Int);
        assert_eq!(sqlite_type("bigint"), ColumnType::Int);
        assert_eq!(sqlite_type("DOUBLE PRECISION"), ColumnType::Float);
        assert_eq!(sqlite_type("VARCHAR(20)"), ColumnType::Text);
        assert_eq!(sqlite_type("BOOLEAN"), ColumnType::Bool);
        assert_eq!(sqlite_type("DATE"), ColumnType::Date);
        assert_eq!(
            sqlite_type("TIMESTAMP"),
            ColumnType::Timestamp { utc: true }
        );
        assert_eq!(
            sqlite_type("DECIMAL(10, 2)"),
            ColumnType::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(sqlite_type("NUMERIC"), ColumnType::Text);
        assert_eq!(sqlite_type("DECIMAL(50,2)"), ColumnType::Text);
        assert_eq!(sqlite_type(""), ColumnType::Undeclared);
        assert_eq!(sqlite_type("BLOB"), ColumnType::Undeclared);
    }

    #[test]
    fn postgres_numeric_is_a_decimal_only_with_its_precision() {
        assert_eq!(
            postgres_type("numeric", Some(12), Some(3)),
            ColumnType::Decimal {
                precision: 12,
                scale: 3
            }
        );
        assert_eq!(postgres_type("numeric", None, None), ColumnType::Text);
        assert_eq!(postgres_type("uuid", None, None), ColumnType::Text);
        assert_eq!(
            postgres_type("timestamp without time zone", None, None),
            ColumnType::Timestamp { utc: false }
        );
    }

    #[test]
    fn undeclared_columns_take_the_type_of_their_values() {
        let mut columns = vec![
            Column {
                name: "n".into(),
                kind: ColumnType::Undeclared,
            },
            Column {
                name: "x".into(),
                kind: ColumnType::Undeclared,
            },
            Column {
                name: "none".into(),
                kind: ColumnType::Undeclared,
            },
        ];
        let rows = vec![
            vec![Cell::Int(1), Cell::Int(2), Cell::Null],
            vec![Cell::Int(3), Cell::Float(2.5), Cell::Null],
        ];
        settle(&mut columns, &rows);
        let kinds: Vec<ColumnType> = columns.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ColumnType::Int, ColumnType::Float, ColumnType::Text]
        );
    }
}
