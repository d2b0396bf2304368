//! Database sources: tables of MariaDB, PostgreSQL and SQLite databases the
//! tests create, loaded into generic tables by cursor (only new and changed
//! rows on the next run, in bounded batches), by snapshot (inserts, updates
//! and deletes, soft or hard), with a value that does not fit quarantined
//! and a bad URL or a missing table failing the run, named.

use std::path::{Path, PathBuf};

use crate::common::{TestContext, assert_ok, stderr, stdout};

/// The destination table: a key, a customer, an amount, a cursor.
const ORDERS: &str = r#"
[tables.orders]
columns = [
  { name = "id", type = "int", primary_key = true },
  { name = "customer", type = "text", nullable = false },
  { name = "amount", type = "decimal" },
  { name = "updated_at", type = "timestamp" },
]
"#;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs each statement on the database at `url` (MariaDB, PostgreSQL or a
/// SQLite file, created when missing).
fn exec(url: &str, statements: &[&str]) {
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;
    runtime().block_on(async {
        if url.starts_with("mysql:") {
            let mut conn = sqlx::MySqlConnection::connect(url)
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            for sql in statements {
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            let _ = conn.close().await;
        } else if url.starts_with("postgres:") {
            let mut conn = sqlx::PgConnection::connect(url)
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            for sql in statements {
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            let _ = conn.close().await;
        } else {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .expect("sqlite url")
                .create_if_missing(true)
                .connect()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            for sql in statements {
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            let _ = conn.close().await;
        }
    });
}

/// A MariaDB database created for one test on the server `make test`
/// provides (`SLUICE_TEST_MARIADB`), dropped after it.
struct MariaDb {
    server: String,
    name: String,
}

impl MariaDb {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let server = std::env::var("SLUICE_TEST_MARIADB")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| {
                panic!(
                    "SLUICE_TEST_MARIADB is not set: the database-source tests need a MariaDB server \
                     they can create databases on as root (mysql://root@127.0.0.1:3306). \
                     `make test` sets it from scripts/mariadb-for-tests.sh."
                )
            });
        let server = server.trim_end_matches('/').to_string();
        let name = format!(
            "sluice_src_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        exec(&server, &[&format!("CREATE DATABASE {name}")]);
        MariaDb { server, name }
    }

    fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        let _ = std::panic::catch_unwind(move || {
            exec(&server, &[&format!("DROP DATABASE IF EXISTS {name}")])
        });
    }
}

/// Writes `sluice.toml`: the context's database, `tables`, and one source
/// of `orders` reading `database` with `keys`.
fn config(ctx: &TestContext, tables: &str, database: &str, keys: &str) -> PathBuf {
    let text = format!(
        "database = \"{}\"\n{tables}\n[[pipelines.load.sources]]\ntable = \"orders\"\ndatabase = \"{database}\"\n{keys}\n",
        ctx.database_url()
    );
    let path = ctx.path("sluice.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// Runs pipeline `load`, which must succeed; returns what it printed.
fn load(ctx: &TestContext, config: &Path) -> String {
    let out = ctx.run(config, "load");
    assert_ok(&out);
    stdout(&out)
}

/// `id|customer|amount|updated_at` rows of the destination, by id.
fn orders(ctx: &TestContext) -> Vec<String> {
    ctx.lines(
        "SELECT id, customer, CAST(amount AS TEXT), updated_at IS NULL FROM orders ORDER BY id",
    )
}

const MARIADB_ORDERS: &str = "CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, \
     amount DECIMAL(10,2), updated_at DATETIME(6))";

#[test]
fn cursor_mariadb_to_sqlite_loads_only_new_and_changed_rows() {
    let ctx = TestContext::new();
    let source = MariaDb::new();
    exec(
        &source.url(),
        &[
            MARIADB_ORDERS,
            // Three rows share a cursor value: batches of two cut through
            // them, and the key keeps the order and the position exact.
            "INSERT INTO orders VALUES (1, 'ada', 10.50, '2024-01-01 10:00:00'), \
             (2, 'bob', 20.00, '2024-01-01 10:00:00'), (3, 'cy', NULL, '2024-01-01 10:00:00'), \
             (4, 'dee', 5.25, '2024-01-02 09:30:00.250000')",
        ],
    );
    let config = config(
        &ctx,
        ORDERS,
        &source.url(),
        "from_table = \"orders\"\ncursor = \"updated_at\"\nbatch_rows = 2",
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains(
            "2 batches; rows: 4 inserted, 0 updated, 0 unchanged, 0 deleted, 0 quarantined"
        ),
        "{out}"
    );
    assert_eq!(
        orders(&ctx),
        [
            "1|ada|10.50|0",
            "2|bob|20.00|0",
            "3|cy|NULL|0",
            "4|dee|5.25|0"
        ]
    );
    assert_eq!(
        ctx.query("SELECT updated_at FROM orders WHERE id = 4")[0][0],
        "2024-01-02T09:30:00.250000Z"
    );

    let out = load(&ctx, &config);
    assert!(
        out.contains("0 batches; rows: 0 inserted, 0 updated"),
        "{out}"
    );

    exec(
        &source.url(),
        &[
            "UPDATE orders SET amount = 99.99, updated_at = '2024-01-03 00:00:00' WHERE id = 2",
            "INSERT INTO orders VALUES (5, 'eve', 1.00, '2024-01-03 00:00:00')",
        ],
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("1 batches; rows: 1 inserted, 1 updated, 0 unchanged"),
        "{out}"
    );
    assert_eq!(
        orders(&ctx),
        [
            "1|ada|10.50|0",
            "2|bob|99.99|0",
            "3|cy|NULL|0",
            "4|dee|5.25|0",
            "5|eve|1.00|0"
        ]
    );
    let position = ctx.query("SELECT position, row_count FROM sluice_source_cursors");
    assert_eq!(position, [["[\"2024-01-03 00:00:00.000000\",5]", "6"]]);
}

#[test]
fn cursor_postgres_to_postgres_loads_only_new_rows() {
    let ctx = TestContext::postgres();
    let source = TestContext::postgres();
    exec(
        &source.database_url(),
        &[
            "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, amount NUMERIC(10,2), \
             updated_at TIMESTAMPTZ)",
            "INSERT INTO orders SELECT g, 'c' || g, g * 1.5, TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * INTERVAL '1 minute' \
             FROM generate_series(1, 25) AS g",
        ],
    );
    let config = config(
        &ctx,
        ORDERS,
        &source.database_url(),
        "from_table = \"public.orders\"\ncursor = \"updated_at\"\nbatch_rows = 10\nwrite = \"append\"",
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("3 batches; rows: 25 inserted, 0 updated, 0 unchanged"),
        "{out}"
    );
    let out = load(&ctx, &config);
    assert!(out.contains("0 batches; rows: 0 inserted"), "{out}");
    exec(
        &source.database_url(),
        &["INSERT INTO orders VALUES (26, 'late', 7.00, '2024-02-01T00:00:00Z')"],
    );
    let out = load(&ctx, &config);
    assert!(out.contains("1 batches; rows: 1 inserted"), "{out}");
    assert_eq!(ctx.count("SELECT COUNT(*) FROM orders"), 26);
    assert_eq!(
        ctx.query("SELECT CAST(amount AS TEXT) FROM orders WHERE id = 3")[0][0],
        "4.50"
    );
}

#[test]
fn snapshot_mariadb_soft_deletes_and_a_reappearing_row_clears_them() {
    let ctx = TestContext::new();
    let source = MariaDb::new();
    exec(
        &source.url(),
        &[
            MARIADB_ORDERS,
            "INSERT INTO orders VALUES (1, 'ada', 1.00, NULL), (2, 'bob', 2.00, NULL), (3, 'cy', 3.00, NULL)",
        ],
    );
    let config = config(
        &ctx,
        ORDERS,
        &source.url(),
        "from_table = \"orders\"\nchange_detection = \"snapshot\"\ndeletes = \"soft\"",
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 3 inserted, 0 updated, 0 unchanged, 0 deleted"),
        "{out}"
    );
    assert!(out.contains("columns added: _deleted_at"), "{out}");

    exec(
        &source.url(),
        &[
            "UPDATE orders SET customer = 'bobby' WHERE id = 2",
            "DELETE FROM orders WHERE id = 3",
            "INSERT INTO orders VALUES (4, 'dee', 4.00, NULL)",
        ],
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 1 inserted, 1 updated, 1 unchanged, 1 deleted, 0 quarantined"),
        "{out}"
    );
    let rows: Vec<String> =
        ctx.lines("SELECT id, customer, _deleted_at IS NULL FROM orders ORDER BY id");
    assert_eq!(rows, ["1|ada|1", "2|bobby|1", "3|cy|0", "4|dee|1"]);

    exec(
        &source.url(),
        &["INSERT INTO orders VALUES (3, 'cy', 3.00, NULL)"],
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 1 inserted, 0 updated, 3 unchanged, 0 deleted"),
        "{out}"
    );
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM orders WHERE _deleted_at IS NOT NULL"),
        0
    );
    assert_eq!(ctx.count("SELECT COUNT(*) FROM sluice_source_snapshots"), 4);
}

#[test]
fn snapshot_postgres_hard_deletes() {
    let ctx = TestContext::postgres();
    let source = TestContext::postgres();
    exec(
        &source.database_url(),
        &[
            "CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount NUMERIC(10,2), updated_at TIMESTAMP)",
            "INSERT INTO orders SELECT g, 'c' || g, g, TIMESTAMP '2024-05-01 12:00:00' FROM generate_series(1, 30) AS g",
        ],
    );
    let config = config(
        &ctx,
        ORDERS,
        &source.database_url(),
        "from_table = \"orders\"\nchange_detection = \"snapshot\"\ndeletes = \"hard\"\nbatch_rows = 7",
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("5 batches; rows: 30 inserted, 0 updated, 0 unchanged, 0 deleted"),
        "{out}"
    );
    exec(
        &source.database_url(),
        &[
            "DELETE FROM orders WHERE id > 25",
            "UPDATE orders SET amount = 100 WHERE id IN (1, 2)",
        ],
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 0 inserted, 2 updated, 23 unchanged, 5 deleted"),
        "{out}"
    );
    assert_eq!(ctx.count("SELECT COUNT(*) FROM orders"), 25);
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM orders WHERE id = 1 AND amount = 100 \
             AND updated_at = TIMESTAMPTZ '2024-05-01 12:00:00+00'"
        ),
        1
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 0 inserted, 0 updated, 25 unchanged, 0 deleted"),
        "{out}"
    );
}

