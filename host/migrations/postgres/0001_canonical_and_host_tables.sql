-- Canonical tables: one row per (provider, provider_id). `updated_at` moves
-- only when the row's content changes; `run_id`, `plugin`, `plugin_version`
-- and `payload_hash` say which run, plugin and response last changed it.

CREATE TABLE competitions (
    provider        TEXT NOT NULL,
    provider_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    code            TEXT,
    area            TEXT,
    format          TEXT,
    emblem_url      TEXT,
    plugin          TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    run_id          BIGINT NOT NULL,
    payload_hash    TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, provider_id)
);

CREATE TABLE teams (
    provider        TEXT NOT NULL,
    provider_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    short_name      TEXT,
    code            TEXT,
    country         TEXT,
    founded         INTEGER,
    venue           TEXT,
    crest_url       TEXT,
    plugin          TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    run_id          BIGINT NOT NULL,
    payload_hash    TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, provider_id)
);

CREATE TABLE events (
    provider                TEXT NOT NULL,
    provider_id             TEXT NOT NULL,
    competition             TEXT,
    season                  TEXT,
    stage                   TEXT,
    matchday                INTEGER,
    home_team               TEXT,
    away_team               TEXT,
    home_team_name          TEXT,
    away_team_name          TEXT,
    kickoff                 TIMESTAMPTZ,
    status                  TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'halftime', 'finished', 'postponed', 'cancelled', 'suspended', 'abandoned')),
    minute                  INTEGER,
    home_score              INTEGER,
    away_score              INTEGER,
    home_score_half_time    INTEGER,
    away_score_half_time    INTEGER,
    home_score_extra_time   INTEGER,
    away_score_extra_time   INTEGER,
    home_score_penalties    INTEGER,
    away_score_penalties    INTEGER,
    venue                   TEXT,
    provider_updated_at     TIMESTAMPTZ,
    plugin                  TEXT NOT NULL,
    plugin_version          TEXT NOT NULL,
    run_id                  BIGINT NOT NULL,
    payload_hash            TEXT NOT NULL,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, provider_id)
);

CREATE INDEX events_by_competition ON events (provider, competition, season);
CREATE INDEX events_by_kickoff ON events (kickoff);

-- The host's own state. Its timestamps are RFC 3339 text, as on SQLite, so
-- one code path reads and writes them on both.

CREATE TABLE sluice_runs (
    id              BIGSERIAL PRIMARY KEY,
    pipeline        TEXT NOT NULL,
    mode            TEXT NOT NULL DEFAULT 'run' CHECK (mode IN ('run', 'dry-run', 'replay')),
    replay_of       BIGINT,
    status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    error           TEXT,
    note            TEXT,
    requests        BIGINT NOT NULL DEFAULT 0,
    records_in      BIGINT NOT NULL DEFAULT 0,
    inserted        BIGINT NOT NULL DEFAULT 0,
    updated         BIGINT NOT NULL DEFAULT 0,
    unchanged       BIGINT NOT NULL DEFAULT 0,
    duplicates      BIGINT NOT NULL DEFAULT 0,
    quarantined     BIGINT NOT NULL DEFAULT 0,
    failed_batches  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sluice_checkpoints (
    pipeline        TEXT NOT NULL,
    stream_key      TEXT NOT NULL,
    cursor          TEXT,
    run_id          BIGINT NOT NULL REFERENCES sluice_runs (id),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (pipeline, stream_key)
);

CREATE TABLE sluice_quarantine (
    id              BIGSERIAL PRIMARY KEY,
    run_id          BIGINT NOT NULL REFERENCES sluice_runs (id),
    provider        TEXT NOT NULL,
    stream          TEXT NOT NULL,
    plugin          TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'record' CHECK (kind IN ('record', 'batch')),
    provider_id     TEXT,
    reason          TEXT NOT NULL,
    raw             TEXT NOT NULL,
    payload_hash    TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
