//! SQLite staging: a batch's rows of one table go into a temporary staging
//! table with prepared multi-row inserts, inside the batch's transaction;
//! the merge and the odds moves run on it as they do on PostgreSQL.

use sqlx::{Executor, QueryBuilder, Sqlite, SqliteConnection};

use super::tables::{Provenance, Row, TableSpec, load_columns, stage_name};
use crate::db::DbError;
use crate::db::Value;

/// SQLite accepts at most 32,766 bound parameters per statement.
const MAX_PARAMS: usize = 32_000;

/// Inserts `rows` into a fresh staging table shaped like `table`.
pub async fn stage(
    conn: &mut SqliteConnection,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<(), DbError> {
    let columns = load_columns(table);
    let stage = stage_name(table);
    let creating = format!("creating the staging table of {}", table.name);
    conn.execute(format!("DROP TABLE IF EXISTS temp.{stage}").as_str())
        .await
        .map_err(DbError::query(creating.clone()))?;
    conn.execute(
        format!(
            "CREATE TEMP TABLE {stage} AS SELECT {} FROM {} WHERE false",
            columns.join(", "),
            table.name
        )
        .as_str(),
    )
    .await
    .map_err(DbError::query(creating))?;
    let rows_per_statement = (MAX_PARAMS / columns.len()).max(1);
    for chunk in rows.chunks(rows_per_statement) {
        let mut query: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("INSERT INTO {stage} ({}) ", columns.join(", ")));
        query.push_values(chunk, |mut b, row| {
            b.push_bind(row.provider.clone());
            for value in row.key.iter().chain(&row.values) {
                match value {
                    Value::Null => b.push_bind(None::<String>),
                    Value::NullInt => b.push_bind(None::<i64>),
                    Value::NullFloat => b.push_bind(None::<f64>),
                    Value::Int(i) => b.push_bind(*i),
                    Value::Float(f) => b.push_bind(*f),
                    Value::Text(s) => b.push_bind(s.clone()),
                    Value::Blob(bytes) => b.push_bind(bytes.clone()),
                    Value::Key(k) => b.push_bind(Value::key_hex(k)),
                };
            }
            b.push_bind(provenance.plugin.to_string())
                .push_bind(provenance.plugin_version.to_string())
                .push_bind(provenance.run_id)
                .push_bind(provenance.payload_hash.to_string())
                .push_bind(provenance.now.to_string())
                .push_bind(provenance.now.to_string());
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(DbError::query(format!("staging rows of {}", table.name)))?;
    }
    Ok(())
}
