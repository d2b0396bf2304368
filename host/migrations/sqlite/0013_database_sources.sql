-- Database sources' checkpoints, written in the transaction of the rows
-- they account for.

-- A cursor source: the last cursor value loaded (and the key, for rows
-- sharing it), as a JSON array of the values in cursor-then-key order.
CREATE TABLE sluice_source_cursors (
    pipeline        TEXT NOT NULL,
    source          TEXT NOT NULL,
    position        TEXT NOT NULL,
    row_count       INTEGER NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES sluice_runs (id),
    loaded_at       TEXT NOT NULL,
    PRIMARY KEY (pipeline, source)
);

-- A snapshot source: each key of its last snapshot with the hash of the
-- row it had; the run that last saw it.
CREATE TABLE sluice_source_snapshots (
    pipeline        TEXT NOT NULL,
    source          TEXT NOT NULL,
    row_key         TEXT NOT NULL,
    row_hash        TEXT NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES sluice_runs (id),
    PRIMARY KEY (pipeline, source, row_key)
);
