//! Per-user aggregates from a PostgreSQL transactions table, folded in the
//! host as the rows stream out of the server by binary `COPY`, instead of
//! grouped by the server: PostgreSQL filters the counted transactions and
//! sends five narrow columns; the host decodes them (`binary.rs`) into the
//! same accumulators the data-lake reader uses. PostgreSQL's grouped query
//! (per-row time-zone conversion, numeric sums, a sort for the gaps) took
//! ten times as long on the same table.
//!
//! A plain table is read as one block range per stream, each on a
//! connection of its own that shares the first one's snapshot
//! (`pg_export_snapshot`), so the streams together read one consistent
//! table. Those connections are `db::copy_out`'s, which hand over the
//! rows of each socket read in place, unless it declines the pool's options
//! (TLS, an authentication it does not speak): then they are sqlx's, as is
//! the one stream of a small table. Memory holds the per-user figures,
//! never the transactions.
//!
//! Only columns of the types the decoder knows take this way (`user_id` an
//! integer, `amount` numeric, `created_at` timestamptz, the type columns
//! text); any other table is left to the grouped query.

pub mod binary;

use futures_util::TryStreamExt;
use sqlx::{Column, Connection, Executor, PgConnection, PgPool, Statement, TypeInfo};
use time::Date;

use super::CrmError;
use super::aggregates::{GAME_TYPES, TRANSACTION_TYPES};
use super::connection;
use super::lake::accumulate::{Rules, UserTable};
use super::lake::columns::{Decoded, Vocabulary};
use super::lake::compact::CompactUsers;
use super::source::SourceQuery;
use crate::db::copy_out::{CopyOutConnection, WireError};
use binary::CopyReader;

/// Rows decoded before they are folded into the table.
const BATCH_ROWS: usize = 16 * 1024;

/// How a table is shared out among streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Streams (connections, and tasks folding rows) at most.
    pub streams: usize,
    /// Tables of fewer blocks than this are read by one stream: below it,
    /// opening connections costs more than it saves.
    pub split_min_blocks: i64,
}

impl Plan {
    /// One stream per core, for tables of 8 MiB (1,024 blocks) or more.
    pub fn per_core(cores: usize) -> Self {
        Plan {
            streams: cores.max(1),
            split_min_blocks: 1024,
        }
    }
}

/// The columns selected, in the order the decoder reads them.
const SELECTED: &str = "user_id, amount, transaction_type, created_at, game_type";

/// Why a table is left to the grouped query, if it is.
fn unfit(columns: &[(String, String)]) -> Option<String> {
    for (name, ty) in columns {
        let fits = match name.as_str() {
            "user_id" => matches!(ty.as_str(), "INT2" | "INT4" | "INT8"),
            "amount" => ty == "NUMERIC",
            "created_at" => ty == "TIMESTAMPTZ",
            "transaction_type" | "game_type" => matches!(ty.as_str(), "TEXT" | "VARCHAR"),
            _ => true,
        };
        if !fits {
            return Some(format!("column `{name}` is {}", ty.to_lowercase()));
        }
    }
    None
}

/// `value` as an SQL string literal (`standard_conforming_strings` on).
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The COPY statement of one stream: the counted transactions of blocks
/// `from..until` (`None`: from the start, to the end).
fn copy_statement(q: &SourceQuery, from: Option<i64>, until: Option<i64>) -> String {
    let statuses: Vec<String> = q.statuses.iter().map(|s| literal(s)).collect();
    let mut filter = format!(
        "user_id IS NOT NULL AND created_at < {}::timestamptz AND status IN ({})",
        literal(&crate::db::timestamp(q.cutoff)),
        statuses.join(", ")
    );
    if let Some(from) = from {
        filter.push_str(&format!(" AND ctid >= '({from},0)'::tid"));
    }
    if let Some(until) = until {
        filter.push_str(&format!(" AND ctid < '({until},0)'::tid"));
    }
    format!(
        "COPY (SELECT {SELECTED} FROM {} WHERE {filter}) TO STDOUT (FORMAT binary)",
        q.source
    )
}

/// Block ranges splitting `blocks` into `streams` parts, the first open
/// at its start and the last open at its end.
fn ranges(blocks: i64, streams: usize) -> Vec<(Option<i64>, Option<i64>)> {
    let n = streams.max(1) as i64;
    (0..n)
        .map(|i| {
            let from = (i > 0).then(|| blocks * i / n);
            let until = (i + 1 < n).then(|| blocks * (i + 1) / n);
            (from, until)
        })
        .collect()
}

