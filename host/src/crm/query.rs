//! The one grouped query that turns the transactions table into one row of
//! [`UserAggregates`](super::UserAggregates) per user, written for each
//! backend. One scan groups the completed transactions before the cutoff
//! per user (counts by game type, weekday, daypart and type, sums in cents);
//! a second, narrow one takes each user's distinct local days and the gaps
//! between them with a window function; the two are joined per user. (A
//! first grouping per user and day, then per user, was measured slower:
//! most users' days hold few transactions, so the day rows are nearly as
//! many as the transactions and twice as wide.)
//!
//! Columns, in order: user, transactions, active days, first and last day
//! (days since 1970-01-01), bets per game type (5), transactions per weekday
//! (7, Monday first), per daypart (4), count and cents per type (5 × 2), the
//! sum of squared bet cents (text), the largest bet in cents, gap count, sum
//! and sum of squares.

use super::aggregates::{DAYPARTS, GAME_TYPES, TRANSACTION_TYPES};

/// How many columns the query returns.
pub const COLUMNS: usize = 1 + 4 + 5 + 7 + 4 + 10 + 2 + 3;

/// The backend a query is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL: `AT TIME ZONE`, numeric sums, `$n` placeholders.
    Postgres,
    /// SQLite: local time from the offsets table `temp.sluice_crm_zone`,
    /// sums of integer cents, `?` placeholders.
    Sqlite,
}

/// The SQLite table of the time zone's offsets, one row per period, that
/// [`user_aggregates`] reads local time from.
pub const SQLITE_ZONE_TABLE: &str = "temp.sluice_crm_zone";

