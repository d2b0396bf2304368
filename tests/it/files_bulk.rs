//! File loads in bulk: text that COPY's text format gives a meaning to
//! (tabs, newlines, backslashes, `\N`) read back exactly, loads spanning
//! several batches and COPY chunks with a bad row quarantined, and Parquet
//! files compressed with Snappy, on SQLite and PostgreSQL.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::common::TestContext;
use crate::files::{config, load, parquet_bytes, quarantine_reasons, source, write};
use crate::on_both_databases;

on_both_databases!(
    hostile_text_is_read_back_as_it_was_written,
    a_load_of_several_chunks_and_batches_quarantines_its_one_bad_row,
    snappy_parquet_loads,
);

/// A table of an integer key and two text columns.
const NOTES: &str = r#"
[tables.notes]
columns = [
  { name = "id", type = "int", primary_key = true },
  { name = "body", type = "text" },
  { name = "tag", type = "text" },
]
"#;

/// The texts a COPY would misread unless escaped, and text around them.
const HOSTILE: [&str; 10] = [
    "tab\there",
    "line\nbreak",
    "carriage\r\nreturn",
    "back\\slash \\t \\n",
    "\\N",
    "\\",
    "say \"hi\", then 'bye'",
    "ünïcödé ✓ 日本語 🎉",
    "  leading and trailing  ",
    "end\\",
];

/// A CSV field quoted, its quotes doubled.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn hostile_text_is_read_back_as_it_was_written(ctx: TestContext) {
    let mut csv = String::from("id,body,tag\n");
    for (i, text) in HOSTILE.iter().enumerate() {
        writeln!(
            csv,
            "{},{},{}",
            i + 1,
            quoted(text),
            quoted(&format!("#{i}\t{text}"))
        )
        .expect("write to a string");
    }
    // An empty field is a null, not the text `\N`.
    csv.push_str("11,,\\N\n");
    write(&ctx, "in/a.csv", &csv);
    let config = config(&ctx, NOTES, &source("notes", "in/*.csv", ""));
    let out = load(&ctx, &config);
    assert!(out.contains("11 inserted"), "{out}");
    let rows = ctx.query("SELECT id, body, tag FROM notes ORDER BY id");
    assert_eq!(rows.len(), 11, "{rows:?}");
    for (i, text) in HOSTILE.iter().enumerate() {
        assert_eq!(
            rows[i],
            [
                (i + 1).to_string(),
                text.to_string(),
                format!("#{i}\t{text}")
            ],
            "row {}",
            i + 1
        );
    }
    assert_eq!(rows[10], ["11", "NULL", "\\N"]);
    assert_eq!(
        ctx.count("SELECT count(*) FROM notes WHERE body IS NULL"),
        1
    );

    // A merge goes through the staging table: changed hostile text is
    // updated, identical hostile text left alone.
    let mut csv = String::from("id,body,tag\n");
    for (i, text) in HOSTILE.iter().enumerate() {
        let body = if i % 2 == 0 {
            format!("{text}\tchanged")
        } else {
            text.to_string()
        };
        writeln!(
            csv,
            "{},{},{}",
            i + 1,
            quoted(&body),
            quoted(&format!("#{i}\t{text}"))
        )
        .expect("write to a string");
    }
    write(&ctx, "in/b.csv", &csv);
    let out = load(&ctx, &config);
    assert!(out.contains("0 inserted, 5 updated, 5 unchanged"), "{out}");
    let bodies = ctx.query("SELECT body FROM notes WHERE id <= 10 ORDER BY id");
    for (i, text) in HOSTILE.iter().enumerate() {
        let want = if i % 2 == 0 {
            format!("{text}\tchanged")
        } else {
            text.to_string()
        };
        assert_eq!(bodies[i], [want], "row {}", i + 1);
    }

    // Appended, the same texts arrive the same.
    let tables = r#"
[tables.log]
columns = [
  { name = "id", type = "int" },
  { name = "body", type = "text" },
]
"#;
    let mut csv = String::from("id,body\n");
    for (i, text) in HOSTILE.iter().enumerate() {
        writeln!(csv, "{},{}", i + 1, quoted(text)).expect("write to a string");
    }
    write(&ctx, "log/a.csv", &csv);
    let config = self::config(
        &ctx,
        tables,
        &source("log", "log/*.csv", "write = \"append\""),
    );
    load(&ctx, &config);
    let bodies: Vec<String> = ctx
        .query("SELECT body FROM log ORDER BY id")
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    assert_eq!(bodies, HOSTILE);
}

/// Rows of about 700 bytes: 4,000 of them are several 1 MiB COPY chunks.
const ROWS: usize = 4_000;