#[test]
fn a_sqlite_table_of_many_batches_loads_with_a_bad_value_quarantined() {
    let ctx = TestContext::new();
    let source = format!("sqlite://{}", ctx.path("shop.db").display());
    exec(
        &source,
        &[
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount TEXT, updated_at TEXT)",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
             INSERT INTO orders SELECT i, 'c' || i, CASE WHEN i = 777 THEN 'lots' ELSE i || '.25' END, \
             '2024-03-01T10:00:00Z' FROM n",
        ],
    );
    let config = config(
        &ctx,
        ORDERS,
        &source,
        "query = \"SELECT id, customer, amount, updated_at FROM orders\"\ncursor = \"id\"\nbatch_rows = 1000",
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains(
            "20 batches; rows: 19999 inserted, 0 updated, 0 unchanged, 0 deleted, 1 quarantined"
        ),
        "{out}"
    );
    assert_eq!(ctx.count("SELECT COUNT(*) FROM orders"), 19999);
    let reasons: Vec<String> = ctx
        .query("SELECT reason, provider FROM sluice_quarantine WHERE kind = 'record'")
        .into_iter()
        .map(|r| r.join(" / "))
        .collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].contains("orders <- sqlite://")
            && reasons[0].contains("key id = 777, column `amount`: `lots` is not a decimal number")
            && reasons[0].ends_with(" / database"),
        "{reasons:?}"
    );
    let out = load(&ctx, &config);
    assert!(out.contains("0 batches; rows: 0 inserted"), "{out}");
}