/// Every user's aggregates by user id, read by the COPY streams of
/// `plan`; `None` when the table's columns are of types left to the
/// grouped query.
pub async fn read_users(
    pg: &PgPool,
    q: &SourceQuery,
    reference_date: Date,
    plan: Plan,
) -> Result<Option<CompactUsers>, CrmError> {
    let doing = |what: &str| format!("{what} {}", q.source);
    let query_err = |what: &'static str| {
        let doing = doing(what);
        move |source| CrmError::Query { doing, source }
    };
    let mut first = open(pg, None)
        .await
        .map_err(query_err("reading the transactions of"))?;
    let describe = format!("SELECT {SELECTED}, status FROM {} LIMIT 0", q.source);
    let described = first
        .prepare(&describe)
        .await
        .map_err(query_err("reading the columns of"))?;
    let columns: Vec<(String, String)> = described
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.type_info().name().to_string()))
        .collect();
    drop(described);
    if let Some(why) = unfit(&columns) {
        tracing::info!(source = %q.source, reason = %why, "aggregating by the grouped query");
        first
            .execute("ROLLBACK")
            .await
            .map_err(query_err("reading the transactions of"))?;
        first
            .close()
            .await
            .map_err(query_err("reading the transactions of"))?;
        return Ok(None);
    }
    let relation: Option<(String, i64)> = sqlx::query_as(
        "SELECT c.relkind::text, pg_relation_size(c.oid) / current_setting('block_size')::bigint \
         FROM pg_class c WHERE c.oid = to_regclass($1)",
    )
    .bind(&q.source)
    .fetch_optional(&mut first)
    .await
    .map_err(query_err("measuring"))?;
    let split = match relation {
        Some((kind, blocks))
            if kind == "r" && plan.streams > 1 && blocks >= plan.split_min_blocks =>
        {
            ranges(blocks, plan.streams)
        }
        _ => ranges(0, 1),
    };
    let connections = if split.len() > 1 {
        let (snapshot,): (String,) = sqlx::query_as("SELECT pg_export_snapshot()")
            .fetch_one(&mut first)
            .await
            .map_err(query_err("sharing a snapshot of"))?;
        // Every stream takes the snapshot before any starts, while the
        // first connection's transaction holds it.
        match open_own(pg, &snapshot, split.len()).await {
            Ok(Some(own)) => {
                first
                    .execute("ROLLBACK")
                    .await
                    .map_err(query_err("sharing a snapshot of"))?;
                first
                    .close()
                    .await
                    .map_err(query_err("sharing a snapshot of"))?;
                own
            }
            Ok(None) => {
                let mut streams = vec![Conn::Sqlx(first)];
                for _ in 1..split.len() {
                    streams.push(Conn::Sqlx(
                        open(pg, Some(&snapshot))
                            .await
                            .map_err(query_err("sharing a snapshot of"))?,
                    ));
                }
                streams
            }
            Err(source) => {
                return Err(CrmError::Stream {
                    doing: doing("sharing a snapshot of"),
                    source,
                });
            }
        }
    } else {
        vec![Conn::Sqlx(first)]
    };
    let rules = Rules::new(q.zone, q.cutoff, reference_date);
    let mut tasks: Vec<_> = connections
        .into_iter()
        .zip(&split)
        .map(|(conn, &(from, until))| {
            let sql = copy_statement(q, from, until);
            tokio::spawn(stream(conn, sql, rules.clone()))
        })
        .collect();
    let mut tables = Vec::with_capacity(tasks.len());
    let mut failure = None;
    for i in 0..tasks.len() {
        let error = match (&mut tasks[i]).await {
            Ok(Ok(table)) => {
                tables.push(table);
                continue;
            }
            Ok(Err(e)) => e,
            Err(e) => StreamError::Stopped(e.to_string()),
        };
        // The other streams' rows no longer matter.
        for other in &tasks[i + 1..] {
            other.abort();
        }
        failure = Some(error);
        break;
    }
    if let Some(e) = failure {
        return Err(match e {
            StreamError::Database(source) => CrmError::Query {
                doing: doing("streaming the transactions of"),
                source,
            },
            StreamError::Wire(source) => CrmError::Stream {
                doing: doing("streaming the transactions of"),
                source,
            },
            StreamError::Format(e) => {
                CrmError::Unexpected(format!("{}: {e}", doing("streaming the transactions of")))
            }
            StreamError::Stopped(e) => {
                CrmError::Unexpected(format!("a stream of {} stopped: {e}", q.source))
            }
        });
    }
    let users = CompactUsers::new(tables, reference_date);
    tracing::debug!(
        source = %q.source,
        streams = split.len(),
        users = users.len(),
        "aggregated transactions streamed by COPY"
    );
    Ok(Some(users))
}

/// A connection in a read-only repeatable-read transaction, on
/// `snapshot` when given.
async fn open(pg: &PgPool, snapshot: Option<&str>) -> Result<PgConnection, sqlx::Error> {
    let mut conn = connection::postgres(pg).await?;
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    if let Some(snapshot) = snapshot {
        conn.execute(format!("SET TRANSACTION SNAPSHOT {}", literal(snapshot)).as_str())
            .await?;
    }
    // The statuses and the cutoff are written into the COPY as literals.
    conn.execute("SET LOCAL standard_conforming_strings = on")
        .await?;
    Ok(conn)
}

