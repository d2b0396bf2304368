-- sluice:plugin@0.2.0: the sport of a competition, the name of an event
-- (tournaments, outright markets), and odds.
ALTER TABLE competitions ADD COLUMN sport TEXT;
ALTER TABLE events ADD COLUMN name TEXT;

-- The current price of every selection a bookmaker offers: one row per
-- (event, bookmaker, market, selection, participant, line). A line the
-- bookmaker withdrew from a market it sent again is deleted; its history
-- stays in odds_history.
--
-- `quote_key`, `market_key` and `selection_key` are that identity, the
-- market's (event, bookmaker, market) and the selection's (the market,
-- selection, participant), each as 128 bits: 64 of a digest of the event,
-- 64 of a digest of the parts (see load/tables.rs, odds_keys). Narrow
-- one-column keys keep the joins of every load exact and indexed, where six
-- nullable columns would not be; keyed on (provider, market_key, quote_key),
-- the one index finds a quote and a market's whole book.
CREATE TABLE odds (
    provider            TEXT NOT NULL,
    market_key          TEXT NOT NULL,
    quote_key           TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    bookmaker           TEXT NOT NULL,
    market              TEXT NOT NULL,
    selection           TEXT NOT NULL,
    participant         TEXT,
    line                REAL,
    selection_key       TEXT NOT NULL,
    price               REAL NOT NULL,
    bookmaker_name      TEXT,
    provider_updated_at TEXT,
    plugin              TEXT NOT NULL,
    plugin_version      TEXT NOT NULL,
    run_id              INTEGER NOT NULL,
    payload_hash        TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (provider, market_key, quote_key)
);

-- One row per move: a price that changed on the same line (`price`), or a
-- selection offered on a new line in place of its old one (`line`).
-- `previous_line` and `previous_price` are what it moved from, so the first
-- row of a selection also tells its opening price.
CREATE TABLE odds_history (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    provider            TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    bookmaker           TEXT NOT NULL,
    market              TEXT NOT NULL,
    selection           TEXT NOT NULL,
    participant         TEXT,
    move                TEXT NOT NULL CHECK (move IN ('price', 'line')),
    line                REAL,
    price               REAL NOT NULL,
    previous_line       REAL,
    previous_price      REAL NOT NULL,
    provider_updated_at TEXT,
    run_id              INTEGER NOT NULL,
    payload_hash        TEXT NOT NULL,
    observed_at         TEXT NOT NULL
);

CREATE INDEX odds_history_by_selection
    ON odds_history (provider, event_id, bookmaker, market, selection);

-- Run counters for what odds add: rows deleted (withdrawn lines) and moves
-- written to odds_history.
ALTER TABLE sluice_runs ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sluice_runs ADD COLUMN moves INTEGER NOT NULL DEFAULT 0;

-- The tables of streams written with `write = "append"`: every record of
-- every run as a new row, with the same columns as the canonical table.
-- A later migration that changes a canonical table changes its twin too.
CREATE TABLE competitions_log AS SELECT * FROM competitions WHERE false;
CREATE INDEX competitions_log_by_run ON competitions_log (provider, run_id);
CREATE TABLE teams_log AS SELECT * FROM teams WHERE false;
CREATE INDEX teams_log_by_run ON teams_log (provider, run_id);
CREATE TABLE events_log AS SELECT * FROM events WHERE false;
CREATE INDEX events_log_by_run ON events_log (provider, run_id);
CREATE TABLE odds_log AS SELECT * FROM odds WHERE false;
CREATE INDEX odds_log_by_run ON odds_log (provider, run_id);
