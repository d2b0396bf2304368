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
    run_id          INTEGER NOT NULL,
    payload_hash    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
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
    run_id          INTEGER NOT NULL,
    payload_hash    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
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
    kickoff                 TEXT,
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
    provider_updated_at     TEXT,
    plugin                  TEXT NOT NULL,
    plugin_version          TEXT NOT NULL,
    run_id                  INTEGER NOT NULL,
    payload_hash            TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    PRIMARY KEY (provider, provider_id)
);

CREATE INDEX events_by_competition ON events (provider, competition, season);
CREATE INDEX events_by_kickoff ON events (kickoff);

-- The host's own state.

CREATE TABLE sluice_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline        TEXT NOT NULL,
    mode            TEXT NOT NULL DEFAULT 'run' CHECK (mode IN ('run', 'dry-run', 'replay')),
    replay_of       INTEGER,
    -- partial: every stream ran, but some batches were quarantined or some
    -- streams failed.
    status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    error           TEXT,
    note            TEXT,
    requests        INTEGER NOT NULL DEFAULT 0,
    records_in      INTEGER NOT NULL DEFAULT 0,
    inserted        INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    duplicates      INTEGER NOT NULL DEFAULT 0,
    quarantined     INTEGER NOT NULL DEFAULT 0,
    failed_batches  INTEGER NOT NULL DEFAULT 0
);

-- A stream's position, written in the same transaction as the rows it covers.
CREATE TABLE sluice_checkpoints (
    pipeline        TEXT NOT NULL,
    stream_key      TEXT NOT NULL,
    cursor          TEXT,
    run_id          INTEGER NOT NULL REFERENCES sluice_runs (id),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (pipeline, stream_key)
);

-- Items a plugin rejected, with their raw JSON.
CREATE TABLE sluice_quarantine (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id          INTEGER NOT NULL REFERENCES sluice_runs (id),
    provider        TEXT NOT NULL,
    stream          TEXT NOT NULL,
    plugin          TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    -- record: one item the plugin rejected; batch: a whole response the
    -- plugin could not normalize.
    kind            TEXT NOT NULL DEFAULT 'record' CHECK (kind IN ('record', 'batch')),
    provider_id     TEXT,
    reason          TEXT NOT NULL,
    raw             TEXT NOT NULL,
    payload_hash    TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
