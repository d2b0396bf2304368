//! Places in a home or away table, for providers that give a team's home
//! and away figures but not its place in those tables.

use std::cmp::Reverse;

/// A team's figures in a home or away table, as ranked.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    /// Points won in those matches.
    pub points: i64,
    /// Goals scored in them.
    pub goals_for: u32,
    /// Goals conceded in them.
    pub goals_against: u32,
    /// The team's place in the overall table.
    pub overall_rank: u32,
}

/// The place (from 1) of each of `lines`, in their order: more points
/// first, then the better goal difference, then more goals scored (the
/// common tie-breakers of league tables), and where all three tie, the
/// better overall place. No two lines share a place.
pub fn places(lines: &[Line]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| {
        let l = lines[i];
        (
            Reverse(l.points),
            Reverse(i64::from(l.goals_for) - i64::from(l.goals_against)),
            Reverse(l.goals_for),
            l.overall_rank,
        )
    });
    let mut places = vec![0; lines.len()];
    for (place, i) in (1..).zip(order) {
        places[i] = place;
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(points: i64, goals_for: u32, goals_against: u32, overall_rank: u32) -> Line {
        Line {
            points,
            goals_for,
            goals_against,
            overall_rank,
        }
    }

    #[test]
    fn points_then_goal_difference_then_goals_then_the_overall_place() {
        let lines = [
            line(40, 30, 20, 1),
            line(46, 40, 20, 2),
            line(40, 35, 20, 3),
            line(40, 31, 21, 4),
            line(40, 30, 20, 5),
        ];
        // 46 points first; of the 40s, +15 beats +10; of the three at +10,
        // 31 scored beats 30; the last tie goes by the overall place.
        assert_eq!(places(&lines), [4, 1, 2, 3, 5]);
    }
}
