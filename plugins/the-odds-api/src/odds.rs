//! The `odds` stream: one quote per outcome of each market of each
//! bookmaker.
//!
//! It emits no event records: the odds endpoint carries no match status, and
//! an event written from it would overwrite the status the `scores` stream
//! set. The `events` or `scores` stream supplies the events the quotes name.
//!
//! A list of well-formed events is read typed in one pass. Otherwise each
//! event is read on its own, and only an event with something wrong in it is
//! read again outcome by outcome, so that the bad outcomes are rejected with
//! their raw JSON and a reason, and the others still load.
//!
//! Prices are read in the format the request asked for (see
//! [`crate::format`]) and stored as decimal odds. A response to a request for
//! decimal odds that holds a price only American odds can be (a whole number
//! of -100 or less) fails whole: its other prices are American too, and
//! `+150` would otherwise be stored as decimal odds of 150.

use crate::format::{self, OddsFormat};
use crate::{body, wire};
use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, OddsQuote, PluginError, Record, Reject, json};

/// The quotes of an odds body: a list of events, or the one event of
/// `/events/{id}/odds` when `one_event`, its prices in `odds_format`.
pub fn normalize(
    body: &[u8],
    one_event: bool,
    odds_format: OddsFormat,
) -> Result<Batch, PluginError> {
    // A list of well-formed events is read in one typed pass; anything else
    // is read again event by event below, so only the bad parts are rejected.
    if !one_event
        && let Ok(events) = serde_json::from_slice::<Vec<wire::OddsEvent<wire::Outcome>>>(body)
    {
        let outcomes = events.iter().map(outcome_count).sum();
        let mut batch = Batch::of(Vec::with_capacity(outcomes));
        if events
            .iter()
            .all(|event| quote_all(event, odds_format, &mut batch.records).is_some())
        {
            return Ok(batch);
        }
    }
    let items: Vec<&RawValue> = if one_event {
        vec![body::object(body)?]
    } else {
        body::list(body)?
    };
    let parsed: Vec<Option<wire::OddsEvent<wire::Outcome>>> = items
        .iter()
        .map(|raw| serde_json::from_str(raw.get()).ok())
        .collect();
    let outcomes = parsed.iter().flatten().map(outcome_count).sum();
    let mut batch = Batch::of(Vec::with_capacity(outcomes));
    let mut american = None;
    for (raw, event) in items.iter().zip(parsed) {
        let start = batch.records.len();
        let clean = event.is_some_and(|e| quote_all(&e, odds_format, &mut batch.records).is_some());
        if !clean {
            batch.records.truncate(start);
            quote_one_by_one(raw, odds_format, &mut batch, &mut american);
        }
    }
    match american {
        Some((event, price)) => Err(PluginError::MalformedResponse(format!(
            "the response holds American odds (price {price} of event {event}), but its request asked for decimal odds, so none of its prices can be stored; a request with `{0}=american` (the stream parameter `{0}` set to `american`) reads them",
            format::PARAM
        ))),
        None => Ok(batch),
    }
}

fn outcome_count<O>(event: &wire::OddsEvent<O>) -> usize {
    event
        .bookmakers
        .iter()
        .flatten()
        .flat_map(|b| b.markets.iter().flatten())
        .map(|m| m.outcomes.as_ref().map_or(0, Vec::len))
        .sum()
}

/// What every quote of one market shares.
struct Book {
    event: String,
    bookmaker: String,
    bookmaker_name: Option<String>,
    market: String,
    updated_at: Option<String>,
}

impl Book {
    fn quote(
        &self,
        selection: String,
        participant: Option<String>,
        line: Option<f64>,
        price: f64,
    ) -> Record {
        Record::Odds(OddsQuote {
            event: self.event.clone(),
            bookmaker: self.bookmaker.clone(),
            bookmaker_name: self.bookmaker_name.clone(),
            market: self.market.clone(),
            selection,
            participant,
            line,
            price,
            provider_updated_at: self.updated_at.clone(),
        })
    }
}

