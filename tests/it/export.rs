//! `sluice export`: every format on SQLite and PostgreSQL, read back with
//! the crates that read those formats; Parquet partitions and their limit;
//! the errors a user meets; S3 against a local S3-compatible server; and
//! an export as a pipeline's step after a run.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TestContext, assert_ok, stderr, stdout};

/// The rows every format is checked against: text with a comma and quotes,
/// a NULL integer, a negative decimal, a NULL decimal, booleans,
/// timestamps and dates.
const INSERT: &str = "INSERT INTO matches (id, season, home, goals, xg, stake, played, kickoff, day) VALUES \
    (1, '2023', 'Arsenal, \"The Gunners\"', 2, 1.75, '12.50', true, '2023-08-12T12:30:00Z', '2023-08-12'), \
    (2, '2023', 'Chelsea', NULL, 0.5, '-3.05', false, '2023-08-13T15:00:00Z', '2023-08-13'), \
    (3, '2024', 'Liverpool', 3, 2.25, NULL, true, '2024-08-17T14:00:00Z', '2024-08-17')";

/// 2023-08-12T12:30:00Z in microseconds since the epoch.
const KICKOFF_1: i64 = 1_691_843_400_000_000;

/// The database's `matches` table with the three rows, a stored quality
/// report for it, and a config naming the database.
fn seeded(ctx: &TestContext) -> PathBuf {
    let postgres = ctx.database_url().starts_with("postgres");
    let create = if postgres {
        "CREATE TABLE matches (id BIGINT PRIMARY KEY, season TEXT NOT NULL, home TEXT, \
         goals INTEGER, xg DOUBLE PRECISION, stake NUMERIC(10, 2), played BOOLEAN, \
         kickoff TIMESTAMPTZ, day DATE)"
    } else {
        "CREATE TABLE matches (id INTEGER PRIMARY KEY, season TEXT NOT NULL, home TEXT, \
         goals INTEGER, xg DOUBLE PRECISION, stake DECIMAL(10, 2), played BOOLEAN, \
         kickoff TIMESTAMP, day DATE)"
    };
    // The host's tables first (quality_reports), as a run would leave them.
    ctx.query("SELECT 1");
    ctx.query(create);
    ctx.query(INSERT);
    ctx.query(
        "INSERT INTO quality_reports (run_id, pipeline, table_name, rows_checked, score, grade, gate, created_at) \
         VALUES (7, 'daily', 'matches', 3, 0.84, 'B', NULL, '2024-08-18T06:00:00.000000Z')",
    );
    ctx.query(
        "INSERT INTO quality_checks (run_id, table_name, name, kind, dimension, severity, rows_checked, \
         failing, threshold, passed, unit_score, detail, samples) VALUES \
         (7, 'matches', 'goals_present', 'not_null', 'completeness', 'warn', 3, 1, '0', 0, 0.67, '1 of 3 rows is NULL', '[]'), \
         (7, 'matches', 'home_present', 'not_null', 'completeness', 'error', 3, 0, '0', 1, 1.0, 'no NULL', '[]')",
    );
    let config = ctx.path("sluice.toml");
    std::fs::write(&config, format!("database = \"{}\"\n", ctx.database_url())).expect("config");
    config
}

fn export(ctx: &TestContext, config: &Path, args: &[&str]) -> Output {
    let config = config.to_str().expect("utf-8 path");
    let mut all = vec!["export", "--config", config];
    all.extend_from_slice(args);
    ctx.sluice(&all)
}

fn exported(ctx: &TestContext, config: &Path, args: &[&str]) -> String {
    let out = export(ctx, config, args);
    assert_ok(&out);
    stdout(&out)
}

fn failed(ctx: &TestContext, config: &Path, args: &[&str]) -> String {
    let out = export(ctx, config, args);
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        stdout(&out)
    );
    stderr(&out)
}

