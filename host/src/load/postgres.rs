//! PostgreSQL staging at the speed of `COPY`: a batch's rows of one table
//! are copied into a temporary staging table that lives until the
//! transaction ends; the merge and the odds moves run on it.

use std::fmt::Write;

use sqlx::{Executor, PgConnection};

use super::LoadError;
use super::tables::{Provenance, Row, SqlValue, TableSpec, load_columns, stage_name};

/// Bytes of COPY text sent per message.
const COPY_CHUNK: usize = 1 << 20;

/// Copies `rows` into a fresh staging table shaped like `table`.
pub async fn stage(
    conn: &mut PgConnection,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<(), LoadError> {
    let stage = stage_name(table);
    let creating = format!("creating the staging table of {}", table.name);
    for sql in [
        format!("DROP TABLE IF EXISTS pg_temp.{stage}"),
        format!(
            "CREATE TEMP TABLE {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
            table.name
        ),
    ] {
        conn.execute(sql.as_str())
            .await
            .map_err(LoadError::query(creating.clone()))?;
    }
    copy_rows(conn, &stage, table, rows, provenance).await?;
    Ok(())
}

/// Copies `rows` of `table` into `target` (the staging table, or the table
/// itself when nothing of the batch can conflict); returns the rows copied.
pub async fn copy_rows(
    conn: &mut PgConnection,
    target: &str,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<u64, LoadError> {
    let columns = load_columns(table).join(", ");
    let copy_error = LoadError::query(format!("copying rows into {}", table.name));
    let mut copy = conn
        .copy_in_raw(&format!("COPY {target} ({columns}) FROM STDIN"))
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
            Err(copy_error(e))
        }
        None => copy.finish().await.map_err(copy_error),
    }
}

/// Copies rows none of which can be in `table` yet straight into it, under
/// a savepoint: when a concurrent run loaded some of them in between, the
/// copy is undone and `None` says to merge instead.
pub async fn copy_new_rows(
    conn: &mut PgConnection,
    table: &TableSpec,
    rows: &[Row],
    provenance: &Provenance<'_>,
) -> Result<Option<u64>, LoadError> {
    conn.execute("SAVEPOINT sluice_direct_copy")
        .await
        .map_err(LoadError::query(format!(
            "copying rows into {}",
            table.name
        )))?;
    match copy_rows(conn, table.name, table, rows, provenance).await {
        Ok(copied) => Ok(Some(copied)),
        Err(error) => {
            tracing::info!(%error, table = table.name, "rows conflicted with a concurrent load; merging instead");
            conn.execute("ROLLBACK TO SAVEPOINT sluice_direct_copy")
                .await
                .map_err(LoadError::query(format!(
                    "copying rows into {}",
                    table.name
                )))?;
            Ok(None)
        }
    }
}

/// Whether `odds` holds any quote of the markets of `rows`: when it holds
/// none, nothing of the batch can conflict, move or be withdrawn.
pub async fn odds_markets_known(conn: &mut PgConnection, rows: &[Row]) -> Result<bool, LoadError> {
    let mut markets: Vec<(&str, &str)> = rows
        .iter()
        .filter_map(|r| match r.key.first() {
            Some(SqlValue::Text(market)) => Some((r.provider.as_str(), market.as_str())),
            _ => None,
        })
        .collect();
    markets.sort_unstable();
    markets.dedup();
    let (providers, keys): (Vec<&str>, Vec<&str>) = markets.into_iter().unzip();
    let known: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM odds o JOIN unnest($1::text[], $2::text[]) AS m (provider, market_key) \
         ON o.provider = m.provider AND o.market_key = m.market_key::uuid LIMIT 1",
    )
    .bind(providers)
    .bind(keys)
    .fetch_optional(&mut *conn)
    .await
    .map_err(LoadError::query("looking up the batch's markets"))?;
    Ok(known.is_some())
}

/// One row in COPY's text format: tab-separated, `\N` for NULL.
fn write_row(out: &mut String, row: &Row, provenance: &Provenance<'_>) {
    write_text(out, &row.provider);
    for value in row.key.iter().chain(&row.values) {
        out.push('\t');
        // Writing into a String cannot fail.
        let _ = match value {
            SqlValue::Null => {
                out.push_str("\\N");
                Ok(())
            }
            SqlValue::Int(i) => write!(out, "{i}"),
            // Rust's shortest round-trip form, which PostgreSQL reads back
            // to the same double.
            SqlValue::Float(f) => write!(out, "{f}"),
            SqlValue::Text(s) => {
                write_text(out, s);
                Ok(())
            }
        };
    }
    for text in [provenance.plugin, provenance.plugin_version] {
        out.push('\t');
        write_text(out, text);
    }
    let _ = write!(out, "\t{}", provenance.run_id);
    for text in [provenance.payload_hash, provenance.now, provenance.now] {
        out.push('\t');
        write_text(out, text);
    }
    out.push('\n');
}

/// Escapes text for COPY; a NUL, which PostgreSQL text cannot hold, becomes
/// U+FFFD.
fn write_text(out: &mut String, text: &str) {
    if !text
        .bytes()
        .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r' | 0))
    {
        out.push_str(text);
        return;
    }
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
