//! Reading the records to resolve and writing `provider_ids` and
//! `resolution_priority`, on either database.

use std::collections::{BTreeMap, HashSet};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::link::{Candidate, Kind, Link, Method};
use super::records::{CompetitionRecord, EventRecord, Records, TeamRecord};
use crate::db::DbError;
use crate::db::row::{opt_text, text};
use crate::db::{Exec, Value};

/// Rows per multi-row insert: far below both databases' bound-parameter limits.
const ROWS_PER_INSERT: usize = 500;

/// Every competition, team and event of every provider. A team that only
/// events name (providers without a teams endpoint, or without team ids)
/// is a record too.
pub async fn records(db: &mut impl Exec) -> Result<Records, DbError> {
    let fetch = |what: &'static str| DbError::query(format!("reading {what} to resolve"));
    let mut records = Records::default();
    for row in db
        .fetch(
            "SELECT provider, provider_id, name, area FROM competitions",
            vec![],
        )
        .await
        .map_err(fetch("competitions"))?
    {
        records.competitions.push(CompetitionRecord {
            provider: text(&row, 0, "competition")?,
            provider_id: text(&row, 1, "competition")?,
            name: text(&row, 2, "competition")?,
            area: opt_text(&row, 3, "competition")?,
        });
    }
    let mut teams = HashSet::new();
    for row in db
        .fetch(
            "SELECT provider, provider_id, name, country FROM teams",
            vec![],
        )
        .await
        .map_err(fetch("teams"))?
    {
        let team = TeamRecord {
            provider: text(&row, 0, "team")?,
            provider_id: text(&row, 1, "team")?,
            name: text(&row, 2, "team")?,
            country: opt_text(&row, 3, "team")?,
        };
        teams.insert((team.provider.clone(), team.provider_id.clone()));
        records.teams.push(team);
    }
    for row in db
        .fetch(
            "SELECT provider, provider_id, name, competition, season, home_team, away_team, \
             home_team_name, away_team_name, kickoff FROM events",
            vec![],
        )
        .await
        .map_err(fetch("events"))?
    {
        let what = "event";
        let kickoff = opt_text(&row, 9, what)?;
        let mut event = EventRecord {
            provider: text(&row, 0, what)?,
            provider_id: text(&row, 1, what)?,
            name: opt_text(&row, 2, what)?,
            competition: opt_text(&row, 3, what)?,
            season: opt_text(&row, 4, what)?,
            home_team: opt_text(&row, 5, what)?,
            away_team: opt_text(&row, 6, what)?,
            home_team_name: opt_text(&row, 7, what)?,
            away_team_name: opt_text(&row, 8, what)?,
            kickoff: kickoff
                .as_deref()
                .and_then(|k| OffsetDateTime::parse(k, &Rfc3339).ok())
                .map(OffsetDateTime::unix_timestamp),
        };
        // A provider without team ids (The Odds API names its teams only)
        // has the name stand for the id: its teams are records too, and
        // its events are linked by them like any other provider's.
        if event.home_team.is_none() {
            event.home_team = event.home_team_name.clone();
        }
        if event.away_team.is_none() {
            event.away_team = event.away_team_name.clone();
        }
        for (id, name) in [
            (&event.home_team, &event.home_team_name),
            (&event.away_team, &event.away_team_name),
        ] {
            if let Some(id) = id
                && teams.insert((event.provider.clone(), id.clone()))
            {
                records.teams.push(TeamRecord {
                    provider: event.provider.clone(),
                    provider_id: id.clone(),
                    name: name.clone().unwrap_or_else(|| id.clone()),
                    country: None,
                });
            }
        }
        records.events.push(event);
    }
    Ok(records)
}

/// Whether any competition, team or event has no link yet: when none
/// has, a run's resolution has nothing to do and reads nothing more.
pub async fn any_unlinked(db: &mut impl Exec) -> Result<bool, DbError> {
    let unlinked = |table: &str, kind: &str| {
        format!(
            "EXISTS (SELECT 1 FROM {table} r WHERE NOT EXISTS (SELECT 1 FROM provider_ids l \
             WHERE l.kind = '{kind}' AND l.provider = r.provider AND l.provider_id = r.provider_id))"
        )
    };
    let sql = format!(
        "SELECT 1 WHERE {} OR {} OR {}",
        unlinked("events", "event"),
        unlinked("teams", "team"),
        unlinked("competitions", "competition")
    );
    let rows = db
        .fetch(&sql, vec![])
        .await
        .map_err(DbError::query("looking for records to resolve"))?;
    Ok(!rows.is_empty())
}

/// Every stored link.
pub async fn links(db: &mut impl Exec) -> Result<Vec<Link>, DbError> {
    let rows = db
        .fetch(
            "SELECT kind, provider, provider_id, name, canonical_id, confidence, method, \
             candidate_id, candidate_confidence FROM provider_ids",
            vec![],
        )
        .await
        .map_err(DbError::query("reading provider_ids"))?;
    let what = "provider_ids";
    let unexpected = |column: &str, value: &str| {
        DbError::Unexpected(format!("provider_ids.{column} holds `{value}`"))
    };
    let mut links = Vec::with_capacity(rows.len());
    for row in rows {
        let kind = text(&row, 0, what)?;
        let method = text(&row, 6, what)?;
        let candidate = match (opt_text(&row, 7, what)?, float(&row, 8)) {
            (Some(canonical_id), Some(confidence)) => Some(Candidate {
                canonical_id,
                confidence,
            }),
            _ => None,
        };
        links.push(Link {
            kind: Kind::parse(&kind).ok_or_else(|| unexpected("kind", &kind))?,
            provider: text(&row, 1, what)?,
            provider_id: text(&row, 2, what)?,
            name: text(&row, 3, what)?,
            canonical_id: text(&row, 4, what)?,
            confidence: float(&row, 5).unwrap_or(0.0),
            method: Method::parse(&method).ok_or_else(|| unexpected("method", &method))?,
            candidate,
        });
    }
    Ok(links)
}

