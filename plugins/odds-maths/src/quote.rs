//! Which odds quotes the maths can use.

use sluice_plugin_sdk::{OddsQuote, Record};
use std::collections::HashMap;

/// A line as a hash key: its bits, with `-0` and `0` one line, as the host
/// compares them.
pub(crate) fn line_key(line: Option<f64>) -> Option<u64> {
    line.map(|l| if l == 0.0 { 0 } else { l.to_bits() })
}

/// Whether `market` is the lay side of an exchange (`h2h_lay`,
/// `outrights_lay`). A lay price is what a layer pays out, not a bet on the
/// selection: `1 / price` is no back probability, a lay book sums below 1,
/// and the best lay price is the lowest. So lay quotes get no maths.
pub(crate) fn is_lay(market: &str) -> bool {
    market.ends_with("_lay")
}

/// Whether the maths can use `quote`: a back market, a finite decimal price
/// above 1 and a finite line. Anything else is left to the host's quality
/// gate.
fn is_usable(quote: &OddsQuote) -> bool {
    quote.price.is_finite()
        && quote.price > 1.0
        && quote.line.is_none_or(f64::is_finite)
        && !is_lay(&quote.market)
}

/// Everything that names one quote; a batch holding two keeps the last, as
/// the host does when it loads them.
type Identity<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<u64>,
);

fn identity(quote: &OddsQuote) -> Identity<'_> {
    (
        &quote.event,
        &quote.bookmaker,
        &quote.market,
        quote.participant.as_deref(),
        &quote.selection,
        line_key(quote.line),
    )
}

/// The usable quotes of `records`, in input order, each quote only once
/// (its last occurrence).
pub(crate) fn usable(records: &[Record]) -> Vec<&OddsQuote> {
    let candidates: Vec<&OddsQuote> = records
        .iter()
        .filter_map(|record| match record {
            Record::Odds(quote) if is_usable(quote) => Some(quote),
            _ => None,
        })
        .collect();
    let mut last = HashMap::with_capacity(candidates.len());
    for (position, quote) in candidates.iter().enumerate() {
        last.insert(identity(quote), position);
    }
    candidates
        .iter()
        .enumerate()
        .filter(|(position, quote)| last.get(&identity(quote)) == Some(position))
        .map(|(_, quote)| *quote)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A quote of `bookmaker` on `selection` of event `e1`.
    pub(crate) fn quote(
        bookmaker: &str,
        market: &str,
        selection: &str,
        line: Option<f64>,
        price: f64,
    ) -> OddsQuote {
        OddsQuote {
            event: "e1".to_string(),
            bookmaker: bookmaker.to_string(),
            bookmaker_name: None,
            market: market.to_string(),
            selection: selection.to_string(),
            participant: None,
            line,
            price,
            provider_updated_at: None,
        }
    }

    fn prices(quotes: &[&OddsQuote]) -> Vec<f64> {
        quotes.iter().map(|q| q.price).collect()
    }

    #[test]
    fn unusable_prices_lines_and_lay_markets_are_left_out() {
        let records: Vec<Record> = [
            quote("b", "h2h", "A", None, 2.0),
            quote("b", "h2h", "B", None, 1.0),
            quote("b", "h2h", "C", None, 0.5),
            quote("b", "h2h", "D", None, f64::NAN),
            quote("b", "h2h", "E", None, f64::INFINITY),
            quote("b", "h2h", "F", None, -3.0),
            quote("b", "spreads", "G", Some(f64::NAN), 1.9),
            quote("b", "spreads", "H", Some(f64::NEG_INFINITY), 1.9),
            quote("b", "h2h_lay", "A", None, 2.1),
            quote("b", "h2h", "I", None, 1.0001),
        ]
        .into_iter()
        .map(Record::Odds)
        .collect();
        assert_eq!(prices(&usable(&records)), [2.0, 1.0001]);
    }

    #[test]
    fn a_repeated_quote_counts_once_as_its_last_occurrence() {
        let records: Vec<Record> = [
            quote("b", "spreads", "A", Some(-0.0), 1.8),
            quote("b", "spreads", "B", Some(0.0), 2.0),
            quote("b", "spreads", "A", Some(0.0), 1.85),
        ]
        .into_iter()
        .map(Record::Odds)
        .collect();
        assert_eq!(prices(&usable(&records)), [2.0, 1.85], "-0 is 0");
    }
}