/// The CSV rows every table export writes, header first.
fn expected_csv() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "id", "season", "home", "goals", "xg", "stake", "played", "kickoff", "day",
        ],
        vec![
            "1",
            "2023",
            "Arsenal, \"The Gunners\"",
            "2",
            "1.75",
            "12.50",
            "true",
            "2023-08-12T12:30:00Z",
            "2023-08-12",
        ],
        vec![
            "2",
            "2023",
            "Chelsea",
            "",
            "0.5",
            "-3.05",
            "false",
            "2023-08-13T15:00:00Z",
            "2023-08-13",
        ],
        vec![
            "3",
            "2024",
            "Liverpool",
            "3",
            "2.25",
            "",
            "true",
            "2024-08-17T14:00:00Z",
            "2024-08-17",
        ],
    ]
}

fn read_csv(reader: impl std::io::Read) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(reader)
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn csv_and_gzip(ctx: TestContext) {
    let config = seeded(&ctx);
    let printed = exported(
        &ctx,
        &config,
        &["matches", "--format", "csv", "--out", "out/matches.csv"],
    );
    assert!(
        printed.starts_with("exported 3 rows of table matches as csv: 1 file"),
        "{printed}"
    );
    let rows = read_csv(std::fs::File::open(ctx.path("out/matches.csv")).expect("csv written"));
    assert_eq!(rows, expected_csv());

    exported(
        &ctx,
        &config,
        &["matches", "-f", "csv.gz", "-o", "out/matches.csv.gz"],
    );
    let gz = std::fs::File::open(ctx.path("out/matches.csv.gz")).expect("csv.gz written");
    assert_eq!(read_csv(flate2::read::GzDecoder::new(gz)), expected_csv());
    assert_no_staging(&ctx.path("out"));
}

/// No staging folder is left beside what was exported.
fn assert_no_staging(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read the folder") {
        let name = entry.expect("entry").file_name();
        assert!(
            !name.to_string_lossy().contains("sluice-tmp"),
            "{} left behind in {}",
            name.to_string_lossy(),
            dir.display()
        );
    }
}

fn read_parquet(path: &Path) -> Vec<arrow_array::RecordBatch> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("a reader")
        .map(|b| b.expect("a batch"))
        .collect()
}

fn parquet_types_and_values(ctx: TestContext) {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Date32Type, Decimal128Type, Float64Type, Int64Type, TimestampMicrosecondType,
    };
    use arrow_schema::{DataType, TimeUnit};
    let config = seeded(&ctx);
    exported(
        &ctx,
        &config,
        &["matches", "--format", "parquet", "--out", "matches.parquet"],
    );
    let file = ctx.path("matches.parquet");
    let metadata = parquet::file::reader::SerializedFileReader::new(
        std::fs::File::open(&file).expect("parquet written"),
    )
    .map(|r| parquet::file::reader::FileReader::metadata(&r).clone())
    .expect("parquet metadata");
    let compression = metadata.row_group(0).column(0).compression();
    assert!(
        matches!(compression, parquet::basic::Compression::ZSTD(_)),
        "{compression:?}"
    );
    let batches = read_parquet(&file);
    let batch = &batches[0];
    let types: Vec<DataType> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    assert_eq!(
        types,
        [
            DataType::Int64,
            DataType::Utf8,
            DataType::Utf8,
            DataType::Int64,
            DataType::Float64,
            DataType::Decimal128(10, 2),
            DataType::Boolean,
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            DataType::Date32,
        ]
    );
    assert_eq!(batch.num_rows(), 3);
    let ids = batch.column(0).as_primitive::<Int64Type>();
    assert_eq!(ids.values().to_vec(), [1, 2, 3]);
    assert_eq!(
        batch.column(2).as_string::<i32>().value(0),
        "Arsenal, \"The Gunners\""
    );
    assert!(batch.column(3).is_null(1), "Chelsea's goals are NULL");
    assert_eq!(batch.column(4).as_primitive::<Float64Type>().value(2), 2.25);
    let stakes = batch.column(5).as_primitive::<Decimal128Type>();
    assert_eq!((stakes.value(0), stakes.value(1)), (1250, -305));
    assert!(stakes.is_null(2));
    assert!(batch.column(6).as_boolean().value(0));
    assert!(!batch.column(6).as_boolean().value(1));
    assert_eq!(
        batch
            .column(7)
            .as_primitive::<TimestampMicrosecondType>()
            .value(0),
        KICKOFF_1
    );
    // 2023-08-12 is day 19,581 after 1970-01-01.
    assert_eq!(
        batch.column(8).as_primitive::<Date32Type>().value(0),
        19_581
    );
}

