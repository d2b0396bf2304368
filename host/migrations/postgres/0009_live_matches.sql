-- Live matches are tracked per real match, not per provider: the key is
-- the canonical event when resolution linked the provider's match to one
-- (so two providers of the same match share one tracker, and a failover
-- from one to the other tells nothing twice), else provider:event. The
-- tracker rows of 0008 were per provider and are dropped (a match in play
-- during the upgrade is tracked afresh from its next poll).
DROP TABLE live_matches;
CREATE TABLE live_matches (
    match_key       TEXT PRIMARY KEY,
    provider        TEXT NOT NULL,
    event           TEXT NOT NULL,
    competition     TEXT,
    status          TEXT NOT NULL,
    minute          INTEGER,
    home_score      INTEGER NOT NULL,
    away_score      INTEGER NOT NULL,
    state           TEXT NOT NULL,
    changed_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX live_matches_by_status ON live_matches (status);

-- Every outbox event names its match by the same key, and its competition
-- (canonical when linked), for listeners that filter on either.
ALTER TABLE live_events ADD COLUMN match_key TEXT NOT NULL DEFAULT '';
ALTER TABLE live_events ADD COLUMN competition TEXT;
CREATE INDEX live_events_by_match_key ON live_events (match_key, seq);
CREATE INDEX live_events_by_competition ON live_events (competition, seq);

-- In-play markets whose prices stopped moving: marked once, cleared when
-- a price moves again.
CREATE TABLE live_odds_suspensions (
    provider        TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    bookmaker       TEXT NOT NULL,
    market          TEXT NOT NULL,
    suspended_at    TEXT NOT NULL,
    PRIMARY KEY (provider, event_id, bookmaker, market)
);

-- How far each sink (Supabase Realtime, ...) has published the outbox:
-- advanced after each delivery, so a restart resumes after the last event
-- the sink took.
CREATE TABLE live_sink_cursors (
    sink            TEXT PRIMARY KEY,
    seq             BIGINT NOT NULL,
    updated_at      TEXT NOT NULL
);
