//! File sources: CSV, JSON, NDJSON, Parquet and xlsx files the tests write,
//! local and on S3, loaded into generic tables on SQLite and PostgreSQL;
//! incremental by file, merge/append/replace, schema evolution, and every
//! kind of bad input named by file and place, never half loaded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use crate::common::{TestContext, assert_ok, stderr, stdout};
use crate::on_both_databases;

/// A small table: an integer key, a required name and a count.
pub(crate) const MATCHES: &str = r#"
[tables.matches]
columns = [
  { name = "id", type = "int", primary_key = true },
  { name = "home", type = "text", nullable = false },
  { name = "goals", type = "int" },
]
"#;

/// Writes `sluice.toml`: the context's database, `tables`, and `sources`
/// (`[[pipelines.load.sources]]` blocks).
pub(crate) fn config(ctx: &TestContext, tables: &str, sources: &str) -> PathBuf {
    let text = format!(
        "database = \"{}\"\n{tables}\n{sources}\n",
        ctx.database_url()
    );
    let path = ctx.path("sluice.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// One source of `table` reading `path`, with `extra` keys.
pub(crate) fn source(table: &str, path: &str, extra: &str) -> String {
    format!("[[pipelines.load.sources]]\ntable = \"{table}\"\npath = \"{path}\"\n{extra}\n")
}

/// Writes `bytes` to `name` under the context's folder (folders created).
pub(crate) fn write(ctx: &TestContext, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = ctx.path(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, bytes).expect("write file");
    path
}

/// Runs pipeline `load`, which must succeed; returns what it printed.
pub(crate) fn load(ctx: &TestContext, config: &Path) -> String {
    let out = ctx.run(config, "load");
    assert_ok(&out);
    stdout(&out)
}

/// Runs pipeline `load`, which must not succeed; returns stdout and stderr.
pub(crate) fn load_failing(ctx: &TestContext, config: &Path) -> String {
    let out: Output = ctx.run(config, "load");
    assert!(!out.status.success(), "{}", stdout(&out));
    format!("{}\n{}", stdout(&out), stderr(&out))
}

/// `SELECT id, home, goals FROM matches ORDER BY id` as `id:home:goals`.
fn matches_rows(ctx: &TestContext) -> Vec<String> {
    ctx.query("SELECT id, home, goals FROM matches ORDER BY id")
        .into_iter()
        .map(|r| r.join(":"))
        .collect()
}

pub(crate) fn quarantine_reasons(ctx: &TestContext) -> Vec<String> {
    ctx.query("SELECT reason FROM sluice_quarantine WHERE kind = 'record' ORDER BY id")
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect()
}

on_both_databases!(
    csv_loads_typed_values_then_skips_and_reloads_by_file,
    csv_options_delimiter_quote_latin1_and_no_header,
    gzip_and_zstd_files_load_by_their_extension,
    json_and_ndjson_load,
    parquet_loads_with_its_types,
    xlsx_loads_a_sheet_range,
    append_adds_and_replace_swaps_whole,
    a_new_column_is_added_and_a_missing_one_left_null,
    a_value_that_does_not_fit_quarantines_its_row_or_refuses_the_file,
    ragged_rows_and_invalid_utf8_are_quarantined_by_line,
    truncated_parquet_and_corrupt_or_encrypted_xlsx_are_refused_whole,
    a_json_syntax_error_at_line_40000_refuses_the_file_whole,
    a_parquet_lake_on_s3_loads_and_is_skipped_when_unchanged,
    an_inferred_schema_file_loads_its_csv,
    a_file_table_is_graded_by_its_quality_checks,
);

fn csv_loads_typed_values_then_skips_and_reloads_by_file(ctx: TestContext) {
    let tables = r#"
[tables.fixtures]
columns = [
  { name = "id", type = "int", primary_key = true },
  { name = "home", type = "text", nullable = false },
  { name = "xg", type = "float" },
  { name = "played", type = "bool" },
  { name = "day", type = "date" },
  { name = "kickoff", type = "timestamp" },
  { name = "stake", type = "decimal" },
  { name = "meta", type = "json" },
]
"#;
    write(
        &ctx,
        "in/a.csv",
        "id,home,xg,played,day,kickoff,stake,meta\n\
         1,Arsenal,1.5,true,2024-08-17,2024-08-17T15:00:00Z,12.50,\"{\"\"a\"\": 1}\"\n\
         2,Chelsea,,false,2024-08-18,2024-08-18 16:30:00,0.10,\n",
    );
    write(
        &ctx,
        "in/b.csv",
        "id,home,xg,played,day,kickoff,stake,meta\n3,Everton,0.2,yes,,,,[]\n",
    );
    let config = config(&ctx, tables, &source("fixtures", "in/*.csv", ""));
    let out = load(&ctx, &config);
    assert!(
        out.contains("files fixtures <- in/*.csv: 2 loaded, 0 skipped, 0 refused; rows: 3 inserted, 0 updated, 0 unchanged, 0 quarantined"),
        "{out}"
    );
    let rows = ctx.query(
        "SELECT id, home, xg, played, CAST(day AS TEXT), CAST(stake AS TEXT), kickoff IS NULL FROM fixtures ORDER BY id",
    );
    let rows: Vec<String> = rows.into_iter().map(|r| r.join("|")).collect();
    assert_eq!(
        rows,
        [
            "1|Arsenal|1.5|1|2024-08-17|12.50|0",
            "2|Chelsea|NULL|0|2024-08-18|0.10|0",
            "3|Everton|0.2|1|NULL|NULL|1",
        ]
    );
    let meta = ctx.query("SELECT CAST(meta AS TEXT) FROM fixtures WHERE id = 1");
    let meta: serde_json::Value = serde_json::from_str(&meta[0][0]).expect("json");
    assert_eq!(meta, serde_json::json!({"a": 1}));
    assert_eq!(
        ctx.count(
            "SELECT count(*) FROM sluice_source_files WHERE pipeline = 'load' AND row_count > 0"
        ),
        2
    );

    // Nothing changed: both files are skipped.
    let out = load(&ctx, &config);
    assert!(out.contains("0 loaded, 2 skipped"), "{out}");

    // One file changes: only it is loaded again, and merged on the key.
    write(
        &ctx,
        "in/b.csv",
        "id,home,xg,played,day,kickoff,stake,meta\n3,Everton FC,0.2,yes,,,,[]\n4,Fulham,,,,,,\n",
    );
    let out = load(&ctx, &config);
    assert!(
        out.contains("1 loaded, 1 skipped, 0 refused; rows: 1 inserted, 1 updated, 0 unchanged"),
        "{out}"
    );
    assert_eq!(
        ctx.query("SELECT home FROM fixtures WHERE id = 3")[0][0],
        "Everton FC"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM fixtures"), 4);
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_runs WHERE status = 'succeeded'"),
        3
    );

    // A dry run loads a changed file and keeps nothing of it.
    write(
        &ctx,
        "in/a.csv",
        "id,home,xg,played,day,kickoff,stake,meta
9,Leeds,,,,,,
",
    );
    let config_path = config.to_str().expect("utf-8");
    let out = ctx.sluice(&[
        "run",
        "--config",
        config_path,
        "--pipeline",
        "load",
        "--dry-run",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("1 loaded, 1 skipped, 0 refused; rows: 1 inserted"),
        "{}",
        stdout(&out)
    );
    assert_eq!(ctx.count("SELECT count(*) FROM fixtures WHERE id = 9"), 0);

    // --clear-checkpoint loads every file again.
    let out = ctx.sluice(&[
        "run",
        "--config",
        config_path,
        "--pipeline",
        "load",
        "--clear-checkpoint",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out)
            .contains("2 loaded, 0 skipped, 0 refused; rows: 1 inserted, 0 updated, 2 unchanged"),
        "{}",
        stdout(&out)
    );
}

fn csv_options_delimiter_quote_latin1_and_no_header(ctx: TestContext) {
    // Latin-1: `é` is the single byte 0xE9.
    let mut bytes = b"1;'M\xE9tro; FC';2\n".to_vec();
    bytes.extend_from_slice(b"2;'Plain';3\n");
    write(&ctx, "in/latin.txt", bytes);
    let sources = source(
        "matches",
        "in/",
        "format = \"csv\"\ndelimiter = \";\"\nquote = \"'\"\nheader = false\nencoding = \"latin-1\"",
    );
    let config = config(&ctx, MATCHES, &sources);
    load(&ctx, &config);
    assert_eq!(matches_rows(&ctx), ["1:Métro; FC:2", "2:Plain:3"]);
}

fn gzip_and_zstd_files_load_by_their_extension(ctx: TestContext) {
    let csv = "id,home,goals\n1,Arsenal,2\n2,Chelsea,0\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(csv.as_bytes()).expect("gzip");
    write(&ctx, "in/a.csv.gz", gz.finish().expect("gzip"));
    let zst = zstd::encode_all("id,home,goals\n3,Everton,1\n".as_bytes(), 3).expect("zstd");
    write(&ctx, "in/b.csv.zst", zst);
    let sources = format!(
        "{}{}",
        source("matches", "in/*.csv.gz", ""),
        source("matches", "in/*.csv.zst", "")
    );
    let config = config(&ctx, MATCHES, &sources);
    load(&ctx, &config);
    assert_eq!(
        matches_rows(&ctx),
        ["1:Arsenal:2", "2:Chelsea:0", "3:Everton:1"]
    );
}

fn json_and_ndjson_load(ctx: TestContext) {
    write(
        &ctx,
        "in/a.json",
        r#"[{"id": 1, "home": "Arsenal", "goals": 2}, {"id": 2, "home": "Chelsea", "goals": null}]"#,
    );
    write(
        &ctx,
        "in/b.ndjson",
        "{\"id\": 3, \"home\": \"Everton\", \"goals\": 1}\n\n{\"id\": 4, \"home\": \"Fulham\"}\n",
    );
    let sources = format!(
        "{}{}",
        source("matches", "in/a.json", ""),
        source("matches", "in/b.ndjson", "")
    );
    let config = config(&ctx, MATCHES, &sources);
    load(&ctx, &config);
    assert_eq!(
        matches_rows(&ctx),
        [
            "1:Arsenal:2",
            "2:Chelsea:NULL",
            "3:Everton:1",
            "4:Fulham:NULL"
        ]
    );
}

/// A Parquet file of `ids` (int64), `home` (utf8) and `goals` (int32).
pub(crate) fn parquet_bytes(ids: &[i64]) -> Vec<u8> {
    use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("home", DataType::Utf8, false),
        Field::new("goals", DataType::Int32, true),
    ]));
    let homes: Vec<String> = ids.iter().map(|i| format!("team {i}")).collect();
    let goals: Vec<Option<i32>> = ids
        .iter()
        .map(|i| (i % 3 != 0).then(|| i32::try_from(i % 5).expect("small")))
        .collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(ids.to_vec())) as ArrayRef,
            Arc::new(StringArray::from(homes)) as ArrayRef,
            Arc::new(Int32Array::from(goals)) as ArrayRef,
        ],
    )
    .expect("batch");
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, schema, None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
    out
}

