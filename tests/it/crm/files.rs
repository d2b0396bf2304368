//! `sluice crm features --source-file`: the features computed from Parquet
//! files equal those the database computes from the same generated rows,
//! the hand-worked dataset comes out right through files of another
//! layout (plain strings, millisecond timestamps, three decimals, a
//! pattern over two files), and a bad file fails naming it.

use arrow_array::{
    ArrayRef, Decimal128Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;

use super::{HAND_DATASET, Tx, check_hand_features, features, target, write_features_config};
use crate::common::{TestContext, assert_ok, error_line, stdout};
use crate::on_both_databases;

/// Which columns a test file gets, and how `amount` is typed.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// All six columns, `amount` a decimal(12, 3).
    Whole,
    /// No `game_type`.
    NoGame,
    /// `amount` as text.
    TextAmount,
}

/// Writes `rows` to a Parquet file at `path`.
fn write_parquet(path: &Path, rows: &[Tx<'_>], layout: Layout) {
    let millis = |at: &str| {
        let format = time::format_description::well_known::Rfc3339;
        let t = time::OffsetDateTime::parse(at, &format).expect("an RFC 3339 time");
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).expect("fits")
    };
    let thousandths = |amount: &str| {
        let (units, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
        let fraction = format!("{fraction:0<3}");
        units.parse::<i128>().expect("units") * 1000 + fraction.parse::<i128>().expect("fraction")
    };
    let mut fields = vec![Field::new("user_id", DataType::Int64, true)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
    ))];
    if layout == Layout::TextAmount {
        fields.push(Field::new("amount", DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(
            rows.iter().map(|r| Some(r.1)).collect::<Vec<_>>(),
        )));
    } else {
        fields.push(Field::new("amount", DataType::Decimal128(12, 3), true));
        columns.push(Arc::new(
            Decimal128Array::from(rows.iter().map(|r| thousandths(r.1)).collect::<Vec<_>>())
                .with_precision_and_scale(12, 3)
                .expect("decimal"),
        ));
    }
    fields.push(Field::new("transaction_type", DataType::Utf8, false));
    columns.push(Arc::new(StringArray::from(
        rows.iter().map(|r| r.2).collect::<Vec<_>>(),
    )));
    fields.push(Field::new("status", DataType::Utf8, false));
    columns.push(Arc::new(StringArray::from(
        rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )));
    fields.push(Field::new(
        "created_at",
        DataType::Timestamp(TimeUnit::Millisecond, Some("+00:00".into())),
        true,
    ));
    columns.push(Arc::new(
        TimestampMillisecondArray::from(rows.iter().map(|r| millis(r.4)).collect::<Vec<_>>())
            .with_timezone("+00:00"),
    ));
    if layout != Layout::NoGame {
        fields.push(Field::new("game_type", DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(
            rows.iter().map(|r| r.5).collect::<Vec<_>>(),
        )));
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("batch");
    let file = std::fs::File::create(path).expect("create");
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
}

#[test]
fn hand_computed_features_from_two_parquet_files() {
    let ctx = TestContext::new();
    let lake = ctx.path("lake");
    std::fs::create_dir_all(&lake).expect("lake folder");
    let (first, second) = HAND_DATASET.split_at(9);
    write_parquet(&lake.join("part-0.parquet"), first, Layout::Whole);
    write_parquet(&lake.join("part-1.parquet"), second, Layout::Whole);
    // Not a match of the pattern: never read.
    std::fs::write(lake.join("notes.txt"), "not Parquet").expect("write");
    let config = write_features_config(
        &ctx,
        "merge",
        &format!("source_file = \"{}/part-*.parquet\"\n", lake.display()),
    );
    let out = features(&ctx, &config, &[]);
    check_hand_features(&ctx, &out);
}

/// Every row of the features table, every column as text, by user.
fn snapshot(ctx: &TestContext) -> Vec<Vec<String>> {
    let columns: Vec<String> = sluice::crm::row::COLUMNS
        .iter()
        .map(|(name, _)| format!("CAST({name} AS TEXT)"))
        .collect();
    ctx.query(&format!(
        "SELECT {} FROM {} ORDER BY user_id",
        columns.join(", "),
        target(ctx)
    ))
}

