//! What an odds enricher derives from prices: each quote's worth without
//! its bookmaker's margin, and each selection across bookmakers
//! (contract 0.3.0).

use serde::Serialize;

/// One bookmaker's price with its margin removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairPrice {
    /// The data source whose id space `event` belongs to.
    pub provider: String,
    /// Provider id of the event.
    pub event: String,
    /// Bookmaker key.
    pub bookmaker: String,
    /// Market key.
    pub market: String,
    /// The outcome priced.
    pub selection: String,
    /// Whom a player market's selection is about.
    pub participant: Option<String>,
    /// Handicap or total.
    pub line: Option<f64>,
    /// The quoted decimal price.
    pub price: f64,
    /// 1 / price.
    pub implied_probability: f64,
    /// The book's implied probabilities summed, minus 1.
    pub overround: f64,
    /// The implied probability without the margin.
    pub fair_probability: f64,
    /// 1 / fair probability.
    pub fair_price: f64,
}

/// One selection across the bookmakers that price it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketConsensus {
    /// The data source whose id space `event` belongs to.
    pub provider: String,
    /// Provider id of the event.
    pub event: String,
    /// Market key.
    pub market: String,
    /// The outcome priced.
    pub selection: String,
    /// Whom a player market's selection is about.
    pub participant: Option<String>,
    /// Handicap or total.
    pub line: Option<f64>,
    /// The highest price on offer.
    pub best_price: f64,
    /// Who offers it.
    pub best_bookmaker: String,
    /// Mean of the bookmakers' fair probabilities.
    pub consensus_probability: f64,
    /// 1 / consensus probability.
    pub consensus_price: f64,
    /// How many bookmakers price the selection.
    pub bookmakers: u32,
}
