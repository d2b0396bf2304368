//! Each selection across the bookmakers that price it.

use crate::book::Assessed;
use crate::quote::line_key;
use sluice_plugin_sdk::MarketConsensus;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One selection of one market, whoever prices it.
#[derive(PartialEq, Eq, Hash)]
struct SelectionKey<'a> {
    event: &'a str,
    market: &'a str,
    participant: Option<&'a str>,
    selection: &'a str,
    line: Option<u64>,
}

impl<'a> SelectionKey<'a> {
    fn of(assessed: &Assessed<'a>) -> Self {
        let quote = assessed.quote;
        SelectionKey {
            event: &quote.event,
            market: &quote.market,
            participant: quote.participant.as_deref(),
            selection: &quote.selection,
            line: line_key(quote.line),
        }
    }
}

/// The consensus of every selection in `assessed`, in the order each first
/// appears. A selection none of whose bookmakers has a fair price gets none.
pub(crate) fn of(assessed: &[Assessed<'_>]) -> Vec<MarketConsensus> {
    let mut selections: Vec<Vec<&Assessed<'_>>> = Vec::new();
    let mut index: HashMap<SelectionKey<'_>, usize> = HashMap::new();
    for a in assessed {
        let position = *index.entry(SelectionKey::of(a)).or_insert_with(|| {
            selections.push(Vec::new());
            selections.len() - 1
        });
        if let Some(quotes) = selections.get_mut(position) {
            quotes.push(a);
        }
    }
    selections.iter().filter_map(|q| consensus(q)).collect()
}

/// The quotes of one selection that price the same bet: those from books of
/// the kind (with or without a draw) most of them are, the first quote's
/// kind on a tie.
fn comparable<'q, 'a>(quotes: &[&'q Assessed<'a>]) -> Vec<&'q Assessed<'a>> {
    let with_draw = quotes.iter().filter(|a| a.with_draw).count();
    let kind = match with_draw.cmp(&(quotes.len() - with_draw)) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => quotes.first().is_some_and(|a| a.with_draw),
    };
    quotes
        .iter()
        .filter(|a| a.with_draw == kind)
        .copied()
        .collect()
}

fn consensus(quotes: &[&Assessed<'_>]) -> Option<MarketConsensus> {
    let cohort = comparable(quotes);
    let first = *cohort.first()?;
    let best = cohort.iter().fold(first, |best, a| {
        if a.quote.price > best.quote.price {
            a
        } else {
            best
        }
    });
    let fair: Vec<f64> = cohort
        .iter()
        .filter_map(|a| a.fair.as_ref().map(|f| f.fair_probability))
        .collect();
    if fair.is_empty() {
        return None;
    }
    let consensus_probability = fair.iter().sum::<f64>() / fair.len() as f64;
    let consensus_price = 1.0 / consensus_probability;
    if !consensus_price.is_finite() {
        return None;
    }
    let quote = first.quote;
    Some(MarketConsensus {
        event: quote.event.clone(),
        market: quote.market.clone(),
        selection: quote.selection.clone(),
        participant: quote.participant.clone(),
        line: quote.line,
        best_price: best.quote.price,
        best_bookmaker: best.quote.bookmaker.clone(),
        consensus_probability,
        consensus_price,
        bookmakers: u32::try_from(cohort.len()).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::assess;
    use crate::quote::tests::quote;
    use sluice_plugin_sdk::OddsQuote;

    fn consensus_of(quotes: &[OddsQuote]) -> Vec<MarketConsensus> {
        let refs: Vec<&OddsQuote> = quotes.iter().collect();
        of(&assess(&refs))
    }

    #[test]
    fn best_price_is_the_first_bookmaker_offering_the_highest() {
        let out = consensus_of(&[
            quote("x", "h2h", "A", None, 2.0),
            quote("x", "h2h", "B", None, 2.0),
            quote("y", "h2h", "A", None, 2.2),
            quote("y", "h2h", "B", None, 1.7),
            quote("z", "h2h", "A", None, 2.2),
            quote("z", "h2h", "B", None, 1.75),
        ]);
        let a = &out[0];
        assert_eq!((a.selection.as_str(), a.best_price), ("A", 2.2));
        assert_eq!(a.best_bookmaker, "y");
        assert_eq!(a.bookmakers, 3);
        let b = &out[1];
        assert_eq!((b.best_bookmaker.as_str(), b.best_price), ("x", 2.0));
    }

    #[test]
    fn lone_quotes_count_as_bookmakers_but_not_in_the_mean() {
        let out = consensus_of(&[
            quote("x", "h2h", "A", None, 2.0),
            quote("x", "h2h", "B", None, 2.0),
            quote("y", "h2h", "A", None, 3.0),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].bookmakers, out[0].best_price), (2, 3.0));
        assert_eq!(out[0].best_bookmaker, "y");
        assert!((out[0].consensus_probability - 0.5).abs() < 1e-12);
        assert!((out[0].consensus_price - 2.0).abs() < 1e-12);
    }

    #[test]
    fn a_selection_without_any_fair_price_has_no_consensus() {
        let out = consensus_of(&[
            quote("x", "player_shots", "Over", Some(0.5), 1.2),
            quote("y", "player_shots", "Over", Some(0.5), 1.25),
        ]);
        assert!(out.is_empty());
    }

    #[test]
    fn lines_are_selections_of_their_own() {
        let out = consensus_of(&[
            quote("x", "totals", "Over", Some(47.5), 1.9),
            quote("x", "totals", "Under", Some(47.5), 1.9),
            quote("y", "totals", "Over", Some(48.0), 2.0),
            quote("y", "totals", "Under", Some(48.0), 1.8),
        ]);
        let lines: Vec<_> = out.iter().map(|c| (c.selection.as_str(), c.line)).collect();
        assert_eq!(
            lines,
            [
                ("Over", Some(47.5)),
                ("Under", Some(47.5)),
                ("Over", Some(48.0)),
                ("Under", Some(48.0))
            ]
        );
        assert!(out.iter().all(|c| c.bookmakers == 1));
    }

    #[test]
    fn two_way_and_three_way_results_are_not_pooled() {
        let out = consensus_of(&[
            quote("three", "h2h", "A", None, 3.0),
            quote("three", "h2h", "B", None, 2.2),
            quote("three", "h2h", "Draw", None, 4.4),
            quote("two1", "h2h", "A", None, 2.3),
            quote("two1", "h2h", "B", None, 1.7),
            quote("two2", "h2h", "A", None, 2.4),
            quote("two2", "h2h", "B", None, 1.65),
        ]);
        let a = &out[0];
        assert_eq!((a.best_bookmaker.as_str(), a.bookmakers), ("two2", 2));
        let draw = &out[2];
        assert_eq!((draw.selection.as_str(), draw.bookmakers), ("Draw", 1));
    }
}
