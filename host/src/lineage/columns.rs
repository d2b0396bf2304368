//! A table's columns and their declared types, read from the database
//! itself, for the `schema` facet: what a lineage server shows is what the
//! migrations made, never a second list kept by hand.

use super::event::Column;
use crate::db::{DbError, Exec, Pool, row};

/// The columns of `table`, in their order.
pub async fn table_columns(pool: &Pool, table: &str) -> Result<Vec<Column>, DbError> {
    let sql = match pool {
        Pool::Postgres(_) => {
            "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = ? \
             ORDER BY ordinal_position"
        }
        Pool::Sqlite(_) => "SELECT name, type FROM pragma_table_info(?) ORDER BY cid",
    };
    let doing = format!("read the columns of {table}");
    let mut conn = pool
        .acquire()
        .await
        .map_err(DbError::query(doing.clone()))?;
    let rows = conn
        .fetch(sql, vec![table.into()])
        .await
        .map_err(DbError::query(doing.clone()))?;
    rows.iter()
        .map(|r| {
            Ok(Column {
                name: row::text(r, 0, &doing)?,
                data_type: row::opt_text(r, 1, &doing)?
                    .unwrap_or_default()
                    .to_lowercase(),
            })
        })
        .collect()
}
