//! PostgreSQL loading at the speed of `COPY`: the batch's rows are copied
//! into a temporary staging table, then merged with one
//! `INSERT … SELECT … ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM`,
//! all inside the batch's transaction.

use sqlx::{Executor, PgConnection};

use super::tables::{Provenance, Row, SqlValue, TableSpec, load_columns, on_conflict};
use super::{LoadError, TableCounts};

/// Bytes of COPY text sent per message.
const COPY_CHUNK: usize = 1 << 20;

/// Upserts `rows` into `table` through a staging table; counts what happened
/// as the SQLite path does.
pub async fn upsert(
    conn: &mut PgConnection,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<TableCounts, LoadError> {
    let columns = load_columns(table).join(", ");
    let stage = format!("sluice_stage_{}", table.name);
    conn.execute(
        format!(
            "CREATE TEMP TABLE {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
            table.name
        )
        .as_str(),
    )
    .await
    .map_err(LoadError::query(format!(
        "creating the staging table of {}",
        table.name
    )))?;
    let copy_error = LoadError::query(format!("copying rows into {}", table.name));
    let mut copy = conn
        .copy_in_raw(&format!("COPY {stage} ({columns}) FROM STDIN"))
        .await
        .map_err(LoadError::query(format!(
            "starting COPY into {}",
            table.name
        )))?;
    let mut buffer = String::with_capacity(COPY_CHUNK + 4096);
    let mut failed = None;
    for row in rows {
        write_row(&mut buffer, row, provenance);
        if buffer.len() >= COPY_CHUNK {
            if let Err(e) = copy.send(buffer.as_bytes()).await {
                failed = Some(e);
                break;
            }
            buffer.clear();
        }
    }
    if failed.is_none() && !buffer.is_empty() {
        failed = copy.send(buffer.as_bytes()).await.err();
    }
    match failed {
        Some(e) => {
            let _ = copy.abort("sluice: a row could not be sent").await;
            return Err(copy_error(e));
        }
        None => {
            copy.finish().await.map_err(copy_error)?;
        }
    }
    let merge = format!(
        "INSERT INTO {t} ({columns}) SELECT {columns} FROM {stage}{conflict}",
        t = table.name,
        conflict = on_conflict(table, "IS DISTINCT FROM"),
    );
    let inserted_flags: Vec<bool> = sqlx::query_scalar(&merge)
        .fetch_all(&mut *conn)
        .await
        .map_err(LoadError::query(format!("merging into {}", table.name)))?;
    let inserted = inserted_flags.iter().filter(|i| **i).count() as u64;
    Ok(TableCounts {
        records: rows.len() as u64,
        inserted,
        updated: inserted_flags.len() as u64 - inserted,
        unchanged: rows.len() as u64 - inserted_flags.len() as u64,
    })
}

/// One row in COPY's text format: tab-separated, `\N` for NULL.
fn write_row(out: &mut String, row: &Row, provenance: &Provenance<'_>) {
    write_text(out, &row.provider);
    out.push('\t');
    write_text(out, &row.provider_id);
    for value in &row.values {
        out.push('\t');
        match value {
            SqlValue::Null => out.push_str("\\N"),
            SqlValue::Int(i) => out.push_str(&i.to_string()),
            SqlValue::Text(s) => write_text(out, s),
        }
    }
    for text in [provenance.plugin, provenance.plugin_version] {
        out.push('\t');
        write_text(out, text);
    }
    out.push('\t');
    out.push_str(&provenance.run_id.to_string());
    for text in [provenance.payload_hash, provenance.now, provenance.now] {
        out.push('\t');
        write_text(out, text);
    }
    out.push('\n');
}

/// Escapes text for COPY; a NUL, which PostgreSQL text cannot hold, becomes
/// U+FFFD.
fn write_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_would_break_a_row() {
        let mut out = String::new();
        write_text(&mut out, "a\tb\\c\nd\0");
        assert_eq!(out, "a\\tb\\\\c\\nd\u{FFFD}");
    }
}
