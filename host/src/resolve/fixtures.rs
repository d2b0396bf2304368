//! Teams linked by the fixtures they played, whatever their names: a club
//! that meets the same already-linked opponents, home and away as the other
//! provider has it, on the same dates, is the same club ("Wolves" and
//! "Wolverhampton Wanderers FC"). Each round's links give the next round
//! more linked opponents, until a round links nothing: the fixed point.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::link::{CANDIDATE_FLOOR, Candidate, Link, MARGIN, Method, Settings};
use super::records::EventRecord;
use super::teams::TeamPool;

/// Two kickoffs this close are one date for two providers: time zones, and
/// records that give a day without its time.
const SAME_DATE_SECS: i64 = 36 * 3600;
/// Fewer fixtures in agreement than this are no evidence.
const MIN_AGREEING: usize = 3;

/// What one team's fixtures say of another provider's team: of the fixtures
/// the other provider has a counterpart for (the same opponent, on the same
/// side, on the same date), how many it plays in.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Evidence {
    /// The team its fixtures point to.
    team: usize,
    /// Fixtures whose counterpart it plays in.
    agreeing: usize,
    /// Fixtures the other provider has a counterpart for.
    comparable: usize,
    /// Fixtures pointing to the runner-up.
    runner_up: usize,
}

impl Evidence {
    /// How sure: the share of comparable fixtures in agreement, a little
    /// below it while they are few.
    fn confidence(&self) -> f64 {
        self.agreeing as f64 / (self.comparable as f64 + 0.5)
    }

    /// Whether a second team has nearly as much: for a person to settle.
    fn ambiguous(&self) -> bool {
        self.runner_up * 2 > self.agreeing
    }
}

/// Links the teams of `links` that names left on their own to the team of
/// another provider whose fixtures theirs mirror, updating `teams` and the
/// links; what stays unsure becomes a candidate to review.
pub(super) fn link_teams(
    events: &[EventRecord],
    teams: &mut TeamPool,
    links: &mut [Link],
    settings: &Settings<'_>,
) {
    let position: HashMap<(String, String), usize> = links
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.provider.clone(), l.provider_id.clone()), i))
        .collect();
    loop {
        let best = best_counterparts(events, teams);
        let mut merged = HashSet::new();
        for (&team, evidence) in &best {
            let Some(confidence) = sure(&best, team, evidence) else {
                continue;
            };
            if evidence.agreeing < MIN_AGREEING
                || confidence < settings.threshold
                || merged.contains(&team)
                || merged.contains(&evidence.team)
            {
                continue;
            }
            let Some((from, into)) = direction(teams, team, evidence.team, settings) else {
                continue;
            };
            let members = teams.groups[from].members.clone();
            teams.merge(from, into);
            let canonical_id = teams.groups[into].canonical_id.clone();
            for member in members {
                if let Some(&i) = position.get(&member) {
                    let link = &mut links[i];
                    link.canonical_id = canonical_id.clone();
                    link.confidence = confidence;
                    link.method = Method::Fixtures;
                    link.candidate = None;
                }
            }
            merged.extend([team, evidence.team]);
        }
        if merged.is_empty() {
            propose(&best, teams, links, &position, settings);
            // A candidate named before a merge names the entity it joined.
            for candidate in links.iter_mut().filter_map(|l| l.candidate.as_mut()) {
                if let Some(group) = teams.group_index_of(&candidate.canonical_id) {
                    candidate.canonical_id = teams.groups[group].canonical_id.clone();
                }
            }
            return;
        }
    }
}

/// How sure a pair is when each side's fixtures point to the other and to
/// no close second: the lower of the two sides' confidences. None when it
/// is not such a pair.
fn sure(best: &BTreeMap<usize, Evidence>, team: usize, evidence: &Evidence) -> Option<f64> {
    let theirs = best.get(&evidence.team)?;
    (theirs.team == team && !evidence.ambiguous() && !theirs.ambiguous())
        .then(|| evidence.confidence().min(theirs.confidence()))
}

/// Which of two groups joins the other: one holding a link of an earlier
/// resolution stays; else the one whose best provider comes later in the
/// priority order moves, so the canonical id stays the earlier provider's.
fn direction(
    teams: &TeamPool,
    a: usize,
    b: usize,
    settings: &Settings<'_>,
) -> Option<(usize, usize)> {
    let (ga, gb) = (&teams.groups[a], &teams.groups[b]);
    if !ga.compatible(gb) {
        return None;
    }
    let rank = |g: usize| {
        teams.groups[g]
            .providers
            .iter()
            .map(|p| settings.rank(p))
            .min()
            .unwrap_or(usize::MAX)
    };
    match (ga.settled, gb.settled) {
        (true, true) => None,
        (true, false) => Some((b, a)),
        (false, true) => Some((a, b)),
        (false, false) if (rank(a), a) < (rank(b), b) => Some((b, a)),
        (false, false) => Some((a, b)),
    }
}

