-- `sluice serve` for a season: runs may end `abandoned` (left `running` by a
-- process that was killed), each stream's part of a run, the run's log lines,
-- providers' quota windows and the alerts that fired.
ALTER TABLE sluice_runs DROP CONSTRAINT sluice_runs_status_check;
ALTER TABLE sluice_runs ADD CONSTRAINT sluice_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'abandoned'));
CREATE INDEX sluice_runs_pipeline_started ON sluice_runs (pipeline, id);
CREATE INDEX sluice_runs_status ON sluice_runs (status) WHERE status = 'running';

-- One row per stream of a run (its fallbacks included), written when the
-- stream ends: the per-stream balance, and freshness (the last success).
CREATE TABLE sluice_stream_runs (
    run_id          BIGINT NOT NULL REFERENCES sluice_runs (id),
    pipeline        TEXT NOT NULL,
    stream_key      TEXT NOT NULL,
    provider        TEXT NOT NULL,
    stream          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('succeeded', 'partial', 'failed')),
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    error           TEXT,
    requests        BIGINT NOT NULL DEFAULT 0,
    records_in      BIGINT NOT NULL DEFAULT 0,
    inserted        BIGINT NOT NULL DEFAULT 0,
    updated         BIGINT NOT NULL DEFAULT 0,
    unchanged       BIGINT NOT NULL DEFAULT 0,
    quarantined     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, stream_key)
);
CREATE INDEX sluice_stream_runs_run ON sluice_stream_runs (run_id);

-- Each stream's last success, kept as streams end, so freshness is read
-- from one row per stream however long the history grows.
CREATE TABLE sluice_stream_freshness (
    pipeline        TEXT NOT NULL,
    stream_key      TEXT NOT NULL,
    provider        TEXT NOT NULL,
    stream          TEXT NOT NULL,
    run_id          BIGINT NOT NULL,
    last_success    TEXT NOT NULL,
    PRIMARY KEY (pipeline, stream_key)
);

-- A run's log lines, at most `[serve] log_lines_per_run` of them.
CREATE TABLE sluice_run_logs (
    run_id          BIGINT NOT NULL REFERENCES sluice_runs (id),
    seq             BIGINT NOT NULL,
    at              TEXT NOT NULL,
    level           TEXT NOT NULL,
    message         TEXT NOT NULL,
    fields          TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- What each provider last reported of each quota window.
CREATE TABLE sluice_quotas (
    provider        TEXT NOT NULL,
    quota           TEXT NOT NULL,
    scope           TEXT NOT NULL DEFAULT '',
    remaining       BIGINT NOT NULL,
    quota_limit     BIGINT,
    resets_at       TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (provider, quota, scope)
);

-- Alert conditions: one row per rule and subject while it fires, kept
-- after it resolves so a restart neither repeats nor forgets a message.
CREATE TABLE sluice_alerts (
    rule            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
    message         TEXT NOT NULL,
    fired_at        TEXT NOT NULL,
    last_sent_at    TEXT,
    resolved_at     TEXT,
    PRIMARY KEY (rule, subject)
);
