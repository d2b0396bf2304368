//! `sluice crm`: per-user features computed in the database and loaded with
//! each write disposition, checked against values worked out by hand on a
//! few users, on SQLite and PostgreSQL; and the transaction generator's
//! determinism.

mod files;
mod scorer;
mod table_stream;

use crate::common::{TestContext, assert_ok, stdout};
use crate::on_both_databases;

/// The transactions table, as each backend types it.
fn create_transactions(ctx: &TestContext) {
    let ddl = if ctx.database_url().starts_with("postgres") {
        "CREATE TABLE transactions (transaction_id UUID, user_id BIGINT, amount NUMERIC(10, 2), \
         transaction_type TEXT, status TEXT, created_at TIMESTAMPTZ, game_type TEXT)"
    } else {
        "CREATE TABLE transactions (transaction_id TEXT, user_id INTEGER, amount NUMERIC(10, 2), \
         transaction_type TEXT, status TEXT, created_at TEXT, game_type TEXT)"
    };
    ctx.query(ddl);
}

/// One transaction: user, amount, type, status, UTC time, game.
type Tx<'a> = (
    Option<i64>,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
);

/// Inserts transactions.
fn insert(ctx: &TestContext, rows: &[Tx<'_>]) {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let values: Vec<String> = rows
        .iter()
        .map(|(user, amount, kind, status, at, game)| {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            format!(
                "('00000000-0000-4000-8000-{n:012}', {}, {amount}, '{kind}', '{status}', '{at}', {})",
                user.map_or("NULL".to_string(), |u| u.to_string()),
                game.map_or("NULL".to_string(), |g| format!("'{g}'")),
            )
        })
        .collect();
    ctx.query(&format!(
        "INSERT INTO transactions (transaction_id, user_id, amount, transaction_type, status, created_at, game_type) VALUES {}",
        values.join(", ")
    ));
}

/// The hand-worked dataset. The reference date is Monday 2025-06-30 in
/// Europe/Madrid (UTC+2 in summer): transactions count until
/// 2025-06-30T22:00:00Z.
const HAND_DATASET: &[Tx<'static>] = &[
    // User 1: Saturday 28 June 20:00-20:30 local (night), then
    // 01:30 local on Monday 30 June (dawn; 23:30 UTC on Sunday).
    (
        Some(1),
        "100.00",
        "deposit",
        "completed",
        "2025-06-28T18:00:00Z",
        None,
    ),
    (
        Some(1),
        "10.00",
        "bet",
        "completed",
        "2025-06-28T18:10:00Z",
        Some("crash"),
    ),
    (
        Some(1),
        "30.00",
        "bet",
        "completed",
        "2025-06-28T18:20:00Z",
        Some("crash"),
    ),
    (
        Some(1),
        "50.00",
        "win",
        "completed",
        "2025-06-28T18:30:00Z",
        Some("crash"),
    ),
    (
        Some(1),
        "20.00",
        "bet",
        "completed",
        "2025-06-29T23:30:00Z",
        Some("sports"),
    ),
    // Not completed, and after the cutoff (00:30 local on 1 July).
    (
        Some(1),
        "99.00",
        "bet",
        "failed",
        "2025-06-30T21:30:00Z",
        Some("slots"),
    ),
    (
        Some(1),
        "500.00",
        "bet",
        "completed",
        "2025-06-30T22:30:00Z",
        Some("casino"),
    ),
    // User 2: every Monday in May at 12:00 local (afternoon).
    (
        Some(2),
        "50.00",
        "deposit",
        "completed",
        "2025-05-05T10:00:00Z",
        None,
    ),
    (
        Some(2),
        "5.00",
        "bet",
        "completed",
        "2025-05-05T10:05:00Z",
        Some("poker"),
    ),
    (
        Some(2),
        "5.00",
        "bet",
        "completed",
        "2025-05-12T10:00:00Z",
        Some("poker"),
    ),
    (
        Some(2),
        "5.00",
        "bet",
        "completed",
        "2025-05-19T10:00:00Z",
        Some("poker"),
    ),
    (
        Some(2),
        "20.00",
        "withdrawal",
        "completed",
        "2025-05-26T10:00:00Z",
        None,
    ),
    // User 3: Sunday 1 June at 08:00 local (morning); the bet is pending.
    (
        Some(3),
        "20.00",
        "deposit",
        "completed",
        "2025-06-01T06:00:00Z",
        None,
    ),
    (
        Some(3),
        "10.00",
        "bonus",
        "completed",
        "2025-06-01T06:30:00Z",
        None,
    ),
    (
        Some(3),
        "7.00",
        "bet",
        "pending",
        "2025-06-02T06:00:00Z",
        Some("casino"),
    ),
    // User 4: Friday to Sunday, 20-22 June, at 22:00 local (night).
    (
        Some(4),
        "1000.00",
        "deposit",
        "completed",
        "2025-06-20T20:00:00Z",
        None,
    ),
    (
        Some(4),
        "200.00",
        "bet",
        "completed",
        "2025-06-20T20:10:00Z",
        Some("casino"),
    ),
    (
        Some(4),
        "400.00",
        "bet",
        "completed",
        "2025-06-21T20:10:00Z",
        Some("slots"),
    ),
    (
        Some(4),
        "300.00",
        "win",
        "completed",
        "2025-06-21T20:20:00Z",
        Some("slots"),
    ),
    (
        Some(4),
        "600.00",
        "bet",
        "completed",
        "2025-06-22T20:10:00Z",
        Some("casino"),
    ),
    // No user: never counted.
    (
        None,
        "5.00",
        "bet",
        "completed",
        "2025-06-22T20:10:00Z",
        Some("casino"),
    ),
];

/// The hand-worked dataset in a transactions table.
fn insert_hand_dataset(ctx: &TestContext) {
    create_transactions(ctx);
    insert(ctx, HAND_DATASET);
}

/// The features table as the backend names it.
fn target(ctx: &TestContext) -> &'static str {
    if ctx.database_url().starts_with("postgres") {
        "ml_features.user_features"
    } else {
        "user_features"
    }
}

