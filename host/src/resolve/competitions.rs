//! Competitions: by the teams their events share in a season, else by name
//! and area (a name alone is weak: many countries have a "Premier League").

use std::collections::{BTreeSet, HashMap};

use super::aliases::Aliases;
use super::link::{Kind, Link, Method, Settings, best_of, decide, group_index};
use super::names::fold;
use super::records::CompetitionRecord;

/// A competition needs this many teams in a season to be compared by them.
const MIN_SHARED_TEAMS: usize = 4;

#[derive(Default)]
pub(super) struct CompetitionGroup {
    canonical_id: String,
    providers: BTreeSet<String>,
    /// Folded (alias-mapped) names with the area they were seen with.
    names: BTreeSet<(String, Option<String>)>,
    seasons: HashMap<i32, BTreeSet<String>>,
}

#[derive(Default)]
pub(super) struct CompetitionPool {
    groups: Vec<CompetitionGroup>,
    by_canonical: HashMap<String, usize>,
    pub(super) canonical: HashMap<(String, String), String>,
}

impl CompetitionPool {
    pub(super) fn add(
        &mut self,
        canonical_id: &str,
        competition: &CompetitionRecord,
        seasons: &HashMap<i32, BTreeSet<String>>,
        aliases: &Aliases,
    ) {
        let i = group_index(
            &mut self.groups,
            &mut self.by_canonical,
            canonical_id,
            |id| CompetitionGroup {
                canonical_id: id,
                ..CompetitionGroup::default()
            },
        );
        let group = &mut self.groups[i];
        group.providers.insert(competition.provider.clone());
        group.names.insert((
            aliases.competition(&fold(&competition.name)).to_string(),
            competition.area.as_deref().map(fold),
        ));
        for (year, teams) in seasons {
            group
                .seasons
                .entry(*year)
                .or_default()
                .extend(teams.iter().cloned());
        }
        self.canonical.insert(
            (
                competition.provider.clone(),
                competition.provider_id.clone(),
            ),
            canonical_id.to_string(),
        );
    }

    pub(super) fn link(
        &self,
        competition: &CompetitionRecord,
        seasons: &HashMap<i32, BTreeSet<String>>,
        settings: &Settings<'_>,
    ) -> Link {
        let own = fold(&competition.name);
        let name = settings.aliases.competition(&own);
        let aliased = name != own;
        let area = competition.area.as_deref().map(fold);
        let eligible = |g: &&CompetitionGroup| !g.providers.contains(&competition.provider);
        // The share of teams two seasons have in common (Jaccard), best
        // season first.
        let overlap = |g: &CompetitionGroup| {
            seasons
                .iter()
                .filter_map(|(year, teams)| {
                    let theirs = g.seasons.get(year)?;
                    if teams.len() < MIN_SHARED_TEAMS || theirs.len() < MIN_SHARED_TEAMS {
                        return None;
                    }
                    let shared = teams.intersection(theirs).count() as f64;
                    Some(shared / teams.union(theirs).count() as f64)
                })
                .fold(None, |best: Option<f64>, s| {
                    Some(best.map_or(s, |b| b.max(s)))
                })
        };
        let by_teams = best_of(
            self.groups
                .iter()
                .enumerate()
                .filter(|(_, g)| eligible(g))
                .filter_map(|(i, g)| overlap(g).map(|s| (i, s))),
        );
        // Same name: sure through an alias, likely with the same area,
        // worth a review otherwise.
        let by_name = self
            .groups
            .iter()
            .filter(eligible)
            .filter_map(|g| {
                let score = g
                    .names
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, their_area)| match (aliased, &area, their_area) {
                        (true, _, _) => 1.0,
                        (false, Some(a), Some(b)) if a == b => 0.9,
                        (false, Some(_), Some(_)) => 0.0,
                        _ => 0.6,
                    })
                    .fold(0.0, f64::max);
                // Shared seasons that disagree overrule a name.
                let contradicted = overlap(g).is_some_and(|s| s < 0.5);
                (score > 0.0 && !contradicted).then(|| (g.canonical_id.clone(), score))
            })
            .fold(None, |best: Option<(String, f64)>, (id, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((id, s)),
            });
        let by_teams =
            by_teams.map(|(i, s)| (self.groups[i].canonical_id.clone(), s, Method::SharedTeams));
        let by_name = by_name.map(|(id, s)| {
            let method = if aliased { Method::Alias } else { Method::Name };
            (id, s, method)
        });
        let found = match (by_teams, by_name) {
            (Some(teams), Some(name)) => Some(if teams.1 >= name.1 { teams } else { name }),
            (teams, name) => teams.or(name),
        };
        decide(
            Kind::Competition,
            &competition.provider,
            &competition.provider_id,
            competition.name.clone(),
            found,
            settings.threshold,
        )
    }
}
