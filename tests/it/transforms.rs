//! Row transforms of file sources: rename, cast, filter, derive and dedup,
//! alone and chained, on SQLite and PostgreSQL; expressions that do not
//! compile refused with the config, a row a step fails on quarantined
//! while the rest load, dedup across batches, decimals exact.

use crate::common::TestContext;
use crate::files::{config, load, load_failing, quarantine_reasons, source, write};
use crate::on_both_databases;

/// Bets keyed by id; the columns a chain derives are added by the load.
const BETS: &str = r#"
[tables.bets]
columns = [
  { name = "bet_id", type = "int", primary_key = true },
  { name = "status", type = "text" },
  { name = "amount", type = "decimal" },
  { name = "placed_at", type = "timestamp" },
]
"#;

/// The bets as the file has them: a column to rename, text to cast.
const BETS_CSV: &str = "bet_id,status,Amount EUR,placed_at\n\
    1,settled,100.10,2024-08-17 15:00:00\n\
    2,open,50.00,2024-08-17 16:00:00\n\
    3,settled,0,2024-08-18 12:00:00\n\
    4,settled,0.10,2024-07-30 09:30:00\n\
    5,settled,99.99,2024-08-19 20:00:00\n";

on_both_databases!(
    a_chain_renames_casts_filters_and_derives_with_exact_decimals,
    each_step_alone_does_its_one_thing,
    an_expression_that_does_not_compile_is_a_config_error,
    a_column_the_file_lacks_refuses_it_before_any_row_loads,
    a_step_failing_at_run_time_quarantines_its_row_and_the_rest_load,
    dedup_keeps_the_first_or_last_row_of_a_key_across_batches,
);

fn a_chain_renames_casts_filters_and_derives_with_exact_decimals(ctx: TestContext) {
    write(&ctx, "in/bets.csv", BETS_CSV);
    let transforms = r#"transforms = [
  { rename = { "Amount EUR" = "amount" } },
  { cast = { amount = "decimal", placed_at = "timestamp" } },
  { filter = "status == \"settled\" && amount > 0 && placed_at >= \"2024-08-01\"" },
  { derive = { stake_band = "if amount >= 100 { \"high\" } else { \"low\" }", tripled = "amount * 3 + 0.1 + 0.2" } },
]"#;
    let config = config(&ctx, BETS, &source("bets", "in/bets.csv", transforms));
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 2 inserted, 0 updated, 0 unchanged, 0 quarantined; transforms: 3 filtered, 0 deduplicated, 0 failed; columns added: stake_band, tripled"),
        "{out}"
    );
    let rows: Vec<String> = ctx.lines("SELECT bet_id, CAST(amount AS TEXT), stake_band, CAST(tripled AS TEXT) FROM bets ORDER BY bet_id");
    assert_eq!(rows, ["1|100.10|high|300.60", "5|99.99|low|300.27"]);
}

fn each_step_alone_does_its_one_thing(ctx: TestContext) {
    let steps = [
        (
            "rename",
            r#"transforms = [{ rename = { "Amount EUR" = "amount" } }]"#,
            "SELECT count(*) FROM bets WHERE amount IS NOT NULL",
            5,
        ),
        (
            "cast",
            r#"transforms = [{ cast = { bet_id = "text" } }, { derive = { id_text = "bet_id + \"!\"" } }]"#,
            "SELECT count(*) FROM bets WHERE id_text = '3!'",
            1,
        ),
        (
            "filter",
            r#"transforms = [{ filter = "status != \"open\"" }]"#,
            "SELECT count(*) FROM bets",
            4,
        ),
        (
            "derive",
            r#"transforms = [{ derive = { status = "status.to_upper()" } }]"#,
            "SELECT count(*) FROM bets WHERE status = 'SETTLED'",
            4,
        ),
        (
            "dedup",
            r#"transforms = [{ dedup = { key = ["status"] } }]"#,
            "SELECT count(*) FROM bets",
            2,
        ),
    ];
    for (kind, transforms, sql, expected) in steps {
        // One table and file per step: each loads on its own.
        let file = format!("in/{kind}.csv");
        write(&ctx, &file, BETS_CSV);
        let table = format!("{kind}_bets");
        let tables = BETS.replace("tables.bets", &format!("tables.{table}"));
        let config = config(&ctx, &tables, &source(&table, &file, transforms));
        let out = load(&ctx, &config);
        let sql = sql.replace("FROM bets", &format!("FROM {table}"));
        assert_eq!(ctx.count(&sql), expected, "{kind}: {out}");
    }
}