/// The query, with its parameters: the time zone (PostgreSQL only), the
/// cutoff instant (RFC 3339 on PostgreSQL, Unix seconds on SQLite), then
/// one per status in `statuses`.
pub fn user_aggregates(backend: Backend, source: &str, statuses: usize) -> String {
    let status_marks = match backend {
        Backend::Postgres => (0..statuses)
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", "),
        Backend::Sqlite => vec!["?"; statuses].join(", "),
    };
    let tx = match backend {
        Backend::Postgres => format!(
            "SELECT user_id, created_at AT TIME ZONE $1 AS local, \
               CAST(amount * 100 AS bigint) AS cents, amount, transaction_type AS kind, game_type \
             FROM {source} \
             WHERE user_id IS NOT NULL AND created_at < CAST($2 AS timestamptz) \
               AND status IN ({status_marks})"
        ),
        Backend::Sqlite => format!(
            "SELECT t.user_id, datetime(t.created_at, \
                 (SELECT z.modifier FROM {SQLITE_ZONE_TABLE} z \
                  WHERE z.from_epoch <= unixepoch(t.created_at) \
                  ORDER BY z.from_epoch DESC LIMIT 1)) AS local, \
               CAST(ROUND(t.amount * 100) AS INTEGER) AS cents, t.transaction_type AS kind, t.game_type \
             FROM {source} t \
             WHERE t.user_id IS NOT NULL AND unixepoch(t.created_at) < ? \
               AND t.status IN ({status_marks})"
        ),
    };
    let (materialized, day, part, dow, epoch, gap, square, squares_text, int) = match backend {
        Backend::Postgres => (
            // Inlined into both scans, so each stays parallel.
            "NOT MATERIALIZED",
            "CAST(local AS date)",
            "CAST(date_part('hour', local) AS int) / 6",
            "CAST(date_part('isodow', local) AS int) - 1",
            "DAY - DATE '1970-01-01'",
            "day - LAG(day) OVER (PARTITION BY user_id ORDER BY day)",
            "amount * amount",
            "CAST(CAST(COALESCE(u.bet_squares, 0) * 10000 AS numeric(40, 0)) AS text)",
            "bigint",
        ),
        Backend::Sqlite => (
            // Computed once: the zone lookup per row is SQLite's dear part.
            "MATERIALIZED",
            "date(local)",
            "CAST(strftime('%H', local) AS INTEGER) / 6",
            "(CAST(strftime('%w', local) AS INTEGER) + 6) % 7",
            "CAST(julianday(DAY) - 2440587.5 AS INTEGER)",
            "CAST(julianday(day) - julianday(LAG(day) OVER (PARTITION BY user_id ORDER BY day)) AS INTEGER)",
            "cents * cents",
            "CAST(COALESCE(u.bet_squares, 0) AS TEXT)",
            "INTEGER",
        ),
    };
    // Small integer codes, so each aggregate's filter compares integers.
    let code = |column: &str, names: &[&str]| {
        let arms: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| format!("WHEN '{name}' THEN {i}"))
            .collect();
        format!("CASE {column} {} END", arms.join(" "))
    };
    let mut per_user = vec![
        "COUNT(*) AS n".to_string(),
        "MIN(day) AS first_day".to_string(),
        "MAX(day) AS last_day".to_string(),
    ];
    let epoch = |column: &str| epoch.replace("DAY", column);
    let mut out = vec![
        "CAST(u.user_id AS text)".to_string(),
        format!("CAST(u.n AS {int})"),
        format!("CAST(d.active_days AS {int})"),
        format!("CAST({} AS {int})", epoch("u.first_day")),
        format!("CAST({} AS {int})", epoch("u.last_day")),
    ];
    for (i, _) in GAME_TYPES.iter().enumerate() {
        per_user.push(format!("COUNT(*) FILTER (WHERE k = 2 AND g = {i}) AS g{i}"));
        out.push(format!("CAST(u.g{i} AS {int})"));
    }
    for weekday in 0..7 {
        per_user.push(format!(
            "COUNT(*) FILTER (WHERE dow = {weekday}) AS w{weekday}"
        ));
        out.push(format!("CAST(u.w{weekday} AS {int})"));
    }
    for (i, _) in DAYPARTS.iter().enumerate() {
        per_user.push(format!("COUNT(*) FILTER (WHERE part = {i}) AS h{i}"));
        out.push(format!("CAST(u.h{i} AS {int})"));
    }
    for (i, _) in TRANSACTION_TYPES.iter().enumerate() {
        per_user.push(format!("COUNT(*) FILTER (WHERE k = {i}) AS c{i}"));
        per_user.push(format!("SUM(cents) FILTER (WHERE k = {i}) AS s{i}"));
        out.push(format!("CAST(u.c{i} AS {int})"));
        out.push(format!("CAST(COALESCE(u.s{i}, 0) AS {int})"));
    }
    per_user.push(format!("SUM({square}) FILTER (WHERE k = 2) AS bet_squares"));
    per_user.push("MAX(cents) FILTER (WHERE k = 2) AS bet_max".to_string());
    out.push(squares_text.to_string());
    out.push(format!("CAST(COALESCE(u.bet_max, 0) AS {int})"));
    out.push(format!("CAST(d.gaps AS {int})"));
    out.push(format!("CAST(d.gap_sum AS {int})"));
    out.push(format!("CAST(d.gap_squares AS {int})"));
    debug_assert_eq!(out.len(), COLUMNS);
    format!(
        "WITH tx AS {materialized} (SELECT user_id, {day} AS day, {part} AS part, {dow} AS dow, \
           cents, {amount}{k} AS k, {g} AS g FROM ({tx}) AS filtered), \
         users AS (SELECT user_id, {per_user} FROM tx GROUP BY user_id), \
         days AS (SELECT user_id, day FROM tx GROUP BY user_id, day), \
         gaps AS (SELECT user_id, COUNT(*) AS active_days, COUNT(gap) AS gaps, \
           COALESCE(SUM(gap), 0) AS gap_sum, COALESCE(SUM(gap * gap), 0) AS gap_squares \
           FROM (SELECT user_id, {gap} AS gap FROM days) AS spaced GROUP BY user_id) \
         SELECT {out} FROM users u JOIN gaps d ON d.user_id = u.user_id",
        amount = if backend == Backend::Postgres {
            "amount, "
        } else {
            ""
        },
        k = code("kind", &TRANSACTION_TYPES),
        g = code("game_type", &GAME_TYPES),
        per_user = per_user.join(", "),
        out = out.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let pg = user_aggregates(Backend::Postgres, "transactions", 2);
        assert!(pg.contains("status IN ($3, $4)"), "{pg}");
        assert!(pg.contains("AT TIME ZONE $1"));
        let lite = user_aggregates(Backend::Sqlite, "transactions", 2);
        assert!(lite.contains("status IN (?, ?)"), "{lite}");
        assert!(!lite.contains('$'));
    }

    #[test]
    fn one_row_per_user() {
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let sql = user_aggregates(backend, "transactions", 1);
            assert!(
                sql.ends_with("FROM users u JOIN gaps d ON d.user_id = u.user_id"),
                "{sql}"
            );
        }
    }
}
