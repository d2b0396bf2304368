//! Judging resolution on real data: every API-Football fixture's links to
//! openfootball's matches against the truth, a hand-written map of team ids
//! to openfootball's names, with precision and recall printed.

use std::collections::HashMap;

use super::TestContext;

/// What the links of API-Football's fixtures came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    /// API-Football fixtures loaded.
    pub fixtures: usize,
    /// Links to the right openfootball match.
    pub right: usize,
    /// Links to another match.
    pub wrong: usize,
    /// right / links.
    pub precision: f64,
    /// right / fixtures.
    pub recall: f64,
}

/// Judges each API-Football fixture's links: right when it is linked to
/// openfootball's `{season_id}/{home}/{away}` match, `teams` naming each
/// API-Football team id's openfootball name. Prints the figures under
/// `label`.
pub fn judge_fixture_links(
    ctx: &TestContext,
    label: &str,
    season_id: &str,
    teams: &[(&str, &str)],
) -> Judged {
    let names: HashMap<&str, &str> = teams.iter().copied().collect();
    let fixtures = ctx.query(
        "SELECT provider_id, home_team, away_team FROM events WHERE provider = 'api-football'",
    );
    let mut linked: HashMap<String, Vec<String>> = HashMap::new();
    for row in ctx.query(
        "SELECT a.provider_id, o.provider_id FROM provider_ids a \
         JOIN provider_ids o ON o.kind = 'event' AND o.canonical_id = a.canonical_id \
         AND o.provider = 'openfootball' \
         WHERE a.kind = 'event' AND a.provider = 'api-football'",
    ) {
        linked
            .entry(row[0].clone())
            .or_default()
            .push(row[1].clone());
    }
    let (mut right, mut wrong) = (0, 0);
    for fixture in &fixtures {
        let name = |id: &str| {
            *names
                .get(id)
                .unwrap_or_else(|| panic!("team {id} is not in the truth"))
        };
        let expected = format!("{season_id}/{}/{}", name(&fixture[1]), name(&fixture[2]));
        for match_id in linked.get(&fixture[0]).into_iter().flatten() {
            if *match_id == expected {
                right += 1;
            } else {
                wrong += 1;
                eprintln!("wrong link: API-Football {} -> {match_id}", fixture[0]);
            }
        }
    }
    let links = right + wrong;
    let precision = if links == 0 {
        0.0
    } else {
        right as f64 / links as f64
    };
    let recall = right as f64 / fixtures.len().max(1) as f64;
    println!(
        "resolution {label}: {} fixtures, {links} links, {right} right, {wrong} wrong; \
         precision {precision:.3}, recall {recall:.3}",
        fixtures.len()
    );
    Judged {
        fixtures: fixtures.len(),
        right,
        wrong,
        precision,
        recall,
    }
}