/// The checksum `sluice crm generate` printed.
fn generate(ctx: &TestContext, place: &[&str]) -> String {
    let mut args = vec![
        "crm",
        "generate",
        "--users",
        "300",
        "--transactions",
        "6000",
        "--seed",
        "11",
        "--defect-rate",
        "0.05",
    ];
    args.extend_from_slice(place);
    let out = ctx.sluice(&args);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("generated 6000 transactions of 300 users"),
        "{text}"
    );
    text.rsplit("checksum ")
        .next()
        .map(|s| s.trim().trim_end_matches(')').to_string())
        .unwrap_or_default()
}

fn parquet_features_equal_the_databases(ctx: TestContext) {
    let file = ctx.path("transactions.parquet");
    let file_text = file.to_str().expect("utf-8");
    let in_table = generate(&ctx, &["--into", &ctx.database_url()]);
    let in_file = generate(
        &ctx,
        &[
            "--format",
            "parquet",
            "--out",
            file_text,
            "--row-group-rows",
            "1000",
        ],
    );
    assert_eq!(in_table, in_file, "the same rows in the table and the file");
    assert_eq!(in_table.len(), 16);

    let config = write_features_config(&ctx, "replace", "");
    let out = features(&ctx, &config, &[]);
    let from_table = snapshot(&ctx);
    assert!(from_table.len() > 250, "{out}");
    let out = features(&ctx, &config, &["--source-file", file_text]);
    assert!(
        out.contains(&format!("features of {} users", from_table.len())),
        "{out}"
    );
    let from_file = snapshot(&ctx);
    assert_eq!(from_file.len(), from_table.len());
    for (a, b) in from_table.iter().zip(&from_file) {
        assert_eq!(a, b, "user {}: table and file disagree", a[0]);
    }

    // A file already there is kept unless --replace.
    let again = ctx.sluice(&["crm", "generate", "--format", "parquet", "--out", file_text]);
    let line = error_line(&again);
    assert!(line.contains("already exists: pass --replace"), "{line}");
}

on_both_databases!(parquet_features_equal_the_databases);

/// The error line of `sluice crm features --source-file source`.
fn failure(ctx: &TestContext, source: &str) -> String {
    let config = write_features_config(ctx, "merge", "");
    let out = ctx.sluice(&[
        "crm",
        "features",
        "--config",
        config.to_str().expect("utf-8"),
        "--source-file",
        source,
    ]);
    assert!(!out.status.success(), "{source} should fail");
    error_line(&out)
}

#[test]
fn a_bad_file_fails_naming_it() {
    let ctx = TestContext::new();
    let path = |name: &str| ctx.path(name).display().to_string();

    let line = failure(&ctx, &path("gone.parquet"));
    assert!(line.contains("gone.parquet: no such file"), "{line}");

    let line = failure(&ctx, &path("nothing-*.parquet"));
    assert!(
        line.contains("nothing-*.parquet: no file matches"),
        "{line}"
    );

    write_parquet(&ctx.path("whole.parquet"), HAND_DATASET, Layout::Whole);
    let bytes = std::fs::read(ctx.path("whole.parquet")).expect("read");
    std::fs::write(ctx.path("cut.parquet"), &bytes[..bytes.len() / 2]).expect("write");
    let line = failure(&ctx, &path("cut.parquet"));
    assert!(
        line.contains("cut.parquet: not a readable Parquet file"),
        "{line}"
    );

    write_parquet(&ctx.path("no-game.parquet"), HAND_DATASET, Layout::NoGame);
    let line = failure(&ctx, &path("no-game.parquet"));
    assert!(
        line.contains("no-game.parquet: no column `game_type`"),
        "{line}"
    );

    write_parquet(&ctx.path("text.parquet"), HAND_DATASET, Layout::TextAmount);
    let line = failure(&ctx, &path("text.parquet"));
    assert!(
        line.contains("text.parquet: column `amount` is Utf8, expected a decimal"),
        "{line}"
    );
}

