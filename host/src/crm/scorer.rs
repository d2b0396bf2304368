//! The scores from a scorer plugin (`[crm.features] scorer`) instead of
//! `scores.rs`: the population's aggregates handed over in the contract's
//! terms in one call, each user's scores read back in the users' order.

use time::Date;

use super::CrmError;
use super::aggregates::{BET, BONUS, DEPOSIT, GAME_TYPES, UserAggregates, WIN, WITHDRAWAL};
use super::scores::{Scores, Segment};
use crate::plugin::Scorer;
use crate::plugin::scorer as contract;

/// The users as the contract's population, as of `reference`.
pub fn population(users: &[UserAggregates], reference: Date) -> contract::Population {
    let days = |d: i64| u32::try_from(d.max(0)).unwrap_or(u32::MAX);
    contract::Population {
        reference_date: reference.to_string(),
        game_types: GAME_TYPES.iter().map(|g| (*g).to_string()).collect(),
        users: users
            .iter()
            .map(|u| contract::UserAggregates {
                user_id: u.user_id.clone(),
                transactions: u.transactions,
                active_days: u.active_days,
                recency_days: days(u.recency_days(reference)),
                tenure_days: days((reference - u.first_day).whole_days()),
                deposits: u.total(DEPOSIT).count,
                deposit_cents: u.total(DEPOSIT).cents,
                withdrawals: u.total(WITHDRAWAL).count,
                withdrawal_cents: u.total(WITHDRAWAL).cents,
                bets: u.total(BET).count,
                bet_cents: u.total(BET).cents,
                wins: u.total(WIN).count,
                win_cents: u.total(WIN).cents,
                bonuses: u.total(BONUS).count,
                bonus_cents: u.total(BONUS).cents,
                bets_by_game: u.bets_by_game.to_vec(),
                by_weekday: u.by_weekday.to_vec(),
                by_daypart: u.by_daypart.to_vec(),
                gap_count: u.gaps.count,
                gap_sum: u.gaps.sum,
                gap_sum_squares: u.gaps.sum_squares,
            })
            .collect(),
    }
}

/// Every user's scores from `scorer`, in the order of `users`.
pub fn scores(
    scorer: &Scorer,
    users: &[UserAggregates],
    reference: Date,
) -> Result<Vec<Scores>, CrmError> {
    let answer = scorer.score(&population(users, reference), &[])?;
    Ok(answer.into_iter().map(from_contract).collect())
}

fn from_contract(s: contract::UserScores) -> Scores {
    Scores {
        recency_score: s.recency_score,
        frequency_score: s.frequency_score,
        monetary_score: s.monetary_score,
        rfm_segment: match s.rfm_segment {
            contract::Segment::Champions => Segment::Champions,
            contract::Segment::Loyal => Segment::Loyal,
            contract::Segment::Potential => Segment::Potential,
            contract::Segment::AtRisk => Segment::AtRisk,
            contract::Segment::Hibernating => Segment::Hibernating,
            contract::Segment::Lost => Segment::Lost,
        },
        clv_score: s.clv_score,
        churn_risk_score: s.churn_risk_score,
        behavioral_diversity_score: s.behavioral_diversity_score,
    }
}