/// Leaves the likely pairs that were not linked as candidates on the
/// records that would have moved, when better than the candidate their name
/// gave.
fn propose(
    best: &BTreeMap<usize, Evidence>,
    teams: &TeamPool,
    links: &mut [Link],
    position: &HashMap<(String, String), usize>,
    settings: &Settings<'_>,
) {
    for (&team, evidence) in best {
        if evidence.agreeing < MIN_AGREEING {
            continue;
        }
        // An unsure pair is worth a review at what this side's fixtures
        // say, below the threshold.
        let confidence = sure(best, team, evidence)
            .unwrap_or_else(|| evidence.confidence().min(settings.threshold - MARGIN));
        if confidence < CANDIDATE_FLOOR {
            continue;
        }
        let Some((from, into)) = direction(teams, team, evidence.team, settings) else {
            continue;
        };
        let canonical_id = &teams.groups[into].canonical_id;
        for member in &teams.groups[from].members {
            let Some(&i) = position.get(member) else {
                continue;
            };
            let link = &mut links[i];
            let better = link
                .candidate
                .as_ref()
                .is_none_or(|c| c.confidence < confidence);
            if link.method == Method::New && better {
                link.candidate = Some(Candidate {
                    canonical_id: canonical_id.clone(),
                    confidence,
                });
            }
        }
    }
}

/// A team's side of the fixtures of one provider: group, at home, provider.
type Side<'a> = (usize, bool, &'a str);

/// For every team with fixtures another provider also has, the team of
/// that provider its fixtures point to most, keyed by group.
fn best_counterparts(events: &[EventRecord], teams: &TeamPool) -> BTreeMap<usize, Evidence> {
    // Each team's fixtures by side and provider: kickoff and opponent.
    let mut played: HashMap<Side<'_>, Vec<(i64, usize)>> = HashMap::new();
    let mut fixtures = Vec::new();
    for event in events {
        let group = |id: &Option<String>| teams.group_of(&event.provider, id.as_deref()?);
        let (Some(home), Some(away), Some(kickoff)) = (
            group(&event.home_team),
            group(&event.away_team),
            event.kickoff,
        ) else {
            continue;
        };
        if home == away {
            continue;
        }
        let provider = event.provider.as_str();
        played
            .entry((home, true, provider))
            .or_default()
            .push((kickoff, away));
        played
            .entry((away, false, provider))
            .or_default()
            .push((kickoff, home));
        fixtures.push((provider, kickoff, home, away));
    }

    // Per team, per fixture: the team each other provider has in its place
    // (the opponent's fixture on that side and date).
    let mut counterparts: BTreeMap<usize, Vec<Vec<(&str, usize)>>> = BTreeMap::new();
    for (provider, kickoff, home, away) in fixtures {
        for (team, opponent, at_home) in [(home, away, true), (away, home, false)] {
            let own = &teams.groups[team].providers;
            let found: Vec<(&str, usize)> = teams.groups[opponent]
                .providers
                .iter()
                .filter(|q| q.as_str() != provider && !own.contains(*q))
                .filter_map(|q| {
                    let theirs = played.get(&(opponent, !at_home, q.as_str()))?;
                    let (_, other) = theirs
                        .iter()
                        .map(|&(k, other)| ((k - kickoff).abs(), other))
                        .filter(|&(d, _)| d <= SAME_DATE_SECS)
                        .min()?;
                    Some((q.as_str(), other))
                })
                .collect();
            if !found.is_empty() {
                counterparts.entry(team).or_default().push(found);
            }
        }
    }

    let mut best = BTreeMap::new();
    for (team, per_fixture) in counterparts {
        let group = &teams.groups[team];
        let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
        for found in &per_fixture {
            let distinct: HashSet<usize> = found.iter().map(|&(_, other)| other).collect();
            for other in distinct {
                if group.compatible(&teams.groups[other]) {
                    *votes.entry(other).or_default() += 1;
                }
            }
        }
        let mut ranked: Vec<(usize, usize)> = votes.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(other, agreeing)) = ranked.first() else {
            continue;
        };
        let theirs = &teams.groups[other].providers;
        let comparable = per_fixture
            .iter()
            .filter(|found| found.iter().any(|(q, _)| theirs.contains(*q)))
            .count();
        best.insert(
            team,
            Evidence {
                team: other,
                agreeing,
                comparable,
                runner_up: ranked.get(1).map_or(0, |&(_, n)| n),
            },
        );
    }
    best
}

