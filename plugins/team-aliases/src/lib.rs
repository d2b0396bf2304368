//! The `team-aliases` enricher: every team name rewritten to its canonical
//! spelling, as the host's `team-aliases` table gives it, so that one club
//! spelt three ways by three providers is one name downstream.
//!
//! The rewriting takes the lookup as a closure and is tested natively; the
//! export at the bottom binds it to the host's `lookup` import in the
//! WebAssembly component.

use std::collections::HashMap;

use sluice_plugin_sdk::{Enrich, Params, PluginError, Record, lookup};

/// The lookup table the manifest asks for: any known spelling of a team,
/// compared without regard to case or surrounding spaces, to its canonical
/// name.
pub const TABLE: &str = "team-aliases";

/// `records` in the same order, with `team.name`, `event.home-team-name`,
/// `event.away-team-name` and `standing.team-name` replaced by what `lookup`
/// gives for them. A name `lookup` does not know, or knows as a blank, stays
/// as it was; every other field and record passes through unchanged.
///
/// `lookup` is asked once per distinct name (ignoring case and surrounding
/// spaces) and never for an absent or blank one.
pub fn canonicalize(
    records: Vec<Record>,
    lookup: impl FnMut(&str) -> Option<String>,
) -> Vec<Record> {
    let mut names = CanonicalNames {
        lookup,
        known: HashMap::new(),
    };
    records.into_iter().map(|r| names.rewrite(r)).collect()
}

/// The lookup, and what it answered so far in this batch, by name as the
/// table compares names.
struct CanonicalNames<F> {
    lookup: F,
    known: HashMap<String, Option<String>>,
}

impl<F: FnMut(&str) -> Option<String>> CanonicalNames<F> {
    fn rewrite(&mut self, record: Record) -> Record {
        match record {
            Record::Team(mut team) => {
                self.canonicalize(&mut team.name);
                Record::Team(team)
            }
            Record::Event(mut event) => {
                for name in [&mut event.home_team_name, &mut event.away_team_name]
                    .into_iter()
                    .flatten()
                {
                    self.canonicalize(name);
                }
                Record::Event(event)
            }
            Record::Standing(mut standing) => {
                if let Some(name) = standing.team_name.as_mut() {
                    self.canonicalize(name);
                }
                Record::Standing(standing)
            }
            other => other,
        }
    }

    fn canonicalize(&mut self, name: &mut String) {
        let spelling = name.trim();
        if spelling.is_empty() {
            return;
        }
        let lookup = &mut self.lookup;
        let canonical = self
            .known
            .entry(spelling.to_lowercase())
            .or_insert_with(|| lookup(spelling).filter(|c| !c.trim().is_empty()));
        if let Some(canonical) = canonical
            && canonical != name
        {
            name.clone_from(canonical);
        }
    }
}

/// The exported enricher. It works on any stream and has no params; it
/// never fails.
pub struct TeamAliases;

impl Enrich for TeamAliases {
    fn enrich(
        _stream: String,
        _params: Params,
        records: Vec<Record>,
    ) -> Result<Vec<Record>, PluginError> {
        Ok(canonicalize(records, |name| lookup::get(TABLE, name)))
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_enricher!(TeamAliases);

#[cfg(test)]
mod tests;
