//! Event ids. openfootball has none, so the plugin derives one per match.
//!
//! The id is `{league}/{season}/{team1}/{team2}`, e.g.
//! `de.1/2023-24/SV Werder Bremen/FC Bayern München`. The date is left out
//! on purpose: a rescheduled match moves to another date in newer files and
//! must keep its id. Home and away team are unique per match in a double
//! round robin; in a league where the same pair meets at the same ground
//! again (a split season, a four-round league), the second such match in
//! file order gets `#2`, the third `#3`, and so on. In team names `%`, `/`
//! and `#` are written `%25`, `%2F` and `%23`, so that no two matches can
//! share an id.

use std::collections::HashMap;

/// Hands out the ids of one league season's matches, in file order.
#[derive(Default)]
pub struct EventIds {
    seen: HashMap<String, u32>,
}

impl EventIds {
    /// The id of the next match of `team1` at home to `team2`.
    pub fn next(&mut self, league: &str, season: &str, team1: &str, team2: &str) -> String {
        let base = base(league, season, team1, team2);
        let meeting = self.seen.entry(base.clone()).or_insert(0);
        *meeting += 1;
        match *meeting {
            1 => base,
            n => format!("{base}#{n}"),
        }
    }
}

/// The id of the first meeting of `team1` at home to `team2`.
pub fn base(league: &str, season: &str, team1: &str, team2: &str) -> String {
    format!("{league}/{season}/{}/{}", escape(team1), escape(team2))
}

/// A team name with the characters the id gives a meaning escaped.
fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_league_season_and_teams() {
        let mut ids = EventIds::default();
        assert_eq!(
            ids.next("de.1", "2023-24", "SV Werder Bremen", "FC Bayern München"),
            "de.1/2023-24/SV Werder Bremen/FC Bayern München"
        );
        // The return match is another pair: home and away swap.
        assert_eq!(
            ids.next("de.1", "2023-24", "FC Bayern München", "SV Werder Bremen"),
            "de.1/2023-24/FC Bayern München/SV Werder Bremen"
        );
    }

    #[test]
    fn a_repeated_pairing_is_numbered_in_file_order() {
        let mut ids = EventIds::default();
        let first = ids.next("sco.1", "2023-24", "Celtic FC", "Rangers FC");
        let second = ids.next("sco.1", "2023-24", "Celtic FC", "Rangers FC");
        let third = ids.next("sco.1", "2023-24", "Celtic FC", "Rangers FC");
        assert_eq!(first, "sco.1/2023-24/Celtic FC/Rangers FC");
        assert_eq!(second, "sco.1/2023-24/Celtic FC/Rangers FC#2");
        assert_eq!(third, "sco.1/2023-24/Celtic FC/Rangers FC#3");
    }

    #[test]
    fn separators_in_team_names_cannot_make_two_matches_one() {
        // Unescaped, both would read `x/s/A/B/C`.
        let one = base("x", "s", "A/B", "C");
        let other = base("x", "s", "A", "B/C");
        assert_ne!(one, other);
        assert_eq!(one, "x/s/A%2FB/C");
        // Unescaped, a team called `B#2` would take the second meeting's id.
        let mut ids = EventIds::default();
        ids.next("x", "s", "A", "B");
        let second = ids.next("x", "s", "A", "B");
        assert_ne!(second, base("x", "s", "A", "B#2"));
        assert_eq!(base("x", "s", "100%", "B#2"), "x/s/100%25/B%232");
    }
}
