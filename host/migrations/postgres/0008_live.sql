-- The live path: each tracked match's accepted state, and the outbox of
-- what changed, written in one transaction with it. `seq` only grows: it
-- is what a listener resumes from (SSE's Last-Event-ID, the payload of a
-- NOTIFY).
CREATE TABLE live_matches (
    provider        TEXT NOT NULL,
    event           TEXT NOT NULL,
    state           TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (provider, event)
);

CREATE TABLE live_events (
    seq             BIGSERIAL PRIMARY KEY,
    provider        TEXT NOT NULL,
    event           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX live_events_match ON live_events (provider, event, seq);
