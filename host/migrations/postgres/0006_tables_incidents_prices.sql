-- sluice:plugin@0.3.0: standings, participants of events without two
-- teams, match incidents, and what the odds enricher derives from prices.
--
-- Each has a group whose rows a batch sends whole (a table, an event's
-- field, an event's incidents, a market's book, a market across
-- bookmakers): a row of a group the batch sent that the batch no longer
-- holds is deleted (load/tables.rs, `group`). Optional parts of a key are
-- stored as '' so that the key is unique.

CREATE TABLE standings (
    provider            TEXT NOT NULL,
    competition         TEXT NOT NULL,
    season              TEXT NOT NULL,
    group_name          TEXT NOT NULL,
    split               TEXT NOT NULL CHECK (split IN ('total', 'home', 'away')),
    team                TEXT NOT NULL,
    team_name           TEXT,
    rank                INTEGER NOT NULL,
    played              INTEGER,
    won                 INTEGER,
    drawn               INTEGER,
    lost                INTEGER,
    goals_for           INTEGER,
    goals_against       INTEGER,
    points              INTEGER,
    form                TEXT,
    note                TEXT,
    provider_updated_at TIMESTAMPTZ,
    plugin              TEXT NOT NULL,
    plugin_version      TEXT NOT NULL,
    run_id              BIGINT NOT NULL,
    payload_hash        TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, competition, season, group_name, split, team)
);

CREATE TABLE participants (
    provider            TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    name                TEXT NOT NULL,
    participant_id      TEXT,
    team_name           TEXT,
    position            INTEGER,
    result              TEXT,
    points              DOUBLE PRECISION,
    plugin              TEXT NOT NULL,
    plugin_version      TEXT NOT NULL,
    run_id              BIGINT NOT NULL,
    payload_hash        TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, event_id, name)
);

-- `seq` is the incident's place among its event's incidents, from 1.
CREATE TABLE incidents (
    provider            TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    seq                 INTEGER NOT NULL,
    incident_type       TEXT NOT NULL,
    minute              INTEGER,
    extra_minute        INTEGER,
    team                TEXT,
    player              TEXT,
    related_player      TEXT,
    detail              TEXT,
    plugin              TEXT NOT NULL,
    plugin_version      TEXT NOT NULL,
    run_id              BIGINT NOT NULL,
    payload_hash        TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, event_id, seq)
);

-- Keyed like `odds` (market_key, quote_key), so a fair price joins its quote.
CREATE TABLE fair_prices (
    provider            TEXT NOT NULL,
    market_key          UUID NOT NULL,
    quote_key           UUID NOT NULL,
    event_id            TEXT NOT NULL,
    bookmaker           TEXT NOT NULL,
    market              TEXT NOT NULL,
    selection           TEXT NOT NULL,
    participant         TEXT,
    line                DOUBLE PRECISION,
    price               DOUBLE PRECISION NOT NULL,
    implied_probability DOUBLE PRECISION NOT NULL,
    overround           DOUBLE PRECISION NOT NULL,
    fair_probability    DOUBLE PRECISION NOT NULL,
    fair_price          DOUBLE PRECISION NOT NULL,
    plugin              TEXT NOT NULL,
    plugin_version      TEXT NOT NULL,
    run_id              BIGINT NOT NULL,
    payload_hash        TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, market_key, quote_key)
);

-- One row per (event, market, selection, participant, line) across
-- bookmakers; `selection_key` is the last three as 128 bits.
CREATE TABLE market_consensus (
    provider              TEXT NOT NULL,
    event_id              TEXT NOT NULL,
    market                TEXT NOT NULL,
    selection_key         UUID NOT NULL,
    selection             TEXT NOT NULL,
    participant           TEXT,
    line                  DOUBLE PRECISION,
    best_price            DOUBLE PRECISION NOT NULL,
    best_bookmaker        TEXT NOT NULL,
    consensus_probability DOUBLE PRECISION NOT NULL,
    consensus_price       DOUBLE PRECISION NOT NULL,
    bookmakers            INTEGER NOT NULL,
    plugin                TEXT NOT NULL,
    plugin_version        TEXT NOT NULL,
    run_id                BIGINT NOT NULL,
    payload_hash          TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, event_id, market, selection_key)
);

CREATE TABLE standings_log (LIKE standings INCLUDING DEFAULTS);
CREATE INDEX standings_log_by_run ON standings_log (provider, run_id);
CREATE TABLE participants_log (LIKE participants INCLUDING DEFAULTS);
CREATE INDEX participants_log_by_run ON participants_log (provider, run_id);
CREATE TABLE incidents_log (LIKE incidents INCLUDING DEFAULTS);
CREATE INDEX incidents_log_by_run ON incidents_log (provider, run_id);
CREATE TABLE fair_prices_log (LIKE fair_prices INCLUDING DEFAULTS);
CREATE INDEX fair_prices_log_by_run ON fair_prices_log (provider, run_id);
CREATE TABLE market_consensus_log (LIKE market_consensus INCLUDING DEFAULTS);
CREATE INDEX market_consensus_log_by_run ON market_consensus_log (provider, run_id);
