//! Teams by name: the alias file, the folded name, a short form of a longer
//! name, then similarity. Which canonical team each provider's team joins.

use std::collections::{BTreeSet, HashMap};

use super::aliases::Aliases;
use super::link::{Kind, Link, Method, Settings, best_of, decide, group_index};
use super::names::{fold, same_side, similarity, team_key};
use super::records::TeamRecord;

/// The confidence of a short form whose words begin exactly one longer name
/// ("Tottenham" and "Tottenham Hotspur"): strong, not certain.
const SHORT_FORM: f64 = 0.9;

/// One canonical team as the pass sees it: the names and countries its
/// records bring, and who they are.
#[derive(Default)]
pub(super) struct TeamGroup {
    pub(super) canonical_id: String,
    pub(super) providers: BTreeSet<String>,
    keys: BTreeSet<String>,
    pub(super) countries: BTreeSet<String>,
    /// Its records, by provider and id.
    pub(super) members: Vec<(String, String)>,
    /// Holds a record linked by an earlier resolution, whose link stays.
    pub(super) settled: bool,
    /// Merged into another group: no longer a team of its own.
    pub(super) merged: bool,
}

impl TeamGroup {
    /// Whether a record of `provider` from `country` may join it: never a
    /// second record of one provider, never another country's club.
    fn admits(&self, provider: &str, country: Option<&str>) -> bool {
        !self.providers.contains(provider)
            && !self.merged
            && match country {
                Some(c) if !self.countries.is_empty() => self.countries.contains(c),
                _ => true,
            }
    }

    /// Whether the two may be one team: no provider in both, and no
    /// countries that disagree.
    pub(super) fn compatible(&self, other: &TeamGroup) -> bool {
        !self.merged
            && !other.merged
            && self.providers.is_disjoint(&other.providers)
            && (self.countries.is_empty()
                || other.countries.is_empty()
                || !self.countries.is_disjoint(&other.countries))
    }
}

/// Every canonical team of the pass, found by canonical id, by name key and
/// by the provider record it holds.
#[derive(Default)]
pub(super) struct TeamPool {
    pub(super) groups: Vec<TeamGroup>,
    by_canonical: HashMap<String, usize>,
    by_key: HashMap<String, Vec<usize>>,
    pub(super) canonical: HashMap<(String, String), String>,
}

impl TeamPool {
    /// Puts `team` in the group of `canonical_id`; `settled` when that link
    /// was made by an earlier resolution.
    pub(super) fn add(
        &mut self,
        canonical_id: &str,
        team: &TeamRecord,
        aliases: &Aliases,
        settled: bool,
    ) {
        let i = group_index(
            &mut self.groups,
            &mut self.by_canonical,
            canonical_id,
            |id| TeamGroup {
                canonical_id: id,
                ..TeamGroup::default()
            },
        );
        let key = aliases.team(&team_key(&team.name)).to_string();
        let group = &mut self.groups[i];
        group.providers.insert(team.provider.clone());
        group.settled |= settled;
        group
            .members
            .push((team.provider.clone(), team.provider_id.clone()));
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

    /// The group a canonical id leads to, after any merges.
    pub(super) fn group_index_of(&self, canonical_id: &str) -> Option<usize> {
        self.by_canonical.get(canonical_id).copied()
    }

    /// The group a record's canonical id names.
    pub(super) fn group_of(&self, provider: &str, id: &str) -> Option<usize> {
        let canonical = self
            .canonical
            .get(&(provider.to_string(), id.to_string()))?;
        self.group_index_of(canonical)
    }

    /// Moves every record of group `from` into group `into`: they are one
    /// team. The caller relinks the records.
    pub(super) fn merge(&mut self, from: usize, into: usize) {
        let moved = std::mem::take(&mut self.groups[from]);
        let canonical_id = self.groups[into].canonical_id.clone();
        for member in &moved.members {
            self.canonical.insert(member.clone(), canonical_id.clone());
        }
        for key in &moved.keys {
            let list = self.by_key.entry(key.clone()).or_default();
            list.retain(|&i| i != from && i != into);
            list.push(into);
        }
        // Every id that led to `from` (its own, and those of groups merged
        // into it before) now leads to `into`.
        for group in self.by_canonical.values_mut() {
            if *group == from {
                *group = into;
            }
        }
        let group = &mut self.groups[into];
        group.providers.extend(moved.providers);
        group.keys.extend(moved.keys);
        group.countries.extend(moved.countries);
        group.members.extend(moved.members);
        group.settled |= moved.settled;
        self.groups[from] = TeamGroup {
            canonical_id: moved.canonical_id,
            merged: true,
            ..TeamGroup::default()
        };
    }

    /// The link of a team no earlier resolution linked, by its name.
    pub(super) fn link(&self, team: &TeamRecord, settings: &Settings<'_>) -> Link {
        let own_key = team_key(&team.name);
        let key = settings.aliases.team(&own_key);
        let country = team.country.as_deref().map(fold);
        let eligible = |group: &TeamGroup| group.admits(&team.provider, country.as_deref());
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
            [] => self.short_form(key, eligible).or_else(|| {
                best_of(
                    self.groups
                        .iter()
                        .enumerate()
                        .filter(|(_, g)| eligible(g))
                        .map(|(i, g)| {
                            let score = g
                                .keys
                                .iter()
                                .filter(|k| same_side(key, k))
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
                })
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

    /// The one group with a name that `key` is a short form of, or that is
    /// a short form of `key`: its words begin the other's ("west ham" and
    /// "west ham united"). Two such groups ("manchester" for United and
    /// City) are no answer, even when one of them could not take this
    /// record (it holds the provider's own other club, or another
    /// country's): the short form is ambiguous all the same. A reserve or
    /// women's side is never a short form of its first team.
    fn short_form(
        &self,
        key: &str,
        eligible: impl Fn(&TeamGroup) -> bool,
    ) -> Option<(String, f64, Method)> {
        let mut found = self.groups.iter().filter(|g| {
            !g.merged
                && g.keys
                    .iter()
                    .any(|k| same_side(key, k) && (begins(key, k) || begins(k, key)))
        });
        let first = found.next()?;
        (found.next().is_none() && eligible(first))
            .then(|| (first.canonical_id.clone(), SHORT_FORM, Method::ShortName))
    }
}

/// Whether the words of `short` are the first words of `long`, and `long`
/// has more.
fn begins(short: &str, long: &str) -> bool {
    long.len() > short.len()
        && long.starts_with(short)
        && long.as_bytes().get(short.len()) == Some(&b' ')
}

#[cfg(test)]
mod tests {
    use super::begins;

    #[test]
    fn a_short_form_is_the_first_whole_words_of_the_long_one() {
        assert!(begins("west ham", "west ham united"));
        assert!(begins("tottenham", "tottenham hotspur"));
        assert!(!begins("west ham united", "west ham"));
        assert!(!begins("man", "manchester city"), "whole words only");
        assert!(!begins("ham", "west ham united"), "the first words only");
        assert!(!begins("leeds", "leeds"), "the long one has more words");
    }
}
