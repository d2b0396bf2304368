//! Which quotes form one bookmaker's book, and each quote's price with the
//! book's margin removed.
//!
//! A book is the quotes of one (event, bookmaker, market, participant) that
//! between them cover every outcome once:
//!
//! - without a line (`h2h`, `outrights`): all of them;
//! - with a line, the quotes whose lines have the same size: `Over 47.5`
//!   and `Under 47.5`, or `A -1.5` and `B +1.5`. Where both signs occur at
//!   that size (alternate spreads: `A -1.5`/`B +1.5` and `A +1.5`/`B -1.5`),
//!   each side's line pairs with the opposite line of the other side.

use crate::quote::line_key;
use sluice_plugin_sdk::{FairPrice, OddsQuote};
use std::collections::HashMap;

/// One usable quote and what the maths made of it.
pub(crate) struct Assessed<'a> {
    pub quote: &'a OddsQuote,
    /// None when the quote's book has a single selection: with nothing to
    /// weigh it against, its margin is unknown.
    pub fair: Option<FairPrice>,
    /// Whether the quote's book prices a draw. A match result with a draw
    /// (regular time) and one without (overtime decides, or stakes are
    /// void) are different bets that share a market key.
    pub with_draw: bool,
}

/// The quotes of one line size in one market at one bookmaker.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct LineGroup<'a> {
    event: &'a str,
    bookmaker: &'a str,
    market: &'a str,
    participant: Option<&'a str>,
    size: Option<u64>,
}

impl<'a> LineGroup<'a> {
    fn of(quote: &'a OddsQuote) -> Self {
        LineGroup {
            event: &quote.event,
            bookmaker: &quote.bookmaker,
            market: &quote.market,
            participant: quote.participant.as_deref(),
            size: line_key(quote.line.map(f64::abs)),
        }
    }
}

/// Which signs a line group holds, and the selection the pairing of
/// opposite lines is reckoned from.
struct LineSigns<'a> {
    positive: bool,
    negative: bool,
    reference: &'a str,
}

/// One book: a line group, split in two when it holds both signs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct BookKey<'a> {
    group: LineGroup<'a>,
    /// Which pairing of opposite lines, when the group holds both signs:
    /// whether the reference selection's line is positive.
    pairing: Option<bool>,
}

/// What a book's quotes add up to.
#[derive(Default)]
struct BookTotal {
    implied: f64,
    selections: usize,
    with_draw: bool,
}

fn is_draw(selection: &str) -> bool {
    selection.trim().eq_ignore_ascii_case("draw")
}

fn book_key<'a>(
    quote: &'a OddsQuote,
    signs: &HashMap<LineGroup<'a>, LineSigns<'a>>,
) -> BookKey<'a> {
    let group = LineGroup::of(quote);
    let pairing = match (signs.get(&group), quote.line) {
        (Some(s), Some(line)) if s.positive && s.negative && line != 0.0 => {
            Some((line > 0.0) == (quote.selection == s.reference))
        }
        _ => None,
    };
    BookKey { group, pairing }
}

/// Every quote of `quotes` with its fair price, in the same order.
pub(crate) fn assess<'a>(quotes: &[&'a OddsQuote]) -> Vec<Assessed<'a>> {
    let mut signs: HashMap<LineGroup<'a>, LineSigns<'a>> = HashMap::new();
    for quote in quotes {
        let s = signs.entry(LineGroup::of(quote)).or_insert(LineSigns {
            positive: false,
            negative: false,
            reference: &quote.selection,
        });
        if quote.selection.as_str() < s.reference {
            s.reference = &quote.selection;
        }
        match quote.line {
            Some(line) if line > 0.0 => s.positive = true,
            Some(line) if line < 0.0 => s.negative = true,
            _ => {}
        }
    }
    let keys: Vec<BookKey<'a>> = quotes.iter().map(|q| book_key(q, &signs)).collect();
    let mut books: HashMap<BookKey<'a>, BookTotal> = HashMap::new();
    for (quote, key) in quotes.iter().zip(&keys) {
        let book = books.entry(*key).or_default();
        book.implied += 1.0 / quote.price;
        book.selections += 1;
        book.with_draw |= is_draw(&quote.selection);
    }
    quotes
        .iter()
        .zip(&keys)
        .map(|(quote, key)| {
            let book = books.get(key);
            Assessed {
                quote,
                fair: book.and_then(|b| fair_price(quote, b)),
                with_draw: book.is_some_and(|b| b.with_draw),
            }
        })
        .collect()
}

/// Markets whose selections overlap: in a double chance, `Home/Draw` and
/// `Draw/Away` both win on a draw, so the implied probabilities of a fair
/// book add up to two, not one, and no margin can be read off them as off
/// a book of exclusive outcomes.
const OVERLAPPING_MARKETS: &[&str] = &["double_chance"];

