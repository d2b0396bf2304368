//! The segmentation scores: RFM scores by the population's quartiles, the
//! RFM segment, and the CLV, churn-risk and behavioural-diversity scores.
//! The boundary is deliberately narrow, aggregates in and scores out
//! ([`Population::of`], then [`score`]), so the formulas can move behind
//! another implementation without touching the query or the load.

use time::Date;

use super::aggregates::{DEPOSIT, UserAggregates, WITHDRAWAL};
use super::features::{self, normalized_entropy, units};
use super::quantile;

/// The gap, in days, expected of a user with a single active day.
pub const DEFAULT_GAP_DAYS: f64 = 7.0;

/// An RFM segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// Recent, frequent and valuable: R = 4 and F + M ≥ 6.
    Champions,
    /// Recent enough and valuable: R ≥ 3 and F + M ≥ 5.
    Loyal,
    /// Recent but not (yet) valuable: R ≥ 3.
    Potential,
    /// Valuable but not seen lately: R ≤ 2 and F + M ≥ 5.
    AtRisk,
    /// Fading: R = 2.
    Hibernating,
    /// Gone: R = 1.
    Lost,
}

impl Segment {
    /// Every segment, best first.
    pub const ALL: [Segment; 6] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::Potential,
        Segment::AtRisk,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// The name stored in `rfm_segment`.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::Potential => "potential",
            Segment::AtRisk => "at_risk",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    /// The segment of scores `r`, `f`, `m` (each 1 to 4); the first rule
    /// that holds wins.
    pub fn of(r: u8, f: u8, m: u8) -> Segment {
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
}

/// What scoring needs to know of all users: quartiles of recency,
/// transactions and deposits, the ticket cutoffs, and the largest raw CLV.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// The reference date recency is counted from.
    pub reference: Date,
    /// Quartiles of days since the last activity.
    pub recency: [f64; 3],
    /// Quartiles of completed transactions.
    pub frequency: [f64; 3],
    /// Quartiles of deposited amounts.
    pub monetary: [f64; 3],
    /// The two quantiles of average tickets (users with bets only).
    pub tickets: Option<[f64; 2]>,
    /// The largest raw CLV, which scales every user's into 0–1.
    pub max_clv: f64,
}

const QUARTILES: [f64; 3] = [0.25, 0.5, 0.75];

impl Population {
    /// Reads the population off `users`, with tickets split at
    /// `ticket_quantiles`.
    pub fn of(users: &[UserAggregates], reference: Date, ticket_quantiles: [f64; 2]) -> Self {
        let mut values = PopulationValues::with_capacity(users.len());
        for u in users {
            values.add(u, reference);
        }
        values.finish(reference, ticket_quantiles)
    }
}

/// The values a [`Population`] is read off, collected a user at a time
/// (in parts that are appended to each other, in any order).
#[derive(Debug, Default)]
pub struct PopulationValues {
    recency: Vec<f64>,
    frequency: Vec<f64>,
    monetary: Vec<f64>,
    tickets: Vec<f64>,
    max_clv: f64,
}

impl PopulationValues {
    /// Room for `users` users.
    pub fn with_capacity(users: usize) -> Self {
        PopulationValues {
            recency: Vec::with_capacity(users),
            frequency: Vec::with_capacity(users),
            monetary: Vec::with_capacity(users),
            tickets: Vec::with_capacity(users),
            max_clv: 0.0,
        }
    }

    /// Counts `user` in, as of `reference`.
    pub fn add(&mut self, user: &UserAggregates, reference: Date) {
        self.recency.push(user.recency_days(reference) as f64);
        self.frequency.push(user.transactions as f64);
        self.monetary.push(units(user.total(DEPOSIT).cents));
        self.tickets.extend(features::avg_ticket(user));
        self.max_clv = self.max_clv.max(raw_clv(user, reference));
    }

    /// Counts in every user `other` counted.
    pub fn append(&mut self, mut other: PopulationValues) {
        self.recency.append(&mut other.recency);
        self.frequency.append(&mut other.frequency);
        self.monetary.append(&mut other.monetary);
        self.tickets.append(&mut other.tickets);
        self.max_clv = self.max_clv.max(other.max_clv);
    }

    /// The population as of `reference`, tickets split at
    /// `ticket_quantiles`.
    pub fn finish(self, reference: Date, ticket_quantiles: [f64; 2]) -> Population {
        let quartiles = |values: Vec<f64>| quantile::cutoffs(values, QUARTILES).unwrap_or_default();
        Population {
            reference,
            recency: quartiles(self.recency),
            frequency: quartiles(self.frequency),
            monetary: quartiles(self.monetary),
            tickets: quantile::cutoffs(self.tickets, ticket_quantiles),
            max_clv: self.max_clv,
        }
    }
}

/// One user's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// 1 (longest since the last activity) to 4 (most recent).
    pub recency_score: u8,
    /// 1 (fewest transactions) to 4 (most).
    pub frequency_score: u8,
    /// 1 (least deposited) to 4 (most).
    pub monetary_score: u8,
    /// The segment of the three.
    pub rfm_segment: Segment,
    /// ln(1 + raw CLV) / ln(1 + the population's largest), 0 to 1.
    pub clv_score: f64,
    /// 1 − exp(−days since the last activity / mean gap between active
    /// days), 0 to 1.
    pub churn_risk_score: f64,
    /// Mean of the normalised entropies over game types, weekdays and
    /// dayparts, 0 to 1.
    pub behavioral_diversity_score: f64,
}