fn float(row: &[Value], i: usize) -> Option<f64> {
    match row.get(i)? {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// Deletes every link, for a resolution from scratch.
pub async fn clear(db: &mut impl Exec) -> Result<(), DbError> {
    db.execute("DELETE FROM provider_ids", vec![])
        .await
        .map_err(DbError::query("clearing provider_ids"))?;
    Ok(())
}

/// Writes `links`, replacing any stored link of the same record.
pub async fn save(db: &mut impl Exec, links: &[Link], now: &str) -> Result<(), DbError> {
    for chunk in links.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO provider_ids (provider, kind, provider_id, name, canonical_id, confidence, \
             method, candidate_id, candidate_confidence, resolved_at) VALUES ",
        );
        let mut args = Vec::with_capacity(chunk.len() * 10);
        for (i, link) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            args.extend([
                Value::from(&link.provider),
                link.kind.as_str().into(),
                Value::from(&link.provider_id),
                Value::from(&link.name),
                Value::from(&link.canonical_id),
                link.confidence.into(),
                link.method.as_str().into(),
                link.candidate
                    .as_ref()
                    .map(|c| c.canonical_id.clone())
                    .into(),
                link.candidate.as_ref().map(|c| c.confidence).into(),
                now.into(),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (provider, kind, provider_id) DO UPDATE SET name = excluded.name, \
             canonical_id = excluded.canonical_id, confidence = excluded.confidence, \
             method = excluded.method, candidate_id = excluded.candidate_id, \
             candidate_confidence = excluded.candidate_confidence, resolved_at = excluded.resolved_at",
        );
        db.execute(&sql, args)
            .await
            .map_err(DbError::query("writing provider_ids"))?;
    }
    Ok(())
}

/// Rewrites `resolution_priority` from the config's priorities.
pub async fn save_priority(
    db: &mut impl Exec,
    priority: &BTreeMap<String, Vec<String>>,
) -> Result<(), DbError> {
    let failed = || DbError::query("writing resolution_priority");
    db.execute("DELETE FROM resolution_priority", vec![])
        .await
        .map_err(failed())?;
    for (field, providers) in priority {
        for (rank, provider) in providers.iter().enumerate() {
            db.execute(
                "INSERT INTO resolution_priority (field, provider, rank) VALUES (?, ?, ?)",
                vec![field.into(), provider.into(), (rank as i64).into()],
            )
            .await
            .map_err(failed())?;
        }
    }
    Ok(())
}

/// One link left for a person: a record and the entity it probably is.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    /// What it is.
    pub kind: String,
    /// Its provider.
    pub provider: String,
    /// Its id there.
    pub provider_id: String,
    /// Its name as spelled.
    pub name: String,
    /// The canonical entity it may be.
    pub candidate_id: String,
    /// That entity's name(s), as its records spell it.
    pub candidate_names: String,
    /// How sure.
    pub confidence: f64,
}

/// The links below the threshold, least sure last.
pub async fn review(db: &mut impl Exec) -> Result<Vec<ReviewItem>, DbError> {
    let rows = db
        .fetch(
            "SELECT l.kind, l.provider, l.provider_id, l.name, l.candidate_id, \
             l.candidate_confidence, c.provider, c.name \
             FROM provider_ids l \
             LEFT JOIN provider_ids c ON c.kind = l.kind AND c.canonical_id = l.candidate_id \
             WHERE l.candidate_id IS NOT NULL \
             ORDER BY l.kind, l.candidate_confidence DESC, l.provider, l.provider_id, c.provider",
            vec![],
        )
        .await
        .map_err(DbError::query("reading the links to review"))?;
    let what = "review";
    let mut items: Vec<ReviewItem> = Vec::new();
    for row in rows {
        let (kind, provider, provider_id) = (
            text(&row, 0, what)?,
            text(&row, 1, what)?,
            text(&row, 2, what)?,
        );
        let spelled = match (opt_text(&row, 6, what)?, opt_text(&row, 7, what)?) {
            (Some(p), Some(n)) => format!("{n} ({p})"),
            _ => String::new(),
        };
        if let Some(last) = items.last_mut()
            && (&last.kind, &last.provider, &last.provider_id) == (&kind, &provider, &provider_id)
        {
            last.candidate_names.push_str(", ");
            last.candidate_names.push_str(&spelled);
            continue;
        }
        items.push(ReviewItem {
            kind,
            provider,
            provider_id,
            name: text(&row, 3, what)?,
            candidate_id: text(&row, 4, what)?,
            candidate_names: spelled,
            confidence: float(&row, 5).unwrap_or(0.0),
        });
    }
    Ok(items)
}