/// `quote` with its book's margin removed in proportion to each price.
fn fair_price(quote: &OddsQuote, book: &BookTotal) -> Option<FairPrice> {
    if book.selections < 2 || OVERLAPPING_MARKETS.contains(&quote.market.as_str()) {
        return None;
    }
    let implied_probability = 1.0 / quote.price;
    let fair_probability = implied_probability / book.implied;
    let fair_price = 1.0 / fair_probability;
    if !(fair_probability.is_finite() && fair_price.is_finite()) {
        return None;
    }
    Some(FairPrice {
        event: quote.event.clone(),
        bookmaker: quote.bookmaker.clone(),
        market: quote.market.clone(),
        selection: quote.selection.clone(),
        participant: quote.participant.clone(),
        line: quote.line,
        price: quote.price,
        implied_probability,
        overround: book.implied - 1.0,
        fair_probability,
        fair_price,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::tests::quote;

    /// (selection, line, fair probability) of each quote, `None` for no
    /// fair price.
    fn fair(quotes: &[OddsQuote]) -> Vec<(String, Option<f64>, Option<f64>)> {
        let refs: Vec<&OddsQuote> = quotes.iter().collect();
        assess(&refs)
            .into_iter()
            .map(|a| {
                (
                    a.quote.selection.clone(),
                    a.quote.line,
                    a.fair.map(|f| f.fair_probability),
                )
            })
            .collect()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn two_way_book_splits_its_margin_in_proportion() {
        // 1/1.8 + 1/2.0 = 0.5556 + 0.5 = 1.0556: A 0.5556/1.0556 = 0.5263.
        let out = fair(&[
            quote("b", "h2h", "A", None, 1.8),
            quote("b", "h2h", "B", None, 2.0),
        ]);
        assert!(close(out[0].2, (1.0 / 1.8) / (1.0 / 1.8 + 0.5)));
        assert!(close(out[1].2, 0.5 / (1.0 / 1.8 + 0.5)));
    }

    #[test]
    fn a_double_chance_has_no_fair_price() {
        // Each outcome covers two of three results: 1/1.25 + 1/1.3 + 1/1.6
        // is 2.19, a margin no proportional split can remove.
        let out = fair(&[
            quote("b", "double_chance", "Home/Draw", None, 1.25),
            quote("b", "double_chance", "Home/Away", None, 1.3),
            quote("b", "double_chance", "Draw/Away", None, 1.6),
        ]);
        assert!(out.iter().all(|(_, _, fair)| fair.is_none()), "{out:?}");
    }

    #[test]
    fn alternate_spreads_pair_opposite_lines() {
        let out = fair(&[
            quote("b", "spreads", "A", Some(-1.5), 1.5),
            quote("b", "spreads", "B", Some(1.5), 2.5),
            quote("b", "spreads", "A", Some(1.5), 1.2),
            quote("b", "spreads", "B", Some(-1.5), 4.0),
            quote("b", "spreads", "A", Some(-2.5), 1.9),
            quote("b", "spreads", "B", Some(2.5), 1.9),
        ]);
        // A -1.5 with B +1.5; A +1.5 with B -1.5; A -2.5 with B +2.5.
        let first = 1.0 / 1.5 + 1.0 / 2.5;
        let second = 1.0 / 1.2 + 1.0 / 4.0;
        assert!(close(out[0].2, (1.0 / 1.5) / first));
        assert!(close(out[1].2, (1.0 / 2.5) / first));
        assert!(close(out[2].2, (1.0 / 1.2) / second));
        assert!(close(out[3].2, (1.0 / 4.0) / second));
        assert!(close(out[4].2, 0.5));
        assert!(close(out[5].2, 0.5));
    }

    #[test]
    fn totals_share_their_line_and_pick_em_spreads_are_one_book() {
        let out = fair(&[
            quote("b", "totals", "Over", Some(47.5), 1.9),
            quote("b", "totals", "Under", Some(47.5), 1.9),
            quote("b", "spreads", "A", Some(0.0), 1.9),
            quote("b", "spreads", "B", Some(-0.0), 1.9),
        ]);
        assert!(out.iter().all(|(_, _, p)| close(*p, 0.5)), "{out:?}");
    }

    #[test]
    fn a_lone_selection_has_no_fair_price() {
        let out = fair(&[
            quote("b", "player_shots", "Over", Some(0.5), 1.2),
            quote("b", "totals", "Over", Some(40.5), 1.9),
            quote("b", "totals", "Under", Some(41.5), 1.9),
        ]);
        assert!(out.iter().all(|(_, _, p)| p.is_none()), "{out:?}");
    }

    #[test]
    fn books_are_per_bookmaker_market_and_participant() {
        let mut x = quote("b", "player_shots", "Over", Some(1.5), 2.0);
        x.participant = Some("X".to_string());
        let mut y = quote("b", "player_shots", "Under", Some(1.5), 2.0);
        y.participant = Some("Y".to_string());
        let out = fair(&[
            x,
            y,
            quote("b", "h2h", "A", None, 2.0),
            quote("c", "h2h", "B", None, 2.0),
            quote("b", "h2h_other", "B", None, 2.0),
        ]);
        assert!(out.iter().all(|(_, _, p)| p.is_none()), "{out:?}");
    }
}
