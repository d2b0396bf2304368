-- Entity resolution: which canonical team, competition and event each
-- provider record belongs to, and the views that merge them.

-- One row per provider record: its canonical id, how sure and how the link
-- was made. A link below the threshold is not merged: the record keeps its
-- own canonical id and names the likely one in `candidate_id`.
CREATE TABLE provider_ids (
    provider                TEXT NOT NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('competition', 'team', 'event')),
    provider_id             TEXT NOT NULL,
    name                    TEXT NOT NULL,
    canonical_id            TEXT NOT NULL,
    confidence              DOUBLE PRECISION NOT NULL,
    method                  TEXT NOT NULL,
    candidate_id            TEXT,
    candidate_confidence    DOUBLE PRECISION,
    resolved_at             TEXT NOT NULL,
    PRIMARY KEY (provider, kind, provider_id)
);

CREATE INDEX provider_ids_by_canonical ON provider_ids (kind, canonical_id);

-- The config's `[resolution.priority]`, rewritten by every resolution: which
-- provider's value wins a field (`default`, `kickoff`, `status`, `score`,
-- `venue`); rank 0 first.
CREATE TABLE resolution_priority (
    field       TEXT NOT NULL,
    provider    TEXT NOT NULL,
    rank        INTEGER NOT NULL,
    PRIMARY KEY (field, provider)
);

-- Every event link, with the teams and kickoff as the provider has them.
CREATE VIEW event_links AS
SELECT l.canonical_id, l.provider, l.provider_id,
       e.home_team_name AS home_team, e.away_team_name AS away_team,
       e.kickoff, l.confidence, l.method
FROM provider_ids l
JOIN events e ON e.provider = l.provider AND e.provider_id = l.provider_id
WHERE l.kind = 'event';

-- Each provider's row of a canonical event, ranked per field: a field's
-- winner is the row with a value from the provider first in that field's
-- priority (else the default priority), then the most recently changed.
CREATE VIEW canonical_event_sources AS
SELECT l.canonical_id, l.confidence, e.provider, e.provider_id, e.name,
       e.competition, c.canonical_id AS canonical_competition, e.season, e.stage, e.matchday,
       h.canonical_id AS canonical_home_team, a.canonical_id AS canonical_away_team,
       e.home_team_name, e.away_team_name, e.kickoff, e.status, e.minute,
       e.home_score, e.away_score, e.home_score_half_time, e.away_score_half_time,
       e.home_score_extra_time, e.away_score_extra_time,
       e.home_score_penalties, e.away_score_penalties, e.venue, e.updated_at,
       ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY
           COALESCE(pd.rank, 1000000), e.updated_at DESC, e.provider) AS default_pick,
       ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY e.kickoff IS NULL,
           COALESCE(pk.rank, pd.rank, 1000000), e.updated_at DESC, e.provider) AS kickoff_pick,
       ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY
           COALESCE(ps.rank, pd.rank, 1000000), e.updated_at DESC, e.provider) AS status_pick,
       ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY e.home_score IS NULL,
           COALESCE(pc.rank, pd.rank, 1000000), e.updated_at DESC, e.provider) AS score_pick,
       ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY e.venue IS NULL,
           COALESCE(pv.rank, pd.rank, 1000000), e.updated_at DESC, e.provider) AS venue_pick
FROM provider_ids l
JOIN events e ON e.provider = l.provider AND e.provider_id = l.provider_id
LEFT JOIN provider_ids c ON c.kind = 'competition' AND c.provider = e.provider AND c.provider_id = e.competition
LEFT JOIN provider_ids h ON h.kind = 'team' AND h.provider = e.provider AND h.provider_id = e.home_team
LEFT JOIN provider_ids a ON a.kind = 'team' AND a.provider = e.provider AND a.provider_id = e.away_team
LEFT JOIN resolution_priority pd ON pd.field = 'default' AND pd.provider = e.provider
LEFT JOIN resolution_priority pk ON pk.field = 'kickoff' AND pk.provider = e.provider
LEFT JOIN resolution_priority ps ON ps.field = 'status' AND ps.provider = e.provider
LEFT JOIN resolution_priority pc ON pc.field = 'score' AND pc.provider = e.provider
LEFT JOIN resolution_priority pv ON pv.field = 'venue' AND pv.provider = e.provider
WHERE l.kind = 'event';