#[test]
fn features_to_a_parquet_file_match_the_table() {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Decimal128Type, Float64Type, Int64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let ctx = TestContext::new();
    let source = ctx.path("transactions.parquet");
    let source_text = source.to_str().expect("utf-8");
    generate(&ctx, &["--format", "parquet", "--out", source_text]);
    let config = write_features_config(
        &ctx,
        "replace",
        &format!("source_file = \"{source_text}\"\n"),
    );
    features(&ctx, &config, &[]);
    let table = ctx.query(
        "SELECT user_id, CAST(snapshot_date AS TEXT), total_transactions, \
         CAST(ROUND(total_deposits * 100) AS INTEGER), COALESCE(favorite_game_type, ''), rfm_segment, \
         churn_risk_score FROM user_features ORDER BY CAST(user_id AS INTEGER)",
    );
    let out = ctx.path("features.parquet");
    let printed = features(
        &ctx,
        &config,
        &["--target-file", out.to_str().expect("utf-8")],
    );
    assert!(printed.contains("(parquet)"), "{printed}");
    assert!(!ctx.path("features.parquet.partial").exists());

    let file = std::fs::File::open(&out).expect("the features file");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("Parquet")
        .build()
        .expect("reader");
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.expect("batch");
        let column = |name: &str| batch.column_by_name(name).expect(name).clone();
        let (users, snapshot, transactions) = (
            column("user_id"),
            column("snapshot_date"),
            column("total_transactions"),
        );
        let (deposits, game, segment, churn) = (
            column("total_deposits"),
            column("favorite_game_type"),
            column("rfm_segment"),
            column("churn_risk_score"),
        );
        for i in 0..batch.num_rows() {
            let day = snapshot.as_primitive::<Date32Type>().value(i);
            rows.push(vec![
                users.as_string::<i32>().value(i).to_string(),
                (time::Date::from_julian_day(day + 2_440_588).expect("a day")).to_string(),
                transactions
                    .as_primitive::<Int64Type>()
                    .value(i)
                    .to_string(),
                deposits
                    .as_primitive::<Decimal128Type>()
                    .value(i)
                    .to_string(),
                if game.is_null(i) {
                    String::new()
                } else {
                    game.as_string::<i32>().value(i).to_string()
                },
                segment.as_string::<i32>().value(i).to_string(),
                churn.as_primitive::<Float64Type>().value(i).to_string(),
            ]);
        }
    }
    assert_eq!(rows.len(), table.len());
    assert!(rows.len() > 250);
    for (file_row, table_row) in rows.iter().zip(&table) {
        assert_eq!(file_row[..6], table_row[..6], "user {}", table_row[0]);
        let (a, b): (f64, f64) = (
            file_row[6].parse().expect("float"),
            table_row[6].parse().expect("float"),
        );
        assert!(
            (a - b).abs() < 1e-9,
            "user {}: churn {a} against {b}",
            table_row[0]
        );
    }
}

/// Writes `rows` as CSV (gzip when the name ends in `.gz`), the columns in
/// another order than the table's and one more.
fn write_csv(path: &Path, rows: &[Tx<'_>]) {
    let mut text =
        String::from("note,created_at,user_id,amount,transaction_type,status,game_type\n");
    for (user, amount, kind, status, at, game) in rows {
        let user = user.map_or(String::new(), |u| u.to_string());
        let game = game.unwrap_or_default();
        text.push_str(&format!(
            "\"a, quoted\",{at},{user},{amount},{kind},{status},{game}\n"
        ));
    }
    let file = std::fs::File::create(path).expect("create");
    if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(text.as_bytes()).expect("write");
        gz.finish().expect("finish");
    } else {
        std::fs::write(path, text).expect("write");
    }
}

