//! What a scorer (world `scorer`, contract 0.5.0) implements and
//! exchanges: the population's per-user aggregates in, each user's scores
//! out. Export an implementation of [`Score`] with
//! [`crate::export_scorer!`].

pub use crate::scorer_bindings::exports::sluice::plugin::score::Guest as Score;
pub use crate::scorer_bindings::sluice::plugin::scoring::{
    Population, Segment, UserAggregates, UserScores,
};
pub use crate::transformer_bindings::sluice::plugin::types::{Params, PluginError};
