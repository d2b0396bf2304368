//! Events: within one competition season, the home and away teams identify
//! a match whatever its kickoff; elsewhere the teams and the kickoff's
//! proximity do, and for races and tournaments the name and the day.

use std::collections::{BTreeSet, HashMap};

use super::link::{Kind, Link, Method, Settings, decide, group_index};
use super::records::EventRecord;

/// How far apart two kickoffs of the same teams may be and still be one
/// match outside a competition season: a week, at falling confidence.
const KICKOFF_WINDOW_SECS: i64 = 7 * 24 * 3600;

/// An event's identity in canonical terms.
pub(super) struct EventKeys {
    pub(super) home: Option<String>,
    pub(super) away: Option<String>,
    pub(super) competition: Option<String>,
    pub(super) year: Option<i32>,
    pub(super) name: Option<String>,
}

#[derive(Default)]
pub(super) struct EventGroup {
    canonical_id: String,
    providers: BTreeSet<String>,
    kickoffs: Vec<i64>,
}

impl EventGroup {
    /// Seconds between `kickoff` and the closest kickoff of the group.
    pub(super) fn distance(&self, kickoff: Option<i64>) -> Option<i64> {
        let kickoff = kickoff?;
        self.kickoffs.iter().map(|k| (k - kickoff).abs()).min()
    }
}

type LeagueKey = (String, i32, String, String);

#[derive(Default)]
pub(super) struct EventPool {
    groups: Vec<EventGroup>,
    by_canonical: HashMap<String, usize>,
    by_league: HashMap<LeagueKey, Vec<usize>>,
    by_teams: HashMap<(String, String), Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
}

impl EventPool {
    pub(super) fn add(&mut self, canonical_id: &str, event: &EventRecord, keys: &EventKeys) {
        let i = group_index(
            &mut self.groups,
            &mut self.by_canonical,
            canonical_id,
            |id| EventGroup {
                canonical_id: id,
                ..EventGroup::default()
            },
        );
        let group = &mut self.groups[i];
        group.providers.insert(event.provider.clone());
        group.kickoffs.extend(event.kickoff);
        let index = |list: &mut Vec<usize>| {
            if !list.contains(&i) {
                list.push(i);
            }
        };
        if let (Some(home), Some(away)) = (&keys.home, &keys.away) {
            if let (Some(competition), Some(year)) = (&keys.competition, keys.year) {
                index(
                    self.by_league
                        .entry((competition.clone(), year, home.clone(), away.clone()))
                        .or_default(),
                );
            }
            index(
                self.by_teams
                    .entry((home.clone(), away.clone()))
                    .or_default(),
            );
        } else if let Some(name) = &keys.name {
            index(self.by_name.entry(name.clone()).or_default());
        }
    }

    pub(super) fn link(
        &self,
        event: &EventRecord,
        keys: &EventKeys,
        settings: &Settings<'_>,
    ) -> Link {
        let eligible = |i: &&usize| !self.groups[**i].providers.contains(&event.provider);
        let nearest = |list: Option<&Vec<usize>>, window: i64| {
            list.into_iter()
                .flatten()
                .filter(eligible)
                .filter_map(|&i| {
                    let d = self.groups[i].distance(event.kickoff)?;
                    (d <= window).then_some((i, d))
                })
                .min_by_key(|&(_, d)| d)
        };
        // Falls from 1 to 0.5 over the window.
        let by_distance = |d: i64, window: i64| 1.0 - 0.5 * d as f64 / window as f64;
        let mut found = None;
        if let (Some(home), Some(away)) = (&keys.home, &keys.away) {
            if let (Some(competition), Some(year)) = (&keys.competition, keys.year) {
                let key = (competition.clone(), year, home.clone(), away.clone());
                let in_season: Vec<usize> = self
                    .by_league
                    .get(&key)
                    .into_iter()
                    .flatten()
                    .filter(eligible)
                    .copied()
                    .collect();
                found = match in_season.as_slice() {
                    [i] => Some((
                        self.groups[*i].canonical_id.clone(),
                        1.0,
                        Method::LeagueSeason,
                    )),
                    // Teams that meet twice in a season: the closer kickoff.
                    [first, ..] => Some(
                        nearest(self.by_league.get(&key), i64::MAX)
                            .map(|(i, _)| {
                                (
                                    self.groups[i].canonical_id.clone(),
                                    0.9,
                                    Method::TeamsKickoff,
                                )
                            })
                            .unwrap_or((
                                self.groups[*first].canonical_id.clone(),
                                0.5,
                                Method::TeamsKickoff,
                            )),
                    ),
                    [] => None,
                };
            }
            if found.is_none() {
                found = nearest(
                    self.by_teams.get(&(home.clone(), away.clone())),
                    KICKOFF_WINDOW_SECS,
                )
                .map(|(i, d)| {
                    (
                        self.groups[i].canonical_id.clone(),
                        by_distance(d, KICKOFF_WINDOW_SECS),
                        Method::TeamsKickoff,
                    )
                });
            }
        } else if keys.home.is_none()
            && keys.away.is_none()
            && event.home_team.is_none()
            && event.away_team.is_none()
            && let Some(name) = &keys.name
        {
            const DAY: i64 = 24 * 3600;
            found = nearest(self.by_name.get(name), DAY).map(|(i, d)| {
                (
                    self.groups[i].canonical_id.clone(),
                    by_distance(d, 2 * DAY),
                    Method::NameKickoff,
                )
            });
        }
        decide(
            Kind::Event,
            &event.provider,
            &event.provider_id,
            event.label(),
            found,
            settings.threshold,
        )
    }
}
