-- Every response body that reached a plugin, once per content, compressed
-- with zstd.
CREATE TABLE sluice_payloads (
    payload_hash    TEXT PRIMARY KEY,
    size            BIGINT NOT NULL,
    body            BYTEA NOT NULL
);

-- Every response a run handed to a plugin: the request as planned (never
-- holding a secret: the host adds those), the response's status and headers
-- (credentials removed), and where it came from.
CREATE TABLE sluice_responses (
    id              BIGSERIAL PRIMARY KEY,
    run_id          BIGINT NOT NULL REFERENCES sluice_runs (id),
    pipeline        TEXT NOT NULL,
    stream_key      TEXT NOT NULL,
    provider        TEXT NOT NULL,
    stream          TEXT NOT NULL,
    params          TEXT NOT NULL,
    plugin          TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    path            TEXT NOT NULL,
    query           TEXT NOT NULL,
    url             TEXT NOT NULL,
    status          BIGINT NOT NULL,
    headers         TEXT NOT NULL,
    etag            TEXT,
    last_modified   TEXT,
    source          TEXT NOT NULL CHECK (source IN ('network', 'cache', 'not-modified')),
    payload_hash    TEXT NOT NULL REFERENCES sluice_payloads (payload_hash),
    fetched_at      TEXT NOT NULL
);
CREATE INDEX sluice_responses_by_url ON sluice_responses (stream_key, url, id);
CREATE INDEX sluice_responses_by_run ON sluice_responses (run_id, id);
CREATE INDEX sluice_responses_by_time ON sluice_responses (fetched_at);

-- Each provider's circuit breaker, carried from one run to the next.
CREATE TABLE sluice_providers (
    provider              TEXT PRIMARY KEY,
    breaker_state         TEXT NOT NULL CHECK (breaker_state IN ('closed', 'open', 'half-open')),
    consecutive_failures  BIGINT NOT NULL,
    opened_at             TEXT,
    last_error            TEXT,
    updated_at            TEXT NOT NULL
);
