//! A loaded scorer: per-user scoring formulas as a plugin. The host hands
//! it the whole population's per-user aggregates in one call (so that a
//! formula can read quantiles and maxima off it) and it answers with each
//! user's scores; each answer is checked (every user scored once, RFM
//! scores 1 to 4, the other scores finite and within 0 to 1) before the
//! host believes it. Same sandbox and limits as every plugin.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::bindings::{self, scorer};
use super::component;
use super::manifest::WorldManifest;
use super::runner::Runner;
use super::sandbox::SandboxState;
use super::world::World;
use super::{PluginEngine, PluginError};

pub use scorer::scoring::{Population, Segment, UserAggregates, UserScores};

/// Contract versions a scorer may be built for: the world arrived in 0.5.0.
pub const ACCEPTED_SCORER_VERSIONS: &[&str] = &["0.5.0"];

const WORLD: World = World {
    name: "scorer",
    export: "sluice:plugin/score@",
    accepted: ACCEPTED_SCORER_VERSIONS,
};

/// A compiled scorer, ready to be called any number of times.
pub struct Scorer {
    manifest: WorldManifest,
    sha256: String,
    path: PathBuf,
    pre: scorer::ScorerPre<SandboxState>,
    runner: Runner,
}

crate::instantiate_via!(scorer::ScorerPre<SandboxState> => scorer::Scorer);

impl Scorer {
    /// Loads `wasm` and the manifest beside it and checks its contract.
    pub fn load(engine: &PluginEngine, wasm: &Path) -> Result<Self, PluginError> {
        let name = component::name_of(wasm);
        let manifest = WorldManifest::load(&component::manifest_path(wasm)?, &name, "scorer")?;
        let (sha256, component) = component::compile(engine, wasm, None)?;
        WORLD.check(engine, &component, wasm, &manifest.wit)?;
        let pre = component::link(engine, &component, wasm, scorer::ScorerPre::new)?;
        let runner = Runner::new(
            engine,
            &manifest.name,
            &manifest.version,
            engine.limits.narrowed(&manifest.limits),
            None,
        );
        Ok(Scorer {
            manifest,
            sha256,
            path: wasm.to_path_buf(),
            pre,
            runner,
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &WorldManifest {
        &self.manifest
    }

    /// Hex sha256 of the component file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Where the component was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Scores every user of `population` with `params`; the scores come
    /// back in the order of `population.users`. User ids must be distinct.
    pub fn score(
        &self,
        population: &Population,
        params: &[(String, String)],
    ) -> Result<Vec<UserScores>, PluginError> {
        let params = params.to_vec();
        let answer = self.runner.call(&self.pre, "score", |store, plugin| {
            plugin
                .sluice_plugin_score()
                .call_score(store, &params, population)
        })?;
        let answer = answer.map_err(|e| self.returned(bindings::describe(&e)))?;
        let size = answer.iter().map(|s| 64 + s.user_id.len()).sum();
        self.runner.check_output("score", size)?;
        in_input_order(population, answer).map_err(|m| self.returned(m))
    }

    fn returned(&self, message: String) -> PluginError {
        PluginError::Returned {
            plugin: self.manifest.name.clone(),
            call: "score",
            message,
        }
    }
}

/// The answer checked and put in the order of the users handed in: each
/// user once, no other, every score in its range.
fn in_input_order(
    population: &Population,
    answer: Vec<UserScores>,
) -> Result<Vec<UserScores>, String> {
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(population.users.len());
    for (i, user) in population.users.iter().enumerate() {
        if at.insert(user.user_id.as_str(), i).is_some() {
            return Err(format!(
                "was handed user `{}` twice (the host's error)",
                user.user_id
            ));
        }
    }
    let mut slots: Vec<Option<UserScores>> = vec![None; population.users.len()];
    for scores in answer {
        check(&scores)?;
        let Some(&i) = at.get(scores.user_id.as_str()) else {
            return Err(format!(
                "scored user `{}`, who is not in the population",
                excerpt(&scores.user_id)
            ));
        };
        if slots[i].is_some() {
            return Err(format!("scored user `{}` twice", scores.user_id));
        }
        slots[i] = Some(scores);
    }
    let missing = slots.iter().filter(|s| s.is_none()).count();
    if let Some(first) = slots.iter().position(Option::is_none) {
        return Err(format!(
            "left {missing} of {} users unscored, the first `{}`",
            slots.len(),
            population.users[first].user_id
        ));
    }
    Ok(slots.into_iter().flatten().collect())
}

/// RFM scores 1 to 4; the other scores finite, 0 to 1.
fn check(s: &UserScores) -> Result<(), String> {
    for (name, value) in [
        ("recency-score", s.recency_score),
        ("frequency-score", s.frequency_score),
        ("monetary-score", s.monetary_score),
    ] {
        if !(1..=4).contains(&value) {
            return Err(format!(
                "gave user `{}` {name} {value}, outside 1 to 4",
                s.user_id
            ));
        }
    }
    for (name, value) in [
        ("clv-score", s.clv_score),
        ("churn-risk-score", s.churn_risk_score),
        ("behavioral-diversity-score", s.behavioral_diversity_score),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(format!(
                "gave user `{}` {name} {value}, outside 0 to 1",
                s.user_id
            ));
        }
    }
    Ok(())
}

fn excerpt(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
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

    fn scores(id: &str, churn: f64) -> UserScores {
        UserScores {
            user_id: id.to_string(),
            recency_score: 4,
            frequency_score: 1,
            monetary_score: 1,
            rfm_segment: Segment::Potential,
            clv_score: 0.0,
            churn_risk_score: churn,
            behavioral_diversity_score: 0.0,
        }
    }

    fn population() -> Population {
        Population {
            reference_date: "2025-06-30".to_string(),
            game_types: Vec::new(),
            users: vec![user("a"), user("b")],
        }
    }

    #[test]
    fn scores_come_back_in_the_order_of_the_users() {
        let out =
            in_input_order(&population(), vec![scores("b", 0.5), scores("a", 0.1)]).expect("valid");
        assert_eq!(out[0].user_id, "a");
        assert_eq!(out[1].user_id, "b");
    }

    #[test]
    fn a_missing_stranger_twice_scored_or_out_of_range_user_is_refused() {
        let p = population();
        let err = |a| in_input_order(&p, a).expect_err("refused");
        assert!(err(vec![scores("a", 0.1)]).contains("left 1 of 2 users unscored, the first `b`"));
        assert!(err(vec![scores("a", 0.1), scores("c", 0.1)]).contains("not in the population"));
        assert!(err(vec![scores("a", 0.1), scores("a", 0.1)]).contains("twice"));
        assert!(err(vec![scores("a", f64::NAN), scores("b", 0.1)]).contains("outside 0 to 1"));
        let mut bad = scores("a", 0.1);
        bad.recency_score = 5;
        assert!(err(vec![bad, scores("b", 0.1)]).contains("recency-score 5"));
    }
}
