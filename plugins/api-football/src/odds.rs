//! The `odds` stream: one quote per value of each bet of each bookmaker of
//! each `/odds` item.
//!
//! A quote's event is the fixture's id, the provider id the `fixtures`
//! stream gives the fixture's event, so the odds land on that event. Like
//! the-odds-api's odds stream it writes no event itself: an odds item
//! carries no teams or status, and an event written from it would blank
//! what the fixtures stream set.
//!
//! What cannot be used is rejected at the smallest level that holds it,
//! with its raw JSON and the reason, and the rest loads: a value (an `odd`
//! that is not decimal odds, a selection its market does not have), a bet
//! or bookmaker of another shape, an item without a fixture id or with an
//! unreadable `update`.

use serde::Deserialize;
use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, OddsQuote, Record, Reject, json, timestamp};

use crate::markets::{self, Market};
use crate::teams::raw_id;
use crate::wire::{Bet, BetValue, Bookmaker, OddsItem};

/// The quotes of an odds response's items, in the order sent.
pub fn normalize(items: &[&RawValue]) -> Batch {
    let mut batch = Batch::of(Vec::new());
    for raw in items {
        quote_item(raw, &mut batch);
    }
    batch
}

/// What every quote of one bet shares.
struct Book {
    event: String,
    bookmaker: String,
    bookmaker_name: Option<String>,
    market: Market,
    updated_at: Option<String>,
}

/// The quotes of one item into `batch`, and its rejects.
fn quote_item(raw: &RawValue, batch: &mut Batch) {
    let item = match serde_json::from_str::<OddsItem>(raw.get()) {
        Ok(item) => item,
        Err(e) => {
            return reject(
                batch,
                raw_id(raw.get(), "fixture"),
                format!("odds item is not of the expected shape: {e}"),
                raw,
            );
        }
    };
    let event = item.fixture.id.to_string();
    let updated_at = match item.update.as_deref().map(timestamp::to_utc_rfc3339) {
        None => None,
        Some(Ok(at)) => Some(at),
        Some(Err(e)) => {
            return reject(batch, Some(event), format!("`update`: {e}"), raw);
        }
    };
    for raw_bookmaker in item.bookmakers.iter().flatten() {
        let bookmaker = match parse::<Bookmaker>(raw_bookmaker, "bookmaker") {
            Ok(b) => b,
            Err(reason) => {
                reject(batch, Some(event.clone()), reason, raw_bookmaker);
                continue;
            }
        };
        let place = match &bookmaker.name {
            Some(name) => format!("{name} ({})", bookmaker.id),
            None => format!("bookmaker {}", bookmaker.id),
        };
        for raw_bet in bookmaker.bets.iter().flatten() {
            let (market, name, values) = match parse::<Bet>(raw_bet, "bet")
                .and_then(|bet| Market::of(&bet.name).map(|market| (market, bet.name, bet.values)))
            {
                Ok(read) => read,
                Err(reason) => {
                    reject(
                        batch,
                        Some(event.clone()),
                        format!("{place}: {reason}"),
                        raw_bet,
                    );
                    continue;
                }
            };
            let label = format!("{place} {name}");
            let book = Book {
                event: event.clone(),
                bookmaker: bookmaker.id.to_string(),
                bookmaker_name: bookmaker.name.clone(),
                market,
                updated_at: updated_at.clone(),
            };
            for (index, raw_value) in values.iter().flatten().enumerate() {
                match quote(&book, raw_value) {
                    Ok(quote) => batch.records.push(quote),
                    Err(reason) => reject(
                        batch,
                        Some(event.clone()),
                        format!("{label} value {}: {reason}", index + 1),
                        raw_value,
                    ),
                }
            }
        }
    }
}

/// One value as a quote of `book`.
fn quote(book: &Book, raw: &RawValue) -> Result<Record, String> {
    let value = parse::<BetValue>(raw, "value")?;
    let selection = value.value.ok_or("value has no `value` (the selection)")?;
    let selection = text(selection, &book.market)?;
    let (selection, line) = book.market.selection(&selection)?;
    let price = decimal_odds(value.odd.ok_or("value has no `odd`")?)?;
    Ok(Record::Odds(OddsQuote {
        event: book.event.clone(),
        bookmaker: book.bookmaker.clone(),
        bookmaker_name: book.bookmaker_name.clone(),
        market: book.market.key().to_string(),
        selection,
        participant: None,
        line,
        price,
        provider_updated_at: book.updated_at.clone(),
    }))
}

/// `raw` read as `T`, or why not, naming `what` it should have been.
fn parse<'a, T: Deserialize<'a>>(raw: &'a RawValue, what: &str) -> Result<T, String> {
    serde_json::from_str(raw.get()).map_err(|e| format!("{what} is not of the expected shape: {e}"))
}

