//! `write = "replace"`: the keys of every row a replace stream staged are
//! kept in a temporary table of its transaction; when the stream completes,
//! the provider's rows those keys do not cover are deleted, and the whole
//! stream commits at once. Readers see the old rows until then.

use crate::db::{Exec, Tx};

use super::tables::{TableSpec, key_columns, same_key, stage_name};
use crate::db::DbError;

fn keys_table(table: &TableSpec) -> String {
    format!("sluice_replace_{}", table.name)
}

/// Adds the keys of the rows staged for `table` to the stream's key table,
/// creating it for the `first` batch that writes `table`.
pub async fn keep_keys(tx: &mut Tx, table: &TableSpec, first: bool) -> Result<(), DbError> {
    let keys = keys_table(table);
    let columns = key_columns(table).join(", ");
    if first {
        let temp = match tx {
            Tx::Sqlite(_) => "temp",
            Tx::Postgres(_) => "pg_temp",
        };
        tx.execute(&format!("DROP TABLE IF EXISTS {temp}.{keys}"), Vec::new())
            .await
            .map_err(DbError::query("creating the replace key table"))?;
        tx.execute(
            &format!(
                "CREATE TEMP TABLE {keys} AS SELECT {columns} FROM {} WHERE false",
                table.name
            ),
            Vec::new(),
        )
        .await
        .map_err(DbError::query("creating the replace key table"))?;
    }
    tx.execute(
        &format!(
            "INSERT INTO {keys} ({columns}) SELECT {columns} FROM {}",
            stage_name(table)
        ),
        Vec::new(),
    )
    .await
    .map_err(DbError::query(format!(
        "keeping the keys of {} for replace",
        table.name
    )))?;
    Ok(())
}

/// Deletes the rows of the stream's providers in `table` whose keys the
/// stream did not produce; returns how many.
pub async fn delete_unproduced(tx: &mut Tx, table: &TableSpec) -> Result<u64, DbError> {
    let keys = keys_table(table);
    let sql = format!(
        "DELETE FROM {t} WHERE provider IN (SELECT DISTINCT provider FROM {keys}) \
         AND NOT EXISTS (SELECT 1 FROM {keys} k WHERE {same})",
        t = table.name,
        same = same_key(table, "k", table.name),
    );
    tx.execute(&sql, Vec::new())
        .await
        .map_err(DbError::query(format!(
            "deleting the rows of {} the replace did not produce",
            table.name
        )))
}