fn a_load_of_several_chunks_and_batches_quarantines_its_one_bad_row(ctx: TestContext) {
    let tables = r#"
[tables.wide]
columns = [
  { name = "id", type = "int", primary_key = true },
  { name = "body", type = "text", nullable = false },
  { name = "amount", type = "decimal" },
  { name = "at", type = "timestamp" },
  { name = "ok", type = "bool" },
]
[tables.wide_log]
columns = [
  { name = "id", type = "int" },
  { name = "body", type = "text", nullable = false },
  { name = "amount", type = "decimal" },
  { name = "at", type = "timestamp" },
  { name = "ok", type = "bool" },
]
"#;
    let bad_id = 2_345;
    let mut csv = String::from("id,body,amount,at,ok\n");
    for id in 1..=ROWS {
        let body = format!("{id}\t{}\\", "x\\y\n".repeat(170));
        let amount = if id == bad_id {
            "12.3.4".to_string()
        } else {
            format!("{}.{:02}", id * 7, id % 100)
        };
        let at = format!(
            "2025-01-{:02} {:02}:{:02}:00",
            1 + id % 28,
            id % 24,
            id % 60
        );
        writeln!(csv, "{id},{},{amount},{at},{}", quoted(&body), id % 2 == 0)
            .expect("write to a string");
    }
    write(&ctx, "in/wide.csv", &csv);
    // Merged (through the staging table) and appended (one COPY across
    // batches until the batch holding the bad row), 1,500 rows a batch.
    let sources = format!(
        "{}{}",
        source("wide", "in/*.csv", "batch_rows = 1500"),
        source(
            "wide_log",
            "in/*.csv",
            "batch_rows = 1500\nwrite = \"append\""
        )
    );
    let config = config(&ctx, tables, &sources);
    let out = load(&ctx, &config);
    assert_eq!(
        out.matches(&format!(
            "{} inserted, 0 updated, 0 unchanged, 1 quarantined",
            ROWS - 1
        ))
        .count(),
        2,
        "{out}"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM wide_log"), ROWS as i64 - 1);
    assert_eq!(
        ctx.count("SELECT count(*) FROM wide_log l JOIN wide w ON w.id = l.id AND w.body = l.body AND w.at = l.at"),
        ROWS as i64 - 1
    );
    assert_eq!(ctx.count("SELECT count(*) FROM wide"), ROWS as i64 - 1);
    assert_eq!(
        ctx.count(&format!("SELECT count(*) FROM wide WHERE id = {bad_id}")),
        0
    );
    let reasons = quarantine_reasons(&ctx);
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    for reason in &reasons {
        assert!(
            reason.contains("column `amount`: `12.3.4` is not a decimal number"),
            "{reasons:?}"
        );
    }
    // Every body came through whole: its length and its last characters.
    let expected_length: i64 = (1..=ROWS)
        .filter(|&id| id != bad_id)
        .map(|id| (format!("{id}\t").len() + 4 * 170 + 1) as i64)
        .sum();
    assert_eq!(
        ctx.count("SELECT sum(length(body)) FROM wide"),
        expected_length
    );
    let sample = ctx.query("SELECT body, CAST(amount AS text), ok FROM wide WHERE id = 3999");
    assert_eq!(sample[0][0], format!("3999\t{}\\", "x\\y\n".repeat(170)));
    assert_eq!(sample[0][1], "27993.99");
    assert!(
        matches!(sample[0][2].as_str(), "0" | "false" | "f"),
        "{sample:?}"
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM wide WHERE ok"),
        (ROWS as i64) / 2
    );
}

fn snappy_parquet_loads(ctx: TestContext) {
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let ids: Vec<i64> = (1..=5_000).collect();
    // The same data as `parquet_bytes`, compressed with Snappy.
    let plain = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        bytes::Bytes::from(parquet_bytes(&ids)),
    )
    .expect("reader");
    let schema = Arc::clone(plain.schema());
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(
        &mut out,
        schema,
        Some(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .build(),
        ),
    )
    .expect("writer");
    for batch in plain.build().expect("batches") {
        writer.write(&batch.expect("batch")).expect("write");
    }
    writer.close().expect("close");
    let snappy = write(&ctx, "lake/snappy.parquet", &out);
    let metadata = parquet::file::reader::SerializedFileReader::new(
        std::fs::File::open(&snappy).expect("open"),
    )
    .expect("metadata");
    use parquet::file::reader::FileReader;
    assert_eq!(
        metadata.metadata().row_group(0).column(0).compression(),
        Compression::SNAPPY
    );
    let config = config(
        &ctx,
        crate::files::MATCHES,
        &source("matches", "lake/*.parquet", ""),
    );
    let out = load(&ctx, &config);
    assert!(out.contains("rows: 5000 inserted"), "{out}");
    assert_eq!(
        ctx.query("SELECT id, home, goals FROM matches WHERE id IN (3, 4999) ORDER BY id"),
        [
            vec!["3".to_string(), "team 3".to_string(), "NULL".to_string()],
            vec!["4999".to_string(), "team 4999".to_string(), "4".to_string()],
        ]
    );
}