/// Writes `rows` as NDJSON: amounts as JSON numbers, a missing game as a
/// missing key.
fn write_ndjson(path: &Path, rows: &[Tx<'_>]) {
    let mut text = String::new();
    for (user, amount, kind, status, at, game) in rows {
        let user = user.map_or("null".to_string(), |u| u.to_string());
        let game = game.map_or(String::new(), |g| format!(", \"game_type\": \"{g}\""));
        text.push_str(&format!(
            "{{\"user_id\": {user}, \"amount\": {amount}, \"transaction_type\": \"{kind}\", \"status\": \"{status}\", \"created_at\": \"{at}\"{game}}}\n"
        ));
    }
    std::fs::write(path, text).expect("write");
}

#[test]
fn hand_computed_features_from_csv_and_ndjson_files() {
    let ctx = TestContext::new();
    let lake = ctx.path("lake");
    std::fs::create_dir_all(&lake).expect("lake folder");
    let (first, second) = HAND_DATASET.split_at(9);
    write_csv(&lake.join("part-0.csv.gz"), first);
    write_ndjson(&lake.join("part-1.ndjson"), second);
    let config = write_features_config(
        &ctx,
        "merge",
        &format!("source_file = \"{}/part-*\"\n", lake.display()),
    );
    let out = features(&ctx, &config, &[]);
    check_hand_features(&ctx, &out);
}

#[test]
fn a_bad_text_file_fails_naming_the_file_and_line() {
    let ctx = TestContext::new();
    let path = |name: &str| ctx.path(name).display().to_string();

    std::fs::write(
        ctx.path("no-game.csv"),
        "user_id,amount,transaction_type,status,created_at\n",
    )
    .expect("write");
    let line = failure(&ctx, &path("no-game.csv"));
    assert!(
        line.contains("no-game.csv: no column `game_type`"),
        "{line}"
    );

    std::fs::write(ctx.path("empty.csv"), "").expect("write");
    let line = failure(&ctx, &path("empty.csv"));
    assert!(line.contains("empty.csv: empty file"), "{line}");

    let mut rows = HAND_DATASET.to_vec();
    rows[3].1 = "twelve";
    write_csv(&ctx.path("bad-amount.csv"), &rows);
    let line = failure(&ctx, &path("bad-amount.csv"));
    assert!(line.contains("bad-amount.csv: "), "{line}");
    assert!(line.contains("twelve"), "{line}");
    assert!(line.contains("data rows 1 to "), "the rows it is in: {line}");

    std::fs::write(
        ctx.path("broken.ndjson"),
        "{\"user_id\": 1, \"amount\": 1.5, \"transaction_type\": \"bet\", \"status\": \"completed\", \"created_at\": \"2025-06-28T18:00:00Z\"}\n{\"user_id\": 2, \"amount\": \n",
    )
    .expect("write");
    let line = failure(&ctx, &path("broken.ndjson"));
    assert!(line.contains("broken.ndjson: "), "{line}");
}

fn text_features_equal_the_databases(ctx: TestContext) {
    generate(&ctx, &["--into", &ctx.database_url()]);
    let config = write_features_config(&ctx, "replace", "");
    features(&ctx, &config, &[]);
    let from_table = snapshot(&ctx);
    assert!(from_table.len() > 250);
    for format in ["csv.gz", "ndjson"] {
        let file = ctx.path(&format!("transactions.{format}"));
        let file_text = file.to_str().expect("utf-8");
        let out = ctx.sluice(&[
            "export",
            "transactions",
            "--config",
            config.to_str().expect("utf-8"),
            "--format",
            format,
            "--out",
            file_text,
        ]);
        assert_ok(&out);
        let out = features(&ctx, &config, &["--source-file", file_text]);
        assert!(
            out.contains(&format!("features of {} users", from_table.len())),
            "{format}: {out}"
        );
        let from_file = snapshot(&ctx);
        assert_eq!(from_file.len(), from_table.len(), "{format}");
        for (a, b) in from_table.iter().zip(&from_file) {
            assert_eq!(a, b, "{format}: user {}: table and file disagree", a[0]);
        }
    }
}

on_both_databases!(text_features_equal_the_databases);
