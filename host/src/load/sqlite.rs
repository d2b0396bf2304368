//! SQLite loading: prepared multi-row upserts inside the batch's transaction.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::tables::{Provenance, Row, SqlValue, TableSpec, load_columns, on_conflict};
use super::{LoadError, TableCounts};

/// SQLite accepts at most 32,766 bound parameters per statement.
const MAX_PARAMS: usize = 32_000;

/// Upserts `rows` into `table`: new keys are inserted, changed content is
/// updated (with `updated_at` and provenance), identical content is left
/// untouched.
pub async fn upsert(
    conn: &mut SqliteConnection,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<TableCounts, LoadError> {
    let columns = load_columns(table);
    let rows_per_statement = (MAX_PARAMS / columns.len()).max(1);
    let conflict = on_conflict(table, "IS NOT");
    let mut counts = TableCounts {
        records: rows.len() as u64,
        ..TableCounts::default()
    };
    for chunk in rows.chunks(rows_per_statement) {
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "INSERT INTO {} ({}) ",
            table.name,
            columns.join(", ")
        ));
        query.push_values(chunk, |mut b, row| {
            b.push_bind(row.provider.clone())
                .push_bind(row.provider_id.clone());
            for value in &row.values {
                match value {
                    SqlValue::Null => b.push_bind(None::<String>),
                    SqlValue::Int(i) => b.push_bind(*i),
                    SqlValue::Text(s) => b.push_bind(s.clone()),
                };
            }
            b.push_bind(provenance.plugin.to_string())
                .push_bind(provenance.plugin_version.to_string())
                .push_bind(provenance.run_id)
                .push_bind(provenance.payload_hash.to_string())
                .push_bind(provenance.now.to_string())
                .push_bind(provenance.now.to_string());
        });
        query.push(&conflict);
        let inserted_flags: Vec<bool> = query
            .build_query_scalar()
            .fetch_all(&mut *conn)
            .await
            .map_err(LoadError::query(format!("upserting into {}", table.name)))?;
        let inserted = inserted_flags.iter().filter(|i| **i).count() as u64;
        counts.inserted += inserted;
        counts.updated += inserted_flags.len() as u64 - inserted;
        counts.unchanged += chunk.len() as u64 - inserted_flags.len() as u64;
    }
    Ok(counts)
}