/// The selection as text: a string; in a market kept under its own name a
/// number too (an exact score of goals, say), as written.
fn text(raw: &RawValue, market: &Market) -> Result<String, String> {
    if let Ok(text) = serde_json::from_str::<String>(raw.get()) {
        return Ok(text);
    }
    let literal = raw.get();
    if matches!(market, Market::Other(_)) && literal.parse::<f64>().is_ok() {
        return Ok(literal.to_string());
    }
    Err(format!(
        "`value` is {}, not a string",
        json::excerpt(literal)
    ))
}

/// `odd` as decimal odds: a string of digits with a decimal point
/// (`"3.10"`, as API-Football writes it) or a JSON number of that form,
/// above 1.
fn decimal_odds(raw: &RawValue) -> Result<f64, String> {
    let literal = raw.get();
    let text = serde_json::from_str::<String>(literal).unwrap_or_else(|_| literal.to_string());
    let price = markets::is_decimal(&text)
        .then(|| text.parse::<f64>().ok())
        .flatten()
        .filter(|p| p.is_finite())
        .ok_or_else(|| format!("`odd` is {}, not a decimal number", json::excerpt(literal)))?;
    if price > 1.0 {
        Ok(price)
    } else {
        Err(format!("`odd` {text} is not decimal odds (above 1)"))
    }
}

