//! The maths on real books: The Odds API payloads recorded in
//! `../shared/data/providers/the-odds-api/`, turned into quotes the way the
//! the-odds-api normalizer does (one per outcome, `description` as the
//! participant, `point` as the line).
//!
//! The recordings carry no licence, so none is copied into the repository:
//! the tests read them where they are, through
//! `sluice_test_support::recordings`, and fail naming the file when it is
//! missing (`SLUICE_ALLOW_MISSING_RECORDINGS=1` skips them instead, for a
//! developer without the recordings).

use odds_maths::enrich;
use odds_maths::types::{FairPrice, MarketConsensus, OddsQuote, Record, Team};
use serde_json::Value;
use sluice_test_support::recordings;
use std::collections::HashMap;

/// The quotes of The Odds API recording `name`; none when it is missing and
/// the tests may skip (see `sluice_test_support::recordings`).
fn quotes_of(name: &str) -> Option<Vec<Record>> {
    let bytes = recordings::read(&format!("the-odds-api/{name}"))?;
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let events = match body {
        Value::Array(events) => events,
        event => vec![event],
    };
    let text = |v: &Value| v.as_str().map(str::to_string);
    let mut records = Vec::new();
    for event in &events {
        for bookmaker in event["bookmakers"].as_array().into_iter().flatten() {
            for market in bookmaker["markets"].as_array().into_iter().flatten() {
                for outcome in market["outcomes"].as_array().into_iter().flatten() {
                    records.push(Record::Odds(OddsQuote {
                        event: text(&event["id"]).expect("event id"),
                        bookmaker: text(&bookmaker["key"]).expect("bookmaker key"),
                        bookmaker_name: text(&bookmaker["title"]),
                        market: text(&market["key"]).expect("market key"),
                        selection: text(&outcome["name"]).expect("outcome name"),
                        participant: text(&outcome["description"]),
                        line: outcome["point"].as_f64(),
                        price: outcome["price"].as_f64().expect("price"),
                        provider_updated_at: None,
                    }));
                }
            }
        }
    }
    Some(records)
}

fn fair_prices(records: &[Record]) -> Vec<&FairPrice> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::FairPrice(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn consensus(records: &[Record]) -> Vec<&MarketConsensus> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::MarketConsensus(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn fair_of<'r>(
    out: &'r [Record],
    event: &str,
    bookmaker: &str,
    market: &str,
) -> Vec<&'r FairPrice> {
    fair_prices(out)
        .into_iter()
        .filter(|f| f.event == event && f.bookmaker == bookmaker && f.market == market)
        .collect()
}

fn consensus_of<'r>(
    out: &'r [Record],
    event: &str,
    market: &str,
    selection: &str,
) -> &'r MarketConsensus {
    consensus(out)
        .into_iter()
        .find(|c| c.event == event && c.market == market && c.selection == selection)
        .unwrap_or_else(|| panic!("no consensus for {event} {market} {selection}"))
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} is not {expected}"
    );
}

const H2H: &str = "v4_sports_upcoming_odds_h2h_eu_2022-02-10.json";
const NFL: &str = "v4_sports_americanfootball_nfl_odds_spreads_totals_unix_2024-11.json";
const GOLF: &str = "v4_sports_golf_masters_tournament_winner_odds_outrights_2021-11.json";
const PLAYER: &str =
    "v4_sports_soccer_germany_bundesliga_events_EVENTID_odds_h2h_player_shots.json";
const BRUINS_HURRICANES: &str = "68b9f7c1418baf1db99c8a6ac0a8590c";

