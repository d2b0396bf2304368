//! Which canonical team, competition and event each provider record belongs
//! to. Pure: the records and the links made earlier in, the new links out.
//!
//! Teams first, by the alias file, then by their folded names, then by
//! similarity. Competitions next, by the teams their events share in a
//! season (a name alone is weak: many countries have a "Premier League").
//! Events last: within one competition season, the home and away teams
//! identify a match whatever its kickoff (a rescheduled match is still that
//! match); elsewhere (cups, friendlies, unlinked competitions) the teams
//! and the kickoff's proximity do. A record never joins a canonical entity
//! that already holds a record of its own provider.

use std::collections::{BTreeSet, HashMap};

use super::aliases::Aliases;
use super::competitions::CompetitionPool;
use super::events::{EventKeys, EventPool};
use super::fixtures;
use super::names::{fold, season_year};
use super::records::{Identified, Records};
use super::teams::TeamPool;

/// What a link is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A league or cup.
    Competition,
    /// A team.
    Team,
    /// A match or race.
    Event,
}

impl Kind {
    /// The `kind` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Competition => "competition",
            Kind::Team => "team",
            Kind::Event => "event",
        }
    }

    /// The kind a `kind` column holds.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "competition" => Some(Kind::Competition),
            "team" => Some(Kind::Team),
            "event" => Some(Kind::Event),
            _ => None,
        }
    }
}

/// How a link was made: the `method` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Nothing matched: the record founded its canonical entity.
    New,
    /// The alias file named both spellings.
    Alias,
    /// The same name once folded (teams), or the same name and area
    /// (competitions).
    Name,
    /// Names alike enough.
    Similarity,
    /// A short form of the other name: its words begin it ("Tottenham",
    /// "Tottenham Hotspur").
    ShortName,
    /// The season's fixtures: the same opponents, home and away, on the
    /// same dates, whatever the names.
    Fixtures,
    /// Competitions whose events share their teams in a season.
    SharedTeams,
    /// The same home and away team in the same competition season.
    LeagueSeason,
    /// The same home and away team, kickoffs close together.
    TeamsKickoff,
    /// The same event name (a race, a tournament), kickoffs close together.
    NameKickoff,
}

impl Method {
    /// The `method` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::New => "new",
            Method::Alias => "alias",
            Method::Name => "name",
            Method::Similarity => "similarity",
            Method::ShortName => "short-name",
            Method::Fixtures => "fixtures",
            Method::SharedTeams => "shared-teams",
            Method::LeagueSeason => "league-season-teams",
            Method::TeamsKickoff => "teams-kickoff",
            Method::NameKickoff => "name-kickoff",
        }
    }

    /// The method a `method` column holds.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Method::New,
            Method::Alias,
            Method::Name,
            Method::Similarity,
            Method::ShortName,
            Method::Fixtures,
            Method::SharedTeams,
            Method::LeagueSeason,
            Method::TeamsKickoff,
            Method::NameKickoff,
        ]
        .into_iter()
        .find(|m| m.as_str() == text)
    }
}

/// A canonical entity a record probably belongs to, below the threshold:
/// not merged, listed by `sluice resolve review`.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The canonical id it would join.
    pub canonical_id: String,
    /// How sure, 0 to 1.
    pub confidence: f64,
}

/// One provider record's canonical id: a row of `provider_ids`.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// What it is.
    pub kind: Kind,
    /// The provider's id space.
    pub provider: String,
    /// The record's id there.
    pub provider_id: String,
    /// The record's name as the provider spells it (an event's is
    /// "Home v Away" or its own name).
    pub name: String,
    /// The canonical entity.
    pub canonical_id: String,
    /// How sure, 0 to 1; 1 for a record that founded its entity.
    pub confidence: f64,
    /// How.
    pub method: Method,
    /// A likely match left unmerged.
    pub candidate: Option<Candidate>,
}