#[test]
fn a_bad_url_a_missing_table_and_a_missing_cursor_fail_the_run_named() {
    let ctx = TestContext::new();
    let source = MariaDb::new();
    let failing = |database: &str, keys: &str| {
        let config = config(&ctx, ORDERS, database, keys);
        let out = ctx.run(&config, "load");
        assert!(!out.status.success(), "{}", stdout(&out));
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        format!("{}\n{}", stdout(&out), stderr(&out))
    };
    let out = failing("mysql://root@127.0.0.1:1/shop", "from_table = \"orders\"");
    assert!(
        out.contains("orders <- mysql://root@127.0.0.1:1/shop table orders: mysql://root@127.0.0.1:1/shop: cannot connect"),
        "{out}"
    );
    let out = failing(&source.url(), "from_table = \"nope\"");
    assert!(
        out.contains("cannot read table `nope`") && out.contains("doesn't exist"),
        "{out}"
    );
    exec(&source.url(), &[MARIADB_ORDERS]);
    let out = failing(
        &source.url(),
        "from_table = \"orders\"\ncursor = \"changed\"",
    );
    assert!(
        out.contains("cursor column `changed` is not among the columns of table `orders` (id, customer, amount, updated_at)"),
        "{out}"
    );
    let out = failing(
        &source.url(),
        "query = \"SELECT customer FROM orders\"\nchange_detection = \"snapshot\"",
    );
    assert!(
        out.contains(
            "key column `id` of table `orders` is not among the columns of the query (customer)"
        ),
        "{out}"
    );
    let out = failing("${SLUICE_TEST_SURELY_UNSET}", "from_table = \"orders\"");
    assert!(out.contains("sources[0].database: expected a URL"), "{out}");
    let out = failing(
        "mysql://root:${SLUICE_TEST_SURELY_UNSET}@127.0.0.1/x",
        "from_table = \"orders\"",
    );
    assert!(
        out.contains(
            "database: the environment variable `SLUICE_TEST_SURELY_UNSET` it names is not set"
        ),
        "{out}"
    );
}
