//! What makes odds more than an upsert: before a batch's quotes are merged
//! into `odds`, every price that moved and every line that moved is written
//! to `odds_history`, and the lines a bookmaker withdrew from a market it
//! sent again are deleted. Runs on the staged quotes, in the batch's
//! transaction, with the same SQL on both backends.

use crate::db::{Exec, Tx};

use super::tables::{Dialect, ODDS, stage_name};
use crate::db::DbError;

/// What the moves of one batch came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moves {
    /// Rows written to `odds_history`.
    pub recorded: u64,
    /// Lines deleted from `odds` because their market no longer offers them.
    pub withdrawn: u64,
}

/// The columns `odds_history` is written with.
const HISTORY_COLUMNS: &str = "provider, event_id, bookmaker, market, selection, participant, \
     move, line, price, previous_line, previous_price, provider_updated_at, run_id, \
     payload_hash, observed_at";

/// Records the moves the staged quotes make against `odds` and deletes the
/// withdrawn lines; must run after staging and before the merge.
pub async fn record_moves(tx: &mut Tx, dialect: Dialect) -> Result<Moves, DbError> {
    let stage = stage_name(&ODDS);
    // A first load of these markets can move nothing: one indexed probe per
    // staged market says so, and the rest is skipped.
    let known = format!(
        "SELECT 1 FROM odds WHERE (provider, market_key) IN \
         (SELECT DISTINCT provider, market_key FROM {stage}) LIMIT 1"
    );
    let rows = tx
        .fetch(&known, Vec::new())
        .await
        .map_err(DbError::query("looking up the staged markets"))?;
    if rows.is_empty() {
        return Ok(Moves::default());
    }
    if dialect == Dialect::Postgres {
        // Every statement below is driven by the staged quotes and probes
        // `odds` through its indexes, whatever size the planner believes
        // `odds` has (its statistics lag behind a fast-growing table).
        for sql in [
            format!("CREATE INDEX ON {stage} (provider, market_key, quote_key)"),
            "SET LOCAL enable_hashjoin = off".to_string(),
            "SET LOCAL enable_mergejoin = off".to_string(),
        ] {
            tx.execute(&sql, Vec::new())
                .await
                .map_err(DbError::query("preparing the odds moves"))?;
        }
    }
    let price_moves = format!(
        "INSERT INTO odds_history ({HISTORY_COLUMNS}) \
         SELECT s.provider, s.event_id, s.bookmaker, s.market, s.selection, s.participant, \
                'price', s.line, s.price, o.line, o.price, s.provider_updated_at, s.run_id, \
                s.payload_hash, s.updated_at \
         FROM {stage} s JOIN odds o ON o.provider = s.provider \
          AND o.market_key = s.market_key AND o.quote_key = s.quote_key \
         WHERE o.price <> s.price"
    );
    // A selection quoted on a line `odds` does not have, while a line it has
    // is no longer quoted: the line moved, from the nearest withdrawn line.
    let line_moves = format!(
        "INSERT INTO odds_history ({HISTORY_COLUMNS}) \
         SELECT provider, event_id, bookmaker, market, selection, participant, 'line', line, \
                price, previous_line, previous_price, provider_updated_at, run_id, \
                payload_hash, updated_at \
         FROM ( \
           SELECT s.*, o.line AS previous_line, o.price AS previous_price, \
                  row_number() OVER (PARTITION BY s.provider, s.market_key, s.quote_key \
                                     ORDER BY abs(o.line - s.line), o.line) AS nearest \
           FROM {stage} s JOIN odds o \
             ON o.provider = s.provider AND o.market_key = s.market_key \
            AND o.selection_key = s.selection_key AND o.quote_key <> s.quote_key \
           WHERE NOT EXISTS (SELECT 1 FROM odds x \
                             WHERE x.provider = s.provider AND x.market_key = s.market_key \
                               AND x.quote_key = s.quote_key) \
             AND NOT EXISTS (SELECT 1 FROM {stage} y \
                             WHERE y.provider = o.provider AND y.market_key = o.market_key \
                               AND y.quote_key = o.quote_key) \
         ) moved WHERE nearest = 1"
    );
    let withdraw = format!(
        "DELETE FROM odds WHERE (provider, market_key, quote_key) IN ( \
           SELECT o.provider, o.market_key, o.quote_key \
           FROM (SELECT DISTINCT provider, market_key FROM {stage}) m \
           JOIN odds o ON o.provider = m.provider AND o.market_key = m.market_key \
           WHERE NOT EXISTS (SELECT 1 FROM {stage} s \
                             WHERE s.provider = o.provider AND s.market_key = o.market_key \
                               AND s.quote_key = o.quote_key))"
    );
    let mut moves = Moves::default();
    for (sql, doing) in [
        (&price_moves, "recording price moves"),
        (&line_moves, "recording line moves"),
    ] {
        moves.recorded += tx
            .execute(sql, Vec::new())
            .await
            .map_err(DbError::query(doing))?;
    }
    moves.withdrawn = tx
        .execute(&withdraw, Vec::new())
        .await
        .map_err(DbError::query("deleting withdrawn lines"))?;
    if dialect == Dialect::Postgres {
        for sql in [
            "SET LOCAL enable_hashjoin = on",
            "SET LOCAL enable_mergejoin = on",
        ] {
            tx.execute(sql, Vec::new())
                .await
                .map_err(DbError::query("preparing the odds moves"))?;
        }
    }
    Ok(moves)
}