-- One row per real-world event with the winning value of each field. The
-- losing values stay in `events` (see `event_links`, `event_conflicts`).
CREATE VIEW canonical_events AS
SELECT canonical_id,
       MAX(CASE WHEN default_pick = 1 THEN name END) AS name,
       MAX(CASE WHEN default_pick = 1 THEN canonical_competition END) AS competition,
       MAX(CASE WHEN default_pick = 1 THEN season END) AS season,
       MAX(CASE WHEN default_pick = 1 THEN stage END) AS stage,
       MAX(CASE WHEN default_pick = 1 THEN matchday END) AS matchday,
       MAX(CASE WHEN default_pick = 1 THEN canonical_home_team END) AS home_team,
       MAX(CASE WHEN default_pick = 1 THEN canonical_away_team END) AS away_team,
       MAX(CASE WHEN default_pick = 1 THEN home_team_name END) AS home_team_name,
       MAX(CASE WHEN default_pick = 1 THEN away_team_name END) AS away_team_name,
       MAX(CASE WHEN kickoff_pick = 1 THEN kickoff END) AS kickoff,
       MAX(CASE WHEN status_pick = 1 THEN status END) AS status,
       MAX(CASE WHEN status_pick = 1 THEN minute END) AS minute,
       MAX(CASE WHEN score_pick = 1 THEN home_score END) AS home_score,
       MAX(CASE WHEN score_pick = 1 THEN away_score END) AS away_score,
       MAX(CASE WHEN score_pick = 1 THEN home_score_half_time END) AS home_score_half_time,
       MAX(CASE WHEN score_pick = 1 THEN away_score_half_time END) AS away_score_half_time,
       MAX(CASE WHEN score_pick = 1 THEN home_score_extra_time END) AS home_score_extra_time,
       MAX(CASE WHEN score_pick = 1 THEN away_score_extra_time END) AS away_score_extra_time,
       MAX(CASE WHEN score_pick = 1 THEN home_score_penalties END) AS home_score_penalties,
       MAX(CASE WHEN score_pick = 1 THEN away_score_penalties END) AS away_score_penalties,
       MAX(CASE WHEN venue_pick = 1 THEN venue END) AS venue,
       MAX(CASE WHEN kickoff_pick = 1 THEN provider END) AS kickoff_from,
       MAX(CASE WHEN status_pick = 1 THEN provider END) AS status_from,
       MAX(CASE WHEN score_pick = 1 THEN provider END) AS score_from,
       COUNT(*) AS providers,
       MAX(updated_at) AS updated_at
FROM canonical_event_sources
GROUP BY canonical_id;

-- Where linked providers disagree on kickoff, status or score: every
-- provider's value, and whether it won.
CREATE VIEW event_conflicts AS
SELECT canonical_id, 'kickoff' AS field, provider, provider_id,
       CAST(kickoff AS TEXT) AS value, kickoff_pick = 1 AS won
FROM canonical_event_sources
WHERE canonical_id IN (SELECT canonical_id FROM canonical_event_sources
                       GROUP BY canonical_id HAVING COUNT(DISTINCT kickoff) > 1)
UNION ALL
SELECT canonical_id, 'status', provider, provider_id, status, status_pick = 1
FROM canonical_event_sources
WHERE canonical_id IN (SELECT canonical_id FROM canonical_event_sources
                       GROUP BY canonical_id HAVING COUNT(DISTINCT status) > 1)
UNION ALL
SELECT canonical_id, 'score', provider, provider_id,
       CAST(home_score AS TEXT) || '-' || CAST(away_score AS TEXT), score_pick = 1
FROM canonical_event_sources
WHERE home_score IS NOT NULL
  AND canonical_id IN (SELECT canonical_id FROM canonical_event_sources WHERE home_score IS NOT NULL
                       GROUP BY canonical_id
                       HAVING COUNT(DISTINCT CAST(home_score AS TEXT) || '-' || CAST(away_score AS TEXT)) > 1);

-- One row per real-world team: the name from the provider first in the
-- default priority; crest, venue, country, founding year and code from the
-- first provider that has them. A team only named by events (no `teams`
-- row) has the name its link recorded.
CREATE VIEW canonical_teams AS
SELECT canonical_id,
       MAX(CASE WHEN name_pick = 1 THEN name END) AS name,
       MAX(CASE WHEN code_pick = 1 THEN code END) AS code,
       MAX(CASE WHEN country_pick = 1 THEN country END) AS country,
       MAX(CASE WHEN founded_pick = 1 THEN founded END) AS founded,
       MAX(CASE WHEN venue_pick = 1 THEN venue END) AS venue,
       MAX(CASE WHEN crest_pick = 1 THEN crest_url END) AS crest_url,
       COUNT(*) AS providers
FROM (
    SELECT l.canonical_id, COALESCE(t.name, l.name) AS name, t.code, t.country,
           t.founded, t.venue, t.crest_url,
           ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY
               COALESCE(p.rank, 1000000), l.provider) AS name_pick,
           ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY t.code IS NULL,
               COALESCE(p.rank, 1000000), l.provider) AS code_pick,
           ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY t.country IS NULL,
               COALESCE(p.rank, 1000000), l.provider) AS country_pick,
           ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY t.founded IS NULL,
               COALESCE(p.rank, 1000000), l.provider) AS founded_pick,
           ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY t.venue IS NULL,
               COALESCE(p.rank, 1000000), l.provider) AS venue_pick,
           ROW_NUMBER() OVER (PARTITION BY l.canonical_id ORDER BY t.crest_url IS NULL,
               COALESCE(p.rank, 1000000), l.provider) AS crest_pick
    FROM provider_ids l
    LEFT JOIN teams t ON t.provider = l.provider AND t.provider_id = l.provider_id
    LEFT JOIN resolution_priority p ON p.field = 'default' AND p.provider = l.provider
    WHERE l.kind = 'team'
) ranked
GROUP BY canonical_id;
