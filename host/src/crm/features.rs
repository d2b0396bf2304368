//! Behaviour and time features of one user, from that user's aggregates
//! alone (the ticket band also needs the population's cutoffs). Amounts stay
//! integer cents until a ratio is taken here.

use super::aggregates::{
    BET, BONUS, DAYPARTS, DEPOSIT, GAME_TYPES, UserAggregates, WEEKDAYS, WIN, WITHDRAWAL,
};

/// Cents as currency units, for ratios.
pub fn units(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Shannon entropy of `counts` divided by its maximum, `ln(counts.len())`:
/// 0 when everything falls in one bucket (or none), 1 when spread evenly.
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

/// The index of the largest count, the first on ties; `None` when all are 0.
fn top(counts: &[u64]) -> Option<usize> {
    let (mut best, mut at) = (0, None);
    for (i, &c) in counts.iter().enumerate() {
        if c > best {
            best = c;
            at = Some(i);
        }
    }
    at
}

/// The mean bet amount, when the user has bets.
pub fn avg_ticket(user: &UserAggregates) -> Option<f64> {
    let bets = user.total(BET);
    (bets.count > 0).then(|| units(bets.cents) / bets.count as f64)
}

/// What a user bets on and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviour {
    /// The game type with the most bets (alphabetically first on ties).
    pub favorite_game_type: Option<&'static str>,
    /// Normalised entropy of bets over the five game types.
    pub game_diversity_score: f64,
    /// Population standard deviation of bet amounts over their mean.
    pub bet_volatility: Option<f64>,
    /// Mean bet amount.
    pub avg_ticket: Option<f64>,
    /// Deposits over withdrawals plus one currency unit.
    pub balance_ratio: f64,
    /// Wins over bets.
    pub payout_ratio: Option<f64>,
    /// Bonuses over deposits plus one currency unit.
    pub bonus_ratio: f64,
}

/// Computes [`Behaviour`].
pub fn behaviour(user: &UserAggregates) -> Behaviour {
    let bets = user.total(BET);
    let (avg_ticket, bet_volatility, payout_ratio) = if bets.count == 0 {
        (None, None, None)
    } else {
        let n = i128::from(bets.count);
        let sum = i128::from(bets.cents);
        // n·Σx² − (Σx)² is n² times the population variance, exact in cents².
        let spread = (n * user.bet_cents_squared - sum * sum).max(0);
        let volatility = if sum == 0 {
            0.0
        } else {
            (spread as f64).sqrt() / sum as f64
        };
        (
            avg_ticket(user),
            Some(volatility),
            (bets.cents != 0).then(|| user.total(WIN).cents as f64 / bets.cents as f64),
        )
    };
    Behaviour {
        favorite_game_type: top(&user.bets_by_game).map(|i| GAME_TYPES[i]),
        game_diversity_score: normalized_entropy(&user.bets_by_game),
        bet_volatility,
        avg_ticket,
        balance_ratio: units(user.total(DEPOSIT).cents)
            / (units(user.total(WITHDRAWAL).cents) + 1.0),
        payout_ratio,
        bonus_ratio: units(user.total(BONUS).cents) / (units(user.total(DEPOSIT).cents) + 1.0),
    }
}

/// `low`, `medium` or `high`: at most the first cutoff, at most the second,
/// above it.
pub fn ticket_category(avg_ticket: Option<f64>, cutoffs: Option<[f64; 2]>) -> Option<&'static str> {
    let (avg, [low, medium]) = (avg_ticket?, cutoffs?);
    Some(if avg <= low {
        "low"
    } else if avg <= medium {
        "medium"
    } else {
        "high"
    })
}

/// When a user plays.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// The `top` weekdays with the most transactions (Monday first on
    /// ties), comma-separated.
    pub preferred_weekdays: String,
    /// Share of transactions on Saturday and Sunday.
    pub weekend_activity_ratio: f64,
    /// The daypart with the most transactions (earliest on ties).
    pub activity_hours: &'static str,
    /// Share of transactions per daypart, in the order of [`DAYPARTS`].
    pub daypart_shares: [f64; 4],
    /// 1 / (1 + coefficient of variation of the gaps between active days);
    /// 0 with fewer than two gaps.
    pub activity_regularity: f64,
    /// Transactions per active day.
    pub frequency: f64,
}

/// Computes [`Timing`], listing `top` weekdays.
pub fn timing(user: &UserAggregates, top: usize) -> Timing {
    let total = user.transactions.max(1) as f64;
    let mut days: [usize; 7] = [0, 1, 2, 3, 4, 5, 6];
    // Stable: equal counts keep Monday-first order.
    days.sort_by(|a, b| user.by_weekday[*b].cmp(&user.by_weekday[*a]));
    let mut preferred_weekdays = String::with_capacity(4 * top.min(7));
    for &d in days.iter().filter(|&&d| user.by_weekday[d] > 0).take(top) {
        if !preferred_weekdays.is_empty() {
            preferred_weekdays.push(',');
        }
        preferred_weekdays.push_str(WEEKDAYS[d]);
    }
    let mut daypart_shares = [0.0; 4];
    for (share, &count) in daypart_shares.iter_mut().zip(&user.by_daypart) {
        *share = count as f64 / total;
    }
    Timing {
        preferred_weekdays,
        weekend_activity_ratio: (user.by_weekday[5] + user.by_weekday[6]) as f64 / total,
        activity_hours: top_daypart(user),
        daypart_shares,
        activity_regularity: regularity(user),
        frequency: user.transactions as f64 / user.active_days.max(1) as f64,
    }
}

