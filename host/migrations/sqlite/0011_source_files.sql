-- The files each file source has loaded: its checkpoint, written in the
-- transaction of the file's rows. A file with the same size and checksum
-- is skipped; a changed one is loaded again.
CREATE TABLE sluice_source_files (
    pipeline        TEXT NOT NULL,
    source          TEXT NOT NULL,
    path            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    modified        TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    row_count       INTEGER NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES sluice_runs (id),
    loaded_at       TEXT NOT NULL,
    PRIMARY KEY (pipeline, source, path)
);