fn json_and_ndjson(ctx: TestContext) {
    let config = seeded(&ctx);
    exported(
        &ctx,
        &config,
        &["matches", "--format", "json", "--out", "matches.json"],
    );
    let text = std::fs::read_to_string(ctx.path("matches.json")).expect("json written");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).expect("one JSON array");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["home"], "Arsenal, \"The Gunners\"");
    assert_eq!(rows[0]["id"], 1);
    assert_eq!(rows[0]["stake"].as_f64(), Some(12.5));
    assert_eq!(rows[0]["played"], true);
    assert_eq!(rows[0]["kickoff"], "2023-08-12T12:30:00Z");
    assert_eq!(rows[1]["goals"], serde_json::Value::Null);
    assert_eq!(rows[2]["day"], "2024-08-17");
    let keys: Vec<&String> = rows[0].as_object().expect("an object").keys().collect();
    assert_eq!(keys.len(), 9);

    exported(
        &ctx,
        &config,
        &["matches", "--format", "ndjson", "--out", "matches.ndjson"],
    );
    let text = std::fs::read_to_string(ctx.path("matches.ndjson")).expect("ndjson written");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one object per line"))
        .collect();
    assert_eq!(lines, rows);
}

fn xlsx_typed_cells(ctx: TestContext) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let config = seeded(&ctx);
    exported(
        &ctx,
        &config,
        &["matches", "--format", "xlsx", "--out", "matches.xlsx"],
    );
    let mut workbook: Xlsx<_> = open_workbook(ctx.path("matches.xlsx")).expect("an xlsx workbook");
    let sheet = workbook
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("the sheet reads");
    assert_eq!(sheet.height(), 4, "a header row and three rows");
    assert_eq!(sheet.get((0, 0)), Some(&Data::String("id".into())));
    assert_eq!(sheet.get((1, 0)), Some(&Data::Float(1.0)));
    assert_eq!(
        sheet.get((1, 2)),
        Some(&Data::String("Arsenal, \"The Gunners\"".into()))
    );
    assert_eq!(
        sheet.get((2, 3)),
        Some(&Data::Empty),
        "NULL is an empty cell"
    );
    assert_eq!(sheet.get((1, 4)), Some(&Data::Float(1.75)));
    assert_eq!(sheet.get((2, 5)), Some(&Data::Float(-3.05)));
    assert_eq!(sheet.get((1, 6)), Some(&Data::Bool(true)));
    match sheet.get((1, 7)) {
        Some(Data::DateTime(at)) => {
            // 2023-08-12 12:30 as an Excel serial date.
            assert!((at.as_f64() - 45_150.520_833).abs() < 1e-5, "{at:?}");
        }
        other => panic!("kickoff is not a date: {other:?}"),
    }
    match sheet.get((1, 8)) {
        Some(Data::DateTime(at)) => assert_eq!(at.as_f64(), 45_150.0),
        other => panic!("day is not a date: {other:?}"),
    }
    let styles = workbook
        .worksheet_style("Sheet1")
        .expect("the sheet's styles");
    let bold = |cell: (u32, u32)| {
        styles
            .get(cell)
            .and_then(|style| style.font.as_ref())
            .is_some_and(|font| font.is_bold())
    };
    assert!(bold((0, 0)) && bold((0, 8)), "the header row is bold");
    assert!(!bold((1, 0)), "the rows are not");
}

