//! What a live batch needs to know of its matches before tracking them,
//! read in a few queries for the whole batch rather than several per
//! match: each match's canonical ids (event and competition) and its
//! stored state. A poll of hundreds of matches in play otherwise spends
//! its time in round trips.

use std::collections::{HashMap, HashSet};

use crate::db::row::text;
use crate::db::{DbError, Exec, Value};
use crate::live::{LiveSnapshot, ServedMatch};

use super::live::MatchRef;

/// Most values of one `IN` list.
const CHUNK: usize = 500;

/// The batch's matches as stored: canonical ids and states.
#[derive(Debug, Default)]
pub struct LiveLookup {
    /// `(provider, kind, provider id)` → canonical id.
    canonical: HashMap<(String, String, String), String>,
    /// `match_key` → stored state (JSON).
    states: HashMap<String, String>,
}

impl LiveLookup {
    /// Reads the canonical ids and states of every match of `live`.
    pub async fn read(db: &mut impl Exec, live: &[LiveSnapshot]) -> Result<Self, DbError> {
        let mut lookup = LiveLookup::default();
        let mut wanted: HashMap<&str, HashSet<(&'static str, &str)>> = HashMap::new();
        for item in live {
            let ids = wanted.entry(item.provider.as_str()).or_default();
            ids.insert(("event", item.event.as_str()));
            if let Some(competition) = &item.competition {
                ids.insert(("competition", competition.as_str()));
            }
        }
        for (provider, ids) in &wanted {
            let ids: Vec<&(&str, &str)> = ids.iter().collect();
            for chunk in ids.chunks(CHUNK) {
                let marks = vec!["(?, ?)"; chunk.len()].join(", ");
                let mut args: Vec<Value> = vec![(*provider).into()];
                for (kind, id) in chunk {
                    args.push((*kind).into());
                    args.push((*id).into());
                }
                let rows = db
                    .fetch(
                        &format!(
                            "SELECT kind, provider_id, canonical_id FROM provider_ids \
                             WHERE provider = ? AND (kind, provider_id) IN (VALUES {marks})"
                        ),
                        args,
                    )
                    .await
                    .map_err(DbError::query("looking up live matches' canonical ids"))?;
                for row in &rows {
                    let what = "canonical id";
                    lookup.canonical.insert(
                        (
                            provider.to_string(),
                            text(row, 0, what)?,
                            text(row, 1, what)?,
                        ),
                        text(row, 2, what)?,
                    );
                }
            }
        }
        let mut keys: Vec<String> = Vec::with_capacity(live.len() * 2);
        for item in live {
            let at = lookup.match_ref(item);
            keys.push(MatchRef::unlinked_key(&item.provider, &item.event));
            if at.key != keys[keys.len() - 1] {
                keys.push(at.key);
            }
        }
        keys.sort_unstable();
        keys.dedup();
        for chunk in keys.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let rows = db
                .fetch(
                    &format!(
                        "SELECT match_key, state FROM live_matches WHERE match_key IN ({marks})"
                    ),
                    chunk.iter().map(|k| Value::from(k.as_str())).collect(),
                )
                .await
                .map_err(DbError::query("reading live matches' states"))?;
            for row in &rows {
                lookup
                    .states
                    .insert(text(row, 0, "live match")?, text(row, 1, "live match")?);
            }
        }
        Ok(lookup)
    }

    /// The canonical id of the provider's `kind` record `id`, or the id
    /// resolution would found it under.
    fn canonical(&self, provider: &str, kind: &str, id: &str) -> String {
        self.canonical
            .get(&(provider.to_string(), kind.to_string(), id.to_string()))
            .cloned()
            .unwrap_or_else(|| format!("{kind}:{provider}:{id}"))
    }

    /// The match as the live path keys it (see [`super::live::match_ref`]).
    pub fn match_ref(&self, item: &LiveSnapshot) -> MatchRef {
        MatchRef {
            key: self.canonical(&item.provider, "event", &item.event),
            provider: item.provider.clone(),
            event: item.event.clone(),
            competition: item
                .competition
                .as_deref()
                .map(|id| self.canonical(&item.provider, "competition", id)),
        }
    }

    /// The stored state of the match `at` (see [`super::live::served`]),
    /// and whether a row under the provider's own key is left to move to
    /// the canonical key.
    pub fn served(&self, at: &MatchRef) -> (Option<ServedMatch>, bool) {
        let unlinked = MatchRef::unlinked_key(&at.provider, &at.event);
        let under_unlinked = unlinked != at.key && self.states.contains_key(&unlinked);
        let state = self
            .states
            .get(&at.key)
            .and_then(|s| ServedMatch::from_json(s))
            .or_else(|| {
                self.states
                    .get(&unlinked)
                    .and_then(|s| ServedMatch::from_json(s))
            });
        (state, under_unlinked)
    }
}