fn parquet_loads_with_its_types(ctx: TestContext) {
    let ids: Vec<i64> = (1..=10_000).collect();
    write(&ctx, "lake/part-0.parquet", parquet_bytes(&ids));
    let config = config(
        &ctx,
        MATCHES,
        &source("matches", "lake/*.parquet", "batch_rows = 1000"),
    );
    let out = load(&ctx, &config);
    assert!(out.contains("rows: 10000 inserted"), "{out}");
    assert_eq!(ctx.count("SELECT count(*) FROM matches"), 10_000);
    assert_eq!(
        ctx.query("SELECT id, home, goals FROM matches WHERE id IN (3, 4) ORDER BY id"),
        [
            vec!["3".to_string(), "team 3".to_string(), "NULL".to_string()],
            vec!["4".to_string(), "team 4".to_string(), "4".to_string()],
        ]
    );
}

/// An xlsx workbook with a title row, then `id`, `home`, `goals` from B3
/// on a sheet named `Results`, and a note below the table.
fn xlsx_bytes() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Results").expect("name");
    sheet.write_string(0, 0, "Weekend results").expect("cell");
    for (col, name) in ["id", "home", "goals"].iter().enumerate() {
        sheet.write_string(2, 1 + col as u16, *name).expect("cell");
    }
    for (i, (home, goals)) in [("Arsenal", 2.0), ("Chelsea", 0.0)].iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_number(row, 1, (i + 1) as f64).expect("cell");
        sheet.write_string(row, 2, *home).expect("cell");
        sheet.write_number(row, 3, *goals).expect("cell");
    }
    sheet
        .write_string(8, 1, "not part of the table")
        .expect("cell");
    workbook.save_to_buffer().expect("xlsx")
}