fn html_and_markdown_reports(ctx: TestContext) {
    let config = seeded(&ctx);
    exported(
        &ctx,
        &config,
        &[
            "matches",
            "--format",
            "html",
            "--out",
            "matches.html",
            "--rows",
            "2",
        ],
    );
    let html = std::fs::read_to_string(ctx.path("matches.html")).expect("html written");
    assert!(html.contains("<title>Table matches</title>"), "{html}");
    assert!(html.contains("3 rows; the first 2 shown."), "{html}");
    assert!(
        html.contains("<td>Arsenal, &quot;The Gunners&quot;</td>"),
        "{html}"
    );
    assert!(html.contains("<td>Chelsea</td>"), "{html}");
    assert!(
        !html.contains("Liverpool"),
        "only the first two rows: {html}"
    );
    assert!(html.contains("Quality: grade B"), "{html}");
    assert!(
        html.contains("goals_present") && html.contains("1 of 3 rows is NULL"),
        "{html}"
    );

    exported(
        &ctx,
        &config,
        &["matches", "--format", "md", "--out", "matches.md"],
    );
    let md = std::fs::read_to_string(ctx.path("matches.md")).expect("md written");
    assert!(md.starts_with("# Table matches\n\n3 rows.\n"), "{md}");
    assert!(md.contains("## Quality: grade B"), "{md}");
    assert!(
        md.contains("| goals_present | completeness | failed | 1 of 3 |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| 3 | 2024 | Liverpool | 3 | 2.25 |  | true | 2024-08-17T14:00:00Z | 2024-08-17 |"
        ),
        "{md}"
    );
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("under dir");
                files.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

fn parquet_partitions(ctx: TestContext) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    let config = seeded(&ctx);
    let printed = exported(
        &ctx,
        &config,
        &[
            "matches",
            "--format",
            "parquet",
            "--out",
            "lake/matches",
            "--partition-by",
            "season,played",
        ],
    );
    assert!(printed.contains("3 files"), "{printed}");
    let files = files_under(&ctx.path("lake/matches"));
    assert_eq!(files.len(), 3, "{files:?}");
    let dirs: Vec<&str> = files
        .iter()
        .map(|f| f.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    assert_eq!(
        dirs,
        [
            "season=2023/played=false",
            "season=2023/played=true",
            "season=2024/played=true"
        ]
    );
    for file in &files {
        let name = file.rsplit('/').next().unwrap_or_default();
        assert!(
            name.starts_with("part-") && name.ends_with("-0.parquet"),
            "{name}"
        );
    }
    let batches = read_parquet(&ctx.path("lake/matches").join(&files[1]));
    let batch = &batches[0];
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert!(
        !names.contains(&"season") && !names.contains(&"played"),
        "{names:?}"
    );
    assert_eq!(
        batch.column(0).as_primitive::<Int64Type>().value(0),
        1,
        "Arsenal's row"
    );
    assert_no_staging(&ctx.path("lake"));
}

fn parquet_files_roll_over_at_the_size_limit(ctx: TestContext) {
    let config = seeded(&ctx);
    let query = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
                 SELECT i, 'row ' || i AS label FROM n";
    exported(
        &ctx,
        &config,
        &[
            "--query",
            query,
            "--format",
            "parquet",
            "--out",
            "big",
            "--max-file-size",
            "1KiB",
        ],
    );
    let files = files_under(&ctx.path("big"));
    assert!(files.len() >= 2, "{files:?}");
    let label = files[0]
        .split('-')
        .nth(1)
        .expect("part-LABEL-N")
        .to_string();
    let mut numbers: Vec<u32> = files
        .iter()
        .map(|f| {
            let rest = f
                .strip_prefix(&format!("part-{label}-"))
                .expect("one label");
            rest.trim_end_matches(".parquet").parse().expect("a number")
        })
        .collect();
    numbers.sort();
    assert_eq!(
        numbers,
        (0..u32::try_from(files.len()).expect("few")).collect::<Vec<_>>()
    );
    let rows: usize = files
        .iter()
        .flat_map(|f| read_parquet(&ctx.path("big").join(f)))
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, 20_000);
}

fn too_many_partitions_are_refused(ctx: TestContext) {
    let config = seeded(&ctx);
    let err = failed(
        &ctx,
        &config,
        &[
            "matches",
            "--format",
            "parquet",
            "--out",
            "lake/by_id",
            "--partition-by",
            "id",
            "--max-partitions",
            "2",
        ],
    );
    assert!(
        err.contains("would write 3 partitions, more than the limit of 2"),
        "{err}"
    );
    assert!(!ctx.path("lake").exists(), "nothing is written");
}