fn top_daypart(user: &UserAggregates) -> &'static str {
    DAYPARTS[top(&user.by_daypart).unwrap_or(0)]
}

/// The mean gap between active days, when there is one.
pub fn mean_gap(user: &UserAggregates) -> Option<f64> {
    (user.gaps.count > 0).then(|| user.gaps.sum as f64 / user.gaps.count as f64)
}

fn regularity(user: &UserAggregates) -> f64 {
    let g = user.gaps;
    if g.count < 2 || g.sum <= 0 {
        return 0.0;
    }
    let n = g.count as f64;
    let mean = g.sum as f64 / n;
    let variance = (g.sum_squares as f64 / n - mean * mean).max(0.0);
    1.0 / (1.0 + variance.sqrt() / mean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::aggregates::{GapStats, TypeTotal, sample};
    use time::macros::date;

    #[test]
    fn entropy_is_zero_for_one_game_and_one_for_all_evenly() {
        assert_eq!(normalized_entropy(&[0, 9, 0, 0, 0]), 0.0);
        assert!((normalized_entropy(&[3, 3, 3, 3, 3]) - 1.0).abs() < 1e-12);
        // Two of five games evenly: ln 2 / ln 5.
        assert!((normalized_entropy(&[1, 1, 0, 0, 0]) - 2f64.ln() / 5f64.ln()).abs() < 1e-12);
        assert_eq!(normalized_entropy(&[0, 0, 0]), 0.0);
    }

    #[test]
    fn bets_give_ticket_volatility_and_favourite() {
        let mut u = sample::user(date!(2025 - 06 - 30));
        // Bets of 10.00, 20.00 and 30.00 on crash, crash, sports.
        u.bets_by_game = [0, 2, 0, 0, 1];
        u.by_type[BET] = TypeTotal {
            count: 3,
            cents: 6000,
        };
        u.bet_cents_squared = 1000 * 1000 + 2000 * 2000 + 3000 * 3000;
        u.by_type[WIN] = TypeTotal {
            count: 1,
            cents: 3000,
        };
        u.by_type[DEPOSIT] = TypeTotal {
            count: 1,
            cents: 9900,
        };
        let b = behaviour(&u);
        assert_eq!(b.favorite_game_type, Some("crash"));
        assert_eq!(b.avg_ticket, Some(20.0));
        // Population sd of 10, 20, 30 is sqrt(200/3) = 8.1650; over 20: 0.40825.
        assert!((b.bet_volatility.unwrap_or(0.0) - (200.0f64 / 3.0).sqrt() / 20.0).abs() < 1e-12);
        assert_eq!(b.payout_ratio, Some(0.5));
        // 99.00 deposited, nothing withdrawn: 99 / (0 + 1).
        assert_eq!(b.balance_ratio, 99.0);
        assert_eq!(
            ticket_category(b.avg_ticket, Some([20.0, 50.0])),
            Some("low")
        );
        assert_eq!(
            ticket_category(b.avg_ticket, Some([10.0, 50.0])),
            Some("medium")
        );
        assert_eq!(
            ticket_category(b.avg_ticket, Some([5.0, 10.0])),
            Some("high")
        );
    }

    #[test]
    fn no_bets_leave_bet_features_empty() {
        let u = sample::user(date!(2025 - 06 - 30));
        let b = behaviour(&u);
        assert_eq!(
            (b.favorite_game_type, b.avg_ticket, b.bet_volatility),
            (None, None, None)
        );
        assert_eq!(ticket_category(b.avg_ticket, Some([1.0, 2.0])), None);
        assert_eq!(b.game_diversity_score, 0.0);
    }

    #[test]
    fn timing_reads_weekdays_dayparts_and_gaps() {
        let mut u = sample::user(date!(2025 - 06 - 30));
        u.transactions = 8;
        u.active_days = 4;
        u.by_weekday = [1, 0, 0, 0, 2, 3, 2];
        u.by_daypart = [0, 1, 3, 4];
        // Active days 1, 3, 5, 9 apart by 2, 2, 4: mean 8/3, sd sqrt(8/9).
        u.gaps = GapStats {
            count: 3,
            sum: 8,
            sum_squares: 24,
        };
        let t = timing(&u, 2);
        assert_eq!(t.preferred_weekdays, "sat,fri");
        assert_eq!(t.weekend_activity_ratio, 5.0 / 8.0);
        assert_eq!(t.activity_hours, "night");
        assert_eq!(t.daypart_shares, [0.0, 0.125, 0.375, 0.5]);
        assert_eq!(t.frequency, 2.0);
        let cv = (8.0f64 / 9.0).sqrt() / (8.0 / 3.0);
        assert!((t.activity_regularity - 1.0 / (1.0 + cv)).abs() < 1e-12);
        u.gaps = GapStats {
            count: 1,
            sum: 5,
            sum_squares: 25,
        };
        assert_eq!(timing(&u, 2).activity_regularity, 0.0);
    }
}
