//! The lineage of one loaded row: the runs that inserted and changed it,
//! the archived response it came from (found by the payload hash the row
//! carries), the plugin and enrichers that made it, and the canonical
//! entity it resolved to.

use serde::Serialize;

use super::naming::{DatabaseNaming, run_uuid};
use super::sources::{
    ArchivedRequest, CanonicalLink, archived_request, canonical_link, inserting_run,
};
use crate::db::row::{int, opt_text, text};
use crate::db::{DbError, Exec, Pool, Value};
use crate::load::tables::{ALL, TableSpec};
use crate::state::runs::{self, RunRow};

/// Why a row's lineage cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum RowLineageError {
    /// TABLE is not a canonical table.
    #[error("unknown table `{table}` (canonical tables: {known})")]
    UnknownTable {
        /// What was asked.
        table: String,
        /// The canonical tables.
        known: String,
    },
    /// The key does not have the table's columns.
    #[error("{table} rows are named by {expected}: {given} value(s) given")]
    KeyArity {
        /// The table.
        table: String,
        /// Its key columns, provider first, or a canonical id.
        expected: String,
        /// How many values were given.
        given: usize,
    },
    /// No row has that key.
    #[error("no {table} row with {key}")]
    NoRow {
        /// The table.
        table: String,
        /// The key, as `column = value` pairs.
        key: String,
    },
    /// The database refused.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Which row: its table and its key (provider, then the table's key
/// columns), or a canonical id.
#[derive(Debug, Clone)]
pub struct RowQuery {
    /// A canonical table.
    pub table: String,
    /// `[provider, key…]`, or `[canonical id]`.
    pub key: Vec<String>,
}

/// One loaded row's lineage.
#[derive(Debug, Clone, Serialize)]
pub struct RowLineage {
    /// The table.
    pub table: String,
    /// Its key columns and values, `provider` first.
    pub key: Vec<(String, String)>,
    /// The plugin that wrote the row last, and its version.
    pub plugin: String,
    /// Its version.
    pub plugin_version: String,
    /// When the row was first loaded.
    pub created_at: String,
    /// When its content last changed.
    pub updated_at: String,
    /// The runs that wrote it, oldest first.
    pub writes: Vec<RowWrite>,
    /// The response the row's content came from, when still archived.
    pub request: Option<ArchivedRequest>,
    /// The enrichers its stream's batches passed through.
    pub enrichers: Vec<String>,
    /// The canonical entity it resolved to, when linked.
    pub canonical: Option<CanonicalLink>,
}

/// A run that wrote the row.
#[derive(Debug, Clone, Serialize)]
pub struct RowWrite {
    /// `inserted`, `changed`, `inserted and last changed`, or `appended`
    /// (a row of the table's `_log`).
    pub action: String,
    /// When (the batch's timestamp).
    pub at: String,
    /// The run's id in `sluice_runs`.
    pub run_id: i64,
    /// The run's OpenLineage runId.
    pub openlineage_run_id: String,
    /// The run's pipeline, mode, status and counters, while it is still
    /// recorded.
    pub run: Option<RunRow>,
}

/// The canonical table named `name`.
pub fn table_spec(name: &str) -> Result<&'static TableSpec, RowLineageError> {
    ALL.iter()
        .copied()
        .find(|t| t.name == name)
        .ok_or_else(|| RowLineageError::UnknownTable {
            table: name.to_string(),
            known: ALL.iter().map(|t| t.name).collect::<Vec<_>>().join(", "),
        })
}

/// The kind of canonical entity a table's rows resolve to, and the column
/// holding the provider's id of it.
fn canonical_kind(table: &str) -> Option<(&'static str, &'static str)> {
    match table {
        "competitions" => Some(("competition", "provider_id")),
        "teams" => Some(("team", "provider_id")),
        "events" => Some(("event", "provider_id")),
        "odds" | "participants" | "incidents" | "fair_prices" | "market_consensus" => {
            Some(("event", "event_id"))
        }
        "standings" => Some(("competition", "competition")),
        _ => None,
    }
}