fn errors_name_what_is_wrong(ctx: TestContext) {
    let config = seeded(&ctx);
    let err = failed(
        &ctx,
        &config,
        &["--query", "SELEC nope", "--format", "csv", "--out", "q.csv"],
    );
    assert!(
        err.contains("--query `SELEC nope`: the database refused it"),
        "{err}"
    );
    assert!(err.contains("syntax error"), "{err}");

    let err = failed(
        &ctx,
        &config,
        &[
            "--query",
            "SELECT * FROM nowhere",
            "-f",
            "csv",
            "-o",
            "q.csv",
        ],
    );
    assert!(err.contains("nowhere"), "{err}");

    let err = failed(
        &ctx,
        &config,
        &["matchs", "--format", "csv", "--out", "m.csv"],
    );
    assert!(
        err.contains("no table or view named `matchs` in the database (did you mean `matches`?)"),
        "{err}"
    );

    std::fs::write(ctx.path("a-file"), "not a folder").expect("write");
    let err = failed(
        &ctx,
        &config,
        &["matches", "--format", "csv", "--out", "a-file/m.csv"],
    );
    assert!(
        err.contains("cannot write") && err.contains("a-file"),
        "{err}"
    );

    let err = failed(
        &ctx,
        &config,
        &[
            "matches",
            "-f",
            "csv",
            "-o",
            "m.csv",
            "--partition-by",
            "season",
        ],
    );
    assert!(
        err.contains("--partition-by: applies to the parquet format only"),
        "{err}"
    );

    let err = failed(
        &ctx,
        &config,
        &[
            "matches",
            "-f",
            "parquet",
            "-o",
            "p",
            "--partition-by",
            "colour",
        ],
    );
    assert!(
        err.contains("partition column `colour` is not exported"),
        "{err}"
    );
    assert!(!ctx.path("m.csv").exists() && !ctx.path("q.csv").exists());
    assert_no_staging(ctx.dir.path());
}

crate::on_both_databases!(
    csv_and_gzip,
    parquet_types_and_values,
    json_and_ndjson,
    xlsx_typed_cells,
    html_and_markdown_reports,
    parquet_partitions,
    parquet_files_roll_over_at_the_size_limit,
    too_many_partitions_are_refused,
    errors_name_what_is_wrong,
);