fn xlsx_loads_a_sheet_range(ctx: TestContext) {
    write(&ctx, "in/results.xlsx", xlsx_bytes());
    let config = config(
        &ctx,
        MATCHES,
        &source(
            "matches",
            "in/results.xlsx",
            "sheet = \"Results\"\nrange = \"B3:D6\"",
        ),
    );
    load(&ctx, &config);
    assert_eq!(matches_rows(&ctx), ["1:Arsenal:2", "2:Chelsea:0"]);
}

fn append_adds_and_replace_swaps_whole(ctx: TestContext) {
    let tables = r#"
[tables.log]
columns = [
  { name = "id", type = "int" },
  { name = "note", type = "text" },
]
[tables.matches]
columns = [
  { name = "id", type = "int", primary_key = true },
  { name = "home", type = "text", nullable = false },
  { name = "goals", type = "int" },
]
"#;
    write(&ctx, "log/a.csv", "id,note\n1,first\n1,again\n");
    write(
        &ctx,
        "snap/a.csv",
        "id,home,goals\n1,Arsenal,2\n2,Chelsea,0\n",
    );
    let sources = format!(
        "{}{}",
        source("log", "log/*.csv", "write = \"append\""),
        source("matches", "snap/*.csv", "write = \"replace\"")
    );
    let config = config(&ctx, tables, &sources);
    load(&ctx, &config);
    assert_eq!(ctx.count("SELECT count(*) FROM log"), 2);
    assert_eq!(matches_rows(&ctx), ["1:Arsenal:2", "2:Chelsea:0"]);

    // A new log file is appended; the snapshot is replaced whole.
    write(&ctx, "log/b.csv", "id,note\n2,third\n");
    std::fs::remove_file(ctx.path("snap/a.csv")).expect("rm");
    write(&ctx, "snap/b.csv", "id,home,goals\n3,Everton,1\n");
    let out = load(&ctx, &config);
    assert!(
        out.contains("1 replaced away") || out.contains("2 replaced away"),
        "{out}"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM log"), 3);
    assert_eq!(matches_rows(&ctx), ["3:Everton:1"]);

    // A replace whose file is refused keeps the old rows, all of them.
    write(&ctx, "snap/c.csv", "id,home,goals\n4,Fulham,x\n");
    let replace_refusing = format!(
        "{}{}",
        source("log", "log/*.csv", "write = \"append\""),
        source(
            "matches",
            "snap/*.csv",
            "write = \"replace\"\non_bad_row = \"refuse\""
        )
    );
    let config = self::config(&ctx, tables, &replace_refusing);
    let out = load_failing(&ctx, &config);
    assert!(out.contains("snap/c.csv"), "{out}");
    assert!(
        out.contains("line 2, column `goals`: `x` is not an integer"),
        "{out}"
    );
    assert_eq!(matches_rows(&ctx), ["3:Everton:1"]);
}

fn a_new_column_is_added_and_a_missing_one_left_null(ctx: TestContext) {
    write(&ctx, "in/a.csv", "id,home,goals\n1,Arsenal,2\n");
    write(
        &ctx,
        "in/b.csv",
        "id,home,Venue Name\n2,Chelsea,Stamford Bridge\n",
    );
    let config = config(&ctx, MATCHES, &source("matches", "in/*.csv", ""));
    let out = load(&ctx, &config);
    assert!(out.contains("columns added: venue_name"), "{out}");
    assert_eq!(
        ctx.query("SELECT id, goals, venue_name FROM matches ORDER BY id"),
        [
            vec!["1".to_string(), "2".to_string(), "NULL".to_string()],
            vec![
                "2".to_string(),
                "NULL".to_string(),
                "Stamford Bridge".to_string()
            ],
        ]
    );
}

fn a_value_that_does_not_fit_quarantines_its_row_or_refuses_the_file(ctx: TestContext) {
    write(
        &ctx,
        "in/a.csv",
        "id,home,goals\n1,Arsenal,2\n2,Chelsea,two\n3,Everton,1\n",
    );
    let config1 = config(&ctx, MATCHES, &source("matches", "in/a.csv", ""));
    let out = load(&ctx, &config1);
    assert!(
        out.contains("2 inserted, 0 updated, 0 unchanged, 1 quarantined"),
        "{out}"
    );
    assert_eq!(matches_rows(&ctx), ["1:Arsenal:2", "3:Everton:1"]);
    let reasons = quarantine_reasons(&ctx);
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].ends_with("in/a.csv, line 3, column `goals`: `two` is not an integer"),
        "{reasons:?}"
    );

    write(
        &ctx,
        "in/b.csv",
        "id,home,goals\n10,Fulham,1\n11,Leeds,none\n",
    );
    let config2 = config(
        &ctx,
        MATCHES,
        &source("matches", "in/b.csv", "on_bad_row = \"refuse\""),
    );
    let out = load_failing(&ctx, &config2);
    assert!(
        out.contains("in/b.csv: line 3, column `goals`: `none` is not an integer"),
        "{out}"
    );
    assert!(out.contains("1 refused"), "{out}");
    assert_eq!(ctx.count("SELECT count(*) FROM matches WHERE id >= 10"), 0);
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_quarantine WHERE kind = 'batch'"),
        1
    );
    // A refused file is not recorded as loaded: the next run tries it again,
    // and once it loads, its refusal leaves the quarantine.
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_source_files WHERE path LIKE '%b.csv'"),
        0
    );
    write(&ctx, "in/b.csv", "id,home,goals\n10,Fulham,1\n11,Leeds,0\n");
    load(&ctx, &config2);
    assert_eq!(ctx.count("SELECT count(*) FROM matches WHERE id >= 10"), 2);
    assert_eq!(
        ctx.count(
            "SELECT count(*) FROM sluice_quarantine WHERE resolved_by IS NULL AND kind = 'batch'"
        ),
        0
    );
    // The row quarantined from a.csv stays until a.csv is loaded again.
    assert_eq!(
        ctx.count(
            "SELECT count(*) FROM sluice_quarantine WHERE resolved_by IS NULL AND kind = 'record'"
        ),
        1
    );
}

