//! The SQL text of loading, the same for every table: its columns in load
//! order, the merge of a staging table into it, and the delete of a
//! group's rows a batch no longer sends.

use super::TableSpec;

/// Provenance columns, in load order.
pub const PROVENANCE_COLUMNS: [&str; 4] = ["plugin", "plugin_version", "run_id", "payload_hash"];

/// Every column of `table` in load order: `provider`, key, content,
/// provenance, `created_at`, `updated_at`.
pub fn load_columns(table: &TableSpec) -> Vec<&'static str> {
    ["provider"]
        .iter()
        .chain(table.key)
        .chain(table.content)
        .chain(&PROVENANCE_COLUMNS)
        .chain(&["created_at", "updated_at"])
        .copied()
        .collect()
}

/// The SQL a backend differs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The key columns of `table`, `provider` first.
pub fn key_columns(table: &TableSpec) -> Vec<&'static str> {
    std::iter::once("provider")
        .chain(table.key.iter().copied())
        .collect()
}

/// A condition that rows `a` and `b` of `table` have the same key.
pub fn same_key(table: &TableSpec, a: &str, b: &str) -> String {
    key_columns(table)
        .iter()
        .map(|c| format!("{a}.{c} = {b}.{c}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Deletes the rows of every group the staged rows belong to that the
/// stage does not hold; none for a table without groups.
pub fn delete_outside_stage_sql(table: &TableSpec) -> Option<String> {
    if table.group.is_empty() {
        return None;
    }
    let group: Vec<&str> = std::iter::once("provider")
        .chain(table.group.iter().copied())
        .collect();
    let group = group.join(", ");
    Some(format!(
        "DELETE FROM {t} WHERE ({group}) IN (SELECT DISTINCT {group} FROM {stage}) \
         AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {same})",
        t = table.name,
        stage = stage_name(table),
        same = same_key(table, "s", table.name),
    ))
}

/// The staging table a batch's rows of `table` go through.
pub fn stage_name(table: &TableSpec) -> String {
    format!("sluice_stage_{}", table.name)
}

/// The merge of the staged rows into `table`, the same on both backends:
/// new keys are inserted, changed content is updated with its provenance
/// and `updated_at`, identical content is left untouched. Returns one row
/// per insert or update, true for an insert.
pub fn merge_sql(table: &TableSpec, dialect: Dialect) -> String {
    let columns = load_columns(table).join(", ");
    let sets: Vec<String> = table
        .content
        .iter()
        .chain(&PROVENANCE_COLUMNS)
        .chain(&["updated_at"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let old: Vec<String> = table
        .content
        .iter()
        .map(|c| format!("{}.{c}", table.name))
        .collect();
    let new: Vec<String> = table
        .content
        .iter()
        .map(|c| format!("excluded.{c}"))
        .collect();
    let target = key_columns(table).join(", ");
    let stage = stage_name(table);
    let (distinct, filter) = match dialect {
        // `WHERE true` keeps SQLite from reading ON CONFLICT as a join
        // clause. SQLite has one writer at a time: nothing to spare.
        Dialect::Sqlite => ("IS NOT", "WHERE true".to_string()),
        // ON CONFLICT locks the row it meets even when its WHERE then
        // leaves it alone, until the transaction ends: workers loading the
        // same teams would queue on those rows batch after batch. Rows
        // whose content is already there are left out by a plain read
        // instead, and the rest are taken in key order, so two loads that
        // share rows lock them in the same order and cannot deadlock.
        Dialect::Postgres => {
            let staged: Vec<String> = table
                .content
                .iter()
                .map(|c| format!("{stage}.{c}"))
                .collect();
            (
                "IS DISTINCT FROM",
                format!(
                    "WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE {same} AND ({old}) IS NOT DISTINCT FROM ({staged})) \
                     ORDER BY {target}",
                    t = table.name,
                    same = same_key(table, table.name, &stage),
                    old = old.join(", "),
                    staged = staged.join(", "),
                ),
            )
        }
    };
    format!(
        "INSERT INTO {t} ({columns}) SELECT {columns} FROM {stage} {filter} \
         ON CONFLICT ({target}) DO UPDATE SET {sets} WHERE ({old}) {distinct} ({new}) \
         RETURNING created_at = updated_at",
        t = table.name,
        sets = sets.join(", "),
        old = old.join(", "),
        new = new.join(", "),
    )
}