/// 1 + how many of `quartiles` `value` is above.
fn above(value: f64, quartiles: [f64; 3]) -> u8 {
    1 + quartiles.iter().filter(|&&q| value > q).count() as u8
}

/// 1 + how many of `quartiles` `value` is below (fewer days is better).
fn below(value: f64, quartiles: [f64; 3]) -> u8 {
    1 + quartiles.iter().filter(|&&q| value < q).count() as u8
}

/// Churn risk from how long the user has been away against their own rhythm.
pub fn churn_risk(user: &UserAggregates, reference: Date) -> f64 {
    let gap = features::mean_gap(user)
        .unwrap_or(DEFAULT_GAP_DAYS)
        .max(1.0);
    1.0 - (-(user.recency_days(reference) as f64) / gap).exp()
}

/// Net deposits (never below 0) weighted by the chance the user stays.
pub fn raw_clv(user: &UserAggregates, reference: Date) -> f64 {
    let net = units(user.total(DEPOSIT).cents - user.total(WITHDRAWAL).cents).max(0.0);
    net * (1.0 - churn_risk(user, reference))
}

/// Scores `user` against `population`.
pub fn score(user: &UserAggregates, population: &Population) -> Scores {
    let reference = population.reference;
    let r = below(user.recency_days(reference) as f64, population.recency);
    let f = above(user.transactions as f64, population.frequency);
    let m = above(units(user.total(DEPOSIT).cents), population.monetary);
    let clv_score = if population.max_clv > 0.0 {
        (raw_clv(user, reference).ln_1p() / population.max_clv.ln_1p()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Scores {
        recency_score: r,
        frequency_score: f,
        monetary_score: m,
        rfm_segment: Segment::of(r, f, m),
        clv_score,
        churn_risk_score: churn_risk(user, reference),
        behavioral_diversity_score: (normalized_entropy(&user.bets_by_game)
            + normalized_entropy(&user.by_weekday)
            + normalized_entropy(&user.by_daypart))
            / 3.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::aggregates::{GapStats, TypeTotal, sample};
    use time::macros::date;

    #[test]
    fn segments_follow_the_documented_rules() {
        assert_eq!(Segment::of(4, 3, 3), Segment::Champions);
        assert_eq!(Segment::of(4, 3, 2), Segment::Loyal);
        assert_eq!(Segment::of(3, 4, 4), Segment::Loyal);
        assert_eq!(Segment::of(3, 1, 1), Segment::Potential);
        assert_eq!(Segment::of(2, 4, 1), Segment::AtRisk);
        assert_eq!(Segment::of(1, 3, 2), Segment::AtRisk);
        assert_eq!(Segment::of(2, 2, 2), Segment::Hibernating);
        assert_eq!(Segment::of(1, 2, 2), Segment::Lost);
    }

    #[test]
    fn segments_are_listed_in_the_order_of_their_discriminants() {
        // Counters indexed by `segment as usize` rely on it.
        for (i, segment) in Segment::ALL.iter().enumerate() {
            assert_eq!(*segment as usize, i);
        }
    }

    #[test]
    fn quartile_scores_count_cutoffs_passed() {
        let q = [1.0, 2.0, 3.0];
        assert_eq!(
            [above(0.5, q), above(1.0, q), above(2.5, q), above(9.0, q)],
            [1, 1, 3, 4]
        );
        assert_eq!(
            [below(0.0, q), below(1.0, q), below(3.0, q), below(9.0, q)],
            [4, 3, 1, 1]
        );
    }

    #[test]
    fn churn_grows_with_absence_against_the_users_rhythm() {
        let reference = date!(2025 - 06 - 30);
        let mut u = sample::user(reference);
        assert_eq!(churn_risk(&u, reference), 0.0);
        // Away 14 days, active every 7 days on average: 1 - e^-2.
        u.last_day = date!(2025 - 06 - 16);
        u.gaps = GapStats {
            count: 2,
            sum: 14,
            sum_squares: 98,
        };
        assert!((churn_risk(&u, reference) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
        // A single active day counts a week as its rhythm.
        u.gaps = GapStats::default();
        assert!((churn_risk(&u, reference) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn clv_scales_to_the_best_user() {
        let reference = date!(2025 - 06 - 30);
        let mut rich = sample::user(reference);
        rich.by_type[DEPOSIT] = TypeTotal {
            count: 1,
            cents: 100_000,
        };
        let mut poor = sample::user(reference);
        poor.user_id = "u2".to_string();
        poor.by_type[DEPOSIT] = TypeTotal {
            count: 1,
            cents: 1_000,
        };
        poor.by_type[WITHDRAWAL] = TypeTotal {
            count: 1,
            cents: 5_000,
        };
        let population = Population::of(&[rich.clone(), poor.clone()], reference, [0.33, 0.67]);
        assert_eq!(population.max_clv, 1000.0);
        assert_eq!(score(&rich, &population).clv_score, 1.0);
        // Withdrew more than deposited: no value left.
        assert_eq!(score(&poor, &population).clv_score, 0.0);
        assert_eq!(score(&rich, &population).monetary_score, 4);
        assert_eq!(score(&poor, &population).monetary_score, 1);
    }
}