fn ragged_rows_and_invalid_utf8_are_quarantined_by_line(ctx: TestContext) {
    let mut bytes = b"id,home,goals\n1,Arsenal,2\n2,Chelsea\n3,Ev\xFFrton,1\n".to_vec();
    bytes.extend_from_slice(b"4,Fulham,0\n");
    write(&ctx, "in/a.csv", bytes);
    write(
        &ctx,
        "in/b.ndjson",
        b"{\"id\": 5, \"home\": \"Leeds\"}\n{\"id\": 6, \"home\": \n{\"id\": 7, \"home\": \"L\xE9eds\"}\n",
    );
    let sources = format!(
        "{}{}",
        source("matches", "in/a.csv", ""),
        source("matches", "in/b.ndjson", "")
    );
    let config = config(&ctx, MATCHES, &sources);
    load(&ctx, &config);
    assert_eq!(
        matches_rows(&ctx),
        ["1:Arsenal:2", "4:Fulham:0", "5:Leeds:NULL"]
    );
    let reasons = quarantine_reasons(&ctx);
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(
        reasons[0].contains("a.csv, line 3: expected 3 fields, found 2"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("a.csv, line 4, column `home`: invalid UTF-8"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].contains("b.ndjson, line 2, column "),
        "{reasons:?}"
    );
    assert!(
        reasons[3].contains("b.ndjson, line 3: invalid UTF-8"),
        "{reasons:?}"
    );
}

fn truncated_parquet_and_corrupt_or_encrypted_xlsx_are_refused_whole(ctx: TestContext) {
    let whole = parquet_bytes(&(1..=5000).collect::<Vec<_>>());
    write(&ctx, "in/cut.parquet", &whole[..whole.len() / 2]);
    // Random bytes, seeded: not a workbook.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    write(&ctx, "in/noise.xlsx", noise);
    let plain = write(&ctx, "plain.xlsx", xlsx_bytes());
    let locked = ctx.path("in/locked.xlsx");
    encrypt_xlsx(&plain, &locked);
    let sources = format!(
        "{}{}{}",
        source("matches", "in/cut.parquet", ""),
        source("matches", "in/noise.xlsx", ""),
        source(
            "matches",
            "in/locked.xlsx",
            "sheet = \"Results\"\nrange = \"B3:D6\""
        )
    );
    let config = config(&ctx, MATCHES, &sources);
    let out = load_failing(&ctx, &config);
    assert!(
        out.contains("in/cut.parquet: not a readable Parquet file"),
        "{out}"
    );
    assert!(
        out.contains("in/noise.xlsx: not a readable xlsx workbook"),
        "{out}"
    );
    assert!(
        out.contains("in/locked.xlsx: the workbook is encrypted (password-protected)"),
        "{out}"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM matches"), 0);
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_quarantine WHERE kind = 'batch'"),
        3
    );
}

/// Encrypts the workbook `plain` with a password into `locked`, with
/// msoffcrypto-tool (installed into target/moto by `make tools-s3`).
fn encrypt_xlsx(plain: &Path, locked: &Path) {
    let tool = crate::common::repo_root().join("target/moto/bin/msoffcrypto-tool");
    assert!(
        tool.is_file(),
        "{} is missing: the encrypted-workbook test needs msoffcrypto-tool (`make tools-s3` installs it)",
        tool.display()
    );
    let out = std::process::Command::new(&tool)
        .args(["-e", "-p", "secret"])
        .arg(plain)
        .arg(locked)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    assert_ok(&out);
}

fn a_json_syntax_error_at_line_40000_refuses_the_file_whole(ctx: TestContext) {
    let mut text = String::from("[\n");
    for id in 1..39_998 {
        text.push_str(&format!(
            "{{\"id\": {id}, \"home\": \"team {id}\", \"goals\": 1}},\n"
        ));
    }
    // Line 40,000: a missing colon.
    text.push_str("{\"id\": 39998, \"home\": \"team\"},\n{\"id\" 40000}\n]\n");
    assert_eq!(text.lines().count(), 40_001);
    write(&ctx, "in/big.json", text);
    let config = config(&ctx, MATCHES, &source("matches", "in/big.json", ""));
    let out = load_failing(&ctx, &config);
    assert!(
        out.contains("in/big.json: JSON syntax error at line 40000, column 7"),
        "{out}"
    );
    // Batches of 8,192 rows were written before the error: all rolled back.
    assert_eq!(ctx.count("SELECT count(*) FROM matches"), 0);
    assert_eq!(ctx.count("SELECT count(*) FROM sluice_source_files"), 0);
}

fn a_parquet_lake_on_s3_loads_and_is_skipped_when_unchanged(ctx: TestContext) {
    let s3 = crate::common::s3::S3Server::start();
    s3.create_bucket("lake");
    s3.put("lake/matches/part-0.parquet", parquet_bytes(&[1, 2, 3]));
    s3.put("lake/matches/part-1.parquet", parquet_bytes(&[4, 5]));
    s3.put("lake/other/part-9.parquet", parquet_bytes(&[9]));
    // Deeper than `*` reaches: not one of the source's files.
    s3.put("lake/matches/2024/part-7.parquet", parquet_bytes(&[7]));
    let sources = source(
        "matches",
        "s3://lake/matches/*.parquet",
        &format!("endpoint = \"{}\"", s3.endpoint),
    );
    let config = config(&ctx, MATCHES, &sources);
    let run = || {
        crate::common::sluice_command(&[
            "run",
            "--config",
            config.to_str().expect("utf-8"),
            "--pipeline",
            "load",
        ])
        .current_dir(ctx.dir.path())
        .envs(crate::common::s3::S3_ENV)
        .output()
        .expect("run sluice")
    };
    let out = run();
    assert_ok(&out);
    assert!(
        stdout(&out).contains("2 loaded, 0 skipped"),
        "{}",
        stdout(&out)
    );
    assert_eq!(ctx.count("SELECT count(*) FROM matches"), 5);
    let out = run();
    assert_ok(&out);
    assert!(
        stdout(&out).contains("0 loaded, 2 skipped"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM sluice_source_files WHERE path LIKE 's3://lake/matches/%'"),
        2
    );
    // `**` crosses folders: the nested object and the other folder's.
    let sources = source(
        "matches",
        "s3://lake/**/part-[79].parquet",
        &format!("endpoint = \"{}\"", s3.endpoint),
    );
    let config = self::config(&ctx, MATCHES, &sources);
    let out = crate::common::sluice_command(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--pipeline",
        "load",
    ])
    .current_dir(ctx.dir.path())
    .envs(crate::common::s3::S3_ENV)
    .output()
    .expect("run sluice");
    assert_ok(&out);
    assert!(
        stdout(&out).contains("2 loaded, 0 skipped"),
        "{}",
        stdout(&out)
    );
    assert_eq!(ctx.count("SELECT count(*) FROM matches"), 7);
}

fn an_inferred_schema_file_loads_its_csv(ctx: TestContext) {
    let csv = write(
        &ctx,
        "in/prices.csv",
        "id,bookmaker,price,live,day\n1,bet365,2.10,true,2024-08-17\n2,pinnacle,1.95,false,\n",
    );
    let out = ctx.sluice(&[
        "schema",
        "infer",
        csv.to_str().expect("utf-8"),
        "--table",
        "prices",
    ]);
    assert_ok(&out);
    let inferred = stdout(&out);
    assert!(inferred.contains("[tables.prices]"), "{inferred}");
    assert!(
        inferred.contains("{ name = \"id\", type = \"int\", nullable = false }"),
        "{inferred}"
    );
    assert!(
        inferred.contains("{ name = \"price\", type = \"float\""),
        "{inferred}"
    );
    assert!(
        inferred.contains("{ name = \"live\", type = \"bool\""),
        "{inferred}"
    );
    assert!(
        inferred.contains("{ name = \"day\", type = \"date\", nullable = true }"),
        "{inferred}"
    );
    let keyed = inferred.replace(
        "{ name = \"id\", type = \"int\", nullable = false }",
        "{ name = \"id\", type = \"int\", nullable = false, primary_key = true }",
    );
    write(&ctx, "prices.toml", keyed);
    let config = config(
        &ctx,
        "[tables.prices]\nschema = \"prices.toml\"\n",
        &source("prices", "in/prices.csv", ""),
    );
    let out = load(&ctx, &config);
    assert_eq!(
        ctx.query("SELECT id, bookmaker, price FROM prices ORDER BY id"),
        [
            vec!["1".to_string(), "bet365".to_string(), "2.1".to_string()],
            vec!["2".to_string(), "pinnacle".to_string(), "1.95".to_string()],
        ],
        "{out}"
    );
}

fn a_file_table_is_graded_by_its_quality_checks(ctx: TestContext) {
    write(
        &ctx,
        "in/a.csv",
        "id,home,goals\n1,Arsenal,2\n2,Chelsea,\n3,Everton,1\n",
    );
    let checks = r#"
[[quality.checks]]
table = "matches"
name = "goals_known"
check = "not_null"
column = "goals"
dimension = "completeness"
"#;
    let config = config(
        &ctx,
        &format!("{MATCHES}\n{checks}"),
        &source("matches", "in/a.csv", ""),
    );
    load(&ctx, &config);
    // The run grades the table it loaded: the check's figures are stored
    // with the run's report.
    let graded = ctx
        .query("SELECT table_name, rows_checked FROM quality_reports WHERE table_name = 'matches'");
    assert_eq!(graded, [["matches", "3"]], "{graded:?}");
    let check = ctx.query(
        "SELECT name, rows_checked, failing FROM quality_checks WHERE table_name = 'matches'",
    );
    assert_eq!(check, [["goals_known", "3", "1"]], "{check:?}");
    let out = ctx.sluice(&[
        "check",
        "--config",
        config.to_str().expect("utf-8"),
        "--table",
        "matches",
    ]);
    assert_ok(&out);
    let report = stdout(&out);
    assert!(report.contains("goals_known"), "{report}");
    assert!(
        report.contains("1 of 3") || report.contains("33"),
        "{report}"
    );
}

/// Runs pipeline `load` and returns its peak resident memory in KiB
/// (`VmHWM`, read while it runs).
fn load_measuring_peak(ctx: &TestContext, config: &Path) -> u64 {
    let mut child = crate::common::sluice_command(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--pipeline",
        "load",
    ])
    .current_dir(ctx.dir.path())
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("start sluice");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "sluice run failed");
            return peak;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_file_much_larger_than_a_batch_loads_in_bounded_memory() {
    let ctx = TestContext::new();
    let rows = |n: u64| {
        let mut text = String::from("id,home,goals\n");
        for id in 1..=n {
            text.push_str(&format!(
                "{id},team number {id} with a longish name,{}\n",
                id % 7
            ));
        }
        text
    };
    write(&ctx, "small/a.csv", rows(2_000));
    write(&ctx, "big/a.csv", rows(300_000));
    let small = config(
        &ctx,
        MATCHES,
        &source("matches", "small/a.csv", "batch_rows = 2000"),
    );
    let small_peak = load_measuring_peak(&ctx, &small);
    let big = config(
        &ctx,
        MATCHES,
        &source("matches", "big/a.csv", "batch_rows = 2000"),
    );
    let big_peak = load_measuring_peak(&ctx, &big);
    assert_eq!(ctx.count("SELECT count(*) FROM matches"), 300_000);
    // The big file's rows held at once would take well over 60 MiB.
    assert!(
        big_peak < small_peak + 25 * 1024,
        "peak RSS {big_peak} KiB for 300,000 rows against {small_peak} KiB for 2,000"
    );
}