/// How the resolver decides.
pub struct Settings<'a> {
    /// Links below this confidence are not merged.
    pub threshold: f64,
    /// The user's aliases.
    pub aliases: &'a Aliases,
    /// Providers in priority order: earlier ones found canonical entities
    /// first, so their records name them.
    pub priority: &'a [String],
}

impl Settings<'_> {
    /// Where `provider` stands in the priority order: earlier is first.
    pub(super) fn rank(&self, provider: &str) -> usize {
        self.priority
            .iter()
            .position(|p| p == provider)
            .unwrap_or(self.priority.len())
    }
}

/// Two equally good candidates must differ by this much to pick one.
pub(super) const MARGIN: f64 = 0.05;
/// Below this, a likely match is not even worth reviewing.
pub(super) const CANDIDATE_FLOOR: f64 = 0.5;

/// The links of every record not in `existing`, given the links `existing`
/// made before.
pub fn resolve(records: &Records, existing: &[Link], settings: &Settings<'_>) -> Vec<Link> {
    let mut known: HashMap<(Kind, &str, &str), &Link> = HashMap::new();
    for link in existing {
        known.insert(
            (link.kind, link.provider.as_str(), link.provider_id.as_str()),
            link,
        );
    }
    let mut new_links = Vec::new();

    // Teams.
    let mut teams = TeamPool::default();
    let pending = unlinked(
        records.teams.iter().map(|t| (t, ())),
        Kind::Team,
        &known,
        settings,
        |canonical_id, team, _| teams.add(canonical_id, team, settings.aliases, true),
    );
    let mut team_links = Vec::with_capacity(pending.len());
    for (team, ()) in pending {
        let link = teams.link(team, settings);
        teams.add(&link.canonical_id, team, settings.aliases, false);
        team_links.push(link);
    }
    // Teams the names left apart, by the fixtures they played.
    fixtures::link_teams(&records.events, &mut teams, &mut team_links, settings);
    new_links.extend(team_links);
    let team_of = |provider: &str, id: &Option<String>| -> Option<String> {
        let id = id.as_deref()?;
        teams
            .canonical
            .get(&(provider.to_string(), id.to_string()))
            .cloned()
    };

    // Competitions, by the teams of their events in each season.
    let mut season_teams: HashMap<(&str, &str), HashMap<i32, BTreeSet<String>>> = HashMap::new();
    for event in &records.events {
        let (Some(competition), Some(year)) = (
            event.competition.as_deref(),
            event.season.as_deref().and_then(season_year),
        ) else {
            continue;
        };
        let seasons = season_teams
            .entry((event.provider.as_str(), competition))
            .or_default();
        for side in [&event.home_team, &event.away_team] {
            if let Some(team) = team_of(&event.provider, side) {
                seasons.entry(year).or_default().insert(team);
            }
        }
    }
    let no_seasons = HashMap::new();
    let mut competitions = CompetitionPool::default();
    let pending = unlinked(
        records.competitions.iter().map(|competition| {
            let seasons = season_teams
                .get(&(
                    competition.provider.as_str(),
                    competition.provider_id.as_str(),
                ))
                .unwrap_or(&no_seasons);
            (competition, seasons)
        }),
        Kind::Competition,
        &known,
        settings,
        |canonical_id, competition, seasons| {
            competitions.add(canonical_id, competition, seasons, settings.aliases)
        },
    );
    for (competition, seasons) in pending {
        let link = competitions.link(competition, seasons, settings);
        competitions.add(&link.canonical_id, competition, seasons, settings.aliases);
        new_links.push(link);
    }

    // Events.
    let mut events = EventPool::default();
    let keyed = records.events.iter().map(|event| {
        let keys = EventKeys {
            home: team_of(&event.provider, &event.home_team),
            away: team_of(&event.provider, &event.away_team),
            competition: event.competition.as_ref().and_then(|c| {
                competitions
                    .canonical
                    .get(&(event.provider.clone(), c.clone()))
                    .cloned()
            }),
            year: event.season.as_deref().and_then(season_year),
            name: event.name.as_deref().map(fold),
        };
        (event, keys)
    });
    let pending = unlinked(keyed, Kind::Event, &known, settings, |id, event, keys| {
        events.add(id, event, keys)
    });
    for (event, keys) in pending {
        let link = events.link(event, &keys, settings);
        events.add(&link.canonical_id, event, &keys);
        new_links.push(link);
    }
    new_links
}