fn write_features_config(ctx: &TestContext, write: &str, extra: &str) -> std::path::PathBuf {
    let path = ctx.path("crm.toml");
    std::fs::write(
        &path,
        format!(
            "database = \"{}\"\n\n[crm.features]\nsource = \"transactions\"\ntarget = \"{}\"\n\
             write = \"{write}\"\nreference_date = \"2025-06-30\"\ntime_zone = \"Europe/Madrid\"\n\
             ticket_quantiles = [0.33, 0.67]\n{extra}",
            ctx.database_url(),
            target(ctx)
        ),
    )
    .expect("write config");
    path
}

fn features(ctx: &TestContext, config: &std::path::Path, extra: &[&str]) -> String {
    let mut args = vec![
        "crm",
        "features",
        "--config",
        config.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    let out = ctx.sluice(&args);
    assert_ok(&out);
    stdout(&out)
}

/// One user's row, by column name.
struct Row(std::collections::BTreeMap<String, String>);

impl Row {
    fn text(&self, column: &str) -> &str {
        self.0
            .get(column)
            .map_or_else(|| panic!("no column {column}"), String::as_str)
    }
    fn float(&self, column: &str) -> f64 {
        self.text(column)
            .parse()
            .unwrap_or_else(|_| panic!("{column} = {} is not a number", self.text(column)))
    }
    fn close(&self, column: &str, expected: f64) {
        let got = self.float(column);
        assert!(
            (got - expected).abs() < 1e-9,
            "{column}: expected {expected}, got {got}"
        );
    }
}

/// Every row of the features table, money as cents and days as text.
fn rows(ctx: &TestContext, table: &str) -> Vec<Row> {
    let columns = [
        "user_id",
        "CAST(snapshot_date AS TEXT)",
        "total_transactions",
        "active_days",
        "CAST(first_active_day AS TEXT)",
        "CAST(last_active_day AS TEXT)",
        "days_since_last_activity",
        "tenure_days",
        "CAST(total_deposits * 100 AS INTEGER)",
        "CAST(total_withdrawals * 100 AS INTEGER)",
        "CAST(total_bets * 100 AS INTEGER)",
        "CAST(total_wins * 100 AS INTEGER)",
        "CAST(total_bonuses * 100 AS INTEGER)",
        "CAST(net_deposits * 100 AS INTEGER)",
        "CAST(gross_gaming_revenue * 100 AS INTEGER)",
        "CAST(max_ticket * 100 AS INTEGER)",
        "bet_count",
        "avg_ticket",
        "ticket_category",
        "bet_volatility",
        "balance_ratio",
        "payout_ratio",
        "bonus_ratio",
        "favorite_game_type",
        "game_diversity_score",
        "crash_bets",
        "sports_bets",
        "preferred_weekdays",
        "weekend_activity_ratio",
        "activity_hours",
        "dawn_share",
        "morning_share",
        "afternoon_share",
        "night_share",
        "activity_regularity",
        "frequency",
        "recency_score",
        "frequency_score",
        "monetary_score",
        "rfm_segment",
        "clv_score",
        "churn_risk_score",
        "behavioral_diversity_score",
    ];
    let names: Vec<String> = columns
        .iter()
        .map(|c| {
            c.trim_start_matches("CAST(")
                .split([' ', ')'])
                .next()
                .unwrap_or(c)
                .to_string()
        })
        .collect();
    ctx.query(&format!(
        "SELECT {} FROM {table} ORDER BY snapshot_date, user_id",
        columns.join(", ")
    ))
    .into_iter()
    .map(|values| Row(names.iter().cloned().zip(values).collect()))
    .collect()
}

fn hand_computed_features(ctx: TestContext) {
    insert_hand_dataset(&ctx);
    let config = write_features_config(&ctx, "merge", "");
    let out = features(&ctx, &config, &[]);
    check_hand_features(&ctx, &out);
}

/// The features of [`HAND_DATASET`], worked out by hand, as `sluice crm
/// features` printed (`out`) and wrote them.
fn check_hand_features(ctx: &TestContext, out: &str) {
    assert!(
        out.contains("features of 4 users as of 2025-06-30 (Europe/Madrid)"),
        "{out}"
    );
    let rows = rows(ctx, target(ctx));
    assert_eq!(
        rows.len(),
        4,
        "users 1 to 4; the row without a user is not one"
    );
    let (u1, u2, u3, u4) = (&rows[0], &rows[1], &rows[2], &rows[3]);
    assert_eq!(
        rows.iter().map(|r| r.text("user_id")).collect::<Vec<_>>(),
        ["1", "2", "3", "4"]
    );

    // User 1: 5 completed transactions before the cutoff on two local days,
    // Saturday 28 and Monday 30 June (the 23:30 UTC bet is Monday 01:30 in
    // Madrid): one gap of 2 days.
    assert_eq!(u1.text("snapshot_date"), "2025-06-30");
    assert_eq!(u1.text("total_transactions"), "5");
    assert_eq!(u1.text("active_days"), "2");
    assert_eq!(u1.text("first_active_day"), "2025-06-28");
    assert_eq!(u1.text("last_active_day"), "2025-06-30");
    assert_eq!(u1.text("days_since_last_activity"), "0");
    assert_eq!(u1.text("tenure_days"), "2");
    assert_eq!(u1.text("total_deposits"), "10000");
    assert_eq!(u1.text("total_bets"), "6000");
    assert_eq!(u1.text("total_wins"), "5000");
    assert_eq!(u1.text("net_deposits"), "10000");
    // GGR: bets 60.00 - wins 50.00.
    assert_eq!(u1.text("gross_gaming_revenue"), "1000");
    assert_eq!(u1.text("max_ticket"), "3000");
    assert_eq!(u1.text("bet_count"), "3");
    // Bets 10, 30, 20: mean 20, population sd sqrt(200/3).
    u1.close("avg_ticket", 20.0);
    u1.close("bet_volatility", (200.0f64 / 3.0).sqrt() / 20.0);
    // 100.00 deposited, nothing withdrawn: 100 / (0 + 1).
    u1.close("balance_ratio", 100.0);
    u1.close("payout_ratio", 50.0 / 60.0);
    assert_eq!(u1.text("favorite_game_type"), "crash");
    assert_eq!((u1.text("crash_bets"), u1.text("sports_bets")), ("2", "1"));
    // Bets 2 crash, 1 sports: entropy of (2/3, 1/3) over ln 5.
    let h_game = -(2.0f64 / 3.0 * (2.0f64 / 3.0).ln() + 1.0 / 3.0 * (1.0f64 / 3.0).ln());
    u1.close("game_diversity_score", h_game / 5f64.ln());
    // 4 transactions on Saturday, 1 on Monday.
    assert_eq!(u1.text("preferred_weekdays"), "sat,mon");
    u1.close("weekend_activity_ratio", 0.8);
    assert_eq!(u1.text("activity_hours"), "night");
    u1.close("dawn_share", 0.2);
    u1.close("night_share", 0.8);
    // One gap only: not enough to call it regular.
    u1.close("activity_regularity", 0.0);
    u1.close("frequency", 2.5);

    // User 2: every Monday of May at 12:00 local; gaps 7, 7, 7.
    assert_eq!(u2.text("active_days"), "4");
    assert_eq!(u2.text("days_since_last_activity"), "35");
    assert_eq!(u2.text("tenure_days"), "56");
    u2.close("bet_volatility", 0.0);
    u2.close("balance_ratio", 50.0 / 21.0);
    u2.close("payout_ratio", 0.0);
    assert_eq!(u2.text("favorite_game_type"), "poker");
    u2.close("game_diversity_score", 0.0);
    assert_eq!(u2.text("preferred_weekdays"), "mon");
    u2.close("weekend_activity_ratio", 0.0);
    assert_eq!(u2.text("activity_hours"), "afternoon");
    u2.close("afternoon_share", 1.0);
    u2.close("activity_regularity", 1.0);
    u2.close("frequency", 1.25);
    // Away 35 days, every 7 days before: 1 - e^-5.
    u2.close("churn_risk_score", 1.0 - (-5.0f64).exp());

    // User 3: a deposit and a bonus on Sunday 1 June, 08:00 local; the
    // pending bet does not count, so every bet feature is empty.
    assert_eq!(u3.text("total_transactions"), "2");
    assert_eq!(u3.text("bet_count"), "0");
    for column in [
        "avg_ticket",
        "ticket_category",
        "bet_volatility",
        "payout_ratio",
        "favorite_game_type",
        "max_ticket",
    ] {
        assert_eq!(u3.text(column), "NULL", "{column}");
    }
    assert_eq!(u3.text("total_bonuses"), "1000");
    u3.close("bonus_ratio", 10.0 / 21.0);
    assert_eq!(u3.text("preferred_weekdays"), "sun");
    assert_eq!(u3.text("activity_hours"), "morning");
    u3.close("morning_share", 1.0);
    // One active day: a week is taken as its rhythm; away 29 days.
    u3.close("churn_risk_score", 1.0 - (-29.0f64 / 7.0).exp());

    // User 4: Friday to Sunday 20-22 June at 22:00 local; bets 200, 400, 600.
    u4.close("avg_ticket", 400.0);
    u4.close("bet_volatility", (80_000.0f64 / 3.0).sqrt() / 400.0);
    assert_eq!(u4.text("favorite_game_type"), "casino");
    // Friday 2, Saturday 2 (Friday first on the tie), Sunday 1.
    assert_eq!(u4.text("preferred_weekdays"), "fri,sat");
    u4.close("weekend_activity_ratio", 0.6);
    u4.close("activity_regularity", 1.0);
    u4.close("frequency", 5.0 / 3.0);
    // Away 8 days, active every day before: 1 - e^-8.
    u4.close("churn_risk_score", 1.0 - (-8.0f64).exp());

    // Tickets of users with bets: 5, 20, 400. Quantiles 0.33 and 0.67 by
    // linear interpolation: 5 + 0.66 × 15 = 14.9 and 20 + 0.34 × 380 = 149.2.
    assert_eq!(
        [u1, u2, u4].map(|u| u.text("ticket_category")),
        ["medium", "low", "high"]
    );
    // Recency days 0, 35, 29, 8: quartiles 6, 18.5, 30.5; a score is 1 +
    // the quartiles the days are below.
    // Transactions 5, 5, 2, 5: quartiles 4.25, 5, 5; 1 + those exceeded.
    // Deposits 100, 50, 20, 1000: quartiles 42.5, 75, 325.
    let rfm = |u: &Row| {
        (
            u.text("recency_score").to_string(),
            u.text("frequency_score").to_string(),
            u.text("monetary_score").to_string(),
            u.text("rfm_segment").to_string(),
        )
    };
    let s = |r: &str, f: &str, m: &str, seg: &str| {
        (r.to_string(), f.to_string(), m.to_string(), seg.to_string())
    };
    assert_eq!(rfm(u1), s("4", "2", "3", "loyal"));
    assert_eq!(rfm(u2), s("1", "2", "2", "lost"));
    assert_eq!(rfm(u3), s("2", "1", "1", "hibernating"));
    assert_eq!(rfm(u4), s("3", "2", "4", "loyal"));
    // Raw CLV: net deposits × (1 - churn). User 1's 100 × 1 is the largest;
    // user 4's is 1000 × e^-8.
    u1.close("clv_score", 1.0);
    u4.close(
        "clv_score",
        (1000.0 * (-8.0f64).exp()).ln_1p() / 100f64.ln_1p(),
    );
    // Mean of the normalised entropies of games (2:1 over 5), weekdays
    // (4:1 over 7) and dayparts (4:1 over 4).
    let h41 = -(0.8f64 * 0.8f64.ln() + 0.2 * 0.2f64.ln());
    u1.close(
        "behavioral_diversity_score",
        (h_game / 5f64.ln() + h41 / 7f64.ln() + h41 / 4f64.ln()) / 3.0,
    );
    assert!(out.contains("loyal"), "{out}");
}

/// Adds a 40.00 deposit of user 3 and merges again; returns the table's
/// rows, user 3's deposits checked updated and the other users kept.
fn merge_with_a_new_deposit(ctx: &TestContext, merge: &std::path::Path) -> Vec<Row> {
    insert(
        ctx,
        &[(
            Some(3),
            "40.00",
            "deposit",
            "completed",
            "2025-06-29T10:00:00Z",
            None,
        )],
    );
    features(ctx, merge, &[]);
    let merged = rows(ctx, target(ctx));
    assert_eq!(merged.len(), 4);
    assert_eq!(merged[2].text("total_deposits"), "6000", "user 3 updated");
    merged
}

fn write_dispositions(ctx: TestContext) {
    insert_hand_dataset(&ctx);
    let table = target(&ctx);

    // Merge: a second run with a user changed updates that user's row and
    // keeps the others.
    let merge = write_features_config(&ctx, "merge", "");
    features(&ctx, &merge, &[]);
    let merged = merge_with_a_new_deposit(&ctx, &merge);
    assert_eq!(merged[2].text("days_since_last_activity"), "1");

    // Replace: a user gone from the source is gone from the table.
    ctx.query("DELETE FROM transactions WHERE user_id = 2");
    let replace = write_features_config(&ctx, "replace", "");
    features(&ctx, &replace, &[]);
    let replaced = rows(&ctx, table);
    assert_eq!(
        replaced
            .iter()
            .map(|r| r.text("user_id"))
            .collect::<Vec<_>>(),
        ["1", "3", "4"]
    );
    // A second replace swaps again (the new table's key index is renamed
    // with it, so the next build does not collide with it).
    features(&ctx, &replace, &[]);
    assert_eq!(rows(&ctx, table).len(), 3);

    // Append: one snapshot per reference date; the same date again
    // replaces its snapshot instead of doubling it.
    let append_table = if table.contains('.') {
        "ml_features.user_feature_snapshots"
    } else {
        "user_feature_snapshots"
    };
    let append = ctx.path("append.toml");
    let text = std::fs::read_to_string(&replace)
        .expect("config")
        .replace(table, append_table)
        .replace("\"replace\"", "\"append\"");
    std::fs::write(&append, text).expect("write");
    features(&ctx, &append, &[]);
    features(&ctx, &append, &["--reference-date", "2025-07-07"]);
    features(&ctx, &append, &["--reference-date", "2025-07-07"]);
    let snapshots = rows(&ctx, append_table);
    let dates: Vec<&str> = snapshots.iter().map(|r| r.text("snapshot_date")).collect();
    assert_eq!(
        dates,
        [
            "2025-06-30",
            "2025-06-30",
            "2025-06-30",
            "2025-07-07",
            "2025-07-07",
            "2025-07-07"
        ]
    );
    // A week later, user 1's bet at 00:30 local on 1 July counts too: away
    // 6 days.
    assert_eq!(snapshots[3].text("days_since_last_activity"), "6");
    assert_eq!(snapshots[3].text("total_transactions"), "6");
}

fn quality_grade_of_the_features(ctx: TestContext) {
    insert_hand_dataset(&ctx);
    let config = write_features_config(
        &ctx,
        "merge",
        "\n[[quality.checks]]\ntable = \"user_features\"\nname = \"user present\"\ncheck = \"not_null\"\ncolumn = \"user_id\"\n\n\
         [[quality.checks]]\ntable = \"user_features\"\nname = \"churn is a probability\"\ncheck = \"range\"\ncolumn = \"churn_risk_score\"\nmin = 0.0\nmax = 1.0\n\n\
         [[quality.checks]]\ntable = \"user_features\"\nname = \"known segment\"\ncheck = \"allowed\"\ncolumn = \"rfm_segment\"\nvalues = [\"champions\", \"loyal\", \"potential\", \"at_risk\", \"hibernating\"]\n",
    );
    let out = features(&ctx, &config, &[]);
    // User 2 is `lost`, which the allowed list leaves out: one of four rows
    // fails a warn check, so the grade drops below A.
    assert!(out.contains("user_features: grade"), "{out}");
    assert!(out.contains("ok   user present"), "{out}");
    assert!(out.contains("ok   churn is a probability"), "{out}");
    assert!(out.contains("FAIL known segment"), "{out}");
    assert!(out.contains("1 of 4 rows failed"), "{out}");
}

on_both_databases!(
    hand_computed_features,
    write_dispositions,
    quality_grade_of_the_features
);

/// A features table someone altered to other column types (an `integer`
/// count, a `real` score, a `numeric` of another scale) still takes a
/// merge: rows go as text, which the server converts, instead of binary
/// values it would refuse.
#[test]
fn a_table_of_other_column_types_takes_a_merge() {
    let ctx = TestContext::postgres();
    insert_hand_dataset(&ctx);
    let table = target(&ctx);
    let merge = write_features_config(&ctx, "merge", "");
    features(&ctx, &merge, &[]);
    ctx.query(&format!(
        "ALTER TABLE {table} ALTER COLUMN total_transactions TYPE integer, \
         ALTER COLUMN clv_score TYPE real, ALTER COLUMN total_deposits TYPE numeric(20, 4)"
    ));
    let merged = merge_with_a_new_deposit(&ctx, &merge);
    let clv = merged[2].float("clv_score");
    assert!((0.0..=1.0).contains(&clv), "clv_score {clv}");
    let types = ctx.query(&format!(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
         WHERE attrelid = '{table}'::regclass AND attname = 'total_transactions'"
    ));
    assert_eq!(types, [["integer"]], "the table keeps its own types");
}

/// The checksum `sluice crm generate` printed.
fn generated_checksum(ctx: &TestContext, into: &str, seed: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "crm",
        "generate",
        "--users",
        "200",
        "--transactions",
        "5000",
        "--seed",
        seed,
        "--into",
        into,
    ];
    args.extend_from_slice(extra);
    let out = ctx.sluice(&args);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("generated 5000 transactions of 200 users"),
        "{text}"
    );
    text.rsplit("checksum ")
        .next()
        .map(|s| s.trim().trim_end_matches(')').to_string())
        .unwrap_or_default()
}

