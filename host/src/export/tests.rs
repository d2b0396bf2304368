//! The memory bound of an export, by design rather than by timing: a
//! generated table far larger than a batch is exported while every batch
//! counts its rows on a gauge, and the most rows ever held at once stays
//! within the reader's batch and the queue to the writer.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_held_at_once_stay_bounded_whatever_the_table_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("big.db").display());
    let pool = Pool::connect(&url).await.expect("database");
    const ROWS: u64 = 200_000;
    let mut conn = pool.acquire().await.expect("connection");
    crate::db::Exec::execute(
        &mut conn,
        &format!(
            "CREATE TABLE big AS WITH RECURSIVE n(i) AS \
             (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             SELECT i AS id, 'row number ' || i AS label, i * 0.5 AS half FROM n"
        ),
        Vec::new(),
    )
    .await
    .expect("a generated table");
    drop(conn);
    let out = dir.path().join("big.ndjson");
    let request = ExportRequest {
        source: Source::Table {
            name: "big".into(),
            run: None,
        },
        format: ExportFormat::Ndjson,
        out: Destination::Local(out.clone()),
        partition_by: Vec::new(),
        max_partitions: 1,
        max_file_size: u64::MAX,
        report_rows: 0,
        label: "test".into(),
    };
    let gauge = RowGauge::default();
    let summary = export_counted(&pool, &request, &gauge)
        .await
        .expect("the export");
    assert_eq!(summary.rows, ROWS);
    let written = std::fs::read_to_string(&out).expect("the file");
    assert_eq!(written.lines().count() as u64, ROWS);
    assert!(
        gauge.peak() >= BATCH_ROWS,
        "batches are full: {}",
        gauge.peak()
    );
    assert!(
        gauge.peak() <= MAX_ROWS_HELD,
        "{} rows held at once, more than {MAX_ROWS_HELD}",
        gauge.peak()
    );
    assert!(
        (MAX_ROWS_HELD as u64) * 10 < ROWS,
        "the table dwarfs the bound"
    );
}

#[tokio::test]
async fn an_xlsx_past_its_row_limit_is_refused() {
    use super::format::FormatWriter;
    let dir = tempfile::tempdir().expect("tempdir");
    let options = format::WriterOptions {
        format: ExportFormat::Xlsx,
        columns: vec![Column {
            name: "n".into(),
            kind: ColumnType::Int,
        }],
        staging: dir.path().to_path_buf(),
        file_name: Some("n.xlsx".into()),
        partition_by: Vec::new(),
        max_partitions: 1,
        max_file_size: u64::MAX,
        label: "test".into(),
        report_title: "n".into(),
        report_rows: 0,
        quality: None,
    };
    let mut writer = xlsx::XlsxWriter::with_limit(options, 3).expect("a workbook");
    let rows: Vec<Vec<cells::Cell>> = (0..4).map(|i| vec![cells::Cell::Int(i)]).collect();
    let error = writer
        .write(&rows)
        .expect_err("four rows past a limit of three");
    assert_eq!(
        error.to_string(),
        "xlsx holds at most 3 data rows in a sheet and the export has more; export it as csv or parquet, or narrow it with --query; nothing was written"
    );
}