/// The fast path: every quote of a well-formed event, or `None` at the
/// first thing that must be rejected.
fn quote_all(
    event: &wire::OddsEvent<wire::Outcome>,
    odds_format: OddsFormat,
    out: &mut Vec<Record>,
) -> Option<()> {
    let id = event.id.as_deref()?;
    for bookmaker in event.bookmakers.iter().flatten() {
        let updated_at = last_update(bookmaker.last_update.as_ref(), None).ok()?;
        for market in bookmaker.markets.iter().flatten() {
            let book = Book {
                event: id.to_owned(),
                bookmaker: bookmaker.key.as_str().to_owned(),
                bookmaker_name: bookmaker.title.as_deref().map(str::to_owned),
                market: market.key.as_str().to_owned(),
                updated_at: last_update(market.last_update.as_ref(), updated_at.as_ref()).ok()?,
            };
            for outcome in market.outcomes.iter().flatten() {
                let price = odds_format.to_decimal(outcome.price).ok()?;
                let line = check_line(outcome.point).ok()?;
                out.push(book.quote(
                    outcome.name.as_str().to_owned(),
                    outcome.description.as_deref().map(str::to_owned),
                    line,
                    price,
                ));
            }
        }
    }
    Some(())
}

/// The careful path: the event's bookmakers and markets typed, each outcome
/// read on its own and rejected alone when it cannot be used. An event
/// without `id`, or whose bookmakers or markets cannot be read, is rejected
/// whole. In a response to a request for decimal odds, the first price that
/// can only be American odds is kept in `american` with its event.
fn quote_one_by_one(
    raw: &RawValue,
    odds_format: OddsFormat,
    batch: &mut Batch,
    american: &mut Option<(String, f64)>,
) {
    let event = match serde_json::from_str::<wire::OddsEvent<&RawValue>>(raw.get()) {
        Ok(event) => event,
        Err(err) => {
            return batch.rejects.push(Reject {
                provider_id: body::item_id(raw),
                reason: format!("event is not of the expected shape: {err}"),
                raw: raw.get().to_string(),
            });
        }
    };
    let Some(id) = event.id.as_deref() else {
        return batch.rejects.push(Reject {
            provider_id: None,
            reason: "event has no `id`, so its odds cannot be attributed".to_string(),
            raw: raw.get().to_string(),
        });
    };
    for bookmaker in event.bookmakers.iter().flatten() {
        let bookmaker_updated = last_update(bookmaker.last_update.as_ref(), None);
        for market in bookmaker.markets.iter().flatten() {
            let place = format!("{} {}", bookmaker.key.as_str(), market.key.as_str());
            let updated_at = bookmaker_updated
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|b| last_update(market.last_update.as_ref(), b.as_ref()));
            let book = updated_at.map(|updated_at| Book {
                event: id.to_owned(),
                bookmaker: bookmaker.key.as_str().to_owned(),
                bookmaker_name: bookmaker.title.as_deref().map(str::to_owned),
                market: market.key.as_str().to_owned(),
                updated_at,
            });
            for (index, outcome) in market.outcomes.iter().flatten().enumerate() {
                let read = read_outcome(outcome);
                if let Ok((.., price)) = &read
                    && odds_format == OddsFormat::Decimal
                    && format::is_american_only(*price)
                    && american.is_none()
                {
                    *american = Some((id.to_owned(), *price));
                }
                let quote = book
                    .as_ref()
                    .map_err(|e| format!("{place}: {e}"))
                    .and_then(|book| {
                        read.and_then(|(name, participant, line, price)| {
                            let price = odds_format.to_decimal(price)?;
                            Ok(book.quote(name, participant, line, price))
                        })
                        .map_err(|e| format!("{place} outcome {}: {e}", index + 1))
                    });
                match quote {
                    Ok(quote) => batch.records.push(quote),
                    Err(reason) => batch.rejects.push(Reject {
                        provider_id: Some(id.to_string()),
                        reason,
                        raw: outcome.get().to_string(),
                    }),
                }
            }
        }
    }
}

/// A market's own `last_update`, else its bookmaker's, in RFC 3339 UTC.
fn last_update(
    own: Option<&wire::Timestamp>,
    bookmaker: Option<&String>,
) -> Result<Option<String>, String> {
    match own {
        Some(t) => t
            .to_rfc3339()
            .map(Some)
            .map_err(|e| format!("`last_update`: {e}")),
        None => Ok(bookmaker.cloned()),
    }
}

/// Selection, participant, line and price (as written, in the request's
/// format) of one outcome, with a reason a person understands when one of
/// them is missing or unusable.
fn read_outcome(raw: &RawValue) -> Result<(String, Option<String>, Option<f64>, f64), String> {
    let outcome: wire::LooseOutcome = serde_json::from_str(raw.get())
        .map_err(|e| format!("outcome is not a JSON object of the expected shape: {e}"))?;
    let name = text(outcome.name.ok_or("outcome has no `name`")?, "name")?;
    let participant = outcome
        .description
        .map(|d| text(d, "description"))
        .transpose()?;
    let price = number(outcome.price.ok_or("outcome has no `price`")?, "price")?;
    let line = outcome.point.map(|p| number(p, "point")).transpose()?;
    Ok((name, participant, check_line(line)?, price))
}