#[test]
fn a_three_way_book_checked_by_hand() {
    let Some(quotes) = quotes_of(H2H) else {
        return;
    };
    let out = enrich(quotes);
    // onexbet's regular-time result of Boston Bruins v Carolina Hurricanes:
    // Bruins 3.01, Hurricanes 2.18, Draw 4.42.
    //   implied: 1/3.01 = 0.332226, 1/2.18 = 0.458716, 1/4.42 = 0.226244
    //   sum 1.017186, so the overround is 0.017186 (1.7%);
    //   fair probability = implied / 1.017186: 0.326613, 0.450965, 0.222422;
    //   fair price = price * 1.017186: 3.061729, 2.217465, 4.495961.
    let book = fair_of(&out, BRUINS_HURRICANES, "onexbet", "h2h");
    let figures: Vec<_> = book
        .iter()
        .map(|f| {
            (
                f.selection.as_str(),
                f.price,
                f.fair_probability,
                f.fair_price,
            )
        })
        .collect();
    let expected = [
        (
            "Boston Bruins",
            3.01,
            0.326_612_793_882_365_75,
            3.061_729_420_067_25,
        ),
        (
            "Carolina Hurricanes",
            2.18,
            0.450_965_371_369_688_4,
            2.217_465_161_377_61,
        ),
        (
            "Draw",
            4.42,
            0.222_421_834_747_945_88,
            4.495_961_473_985_797,
        ),
    ];
    assert_eq!(figures.len(), expected.len());
    for ((selection, price, probability, fair), (e_sel, e_price, e_prob, e_fair)) in
        figures.into_iter().zip(expected)
    {
        assert_eq!((selection, price), (e_sel, e_price));
        assert_close(probability, e_prob, selection);
        assert_close(fair, e_fair, selection);
    }
    for f in &book {
        assert_close(f.overround, 0.017_185_853_842_940_357, "overround");
        assert_close(f.implied_probability, 1.0 / f.price, "implied");
    }
}

/// (event, bookmaker, market, participant, size of the line): one book in
/// payloads without alternate lines.
type BookId<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<u64>);

#[test]
fn every_book_of_every_payload_sums_to_one() {
    for fixture in [H2H, NFL, GOLF, PLAYER] {
        let Some(quotes) = quotes_of(fixture) else {
            return;
        };
        let out = enrich(quotes);
        let mut books: HashMap<BookId, f64> = HashMap::new();
        for f in fair_prices(&out) {
            assert!(f.price > 1.0 && f.fair_price > 1.0, "{fixture}: {f:?}");
            assert_close(f.fair_price, 1.0 / f.fair_probability, "fair price");
            let size = f.line.map(|l| l.abs().to_bits());
            let key = (
                f.event.as_str(),
                f.bookmaker.as_str(),
                f.market.as_str(),
                f.participant.as_deref(),
                size,
            );
            *books.entry(key).or_default() += f.fair_probability;
        }
        assert!(!books.is_empty(), "{fixture}: no books");
        for (book, sum) in books {
            assert_close(sum, 1.0, &format!("{fixture} {book:?}"));
        }
    }
}

#[test]
fn records_pass_through_first_and_unchanged() {
    let Some(mut input) = quotes_of(H2H) else {
        return;
    };
    input.insert(3, Record::Team(Team::named("t1", "Boston Bruins")));
    let out = enrich(input.clone());
    assert_eq!(out[..input.len()], input[..]);
    assert!(
        out[input.len()..]
            .iter()
            .all(|r| matches!(r, Record::FairPrice(_) | Record::MarketConsensus(_)))
    );
    // Fair prices come first, one per back quote of a two-or-more book, in
    // input order; lay quotes (4 books of 2) get none.
    let derived = &out[input.len()..];
    let fair = fair_prices(derived);
    let back_quotes = input
        .iter()
        .filter(|r| matches!(r, Record::Odds(q) if !q.market.ends_with("_lay")))
        .count();
    assert_eq!(back_quotes, input.len() - 1 - 8);
    assert_eq!(fair.len(), back_quotes);
    assert!(matches!(derived[fair.len()], Record::MarketConsensus(_)));
}

#[test]
fn lay_markets_get_no_maths() {
    let Some(quotes) = quotes_of(H2H) else {
        return;
    };
    let out = enrich(quotes);
    assert!(fair_prices(&out).iter().all(|f| f.market == "h2h"));
    assert!(consensus(&out).iter().all(|c| c.market == "h2h"));
    let Some(golf) = quotes_of(GOLF) else {
        return;
    };
    let golf = enrich(golf);
    assert!(fair_prices(&golf).iter().all(|f| f.market == "outrights"));
}

