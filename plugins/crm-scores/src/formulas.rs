//! The default scores of one user against the population: RFM scores by
//! the population's quartiles, the segment they fall in, CLV scaled to the
//! population's best, churn risk against the user's own rhythm, and the
//! diversity of their play.

use sluice_plugin_sdk::score::{Segment, UserAggregates, UserScores};

use crate::quantile::quartiles;

/// The gap, in days, expected of a user with a single active day.
pub const DEFAULT_GAP_DAYS: f64 = 7.0;

/// What scoring needs to know of all users.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Quartiles of days since the last activity.
    pub recency: [f64; 3],
    /// Quartiles of completed transactions.
    pub frequency: [f64; 3],
    /// Quartiles of deposited amounts, in units.
    pub monetary: [f64; 3],
    /// The largest raw CLV, which scales every user's into 0–1.
    pub max_clv: f64,
}

impl Population {
    /// Reads the population off `users`.
    pub fn of(users: &[UserAggregates]) -> Self {
        let column = |f: &dyn Fn(&UserAggregates) -> f64| users.iter().map(f).collect::<Vec<_>>();
        Population {
            recency: quartiles(column(&|u| f64::from(u.recency_days))),
            frequency: quartiles(column(&|u| u.transactions as f64)),
            monetary: quartiles(column(&|u| units(u.deposit_cents))),
            max_clv: users.iter().map(raw_clv).fold(0.0, f64::max),
        }
    }
}

/// Cents as units.
pub fn units(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Shannon entropy of `counts` over its maximum, `ln(counts.len())`.
pub fn normalized_entropy(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 || counts.len() < 2 {
        return 0.0;
    }
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total as f64;
            -p * p.ln()
        })
        .sum();
    (h / (counts.len() as f64).ln()).clamp(0.0, 1.0)
}

/// 1 − exp(−days away / mean gap between active days).
pub fn churn_risk(user: &UserAggregates) -> f64 {
    let gap = if user.gap_count > 0 {
        user.gap_sum as f64 / user.gap_count as f64
    } else {
        DEFAULT_GAP_DAYS
    }
    .max(1.0);
    1.0 - (-f64::from(user.recency_days) / gap).exp()
}

/// Net deposits (never below 0) weighted by the chance the user stays.
pub fn raw_clv(user: &UserAggregates) -> f64 {
    let net = units(user.deposit_cents - user.withdrawal_cents).max(0.0);
    net * (1.0 - churn_risk(user))
}

/// The segment of scores `r`, `f`, `m`; the first rule that holds wins.
pub fn segment(r: u8, f: u8, m: u8) -> Segment {
    let fm = f + m;
    match r {
        4 if fm >= 6 => Segment::Champions,
        3.. if fm >= 5 => Segment::Loyal,
        3.. => Segment::Potential,
        _ if fm >= 5 => Segment::AtRisk,
        2 => Segment::Hibernating,
        _ => Segment::Lost,
    }
}

fn above(value: f64, quartiles: [f64; 3]) -> u8 {
    1 + quartiles.iter().filter(|&&q| value > q).count() as u8
}

fn below(value: f64, quartiles: [f64; 3]) -> u8 {
    1 + quartiles.iter().filter(|&&q| value < q).count() as u8
}

/// Scores `user` against `population`.
pub fn score(user: &UserAggregates, population: &Population) -> UserScores {
    let r = below(f64::from(user.recency_days), population.recency);
    let f = above(user.transactions as f64, population.frequency);
    let m = above(units(user.deposit_cents), population.monetary);
    let clv_score = if population.max_clv > 0.0 {
        (raw_clv(user).ln_1p() / population.max_clv.ln_1p()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    UserScores {
        user_id: user.user_id.clone(),
        recency_score: r,
        frequency_score: f,
        monetary_score: m,
        rfm_segment: segment(r, f, m),
        clv_score,
        churn_risk_score: churn_risk(user),
        behavioral_diversity_score: (normalized_entropy(&user.bets_by_game)
            + normalized_entropy(&user.by_weekday)
            + normalized_entropy(&user.by_daypart))
            / 3.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> UserAggregates {
        UserAggregates {
            user_id: id.to_string(),
            transactions: 1,
            active_days: 1,
            recency_days: 0,
            tenure_days: 0,
            deposits: 0,
            deposit_cents: 0,
            withdrawals: 0,
            withdrawal_cents: 0,
            bets: 0,
            bet_cents: 0,
            wins: 0,
            win_cents: 0,
            bonuses: 0,
            bonus_cents: 0,
            bets_by_game: vec![0; 5],
            by_weekday: vec![0; 7],
            by_daypart: vec![0; 4],
            gap_count: 0,
            gap_sum: 0,
            gap_sum_squares: 0,
        }
    }

    #[test]
    fn segments_follow_the_documented_rules() {
        assert_eq!(segment(4, 3, 3), Segment::Champions);
        assert_eq!(segment(4, 3, 2), Segment::Loyal);
        assert_eq!(segment(3, 1, 1), Segment::Potential);
        assert_eq!(segment(2, 4, 1), Segment::AtRisk);
        assert_eq!(segment(2, 2, 2), Segment::Hibernating);
        assert_eq!(segment(1, 2, 2), Segment::Lost);
    }

    #[test]
    fn churn_grows_with_absence_against_the_users_rhythm() {
        let mut u = user("u1");
        assert_eq!(churn_risk(&u), 0.0);
        u.recency_days = 14;
        u.gap_count = 2;
        u.gap_sum = 14;
        assert!((churn_risk(&u) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn clv_scales_to_the_best_user() {
        let mut rich = user("rich");
        rich.deposit_cents = 100_000;
        let mut poor = user("poor");
        poor.deposit_cents = 1_000;
        poor.withdrawal_cents = 5_000;
        let population = Population::of(&[rich.clone(), poor.clone()]);
        assert_eq!(population.max_clv, 1000.0);
        assert_eq!(score(&rich, &population).clv_score, 1.0);
        assert_eq!(score(&poor, &population).clv_score, 0.0);
    }
}
