//! Table-level checks pushed into the database: every check of a table
//! that SQL can judge becomes one column of one aggregate query over the
//! table (never `SELECT *`, never a query per check or per row).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::{CheckConfig, CheckKind};
use crate::db::{DbError, Exec, Value};

/// What the aggregate query found for one check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found {
    /// This many rows failed.
    Failing(u64),
    /// The newest value of the column is this old, in seconds (none when
    /// the table has no value).
    Age(Option<f64>),
}

/// Whether the database judges `check`: the table-level kinds, plus, with
/// `row_kinds`, the row-level kinds SQL can express (for `sluice check`
/// over what is loaded).
pub fn in_database(check: &CheckConfig, row_kinds: bool) -> bool {
    match check.check {
        CheckKind::Referential | CheckKind::Freshness | CheckKind::Sql => true,
        CheckKind::NotNull | CheckKind::Range | CheckKind::Allowed | CheckKind::Unique => row_kinds,
        CheckKind::Regex
        | CheckKind::Outliers
        | CheckKind::Drift
        | CheckKind::Volume
        | CheckKind::Plugin => false,
    }
}

/// Whether `table` is one of the canonical tables, whose rows are matched
/// with another canonical table's within the same provider.
fn canonical(table: &str) -> bool {
    crate::load::tables::ALL.iter().any(|t| t.name == table)
}

/// How the aggregate query judges one check.
struct Judged {
    /// The aggregate column.
    aggregate: String,
    /// A join the column reads (a `referential` check's other table).
    join: Option<String>,
    /// The values the column binds.
    args: Vec<Value>,
}

impl Judged {
    fn column(aggregate: String, args: Vec<Value>) -> Self {
        Judged {
            aggregate,
            join: None,
            args,
        }
    }
}

/// How the aggregate query judges `check`, the `at`-th check of `table`.
fn column(table: &str, at: usize, check: &CheckConfig) -> Judged {
    let col = check.column.as_deref().unwrap_or("provider");
    let failing = |condition: String| format!("SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)");
    match check.check {
        CheckKind::NotNull => Judged::column(failing(format!("t.{col} IS NULL")), Vec::new()),
        CheckKind::Range => {
            let mut out = Vec::new();
            if let Some(min) = check.min {
                out.push(format!("t.{col} < {min:?}"));
            }
            if let Some(max) = check.max {
                out.push(format!("t.{col} > {max:?}"));
            }
            Judged::column(failing(out.join(" OR ")), Vec::new())
        }
        CheckKind::Allowed => {
            let marks = vec!["?"; check.values.len()].join(", ");
            let args = check.values.iter().map(Value::from).collect();
            Judged::column(
                failing(format!(
                    "t.{col} IS NOT NULL AND CAST(t.{col} AS TEXT) NOT IN ({marks})"
                )),
                args,
            )
        }
        CheckKind::Unique => {
            let parts: Vec<String> = check
                .columns
                .iter()
                .map(|c| format!("COALESCE(CAST(t.{c} AS TEXT), '')"))
                .collect();
            Judged::column(
                format!("COUNT(*) - COUNT(DISTINCT {})", parts.join(" || '|' || ")),
                Vec::new(),
            )
        }
        CheckKind::Referential => {
            // A hash join with the other table's distinct values: a
            // correlated NOT EXISTS would probe the other table once per row.
            let (other, other_col) = check
                .references
                .as_deref()
                .and_then(|r| r.split_once('.'))
                .unwrap_or(("", ""));
            let r = format!("r{at}");
            let (provider, same_provider) = if canonical(table) && canonical(other) {
                (", provider", format!(" AND {r}.provider = t.provider"))
            } else {
                ("", String::new())
            };
            Judged {
                aggregate: failing(format!("t.{col} IS NOT NULL AND {r}.v IS NULL")),
                join: Some(format!(
                    "LEFT JOIN (SELECT DISTINCT {other_col} AS v{provider} FROM {other}) {r} \
                     ON {r}.v = t.{col}{same_provider}"
                )),
                args: Vec::new(),
            }
        }
        CheckKind::Freshness => match check.stream.as_deref() {
            // The stream's last success, read from its one row per stream
            // key within the same query.
            Some(stream) => {
                let with_params = format!("{stream}?");
                Judged::column(
                    format!(
                        "(SELECT MAX(f.last_success) FROM sluice_stream_freshness f \
                         WHERE f.stream_key = ? OR substr(f.stream_key, 1, {}) = ?)",
                        with_params.chars().count()
                    ),
                    vec![Value::from(stream), Value::Text(with_params)],
                )
            }
            None => Judged::column(format!("MAX(t.{col})"), Vec::new()),
        },
        CheckKind::Sql => Judged::column(
            failing(format!(
                "NOT ({})",
                check.expression.as_deref().unwrap_or("TRUE")
            )),
            Vec::new(),
        ),
        CheckKind::Regex
        | CheckKind::Outliers
        | CheckKind::Drift
        | CheckKind::Volume
        | CheckKind::Plugin => Judged::column("0".to_string(), Vec::new()),
    }
}

/// Runs `checks` of `table` as one aggregate query; returns the table's
/// row count and what each check found, in order.
pub async fn run(
    db: &mut impl Exec,
    table: &str,
    checks: &[&CheckConfig],
) -> Result<(u64, Vec<Found>), DbError> {
    let mut columns = vec!["COUNT(*)".to_string()];
    let mut joins = Vec::new();
    let mut args = Vec::new();
    for (at, check) in checks.iter().enumerate() {
        let judged = column(table, at, check);
        columns.push(judged.aggregate);
        joins.extend(judged.join);
        args.extend(judged.args);
    }
    let sql = format!(
        "SELECT {} FROM {table} t {}",
        columns.join(", "),
        joins.join(" ")
    );
    let rows = db
        .fetch(&sql, args)
        .await
        .map_err(DbError::query(format!("checking the quality of {table}")))?;
    let row = rows.into_iter().next().unwrap_or_default();
    let count = |v: Option<&Value>| match v {
        Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Value::Float(f)) => *f as u64,
        Some(Value::Text(t)) => t.parse().unwrap_or(0),
        _ => 0,
    };
    let total = count(row.first());
    let now = OffsetDateTime::now_utc();
    let found = checks
        .iter()
        .enumerate()
        .map(|(i, check)| {
            let value = row.get(i + 1);
            match check.check {
                CheckKind::Freshness => Found::Age(match value {
                    Some(Value::Text(t)) => Some(
                        OffsetDateTime::parse(t, &Rfc3339)
                            .map_or(f64::INFINITY, |at| (now - at).as_seconds_f64().max(0.0)),
                    ),
                    _ => None,
                }),
                _ => Found::Failing(count(value)),
            }
        })
        .collect();
    Ok((total, found))
}