/// `count` connections of the lean COPY reader, each in a read-only
/// repeatable-read transaction on `snapshot`; `None` when it declines the
/// pool's options (TLS, an authentication it does not speak).
async fn open_own(
    pg: &PgPool,
    snapshot: &str,
    count: usize,
) -> Result<Option<Vec<Conn>>, WireError> {
    let options = pg.connect_options();
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        let Some(mut conn) = CopyOutConnection::connect(&options).await? else {
            return Ok(None);
        };
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        conn.execute(&format!("SET TRANSACTION SNAPSHOT {}", literal(snapshot)))
            .await?;
        conn.execute("SET LOCAL standard_conforming_strings = on")
            .await?;
        streams.push(Conn::Own(conn));
    }
    Ok(Some(streams))
}

/// The connection one stream reads its rows from.
enum Conn {
    /// sqlx's: the small tables read by one stream, and every table where
    /// the lean reader declines the options.
    Sqlx(PgConnection),
    /// The lean COPY reader's.
    Own(CopyOutConnection),
}

/// Why one stream stopped.
#[derive(Debug)]
enum StreamError {
    Database(sqlx::Error),
    Wire(WireError),
    Format(binary::CopyFormatError),
    Stopped(String),
}

impl From<WireError> for StreamError {
    fn from(e: WireError) -> Self {
        StreamError::Wire(e)
    }
}

/// Folds the rows of one COPY stream into a table of its own.
async fn stream(conn: Conn, sql: String, mut rules: Rules) -> Result<UserTable, StreamError> {
    // Only the statuses that count are selected: no status is read.
    let words = Vocabulary {
        kinds: &TRANSACTION_TYPES,
        statuses: &[],
        games: &GAME_TYPES,
    };
    let mut table = UserTable::default();
    let mut decoded = Decoded::default();
    let mut reader = CopyReader::default();
    let mut fold = |bytes: &[u8]| -> Result<(), StreamError> {
        reader
            .feed(bytes, words, &mut decoded)
            .map_err(StreamError::Format)?;
        if decoded.len() >= BATCH_ROWS {
            table.add(&decoded, &mut rules);
            decoded.clear();
        }
        Ok(())
    };
    match conn {
        Conn::Own(mut conn) => {
            let mut copy = conn.copy_out(&sql).await?;
            while copy.read(&mut fold).await? {}
            conn.execute("ROLLBACK").await?;
            conn.close().await?;
        }
        Conn::Sqlx(mut conn) => {
            {
                let mut chunks = conn
                    .copy_out_raw(&sql)
                    .await
                    .map_err(StreamError::Database)?;
                while let Some(chunk) = chunks.try_next().await.map_err(StreamError::Database)? {
                    fold(&chunk)?;
                }
            }
            conn.execute("ROLLBACK")
                .await
                .map_err(StreamError::Database)?;
            conn.close().await.map_err(StreamError::Database)?;
        }
    }
    reader.finish().map_err(StreamError::Format)?;
    table.add(&decoded, &mut rules);
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_block_once() {
        assert_eq!(ranges(0, 1), [(None, None)]);
        assert_eq!(
            ranges(10, 3),
            [(None, Some(3)), (Some(3), Some(6)), (Some(6), None)]
        );
    }

    #[test]
    fn only_known_types_stream() {
        let cols = |user: &str, amount: &str| {
            vec![
                ("user_id".to_string(), user.to_string()),
                ("amount".to_string(), amount.to_string()),
                ("created_at".to_string(), "TIMESTAMPTZ".to_string()),
                ("status".to_string(), "USER_STATUS".to_string()),
            ]
        };
        assert_eq!(unfit(&cols("INT8", "NUMERIC")), None);
        assert_eq!(
            unfit(&cols("UUID", "NUMERIC")).as_deref(),
            Some("column `user_id` is uuid")
        );
        assert!(unfit(&cols("INT4", "FLOAT8")).is_some());
    }

    #[test]
    fn statuses_are_quoted_literals() {
        let q = SourceQuery {
            source: "tx".to_string(),
            zone: chrono_tz::UTC,
            cutoff: time::macros::datetime!(2025-07-01 0:00 UTC),
            statuses: vec!["done".to_string(), "it's".to_string()],
        };
        let sql = copy_statement(&q, Some(5), None);
        assert!(sql.contains("status IN ('done', 'it''s')"), "{sql}");
        assert!(sql.contains("ctid >= '(5,0)'::tid"), "{sql}");
        assert!(!sql.contains("ctid <"), "{sql}");
    }
}
