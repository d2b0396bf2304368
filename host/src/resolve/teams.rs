//! Teams by name: the alias file, the folded name, a short form of a longer
//! name, then similarity. Which canonical team each provider's team joins.

use std::collections::{BTreeSet, HashMap};

use super::aliases::Aliases;
use super::link::{Kind, Link, Method, Settings, TeamRecord, best_of, decide};
use super::names::{fold, similarity, team_key};

#[derive(Default)]
pub(super) struct TeamGroup {
    canonical_id: String,
    providers: BTreeSet<String>,
    keys: BTreeSet<String>,
    countries: BTreeSet<String>,
}

#[derive(Default)]
pub(super) struct TeamPool {
    groups: Vec<TeamGroup>,
    by_canonical: HashMap<String, usize>,
    by_key: HashMap<String, Vec<usize>>,
    pub(super) canonical: HashMap<(String, String), String>,
}

impl TeamPool {
    pub(super) fn add(&mut self, canonical_id: &str, team: &TeamRecord, aliases: &Aliases) {
        let i = *self
            .by_canonical
            .entry(canonical_id.to_string())
            .or_insert_with(|| {
                self.groups.push(TeamGroup {
                    canonical_id: canonical_id.to_string(),
                    ..TeamGroup::default()
                });
                self.groups.len() - 1
            });
        let key = aliases.team(&team_key(&team.name)).to_string();
        let group = &mut self.groups[i];
        group.providers.insert(team.provider.clone());
        if let Some(country) = &team.country {
            group.countries.insert(fold(country));
        }
        if group.keys.insert(key.clone()) {
            self.by_key.entry(key).or_default().push(i);
        }
        self.canonical.insert(
            (team.provider.clone(), team.provider_id.clone()),
            canonical_id.to_string(),
        );
    }

    pub(super) fn link(&self, team: &TeamRecord, settings: &Settings<'_>) -> Link {
        let own_key = team_key(&team.name);
        let key = settings.aliases.team(&own_key);
        let country = team.country.as_deref().map(fold);
        let eligible = |group: &TeamGroup| {
            !group.providers.contains(&team.provider)
                && match &country {
                    Some(c) if !group.countries.is_empty() => group.countries.contains(c),
                    _ => true,
                }
        };
        let exact: Vec<usize> = self
            .by_key
            .get(key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| eligible(&self.groups[i]))
            .collect();
        let found = match exact.as_slice() {
            [i] => Some((
                self.groups[*i].canonical_id.clone(),
                1.0,
                if settings.aliases.knows_team(&own_key) {
                    Method::Alias
                } else {
                    Method::Name
                },
            )),
            // Two entities of that name: for a person to settle.
            [i, ..] => Some((self.groups[*i].canonical_id.clone(), 0.5, Method::Name)),
            [] => best_of(
                self.groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| eligible(g))
                    .map(|(i, g)| {
                        let score = g
                            .keys
                            .iter()
                            .map(|k| similarity(key, k))
                            .fold(0.0, f64::max);
                        (i, score)
                    }),
            )
            .map(|(i, score)| {
                (
                    self.groups[i].canonical_id.clone(),
                    score,
                    Method::Similarity,
                )
            }),
        };
        decide(
            Kind::Team,
            &team.provider,
            &team.provider_id,
            team.name.clone(),
            found,
            settings.threshold,
        )
    }
}
