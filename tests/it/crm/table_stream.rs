//! The PostgreSQL transactions table read by binary COPY: one stream, a
//! table split among several streams, and the database's grouped query
//! give every user the same aggregates, on generated transactions with
//! defects (missing fields, duplicates, outliers); a table of other column
//! types is left to the grouped query; a value the stream cannot read
//! fails naming its column.

use sluice::crm::UserAggregates;
use sluice::crm::source::{SourceQuery, grouped_users, read_users};
use sluice::crm::table_stream::{self, Plan};
use sluice::db::Pool;
use time::macros::{date, datetime};

use super::{create_transactions, insert};
use crate::common::{TestContext, assert_ok};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn query(source: &str) -> SourceQuery {
    SourceQuery {
        source: source.to_string(),
        zone: chrono_tz::Europe::Madrid,
        cutoff: datetime!(2025-06-30 22:00 UTC),
        statuses: vec!["completed".to_string()],
    }
}

fn by_user(mut users: Vec<UserAggregates>) -> Vec<UserAggregates> {
    users.sort_by_key(|u| u.user_id.parse::<i64>().unwrap_or(i64::MIN));
    users
}

/// 3,000 generated transactions, 5 % defective, into `transactions`.
fn generate(ctx: &TestContext) {
    let out = ctx.sluice(&[
        "crm",
        "generate",
        "--users",
        "200",
        "--transactions",
        "3000",
        "--seed",
        "5",
        "--defect-rate",
        "0.05",
        "--into",
        &ctx.database_url(),
    ]);
    assert_ok(&out);
}

#[test]
fn streams_split_or_not_equal_the_grouped_query() {
    let ctx = TestContext::postgres();
    generate(&ctx);
    let reference = date!(2025 - 06 - 30);
    let rt = runtime();
    let pool = rt
        .block_on(Pool::connect(&ctx.database_url()))
        .expect("connect");
    let Pool::Postgres(pg) = &pool else {
        panic!("a PostgreSQL pool")
    };
    let blocks: Vec<Vec<String>> = ctx.query("SELECT pg_relation_size('transactions') / 8192");
    let blocks: i64 = blocks[0][0].parse().expect("blocks");
    assert!(blocks >= 3, "the table spans {blocks} blocks");

    let one = Plan {
        streams: 1,
        split_min_blocks: 1,
    };
    let three = Plan {
        streams: 3,
        split_min_blocks: 1,
    };
    let q = query("transactions");
    let single = rt
        .block_on(table_stream::read_users(pg, &q, reference, one))
        .expect("one stream")
        .expect("the table streams")
        .listed(2);
    let split = rt
        .block_on(table_stream::read_users(pg, &q, reference, three))
        .expect("three streams")
        .expect("the table streams")
        .listed(1);
    let grouped = by_user(rt.block_on(grouped_users(&pool, &q)).expect("grouped"));
    assert!(single.len() > 150, "{} users", single.len());
    assert_eq!(single, split, "one stream and three disagree");
    assert_eq!(single.len(), grouped.len());
    for (a, b) in single.iter().zip(&grouped) {
        assert_eq!(
            a, b,
            "user {}: stream and grouped query disagree",
            a.user_id
        );
    }
    // The dispatcher takes the stream for this table.
    let read = rt
        .block_on(read_users(&pool, &q, reference, Plan::per_core(2)))
        .expect("read");
    assert_eq!(read.all(2).as_ref(), single.as_slice());

    // User ids as text: left to the grouped query, same figures.
    ctx.query(
        "CREATE TABLE tx_text AS SELECT transaction_id, CAST(user_id AS TEXT) AS user_id, amount, \
         transaction_type, status, created_at, game_type FROM transactions",
    );
    let text = query("tx_text");
    assert!(
        rt.block_on(table_stream::read_users(pg, &text, reference, one))
            .expect("described")
            .is_none()
    );
    let through = by_user(
        rt.block_on(read_users(&pool, &text, reference, Plan::per_core(2)))
            .expect("read text ids")
            .all(2)
            .into_owned(),
    );
    assert_eq!(through.len(), single.len());
    for (a, b) in through.iter().zip(&single) {
        assert_eq!(a, b, "user {}: text ids and stream disagree", a.user_id);
    }
}

#[test]
fn a_value_the_stream_cannot_read_names_its_column() {
    let ctx = TestContext::postgres();
    create_transactions(&ctx);
    insert(
        &ctx,
        &[(
            Some(1),
            "'NaN'",
            "bet",
            "completed",
            "2025-06-01T10:00:00Z",
            Some("crash"),
        )],
    );
    let rt = runtime();
    let pool = rt
        .block_on(Pool::connect(&ctx.database_url()))
        .expect("connect");
    let err = rt
        .block_on(read_users(
            &pool,
            &query("transactions"),
            date!(2025 - 06 - 30),
            Plan::per_core(2),
        ))
        .expect_err("NaN is no amount");
    let message = err.to_string();
    assert!(
        message.contains("transactions") && message.contains("column `amount`: NaN"),
        "{message}"
    );

    let missing = rt
        .block_on(read_users(
            &pool,
            &query("no_such_table"),
            date!(2025 - 06 - 30),
            Plan::per_core(2),
        ))
        .expect_err("no table");
    assert!(missing.to_string().contains("no_such_table"), "{missing}");
}