fn an_expression_that_does_not_compile_is_a_config_error(ctx: TestContext) {
    write(&ctx, "in/bets.csv", BETS_CSV);
    let transforms = r#"transforms = [
  { rename = { "Amount EUR" = "amount" } },
  { derive = { band = "if amount >= 100 { \"high\" } else \"low\"" } },
]"#;
    let config = config(&ctx, BETS, &source("bets", "in/bets.csv", transforms));
    let out = load_failing(&ctx, &config);
    assert!(
        out.contains("pipelines.load.sources[0].transforms[1].derive.band: the expression `if amount >= 100 { \"high\" } else \"low\"` does not compile: "),
        "{out}"
    );
    assert!(out.contains("(line 1, column "), "{out}");
}

fn a_column_the_file_lacks_refuses_it_before_any_row_loads(ctx: TestContext) {
    write(&ctx, "in/bets.csv", BETS_CSV);
    let transforms = r#"transforms = [{ filter = "state == \"settled\"" }]"#;
    let config = config(&ctx, BETS, &source("bets", "in/bets.csv", transforms));
    let out = load_failing(&ctx, &config);
    assert!(
        out.contains("in/bets.csv: transform step 1 (filter): no column `state` (the row has: bet_id, status, amount_eur, placed_at)"),
        "{out}"
    );
    assert!(out.contains("1 refused"), "{out}");
    assert_eq!(ctx.count("SELECT count(*) FROM bets"), 0);
}

fn a_step_failing_at_run_time_quarantines_its_row_and_the_rest_load(ctx: TestContext) {
    write(
        &ctx,
        "in/bets.csv",
        "bet_id,status,amount,legs\n1,settled,10.00,2\n2,settled,9.00,0\n3,settled,x,1\n4,open,7.50,3\n",
    );
    let transforms = r#"transforms = [
  { cast = { amount = "decimal", legs = "int" } },
  { derive = { per_leg = "amount / legs" } },
]"#;
    let config = config(&ctx, BETS, &source("bets", "in/bets.csv", transforms));
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 2 inserted, 0 updated, 0 unchanged, 2 quarantined; transforms: 0 filtered, 0 deduplicated, 2 failed"),
        "{out}"
    );
    let rows: Vec<String> =
        ctx.lines("SELECT bet_id, CAST(per_leg AS TEXT) FROM bets ORDER BY bet_id");
    assert_eq!(rows, ["1|5.00", "4|2.50"]);
    let reasons = quarantine_reasons(&ctx);
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].ends_with("in/bets.csv, line 3, transform step 2 (derive): column `per_leg`: Division by zero: 9.00 / 0"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].ends_with("in/bets.csv, line 4, transform step 1 (cast): column `amount`: `x` is not a decimal number"),
        "{reasons:?}"
    );
}

fn dedup_keeps_the_first_or_last_row_of_a_key_across_batches(ctx: TestContext) {
    let tables = r#"
[tables.first_seen]
columns = [{ name = "bet_id", type = "int" }, { name = "note", type = "text" }]
[tables.last_seen]
columns = [{ name = "bet_id", type = "int" }, { name = "note", type = "text" }]
"#;
    write(
        &ctx,
        "in/bets.csv",
        "bet_id,note\n1,a\n2,b\n1,c\n3,d\n1,e\n2,f\n4,g\n",
    );
    let sources = [
        source(
            "first_seen",
            "in/bets.csv",
            "write = \"append\"\nbatch_rows = 2\ntransforms = [{ dedup = { key = [\"bet_id\"], keep = \"first\" } }]",
        ),
        source(
            "last_seen",
            "in/bets.csv",
            "write = \"append\"\nbatch_rows = 2\ntransforms = [{ dedup = { key = [\"bet_id\"], keep = \"last\" } }]",
        ),
    ]
    .concat();
    let config = config(&ctx, tables, &sources);
    let out = load(&ctx, &config);
    assert_eq!(
        out.matches("rows: 4 inserted, 0 updated, 0 unchanged, 0 quarantined; transforms: 0 filtered, 3 deduplicated, 0 failed").count(),
        2,
        "{out}"
    );
    let rows = |table: &str| -> Vec<String> {
        ctx.query(&format!("SELECT bet_id, note FROM {table} ORDER BY bet_id"))
            .into_iter()
            .map(|r| r.join(":"))
            .collect()
    };
    assert_eq!(rows("first_seen"), ["1:a", "2:b", "3:d", "4:g"]);
    assert_eq!(rows("last_seen"), ["1:e", "2:f", "3:d", "4:g"]);
}
