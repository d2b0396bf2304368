//! The `odds-maths` enricher: each bookmaker's back price with its margin
//! removed (`fair-price`), and each selection's best price and no-margin
//! consensus across bookmakers (`market-consensus`).
//!
//! The maths is plain functions over the SDK's record types, tested
//! natively; only the export at the bottom is WebAssembly-specific.

mod book;
mod consensus;
mod quote;

use sluice_plugin_sdk::{Enrich, Params, PluginError, Record};

/// The contract's types, as the SDK binds them, for the tests that build
/// records from recorded payloads.
pub use sluice_plugin_sdk::bindings::sluice::plugin::types;

/// The batch's records unchanged and in order, followed by the fair price of
/// every usable quote and then the consensus of every selection.
///
/// Never panics: a quote the maths cannot use (price not above 1 or not
/// finite, line not finite, an exchange's lay market) only passes through.
pub fn enrich(records: Vec<Record>) -> Vec<Record> {
    let derived = {
        let quotes = quote::usable(&records);
        let assessed = book::assess(&quotes);
        let consensus = consensus::of(&assessed);
        assessed
            .into_iter()
            .filter_map(|a| a.fair.map(Record::FairPrice))
            .chain(consensus.into_iter().map(Record::MarketConsensus))
            .collect::<Vec<_>>()
    };
    let mut out = records;
    out.extend(derived);
    out
}

/// The exported enricher. It works on any stream and has no params; it
/// never fails.
pub struct OddsMaths;

impl Enrich for OddsMaths {
    fn enrich(
        _stream: String,
        _params: Params,
        records: Vec<Record>,
    ) -> Result<Vec<Record>, PluginError> {
        Ok(enrich(records))
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_enricher!(OddsMaths);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::tests::quote;

    fn finite(record: &Record) -> bool {
        match record {
            Record::FairPrice(f) => [
                f.price,
                f.implied_probability,
                f.overround,
                f.fair_probability,
                f.fair_price,
            ]
            .iter()
            .all(|x| x.is_finite()),
            Record::MarketConsensus(c) => {
                [c.best_price, c.consensus_probability, c.consensus_price]
                    .iter()
                    .all(|x| x.is_finite())
            }
            _ => false,
        }
    }

    #[test]
    fn hostile_quotes_pass_through_and_derive_only_finite_figures() {
        let prices = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            1.0,
            1.0 + f64::EPSILON,
            2.0,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        let lines = [
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(0.0),
            Some(-0.0),
            Some(1.5),
            Some(-1.5),
            Some(f64::MAX),
            Some(-f64::MAX),
        ];
        let mut records = Vec::new();
        for (i, price) in prices.into_iter().enumerate() {
            for line in lines {
                for selection in ["", "Draw", "A", "B"] {
                    for market in ["", "h2h_lay", "h2h"] {
                        let bookmaker = format!("b{}", i % 3);
                        let quote = quote(&bookmaker, market, selection, line, price);
                        records.push(Record::Odds(quote));
                    }
                }
            }
        }
        let out = enrich(records.clone());
        // Compared as text: NaN is not equal to itself.
        assert_eq!(
            format!("{:?}", &out[..records.len()]),
            format!("{records:?}")
        );
        let derived = &out[records.len()..];
        assert!(!derived.is_empty());
        let bad: Vec<_> = derived.iter().filter(|r| !finite(r)).take(3).collect();
        assert!(bad.is_empty(), "{bad:?}");
        assert!(enrich(Vec::new()).is_empty());
    }
}