#[cfg(test)]
mod tests {
    use super::super::link::tests::{event, run, team};
    use super::super::records::Records;
    use super::*;

    const DAY: i64 = 24 * 3600;
    const T0: i64 = 1_660_000_000;

    fn fixture(provider: &str, home: &str, away: &str, kickoff: i64) -> EventRecord {
        EventRecord {
            provider_id: format!("{home}-{away}"),
            ..event(provider, "", (home, away), kickoff)
        }
    }

    /// A double round robin of `n` clubs numbered 0..n, one round a week:
    /// (round, home, away).
    fn season(n: usize) -> Vec<(usize, usize, usize)> {
        let mut rounds = Vec::new();
        let mut order: Vec<usize> = (0..n).collect();
        for round in 0..n - 1 {
            for i in 0..n / 2 {
                let (a, b) = (order[i], order[n - 1 - i]);
                rounds.push((round, a, b));
                rounds.push((round + n - 1, b, a));
            }
            order[1..].rotate_right(1);
        }
        rounds
    }

    /// Provider `a` names its clubs `Club 0..n`; provider `b` by `names`,
    /// and records each fixture of club `i` under the id `b_id(i, round)`.
    fn records(names: &[&str], b_id: impl Fn(usize, usize) -> String) -> Records {
        let n = names.len();
        let mut records = Records::default();
        for i in 0..n {
            records
                .teams
                .push(team("a", &i.to_string(), &format!("Club {i}")));
        }
        let mut b_ids = std::collections::BTreeSet::new();
        for (round, home, away) in season(n) {
            let kickoff = T0 + round as i64 * 7 * DAY;
            records
                .events
                .push(fixture("a", &home.to_string(), &away.to_string(), kickoff));
            let (h, w) = (b_id(home, round), b_id(away, round));
            b_ids.insert((h.clone(), home));
            b_ids.insert((w.clone(), away));
            // The other provider's kickoff: a few hours off, as time zones make it.
            records
                .events
                .push(fixture("b", &h, &w, kickoff + 3 * 3600));
        }
        for (id, i) in b_ids {
            records.teams.push(team("b", &id, names[i]));
        }
        records
    }

    #[test]
    fn nicknames_are_linked_by_the_fixtures_they_played() {
        let names = [
            "Club 0", "Foxes", "Club 2", "Wolves", "Club 4", "Toffees", "Club 6", "Club 7",
        ];
        let links = run(&records(&names, |i, _| format!("b{i}")));
        for i in 0..names.len() {
            let link = &links[&("b".to_string(), format!("b{i}"))];
            assert_eq!(link.canonical_id, format!("team:a:{i}"), "{}", names[i]);
            if names[i].starts_with("Club") {
                assert_eq!(link.method, Method::Name);
            } else {
                assert_eq!(link.method, Method::Fixtures, "{}", names[i]);
                assert!(link.confidence >= 0.85 && link.confidence < 1.0);
            }
        }
    }

    #[test]
    fn a_club_two_ids_share_is_left_for_review_never_merged_twice() {
        // Provider b files club 1's fixtures under two ids, a round each:
        // each id has half the evidence, and neither may take the club.
        let names = [
            "Club 0", "Foxes", "Club 2", "Club 3", "Club 4", "Club 5", "Club 6", "Club 7",
        ];
        let links = run(&records(&names, |i, round| match (i, round % 2) {
            (1, 0) => "foxes-even".to_string(),
            (1, _) => "foxes-odd".to_string(),
            _ => format!("b{i}"),
        }));
        for id in ["foxes-even", "foxes-odd"] {
            let link = &links[&("b".to_string(), id.to_string())];
            assert_eq!(link.method, Method::New, "{id}");
            assert_eq!(link.canonical_id, format!("team:b:{id}"));
            let candidate = link.candidate.as_ref().expect("a candidate to review");
            assert_eq!(candidate.canonical_id, "team:a:1");
            assert!(candidate.confidence < 0.85, "{}", candidate.confidence);
        }
    }

    #[test]
    fn too_few_fixtures_in_common_link_nothing() {
        // Four clubs, and b has only the first round (two fixtures): a
        // nickname plays one linked opponent once.
        let mut records = records(&["Club 0", "Foxes", "Club 2", "Club 3"], |i, _| {
            format!("b{i}")
        });
        records
            .events
            .retain(|e| e.provider == "a" || e.kickoff == Some(T0 + 3 * 3600));
        let links = run(&records);
        let foxes = &links[&("b".to_string(), "b1".to_string())];
        assert_eq!(
            (foxes.method, foxes.candidate.as_ref()),
            (Method::New, None)
        );
    }
}