fn text(raw: &RawValue, field: &str) -> Result<String, String> {
    serde_json::from_str(raw.get())
        .map_err(|_| format!("`{field}` is {}, not a string", json::excerpt(raw.get())))
}

/// A JSON number, read from its literal; a string such as `"1.5"` is not
/// one: The Odds API writes prices as numbers.
fn number(raw: &RawValue, field: &str) -> Result<f64, String> {
    let literal = raw.get();
    let value = literal
        .starts_with(|c: char| c == '-' || c.is_ascii_digit())
        .then(|| literal.parse::<f64>().ok())
        .flatten()
        .ok_or_else(|| format!("`{field}` is {}, not a number", json::excerpt(raw.get())))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("`{field}` {literal} is not a finite number"))
    }
}

fn check_line(point: Option<f64>) -> Result<Option<f64>, String> {
    match point {
        Some(p) if !p.is_finite() => Err(format!("point {p} is not a finite number")),
        _ => Ok(point),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    const TWO_BOOKS: &str = r#"[{"id":"e1","sport_key":"soccer_epl","commence_time":1638494400,
        "home_team":"A","away_team":"B","bookmakers":[
        {"key":"unibet","title":"Unibet","last_update":1638331675,"markets":[
            {"key":"spreads","outcomes":[{"name":"A","price":1.88,"point":-4.0},{"name":"B","price":1.95,"point":4}]}]},
        {"key":"betfair_ex_eu","title":"Betfair","last_update":"2022-02-10T22:27:26Z","markets":[
            {"key":"h2h_lay","last_update":"2022-02-10T22:30:00+01:00","outcomes":[{"name":"A","price":3}]}]}]}]"#;

    #[test]
    fn every_outcome_is_a_quote_with_its_market_or_bookmaker_time() {
        let batch = normalize(TWO_BOOKS.as_bytes(), false, OddsFormat::Decimal).expect("a list");
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        let q = quotes(&batch);
        assert_eq!(q.len(), 3);
        assert_eq!(
            *q[0],
            OddsQuote {
                event: "e1".to_string(),
                bookmaker: "unibet".to_string(),
                bookmaker_name: Some("Unibet".to_string()),
                market: "spreads".to_string(),
                selection: "A".to_string(),
                participant: None,
                line: Some(-4.0),
                price: 1.88,
                provider_updated_at: Some("2021-12-01T04:07:55Z".to_string()),
            }
        );
        assert_eq!(q[1].line, Some(4.0));
        assert_eq!(q[2].market, "h2h_lay");
        assert_eq!(q[2].price, 3.0);
        assert_eq!(q[2].line, None);
        assert_eq!(
            q[2].provider_updated_at.as_deref(),
            Some("2022-02-10T21:30:00Z")
        );
    }

    #[test]
    fn one_event_body_and_player_markets() {
        let batch = normalize(
            br#"{"id":"e2","bookmakers":[{"key":"onexbet","title":"1xBet","markets":[
                {"key":"player_shots","last_update":"2025-11-25T18:19:50Z","outcomes":[
                    {"name":"Over","description":"Tim Kleindienst","price":1.72,"point":1.5}]}]}]}"#,
            true,
            OddsFormat::Decimal,
        )
        .expect("one event");
        let q = quotes(&batch);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].selection, "Over");
        assert_eq!(q[0].participant.as_deref(), Some("Tim Kleindienst"));
        assert_eq!(q[0].line, Some(1.5));
        assert_eq!(
            q[0].provider_updated_at.as_deref(),
            Some("2025-11-25T18:19:50Z")
        );
    }

    #[test]
    fn unusable_outcomes_are_rejected_alone_with_their_raw_json() {
        let batch = normalize(
            br#"[{"id":"e3","bookmakers":[{"key":"pinnacle","title":"Pinnacle","last_update":"2022-02-10T22:27:28Z","markets":[
                {"key":"h2h","outcomes":[
                    {"name":"A","price":2.5},
                    {"name":"B","price":1.0},
                    {"name":"Draw","price":"3.1"},
                    {"name":"C"},
                    {"name":"D","price":1e400},
                    {"price":2.0},
                    {"name":"E","price":2.0,"point":"x"},
                    7,
                    {"name":"F","price":4}]}]}]},
                {"id":"e4","bookmakers":[{"key":"unibet","markets":[{"key":"h2h","outcomes":[{"name":"G","price":1.5}]}]}]}]"#,
            false,
            OddsFormat::Decimal,
        )
        .expect("a list");
        let got: Vec<(&str, f64)> = quotes(&batch)
            .iter()
            .map(|q| (q.selection.as_str(), q.price))
            .collect();
        assert_eq!(got, [("A", 2.5), ("F", 4.0), ("G", 1.5)]);
        let rejects: Vec<(&str, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.reason.as_str(), r.raw.as_str()))
            .collect();
        assert_eq!(
            rejects,
            [
                (
                    "pinnacle h2h outcome 2: price 1 is not decimal odds (above 1)",
                    r#"{"name":"B","price":1.0}"#
                ),
                (
                    r#"pinnacle h2h outcome 3: `price` is "3.1", not a number"#,
                    r#"{"name":"Draw","price":"3.1"}"#
                ),
                (
                    "pinnacle h2h outcome 4: outcome has no `price`",
                    r#"{"name":"C"}"#
                ),
                (
                    "pinnacle h2h outcome 5: `price` 1e400 is not a finite number",
                    r#"{"name":"D","price":1e400}"#
                ),
                (
                    "pinnacle h2h outcome 6: outcome has no `name`",
                    r#"{"price":2.0}"#
                ),
                (
                    r#"pinnacle h2h outcome 7: `point` is "x", not a number"#,
                    r#"{"name":"E","price":2.0,"point":"x"}"#
                ),
                (
                    "pinnacle h2h outcome 8: outcome is not a JSON object of the expected shape: invalid type: integer `7`, expected struct LooseOutcome at line 1 column 1",
                    "7"
                ),
            ]
        );
        assert!(
            batch
                .rejects
                .iter()
                .all(|r| r.provider_id.as_deref() == Some("e3"))
        );
    }

    #[test]
    fn an_event_without_id_or_of_another_shape_is_rejected_whole() {
        let batch = normalize(
            br#"[{"bookmakers":[{"key":"unibet","markets":[{"key":"h2h","outcomes":[{"name":"A","price":2.0}]}]}]},
                {"id":"e5","bookmakers":"none"},
                {"id":"e6","bookmakers":[]}]"#,
            false,
            OddsFormat::Decimal,
        )
        .expect("a list");
        assert!(batch.records.is_empty());
        let rejects: Vec<(Option<&str>, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.provider_id.as_deref(), r.reason.as_str()))
            .collect();
        assert_eq!(rejects.len(), 2);
        assert_eq!(
            rejects[0],
            (None, "event has no `id`, so its odds cannot be attributed")
        );
        assert_eq!(rejects[1].0, Some("e5"));
        assert!(
            rejects[1]
                .1
                .starts_with("event is not of the expected shape: invalid type: string \"none\""),
            "{}",
            rejects[1].1
        );
    }

    #[test]
    fn a_bad_market_time_rejects_that_markets_outcomes() {
        let batch = normalize(
            br#"[{"id":"e7","bookmakers":[{"key":"unibet","markets":[
                {"key":"h2h","last_update":"yesterday","outcomes":[{"name":"A","price":2.0}]},
                {"key":"totals","last_update":1638331675,"outcomes":[{"name":"Over","price":1.9,"point":47.5}]}]}]}]"#,
            false,
            OddsFormat::Decimal,
        )
        .expect("a list");
        assert_eq!(quotes(&batch).len(), 1);
        assert_eq!(batch.rejects.len(), 1);
        assert!(
            batch.rejects[0]
                .reason
                .starts_with("unibet h2h: `last_update`: `yesterday` is not an RFC 3339 timestamp"),
            "{}",
            batch.rejects[0].reason
        );
    }

    /// The h2h and spreads of one NFL game, priced in American odds.
    const AMERICAN: &str = r#"[{"id":"e8","bookmakers":[{"key":"draftkings","title":"DraftKings","last_update":"2024-11-10T17:00:00Z","markets":[
        {"key":"h2h","outcomes":[{"name":"A","price":150},{"name":"B","price":-200}]},
        {"key":"spreads","outcomes":[{"name":"A","price":-110,"point":3.5},{"name":"B","price":100,"point":-3.5}]}]}]}]"#;

    #[test]
    fn american_prices_are_stored_as_exact_decimal_odds() {
        let batch = normalize(AMERICAN.as_bytes(), false, OddsFormat::American).expect("a list");
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        let got: Vec<(&str, &str, f64, Option<f64>)> = quotes(&batch)
            .iter()
            .map(|q| (q.market.as_str(), q.selection.as_str(), q.price, q.line))
            .collect();
        assert_eq!(
            got,
            [
                ("h2h", "A", 2.5, None),
                ("h2h", "B", 1.5, None),
                ("spreads", "A", 21.0 / 11.0, Some(3.5)),
                ("spreads", "B", 2.0, Some(-3.5)),
            ]
        );
    }

    #[test]
    fn prices_that_are_no_american_odds_are_rejected_alone() {
        let batch = normalize(
            br#"{"id":"e9","bookmakers":[{"key":"fanduel","title":"FanDuel","last_update":1731258000,"markets":[
                {"key":"h2h","outcomes":[
                    {"name":"A","price":50},
                    {"name":"B","price":-105},
                    {"name":"C","price":0},
                    {"name":"D","price":137.5},
                    {"name":"E","price":-99},
                    {"name":"F","price":1.91},
                    {"name":"G","price":"+120"},
                    {"name":"H","price":250}]}]}]}"#,
            true,
            OddsFormat::American,
        )
        .expect("one event");
        let got: Vec<(&str, f64)> = quotes(&batch)
            .iter()
            .map(|q| (q.selection.as_str(), q.price))
            .collect();
        assert_eq!(got, [("B", 41.0 / 21.0), ("H", 3.5)]);
        let rejects: Vec<(&str, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.reason.as_str(), r.raw.as_str()))
            .collect();
        let not_american = |n: u8, price: &str| {
            format!(
                "fanduel h2h outcome {n}: price {price} is not American odds (a whole number, 100 or more, or -100 or less)"
            )
        };
        assert_eq!(
            rejects,
            [
                (not_american(1, "50").as_str(), r#"{"name":"A","price":50}"#),
                (not_american(3, "0").as_str(), r#"{"name":"C","price":0}"#),
                (
                    not_american(4, "137.5").as_str(),
                    r#"{"name":"D","price":137.5}"#
                ),
                (
                    not_american(5, "-99").as_str(),
                    r#"{"name":"E","price":-99}"#
                ),
                (
                    not_american(6, "1.91").as_str(),
                    r#"{"name":"F","price":1.91}"#
                ),
                (
                    r#"fanduel h2h outcome 7: `price` is "+120", not a number"#,
                    r#"{"name":"G","price":"+120"}"#
                ),
            ]
        );
    }

    #[test]
    fn american_prices_in_a_response_to_a_decimal_request_fail_it_whole() {
        let clean_first = format!(
            r#"[{{"id":"e10","bookmakers":[{{"key":"unibet","markets":[{{"key":"h2h","outcomes":[{{"name":"A","price":2.5}}]}}]}}]}},{}"#,
            &AMERICAN[1..]
        );
        for (body, one_event) in [
            (AMERICAN.to_string(), false),
            (clean_first, false),
            (AMERICAN[1..AMERICAN.len() - 1].to_string(), true),
        ] {
            assert_eq!(
                normalize(body.as_bytes(), one_event, OddsFormat::Decimal).err(),
                Some(PluginError::MalformedResponse(
                    "the response holds American odds (price -200 of event e8), but its request asked for decimal odds, so none of its prices can be stored; a request with `oddsFormat=american` (the stream parameter `oddsFormat` set to `american`) reads them".to_string()
                )),
                "{body}"
            );
        }
        // A negative number that is no American price either is one bad
        // outcome, rejected alone.
        let batch = normalize(
            br#"[{"id":"e11","bookmakers":[{"key":"unibet","markets":[{"key":"h2h","outcomes":[{"name":"A","price":-1.5},{"name":"B","price":150}]}]}]}]"#,
            false,
            OddsFormat::Decimal,
        )
        .expect("a list");
        assert_eq!(quotes(&batch).len(), 1);
        assert_eq!(quotes(&batch)[0].price, 150.0);
        assert_eq!(
            batch.rejects[0].reason,
            "unibet h2h outcome 1: price -1.5 is not decimal odds (above 1)"
        );
    }

    #[test]
    fn the_providers_error_body_fails_the_call() {
        assert_eq!(
            normalize(
                br#"{"message":"Usage quota has been reached.","error_code":"OUT_OF_USAGE_CREDITS"}"#,
                false,
                OddsFormat::Decimal
            )
            .err(),
            Some(PluginError::ProviderError(
                "The Odds API: Usage quota has been reached. (OUT_OF_USAGE_CREDITS)".to_string()
            ))
        );
    }
}