/// A value SQLite stored against its column's declared type fails the
/// export naming the row and the column, after other rows were already
/// written, and nothing is left: neither the file nor its staging folder.
#[test]
fn a_value_that_does_not_fit_its_column_fails_and_leaves_nothing() {
    let ctx = TestContext::new();
    let config = seeded(&ctx);
    ctx.query("CREATE TABLE counts (n INTEGER)");
    ctx.query(
        "INSERT INTO counts (n) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 9000) \
         SELECT i FROM s",
    );
    ctx.query("INSERT INTO counts (n) VALUES ('many')");
    std::fs::create_dir_all(ctx.path("out")).expect("mkdir");
    let err = failed(
        &ctx,
        &config,
        &["counts", "--format", "csv", "--out", "out/counts.csv"],
    );
    assert!(
        err.contains("row 9001, column `n`: `many` is not an integer"),
        "{err}"
    );
    assert!(!ctx.path("out/counts.csv").exists(), "no half-written file");
    assert_no_staging(&ctx.path("out"));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn to_s3(ctx: TestContext) {
    use object_store::{ObjectStore, ObjectStoreExt};
    let s3 = crate::common::s3::S3Server::start();
    let config = seeded(&ctx);
    // moto creates a bucket on an unsigned PUT.
    runtime().block_on(async {
        let created = reqwest::Client::new()
            .put(format!("{}/lake", s3.endpoint))
            .send()
            .await
            .expect("moto answers");
        assert!(created.status().is_success(), "{}", created.status());
    });
    let config_path = config.to_str().expect("utf-8 path");
    let run = |args: &[&str]| {
        let mut all = vec!["export", "--config", config_path];
        all.extend_from_slice(args);
        crate::common::sluice_command(&all)
            .current_dir(ctx.dir.path())
            .envs(crate::common::s3::S3_ENV)
            .env("AWS_ENDPOINT_URL", &s3.endpoint)
            .output()
            .expect("run sluice")
    };
    let out = run(&[
        "matches",
        "-f",
        "parquet",
        "-o",
        "s3://lake/exports/matches",
        "--partition-by",
        "season",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("s3://lake/exports/matches/season=2023/part-"),
        "{}",
        stdout(&out)
    );
    let out = run(&[
        "matches",
        "-f",
        "csv",
        "-o",
        "s3://lake/exports/matches.csv",
    ]);
    assert_ok(&out);
    let out = run(&["matches", "-f", "csv", "-o", "s3://nobucket/matches.csv"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("s3://nobucket/matches.csv"),
        "{}",
        stderr(&out)
    );

    let store = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name("lake")
        .with_endpoint(&s3.endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id("testing")
        .with_secret_access_key("testing")
        .build()
        .expect("an S3 client");
    runtime().block_on(async {
        use futures_util::TryStreamExt;
        let mut keys: Vec<String> = store
            .list(Some(&object_store::path::Path::from("exports")))
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .expect("list the bucket");
        keys.sort();
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert_eq!(keys[0], "exports/matches.csv");
        assert!(
            keys[1].starts_with("exports/matches/season=2023/part-"),
            "{keys:?}"
        );
        assert!(
            keys[2].starts_with("exports/matches/season=2024/part-"),
            "{keys:?}"
        );
        let csv = store
            .get(&object_store::path::Path::from("exports/matches.csv"))
            .await
            .expect("get the CSV")
            .bytes()
            .await
            .expect("its bytes");
        assert_eq!(read_csv(&csv[..]), expected_csv());
        let parquet = store
            .get(&object_store::path::Path::from(keys[1].as_str()))
            .await
            .expect("get a partition")
            .bytes()
            .await
            .expect("its bytes");
        let batches: Vec<arrow_array::RecordBatch> =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(parquet)
                .expect("a Parquet object")
                .build()
                .expect("a reader")
                .map(|b| b.expect("a batch"))
                .collect();
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
    });
}

#[test]
fn to_s3_from_sqlite() {
    to_s3(TestContext::new());
}

#[test]
fn to_s3_from_postgres() {
    to_s3(TestContext::postgres());
}

/// A pipeline's export after its run: the first run's rows, then none when
/// the second run changed nothing; a table without `run_id` goes whole.
fn pipeline_exports_what_the_run_changed(ctx: TestContext) {
    let server = crate::common::ReplayServer::start(&crate::common::demo_recordings());
    let exports = r#"
[[pipelines.demo.exports]]
table = "events"
format = "csv"
out = "exports/events.csv"
changed_only = true

[[pipelines.demo.exports]]
table = "events"
format = "parquet"
out = "exports/events"
partition_by = ["provider"]

[[pipelines.demo.exports]]
table = "sluice_runs"
format = "ndjson"
out = "exports/runs.ndjson"
changed_only = true
"#;
    let config = ctx.write_config(
        &server.base_url(),
        "",
        &format!("{}{exports}", crate::common::DEMO_PIPELINE),
    );
    let out = ctx.run(&config, "demo");
    assert_ok(&out);
    let printed = stdout(&out);
    let events = ctx.count("SELECT COUNT(*) FROM events");
    assert!(events > 0);
    assert!(
        printed.contains(&format!("exported events: {events} rows, 1 file to")),
        "{printed}"
    );
    assert!(
        printed.contains("exported sluice_runs: 1 row (no run_id column: the whole table)"),
        "{printed}"
    );
    let rows = read_csv(std::fs::File::open(ctx.path("exports/events.csv")).expect("csv"));
    assert_eq!(rows.len() as i64, events + 1, "a header and every event");
    let parquet = files_under(&ctx.path("exports/events"));
    assert_eq!(parquet, ["provider=football-data/part-run1-0.parquet"]);

    let out = ctx.run(&config, "demo");
    assert_ok(&out);
    let printed = stdout(&out);
    assert!(
        printed.contains("exported events: 0 rows, 1 file to"),
        "{printed}"
    );
    let rows = read_csv(std::fs::File::open(ctx.path("exports/events.csv")).expect("csv"));
    assert_eq!(rows.len(), 1, "the header only: run 2 changed nothing");
    let parquet = files_under(&ctx.path("exports/events"));
    assert_eq!(
        parquet,
        [
            "provider=football-data/part-run1-0.parquet",
            "provider=football-data/part-run2-0.parquet"
        ],
        "each run adds its files beside the earlier ones"
    );
}

crate::on_both_databases!(pipeline_exports_what_the_run_changed);