/// The same first step of every pass: each record (with what the pass
/// needs of it) that an earlier resolution linked goes to `add` with its
/// canonical id; the others come back in the order they found entities:
/// providers by priority, then provider and id.
fn unlinked<'r, T: Identified, X>(
    records: impl Iterator<Item = (&'r T, X)>,
    kind: Kind,
    known: &HashMap<(Kind, &str, &str), &Link>,
    settings: &Settings<'_>,
    mut add: impl FnMut(&str, &'r T, &X),
) -> Vec<(&'r T, X)> {
    let mut pending = Vec::new();
    for (record, with) in records {
        match known.get(&(kind, record.provider(), record.provider_id())) {
            Some(link) => add(&link.canonical_id, record, &with),
            None => pending.push((record, with)),
        }
    }
    pending.sort_by(|(a, _), (b, _)| {
        (settings.rank(a.provider()), a.provider(), a.provider_id()).cmp(&(
            settings.rank(b.provider()),
            b.provider(),
            b.provider_id(),
        ))
    });
    pending
}

/// The index in `groups` of the group of `canonical_id`, founded by `found`
/// when there is none yet: how each pass keeps its canonical entities.
pub(super) fn group_index<G>(
    groups: &mut Vec<G>,
    by_canonical: &mut HashMap<String, usize>,
    canonical_id: &str,
    found: impl FnOnce(String) -> G,
) -> usize {
    *by_canonical
        .entry(canonical_id.to_string())
        .or_insert_with(|| {
            groups.push(found(canonical_id.to_string()));
            groups.len() - 1
        })
}

/// A new link for `provider`/`id`: joined to `found` when sure enough,
/// else founding its own entity with `found` as the candidate to review.
pub(super) fn decide(
    kind: Kind,
    provider: &str,
    provider_id: &str,
    name: String,
    found: Option<(String, f64, Method)>,
    threshold: f64,
) -> Link {
    let founded = || format!("{}:{provider}:{provider_id}", kind.as_str());
    let (canonical_id, confidence, method, candidate) = match found {
        Some((canonical_id, confidence, method)) if confidence >= threshold => {
            (canonical_id, confidence, method, None)
        }
        Some((canonical_id, confidence, _)) if confidence >= CANDIDATE_FLOOR => (
            founded(),
            1.0,
            Method::New,
            Some(Candidate {
                canonical_id,
                confidence,
            }),
        ),
        _ => (founded(), 1.0, Method::New, None),
    };
    Link {
        kind,
        provider: provider.to_string(),
        provider_id: provider_id.to_string(),
        name,
        canonical_id,
        confidence,
        method,
        candidate,
    }
}

/// The best of scored candidates, when it beats the runner-up clearly.
pub(super) fn best_of(scored: impl Iterator<Item = (usize, f64)>) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    let mut second = 0.0;
    for (i, score) in scored {
        match best {
            Some((_, top)) if score <= top => second = f64::max(second, score),
            Some((_, top)) => {
                second = top;
                best = Some((i, score));
            }
            None => best = Some((i, score)),
        }
    }
    // A tie is no answer, but still worth a review at a lower confidence.
    best.map(|(i, score)| {
        if score - second < MARGIN {
            (i, score.min(second) - MARGIN)
        } else {
            (i, score)
        }
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::resolve::records::{CompetitionRecord, EventRecord, TeamRecord};

    /// A team of `provider` with no country.
    pub(in crate::resolve) fn team(provider: &str, id: &str, name: &str) -> TeamRecord {
        TeamRecord {
            provider: provider.into(),
            provider_id: id.into(),
            name: name.into(),
            country: None,
        }
    }

    /// A match of `provider` between two of its teams, outside any season.
    pub(in crate::resolve) fn event(
        provider: &str,
        id: &str,
        teams: (&str, &str),
        kickoff: i64,
    ) -> EventRecord {
        EventRecord {
            provider: provider.into(),
            provider_id: id.into(),
            name: None,
            competition: None,
            season: None,
            home_team: Some(teams.0.into()),
            away_team: Some(teams.1.into()),
            home_team_name: None,
            away_team_name: None,
            kickoff: Some(kickoff),
        }
    }

    /// Every link of `records`, providers `a` then `b`, at the default
    /// threshold, by provider and id.
    pub(in crate::resolve) fn run(records: &Records) -> HashMap<(String, String), Link> {
        let aliases = Aliases::default();
        let priority = ["a".to_string(), "b".to_string()];
        resolve(
            records,
            &[],
            &Settings {
                threshold: 0.85,
                aliases: &aliases,
                priority: &priority,
            },
        )
        .into_iter()
        .map(|l| ((l.provider.clone(), l.provider_id.clone()), l))
        .collect()
    }

    const DAY: i64 = 24 * 3600;

    #[test]
    fn similar_names_merge_different_clubs_and_one_providers_own_teams_do_not() {
        let links = run(&Records {
            teams: vec![
                team("a", "1", "Manchester United"),
                team("a", "2", "Manchester City"),
                team("a", "3", "Arsenal"),
                team("a", "4", "Arsenal FC"),
                team("b", "x", "Man City FC"),
                team("b", "y", "Manchester United FC"),
                team("b", "z", "Arsenal"),
            ],
            ..Records::default()
        });
        let canonical =
            |p: &str, id: &str| links[&(p.to_string(), id.to_string())].canonical_id.clone();
        assert_eq!(canonical("b", "y"), "team:a:1");
        assert_eq!(links[&("b".into(), "y".into())].method, Method::Name);
        assert_ne!(canonical("b", "x"), "team:a:1", "City is not United");
        assert_ne!(
            canonical("a", "4"),
            "team:a:3",
            "one provider's two ids are two teams"
        );
        // Two teams of `a` are called Arsenal: `b`'s is for a person to settle.
        let arsenal = &links[&("b".into(), "z".into())];
        assert_eq!(
            (arsenal.method, arsenal.canonical_id.as_str()),
            (Method::New, "team:b:z")
        );
        assert!(arsenal.candidate.is_some());
    }

    #[test]
    fn a_short_form_names_one_club_and_never_a_reserve_side() {
        let links = run(&Records {
            teams: vec![
                team("a", "bvb", "Borussia Dortmund"),
                team("a", "mu", "Manchester United"),
                team("a", "mc", "Manchester City"),
                team("a", "spurs", "Tottenham Hotspur FC"),
                // The reserve side's id sorts first: it must not take the
                // first team's place.
                team("b", "1", "Borussia Dortmund II"),
                team("b", "2", "Borussia Dortmund"),
                team("b", "3", "Manchester City"),
                team("b", "4", "Manchester"),
                team("b", "5", "Tottenham"),
            ],
            ..Records::default()
        });
        let get = |id: &str| &links[&("b".to_string(), id.to_string())];
        assert_eq!(
            get("1").canonical_id,
            "team:b:1",
            "a reserve side is its own team"
        );
        assert_eq!(get("2").canonical_id, "team:a:bvb");
        assert_eq!(get("3").canonical_id, "team:a:mc");
        assert_eq!(
            (get("4").method, get("4").canonical_id.as_str()),
            (Method::New, "team:b:4"),
            "Manchester begins two clubs' names, even with City taken"
        );
        assert_eq!(
            (get("5").method, get("5").canonical_id.as_str()),
            (Method::ShortName, "team:a:spurs")
        );
    }

    #[test]
    fn outside_a_league_season_teams_and_kickoff_decide() {
        let t0 = 1_700_000_000;
        let links = run(&Records {
            teams: vec![
                team("a", "h", "Real Madrid"),
                team("a", "w", "Sevilla"),
                team("b", "H", "Real Madrid CF"),
                team("b", "W", "Sevilla FC"),
            ],
            events: vec![
                event("a", "cup", ("h", "w"), t0),
                event("a", "league", ("h", "w"), t0 + 60 * DAY),
                event("b", "same-day", ("H", "W"), t0 + 3600),
                event("b", "five-days-on", ("H", "W"), t0 + 60 * DAY + 5 * DAY),
                event("b", "reversed", ("W", "H"), t0),
            ],
            ..Records::default()
        });
        let get = |id: &str| &links[&("b".to_string(), id.to_string())];
        assert_eq!(get("same-day").canonical_id, "event:a:cup");
        assert_eq!(get("same-day").method, Method::TeamsKickoff);
        assert!(get("same-day").confidence > 0.99);
        // Five days from the league match: likely, not sure: reviewed.
        assert_eq!(get("five-days-on").method, Method::New);
        assert_eq!(
            get("five-days-on")
                .candidate
                .as_ref()
                .map(|c| c.canonical_id.as_str()),
            Some("event:a:league")
        );
        assert_eq!(
            get("reversed").canonical_id,
            "event:b:reversed",
            "home and away matter"
        );
    }

    #[test]
    fn a_race_is_found_by_its_name_and_day_and_competitions_by_their_teams() {
        let t0 = 1_700_000_000;
        let race = |provider: &str, id: &str, name: &str, kickoff: i64| EventRecord {
            name: Some(name.into()),
            home_team: None,
            away_team: None,
            ..event(provider, id, ("", ""), kickoff)
        };
        let mut records = Records {
            events: vec![
                race("a", "r1", "Monaco Grand Prix", t0),
                race("b", "R1", "Monaco Grand Prix", t0 + 2 * 3600),
                race("b", "R2", "Monaco Grand Prix", t0 + 365 * DAY),
            ],
            ..Records::default()
        };
        // Two leagues with the same clubs in 2023, under other names.
        for (provider, competition, season) in [("a", "BL", "2023-24"), ("b", "78", "2023")] {
            records.competitions.push(CompetitionRecord {
                provider: provider.into(),
                provider_id: competition.into(),
                name: format!("League {competition}"),
                area: None,
            });
            for (i, pair) in [("t1", "t2"), ("t3", "t4"), ("t5", "t6")]
                .iter()
                .enumerate()
            {
                for id in [pair.0, pair.1] {
                    if !records
                        .teams
                        .iter()
                        .any(|t| t.provider == provider && t.provider_id == id)
                    {
                        records
                            .teams
                            .push(team(provider, id, &format!("Club {id}")));
                    }
                }
                records.events.push(EventRecord {
                    competition: Some(competition.into()),
                    season: Some(season.into()),
                    ..event(
                        provider,
                        &format!("{competition}-{i}"),
                        *pair,
                        t0 + i as i64 * 30 * DAY,
                    )
                });
            }
        }
        let links = run(&records);
        let get = |p: &str, id: &str| &links[&(p.to_string(), id.to_string())];
        assert_eq!(get("b", "R1").canonical_id, "event:a:r1");
        assert_eq!(get("b", "R1").method, Method::NameKickoff);
        assert_eq!(
            get("b", "R2").canonical_id,
            "event:b:R2",
            "next year's race is another race"
        );
        assert_eq!(get("b", "78").canonical_id, "competition:a:BL");
        assert_eq!(get("b", "78").method, Method::SharedTeams);
        assert_eq!(get("b", "78-2").method, Method::LeagueSeason);
    }
}