#[test]
fn consensus_of_a_real_two_way_market() {
    let Some(quotes) = quotes_of(H2H) else {
        return;
    };
    let out = enrich(quotes);
    // Towson Tigers at pinnacle 1.04 / 12.5, unibet 1.04 / 10.5, mybookieag
    // 1.03 / 14.6. Fair probabilities of Towson:
    //   pinnacle   (1/1.04) / (1/1.04 + 1/12.5) = 0.961538 / 1.041538 = 0.923191
    //   unibet     (1/1.04) / (1/1.04 + 1/10.5) = 0.961538 / 1.056777 = 0.909879
    //   mybookieag (1/1.03) / (1/1.03 + 1/14.6) = 0.970874 / 1.039367 = 0.934101
    //   mean 0.922390, price 1.084140. Best 1.04: pinnacle, first of the two.
    let towson = consensus_of(
        &out,
        "66a37040ad17c7616b5a7f781af44ef9",
        "h2h",
        "Towson Tigers",
    );
    assert_eq!(
        (towson.best_price, towson.best_bookmaker.as_str()),
        (1.04, "pinnacle")
    );
    assert_eq!(towson.bookmakers, 3);
    assert_close(
        towson.consensus_probability,
        0.922_390_105_674_347_5,
        "consensus",
    );
    assert_close(
        towson.consensus_price,
        1.084_139_990_063_003_5,
        "consensus price",
    );
}

#[test]
fn two_way_and_three_way_hockey_results_are_not_pooled() {
    let Some(quotes) = quotes_of(H2H) else {
        return;
    };
    let out = enrich(quotes);
    // Eight bookmakers price the Bruins to win including overtime (best
    // 2.38 at betfair); three price regular time with a draw (best 3.01 at
    // onexbet), a different bet. The consensus is of the eight.
    let bruins = consensus_of(&out, BRUINS_HURRICANES, "h2h", "Boston Bruins");
    assert_eq!(
        (bruins.best_price, bruins.best_bookmaker.as_str()),
        (2.38, "betfair")
    );
    assert_eq!(bruins.bookmakers, 8);
    let draw = consensus_of(&out, BRUINS_HURRICANES, "h2h", "Draw");
    assert_eq!(
        (draw.best_price, draw.best_bookmaker.as_str()),
        (4.42, "onexbet")
    );
    assert_eq!(draw.bookmakers, 3);
}

#[test]
fn spreads_pair_opposite_lines_and_totals_share_one() {
    let Some(quotes) = quotes_of(NFL) else {
        return;
    };
    let out = enrich(quotes);
    // draftkings, Packers v Dolphins: Packers -12.5 at 1.09, Dolphins +12.5
    // at 7.5: 1/1.09 + 1/7.5 = 0.917431 + 0.133333 = 1.050765.
    let event = "e6b414e1b7a012e57d1a0746769f28a2";
    let spreads = fair_of(&out, event, "draftkings", "spreads");
    assert_eq!(spreads.len(), 2);
    for f in &spreads {
        assert_close(
            f.overround,
            1.0 / 1.09 + 1.0 / 7.5 - 1.0,
            "spreads overround",
        );
    }
    assert_eq!(spreads[0].line, Some(-12.5));
    assert_close(
        spreads[0].fair_price,
        1.09 * (1.0 / 1.09 + 1.0 / 7.5),
        "Packers -12.5",
    );
    // Over 47.5 at 4.5, Under 47.5 at 1.19.
    let totals = fair_of(&out, event, "draftkings", "totals");
    assert_eq!(totals.len(), 2);
    assert_close(
        totals[0].overround,
        1.0 / 4.5 + 1.0 / 1.19 - 1.0,
        "totals overround",
    );
}

#[test]
fn outrights_with_dozens_of_selections() {
    let Some(quotes) = quotes_of(GOLF) else {
        return;
    };
    let out = enrich(quotes);
    let unibet = fair_of(
        &out,
        "06ec633b0bb0ab957279c457d3dbd214",
        "unibet",
        "outrights",
    );
    assert_eq!(unibet.len(), 64);
    let overround: f64 = unibet.iter().map(|f| 1.0 / f.price).sum::<f64>() - 1.0;
    assert!(overround > 0.0);
    assert!(
        unibet
            .iter()
            .all(|f| (f.overround - overround).abs() < 1e-12)
    );
    let rahm = consensus_of(
        &out,
        "06ec633b0bb0ab957279c457d3dbd214",
        "outrights",
        "Jon Rahm",
    );
    assert!(rahm.bookmakers >= 4, "{rahm:?}");
}

#[test]
fn lone_player_overs_have_no_fair_price() {
    let Some(quotes) = quotes_of(PLAYER) else {
        return;
    };
    let out = enrich(quotes);
    // Every player_shots quote is an `Over` with no `Under` beside it.
    assert!(fair_prices(&out).iter().all(|f| f.market == "h2h"));
    assert!(consensus(&out).iter().all(|c| c.market == "h2h"));
    assert!(!fair_prices(&out).is_empty());
}
