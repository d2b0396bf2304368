//! A scorer the tests steer with `mode`:
//! - `plain` (default): every user scored alike (R, F, M 2, segment
//!   `hibernating`, churn risk 0.5, the rest 0);
//! - `skip`: the last user left out;
//! - `stranger`: a user scored who was not handed in;
//! - `out-of-range`: a churn risk of 1.5;
//! - `error`: returns an error;
//! - `loop`: never returns;
//! - `memory-bomb`: allocates without end.

use sluice_plugin_sdk::params;
use sluice_plugin_sdk::score::{Params, PluginError, Population, Score, Segment, UserScores};

struct Probe;

fn plain(user_id: String) -> UserScores {
    UserScores {
        user_id,
        recency_score: 2,
        frequency_score: 2,
        monetary_score: 2,
        rfm_segment: Segment::Hibernating,
        clv_score: 0.0,
        churn_risk_score: 0.5,
        behavioral_diversity_score: 0.0,
    }
}

impl Score for Probe {
    fn score(params: Params, population: Population) -> Result<Vec<UserScores>, PluginError> {
        let mut scores: Vec<UserScores> = population
            .users
            .into_iter()
            .map(|u| plain(u.user_id))
            .collect();
        match params::get(&params, "mode").unwrap_or("plain") {
            "skip" => {
                scores.pop();
            }
            "stranger" => scores.push(plain("nobody".to_string())),
            "out-of-range" => {
                for s in &mut scores {
                    s.churn_risk_score = 1.5;
                }
            }
            "error" => {
                return Err(PluginError::InvalidParams(
                    "the probe was told to fail".into(),
                ));
            }
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "memory-bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            _ => {}
        }
        Ok(scores)
    }
}

sluice_plugin_sdk::export_scorer!(Probe);
