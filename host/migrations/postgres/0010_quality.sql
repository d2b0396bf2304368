-- Quality reports: per run, each table's score and grade (and the run's
-- own, under table_name '*'), and every check's figures, kept for the
-- report, the dashboard and the next run's volume and drift comparisons.
CREATE TABLE quality_reports (
    run_id          BIGINT NOT NULL,
    pipeline        TEXT NOT NULL,
    table_name      TEXT NOT NULL,
    rows_checked    BIGINT NOT NULL,
    score           DOUBLE PRECISION NOT NULL,
    grade           TEXT NOT NULL,
    gate            TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (run_id, table_name)
);

CREATE INDEX quality_reports_by_table ON quality_reports (pipeline, table_name, run_id);

CREATE TABLE quality_checks (
    run_id          BIGINT NOT NULL,
    table_name      TEXT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    dimension       TEXT NOT NULL,
    severity        TEXT NOT NULL,
    rows_checked    BIGINT NOT NULL,
    failing         BIGINT NOT NULL,
    threshold       TEXT NOT NULL,
    passed          BIGINT NOT NULL,
    unit_score      DOUBLE PRECISION NOT NULL,
    detail          TEXT NOT NULL,
    samples         TEXT NOT NULL,
    stat_count      BIGINT,
    stat_mean       DOUBLE PRECISION,
    stat_stddev     DOUBLE PRECISION,
    PRIMARY KEY (run_id, table_name, name)
);