/// The lineage of every row `query` names: one for a provider key, one
/// per linked provider for a canonical id.
pub async fn row_lineage(
    pool: &Pool,
    query: &RowQuery,
    enrichers_of: impl Fn(&str, &str) -> Vec<String>,
) -> Result<Vec<RowLineage>, RowLineageError> {
    let spec = table_spec(&query.table)?;
    let expected = || {
        let mut columns = vec!["provider"];
        columns.extend(spec.key);
        let canonical = canonical_kind(spec.name)
            .filter(|(_, column)| *column == "provider_id")
            .map(|_| " (or one canonical id)")
            .unwrap_or_default();
        format!("{}{canonical}", columns.join(" "))
    };
    let mut conn = pool.acquire().await.map_err(DbError::query("connect"))?;
    let keys: Vec<Vec<String>> = match query.key.len() {
        n if n == spec.key.len() + 1 => vec![query.key.clone()],
        1 => match canonical_kind(spec.name).filter(|(_, c)| *c == "provider_id") {
            Some((kind, _)) => {
                let rows = conn
                    .fetch(
                        "SELECT provider, provider_id FROM provider_ids \
                         WHERE kind = ? AND canonical_id = ? ORDER BY provider, provider_id",
                        vec![kind.into(), query.key[0].as_str().into()],
                    )
                    .await
                    .map_err(DbError::query("reading canonical links"))?;
                let keys: Result<Vec<_>, DbError> = rows
                    .iter()
                    .map(|r| Ok(vec![text(r, 0, "link")?, text(r, 1, "link")?]))
                    .collect();
                keys?
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    if keys.is_empty() && query.key.len() != 1 {
        return Err(RowLineageError::KeyArity {
            table: spec.name.to_string(),
            expected: expected(),
            given: query.key.len(),
        });
    }
    if keys.is_empty() && canonical_kind(spec.name).is_none_or(|(_, c)| c != "provider_id") {
        return Err(RowLineageError::KeyArity {
            table: spec.name.to_string(),
            expected: expected(),
            given: 1,
        });
    }
    let naming = DatabaseNaming::of(pool).await?;
    let mut found = Vec::new();
    for key in &keys {
        if let Some(lineage) = one_row(&mut conn, spec, key, &naming, &enrichers_of).await? {
            found.push(lineage);
        }
    }
    if found.is_empty() {
        let key = if keys.is_empty() {
            format!("canonical id {}", query.key.join(" "))
        } else {
            key_columns(spec)
                .iter()
                .zip(&query.key)
                .map(|(c, v)| format!("{c} = {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(RowLineageError::NoRow {
            table: spec.name.to_string(),
            key,
        });
    }
    Ok(found)
}

fn key_columns(spec: &TableSpec) -> Vec<&'static str> {
    let mut columns = vec!["provider"];
    columns.extend(spec.key);
    columns
}

async fn one_row(
    conn: &mut impl Exec,
    spec: &TableSpec,
    key: &[String],
    naming: &DatabaseNaming,
    enrichers_of: &impl Fn(&str, &str) -> Vec<String>,
) -> Result<Option<RowLineage>, DbError> {
    let columns = key_columns(spec);
    let filter = columns
        .iter()
        .map(|c| format!("CAST({c} AS TEXT) = ?"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let args: Vec<Value> = key.iter().map(|k| k.as_str().into()).collect();
    let link_column = canonical_kind(spec.name).map_or("provider", |(_, c)| c);
    let sql = format!(
        "SELECT plugin, plugin_version, run_id, payload_hash, created_at, updated_at, \
         CAST({link_column} AS TEXT) FROM {} WHERE {filter}",
        spec.name
    );
    let rows = conn
        .fetch(&sql, args.clone())
        .await
        .map_err(DbError::query(format!("reading the {} row", spec.name)))?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let what = "row provenance";
    let (plugin, plugin_version) = (text(row, 0, what)?, text(row, 1, what)?);
    let (run_id, payload_hash) = (int(row, 2, what)?, text(row, 3, what)?);
    let (created_at, updated_at) = (text(row, 4, what)?, text(row, 5, what)?);
    let link_value = opt_text(row, 6, what)?;

    let mut writes = Vec::new();
    let last = runs::get(conn, run_id).await?;
    if created_at == updated_at {
        writes.push(write("inserted", &created_at, run_id, last.clone(), naming));
    } else {
        if let Some(first) = inserting_run(conn, run_id, &created_at).await? {
            writes.push(write(
                "inserted",
                &created_at,
                first.id,
                Some(first),
                naming,
            ));
        }
        writes.push(write("last changed", &updated_at, run_id, last, naming));
    }
    let log_sql = format!(
        "SELECT run_id, created_at FROM {}_log WHERE {filter} ORDER BY run_id",
        spec.name
    );
    // Only some tables have a `_log` twin (streams written with `append`).
    if let Ok(log) = conn.fetch(&log_sql, args).await {
        for r in &log {
            let id = int(r, 0, "log row")?;
            let at = text(r, 1, "log row")?;
            let run = runs::get(conn, id).await?;
            writes.push(write("appended", &at, id, run, naming));
        }
    }
    let request = archived_request(conn, &payload_hash, run_id).await?;
    let enrichers = request
        .as_ref()
        .map(|r| enrichers_of(&r.pipeline, &r.stream_key))
        .unwrap_or_default();
    let canonical = match (canonical_kind(spec.name), link_value, key.first()) {
        (Some((kind, _)), Some(id), Some(provider)) => {
            canonical_link(conn, provider, kind, &id).await?
        }
        _ => None,
    };
    Ok(Some(RowLineage {
        table: spec.name.to_string(),
        key: columns
            .iter()
            .map(|c| c.to_string())
            .zip(key.iter().cloned())
            .collect(),
        plugin,
        plugin_version,
        created_at,
        updated_at,
        writes,
        request,
        enrichers,
        canonical,
    }))
}

fn write(
    action: &str,
    at: &str,
    run_id: i64,
    run: Option<RunRow>,
    naming: &DatabaseNaming,
) -> RowWrite {
    RowWrite {
        action: action.to_string(),
        at: at.to_string(),
        run_id,
        openlineage_run_id: run_uuid(
            naming,
            run_id,
            run.as_ref().map_or("", |r| r.started_at.as_str()),
        ),
        run,
    }
}
