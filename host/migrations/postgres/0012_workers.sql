-- `sluice worker`: work units queued with pgmq (the queue's own tables
-- live in schema pgmq), their fences and leases, the workers, and each
-- provider's rate limit shared by every worker.

-- One row per work unit: a stream partition of a pipeline. `epoch` fences
-- its commits: a worker claiming the unit bumps it, and a batch commits
-- only while its worker's epoch is still the unit's. `msg_id` is the
-- unit's one live message in the queue.
CREATE TABLE sluice_units (
    id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    stream_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    epoch BIGINT NOT NULL DEFAULT 0,
    msg_id BIGINT,
    worker TEXT,
    lease_until TIMESTAMPTZ,
    batches BIGINT NOT NULL DEFAULT 0,
    takeovers BIGINT NOT NULL DEFAULT 0,
    run_id BIGINT,
    error TEXT,
    enqueued_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX sluice_units_status ON sluice_units (status);

-- Every claim of a unit, by the database's clock: a claim with
-- `took_over` found the unit running under an expired lease.
CREATE TABLE sluice_unit_claims (
    unit TEXT NOT NULL REFERENCES sluice_units (id) ON DELETE CASCADE,
    epoch BIGINT NOT NULL,
    worker TEXT NOT NULL,
    took_over BOOLEAN NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (unit, epoch)
);

-- The workers, each refreshing `seen_at` while it lives.
CREATE TABLE sluice_workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    concurrency BIGINT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    seen_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

-- A provider's request budget for all workers together: a token bucket
-- of one (GCRA: `tat` is when the next request may go, each request
-- moves it on by `interval_us`) and the requests of the UTC day, both
-- taken by the database's clock.
CREATE TABLE sluice_rate_limits (
    provider TEXT PRIMARY KEY,
    interval_us BIGINT NOT NULL CHECK (interval_us >= 0),
    tat TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    day_limit BIGINT,
    day DATE NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC')::date,
    day_used BIGINT NOT NULL DEFAULT 0,
    requests BIGINT NOT NULL DEFAULT 0
);
