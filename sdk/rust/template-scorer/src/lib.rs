//! The my-provider scorer: recency, frequency and monetary scored by fixed
//! thresholds (not the population's quartiles), the default segment rules,
//! CLV as net deposits against the population's largest, churn risk as days
//! away over 90, and diversity as the share of game types played.

use sluice_plugin_sdk::score::{
    Params, PluginError, Population, Score, Segment, UserAggregates, UserScores,
};

/// The scorer.
pub struct MyProvider;

/// 1 + how many of `thresholds` `value` reaches.
fn band(value: f64, thresholds: [f64; 3]) -> u8 {
    1 + thresholds.iter().filter(|&&t| value >= t).count() as u8
}

/// The segment of scores `r`, `f`, `m`; the first rule that holds wins.
fn segment(r: u8, f: u8, m: u8) -> Segment {
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

fn net_deposits(u: &UserAggregates) -> f64 {
    ((u.deposit_cents - u.withdrawal_cents) as f64 / 100.0).max(0.0)
}

fn scores(u: &UserAggregates, best: f64) -> UserScores {
    // Fewer days away is better: 4 within a week, 1 after three months.
    let r = 5 - band(f64::from(u.recency_days), [8.0, 31.0, 91.0]);
    let f = band(u.transactions as f64, [10.0, 50.0, 200.0]);
    let m = band(u.deposit_cents as f64 / 100.0, [100.0, 1_000.0, 10_000.0]);
    let played = u.bets_by_game.iter().filter(|&&n| n > 0).count();
    UserScores {
        user_id: u.user_id.clone(),
        recency_score: r,
        frequency_score: f,
        monetary_score: m,
        rfm_segment: segment(r, f, m),
        clv_score: if best > 0.0 {
            net_deposits(u) / best
        } else {
            0.0
        },
        churn_risk_score: (f64::from(u.recency_days) / 90.0).min(1.0),
        behavioral_diversity_score: played as f64 / u.bets_by_game.len().max(1) as f64,
    }
}

impl Score for MyProvider {
    fn score(_params: Params, population: Population) -> Result<Vec<UserScores>, PluginError> {
        let best = population.users.iter().map(net_deposits).fold(0.0, f64::max);
        Ok(population.users.iter().map(|u| scores(u, best)).collect())
    }
}

// Exported from the component only: native builds (the tests) link without it.
#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_scorer!(MyProvider);

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, recency_days: u32, deposit_cents: i64) -> UserAggregates {
        UserAggregates {
            user_id: id.to_string(),
            transactions: 60,
            active_days: 20,
            recency_days,
            tenure_days: 200,
            deposits: 3,
            deposit_cents,
            withdrawals: 0,
            withdrawal_cents: 0,
            bets: 50,
            bet_cents: 10_000,
            wins: 5,
            win_cents: 2_000,
            bonuses: 0,
            bonus_cents: 0,
            bets_by_game: vec![10, 0, 0, 40, 0],
            by_weekday: vec![1; 7],
            by_daypart: vec![1; 4],
            gap_count: 19,
            gap_sum: 180,
            gap_sum_squares: 2_000,
        }
    }

    #[test]
    fn scores_every_user_against_the_best() {
        let population = Population {
            reference_date: "2025-06-30".into(),
            game_types: ["casino", "crash", "poker", "slots", "sports"]
                .map(String::from)
                .to_vec(),
            users: vec![user("a", 2, 500_000), user("b", 120, 100_000)],
        };
        let out = MyProvider::score(Vec::new(), population).expect("scores");
        assert_eq!(out[0].recency_score, 4);
        assert_eq!(out[0].rfm_segment, Segment::Champions);
        assert_eq!(out[0].clv_score, 1.0);
        assert_eq!(out[1].recency_score, 1);
        assert_eq!(out[1].churn_risk_score, 1.0);
        assert_eq!(out[1].clv_score, 0.2);
        assert_eq!(out[1].behavioral_diversity_score, 0.4);
    }
}