#[test]
fn the_generator_is_deterministic_across_runs_and_databases() {
    let ctx = TestContext::new();
    let a = ctx.path("a.db");
    let b = ctx.path("b.db");
    let first = generated_checksum(&ctx, &format!("sqlite:{}", a.display()), "42", &[]);
    let second = generated_checksum(&ctx, &format!("sqlite:{}", b.display()), "42", &[]);
    assert_eq!(first.len(), 16, "{first}");
    assert_eq!(first, second);
    let other = generated_checksum(
        &ctx,
        &format!("sqlite:{}", b.display()),
        "43",
        &["--replace"],
    );
    assert_ne!(first, other);
    // The same rows land: the tables' contents agree row for row.
    let dump = |path: &std::path::Path| {
        crate::common::query(
            &format!("sqlite://{}", path.display()),
            "SELECT COUNT(*), SUM(user_id), CAST(SUM(amount * 100) AS INTEGER), MIN(created_at), MAX(created_at) FROM transactions",
        )
    };
    let c = ctx.path("c.db");
    generated_checksum(&ctx, &format!("sqlite:{}", c.display()), "42", &[]);
    assert_eq!(dump(&a), dump(&c));
    assert_eq!(dump(&a)[0][0], "5000");

    // PostgreSQL receives the same rows: the same checksum.
    let pg = TestContext::postgres();
    assert_eq!(
        generated_checksum(&pg, &pg.database_url(), "42", &[]),
        first
    );
    assert_eq!(pg.count("SELECT COUNT(*) FROM transactions"), 5000);
}

#[test]
fn generating_into_an_existing_table_needs_replace() {
    let ctx = TestContext::new();
    let into = format!("sqlite:{}", ctx.path("g.db").display());
    generated_checksum(&ctx, &into, "1", &[]);
    let out = ctx.sluice(&[
        "crm",
        "generate",
        "--users",
        "10",
        "--transactions",
        "100",
        "--into",
        &into,
    ]);
    let line = crate::common::error_line(&out);
    assert!(line.contains("already exists: pass --replace"), "{line}");
}

#[test]
fn a_schema_on_sqlite_is_an_error_naming_the_key() {
    let ctx = TestContext::new();
    insert_hand_dataset(&ctx);
    let config = ctx.path("bad.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{}\"\n[crm.features]\ntarget = \"ml_features.user_features\"\nreference_date = \"2025-06-30\"\n",
            ctx.database_url()
        ),
    )
    .expect("write");
    let out = ctx.sluice(&[
        "crm",
        "features",
        "--config",
        config.to_str().expect("utf-8"),
    ]);
    let line = crate::common::error_line(&out);
    assert!(line.contains("crm.features.target"), "{line}");
    assert!(line.contains("SQLite has no schemas"), "{line}");
}