/// Rejects `raw`, the JSON of what could not be used, with the reason.
fn reject(batch: &mut Batch, provider_id: Option<String>, reason: String, raw: &RawValue) {
    batch.rejects.push(Reject {
        provider_id,
        reason,
        raw: raw.get().to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(json: &str) -> Vec<&RawValue> {
        serde_json::from_str(json).expect("a list")
    }

    fn quotes(batch: &Batch) -> Vec<&OddsQuote> {
        batch
            .records
            .iter()
            .map(|r| match r {
                Record::Odds(q) => q,
                other => panic!("only quotes expected, got {other:?}"),
            })
            .collect()
    }

    /// The recorded item's shape (`/odds?fixture=1226178&...`), Bet365's
    /// Match Winner as API-Football sent it.
    const MATCH_WINNER: &str = r#"[{"league":{"id":79,"name":"2. Bundesliga","season":2024},
        "fixture":{"id":1226178,"timezone":"UTC","date":"2024-08-10T11:00:00+00:00","timestamp":1723287600},
        "update":"2024-08-08T18:28:42+00:00",
        "bookmakers":[{"id":8,"name":"Bet365","bets":[{"id":1,"name":"Match Winner","values":[
            {"value":"Home","odd":"3.10"},{"value":"Draw","odd":"3.40"},{"value":"Away","odd":"2.25"}]}]}]}]"#;

    #[test]
    fn each_value_is_a_quote_of_the_fixtures_event() {
        let items = items(MATCH_WINNER);
        let batch = normalize(&items);
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        let q = quotes(&batch);
        assert_eq!(
            *q[0],
            OddsQuote {
                event: "1226178".to_string(),
                bookmaker: "8".to_string(),
                bookmaker_name: Some("Bet365".to_string()),
                market: "h2h".to_string(),
                selection: "Home".to_string(),
                participant: None,
                line: None,
                price: 3.1,
                provider_updated_at: Some("2024-08-08T18:28:42Z".to_string()),
            }
        );
        let rest: Vec<(&str, f64)> = q[1..]
            .iter()
            .map(|q| (q.selection.as_str(), q.price))
            .collect();
        assert_eq!(rest, [("Draw", 3.4), ("Away", 2.25)]);
    }

    #[test]
    fn an_unusable_odd_or_selection_is_rejected_alone() {
        let items = items(
            r#"[{"fixture":{"id":7},"update":"2024-08-08T18:28:42+02:00","bookmakers":[{"id":6,"name":"Bwin","bets":[
                {"id":5,"name":"Goals Over/Under","values":[
                    {"value":"Over 2.5","odd":"1.90"},
                    {"value":"Under 2.5","odd":"N/A"},
                    {"value":"Over 3.5","odd":""},
                    {"value":"Under 3.5","odd":"1.00"},
                    {"value":"Over 4.5","odd":null},
                    {"value":"Over 4.5","odd":"1e3"},
                    {"value":"Over","odd":"2.10"},
                    {"value":2.5,"odd":"2.10"},
                    "Under 4.5",
                    {"value":"Under 4.5","odd":3.75}]}]}]}]"#,
        );
        let batch = normalize(&items);
        let got: Vec<(&str, Option<f64>, f64)> = quotes(&batch)
            .iter()
            .map(|q| (q.selection.as_str(), q.line, q.price))
            .collect();
        assert_eq!(got, [("Over", Some(2.5), 1.9), ("Under", Some(4.5), 3.75)]);
        assert_eq!(
            quotes(&batch)[0].provider_updated_at.as_deref(),
            Some("2024-08-08T16:28:42Z")
        );
        let rejects: Vec<(&str, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.reason.as_str(), r.raw.as_str()))
            .collect();
        assert_eq!(
            rejects,
            [
                (
                    r#"Bwin (6) Goals Over/Under value 2: `odd` is "N/A", not a decimal number"#,
                    r#"{"value":"Under 2.5","odd":"N/A"}"#
                ),
                (
                    r#"Bwin (6) Goals Over/Under value 3: `odd` is "", not a decimal number"#,
                    r#"{"value":"Over 3.5","odd":""}"#
                ),
                (
                    "Bwin (6) Goals Over/Under value 4: `odd` 1.00 is not decimal odds (above 1)",
                    r#"{"value":"Under 3.5","odd":"1.00"}"#
                ),
                (
                    "Bwin (6) Goals Over/Under value 5: value has no `odd`",
                    r#"{"value":"Over 4.5","odd":null}"#
                ),
                (
                    r#"Bwin (6) Goals Over/Under value 6: `odd` is "1e3", not a decimal number"#,
                    r#"{"value":"Over 4.5","odd":"1e3"}"#
                ),
                (
                    "Bwin (6) Goals Over/Under value 7: value `Over` is not `Over` or `Under` followed by a line, such as `Over 2.5`",
                    r#"{"value":"Over","odd":"2.10"}"#
                ),
                (
                    "Bwin (6) Goals Over/Under value 8: `value` is 2.5, not a string",
                    r#"{"value":2.5,"odd":"2.10"}"#
                ),
                (
                    "Bwin (6) Goals Over/Under value 9: value is not of the expected shape: invalid type: string \"Under 4.5\", expected struct BetValue at line 1 column 11",
                    r#""Under 4.5""#
                ),
            ]
        );
        assert!(
            batch
                .rejects
                .iter()
                .all(|r| r.provider_id.as_deref() == Some("7"))
        );
    }

    #[test]
    fn items_bookmakers_and_bets_of_another_shape_are_rejected_whole() {
        let items = items(
            r#"[{"fixture":{"date":"2024-08-10"},"bookmakers":[]},
                {"fixture":{"id":8},"update":"yesterday","bookmakers":[]},
                {"fixture":{"id":9},"bookmakers":[
                    {"name":"No id","bets":[]},
                    {"id":2,"name":"Marathon","bets":[
                        {"id":1,"values":[]},
                        {"id":99,"name":"???","values":[{"value":"x","odd":"2"}]},
                        {"id":1,"name":"Match Winner","values":[{"value":"Home","odd":"2.5"}]}]}]},
                {"fixture":{"id":10},"bookmakers":null}]"#,
        );
        let batch = normalize(&items);
        let q = quotes(&batch);
        assert_eq!(q.len(), 1);
        assert_eq!((q[0].event.as_str(), q[0].price), ("9", 2.5));
        assert_eq!(q[0].provider_updated_at, None);
        let rejects: Vec<(Option<&str>, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.provider_id.as_deref(), r.reason.as_str()))
            .collect();
        assert_eq!(rejects.len(), 5, "{rejects:?}");
        assert_eq!(rejects[0].0, None);
        assert!(
            rejects[0]
                .1
                .starts_with("odds item is not of the expected shape: missing field `id`"),
            "{}",
            rejects[0].1
        );
        assert_eq!(rejects[1].0, Some("8"));
        assert!(
            rejects[1]
                .1
                .starts_with("`update`: `yesterday` is not an RFC 3339 timestamp"),
            "{}",
            rejects[1].1
        );
        assert!(
            rejects[2]
                .1
                .starts_with("bookmaker is not of the expected shape: missing field `id`"),
            "{}",
            rejects[2].1
        );
        assert!(
            rejects[3].1.starts_with(
                "Marathon (2): bet is not of the expected shape: missing field `name`"
            ),
            "{}",
            rejects[3].1
        );
        assert_eq!(
            rejects[4],
            (
                Some("9"),
                "Marathon (2): bet name `???` has no letter or digit to name its market by"
            )
        );
        assert_eq!(
            batch.rejects[4].raw,
            r#"{"id":99,"name":"???","values":[{"value":"x","odd":"2"}]}"#
        );
    }

    #[test]
    fn no_items_no_quotes() {
        let batch = normalize(&[]);
        assert!(batch.records.is_empty() && batch.rejects.is_empty());
    }
}
