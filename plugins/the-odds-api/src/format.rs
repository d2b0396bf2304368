//! The odds format a request asks for, and how the prices of its response
//! become the decimal odds sluice stores.
//!
//! The Odds API writes every price of a response in the `oddsFormat` of the
//! request: decimal (its default) or American. Nothing in the body says which,
//! and the positive prices of both formats look alike (`150` is a 150.0 long
//! shot in decimal odds and `+150`, that is 2.5, in American odds), so the
//! prices are read in the format of the request that produced the response.

use sluice_plugin_sdk::{HttpRequest, PluginError};

/// The name of the query parameter, and of the stream parameter that sets
/// it, as The Odds API spells it.
pub const PARAM: &str = "oddsFormat";

/// The format of the prices of an odds response, which is what its request
/// asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OddsFormat {
    /// Decimal odds (`2.5`): the stake returned with the winnings; stored
    /// as they are.
    Decimal,
    /// American odds (`+150`, `-200`): the winnings on a stake of 100, or
    /// the stake that wins 100; converted to decimal odds.
    American,
}

impl OddsFormat {
    /// The value of `oddsFormat` in a request, as The Odds API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            OddsFormat::Decimal => "decimal",
            OddsFormat::American => "american",
        }
    }

    /// The format a value of `oddsFormat` names, or `None` when it is not
    /// one this plugin reads (The Odds API has no other format).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "decimal" => Some(OddsFormat::Decimal),
            "american" => Some(OddsFormat::American),
            _ => None,
        }
    }

    /// The format of the prices of the response to `request`: its
    /// `oddsFormat`, or decimal, The Odds API's default, when it has none. A
    /// request whose `oddsFormat` this plugin cannot read, or that names two
    /// formats, fails the call: its prices would otherwise be read in a
    /// format they are not in.
    pub fn of_request(request: &HttpRequest) -> Result<Self, PluginError> {
        let mut values = request
            .query
            .iter()
            .filter(|(key, _)| key == PARAM)
            .map(|(_, value)| value.as_str());
        let Some(first) = values.next() else {
            return Ok(OddsFormat::Decimal);
        };
        let format = OddsFormat::parse(first).ok_or_else(|| {
            PluginError::InvalidParams(format!(
                "the request asks for `{PARAM}={first}`; the-odds-api reads only `decimal` or `american` odds, so it cannot tell what the prices of the response are"
            ))
        })?;
        match values.find(|other| OddsFormat::parse(other) != Some(format)) {
            Some(other) => Err(PluginError::InvalidParams(format!(
                "the request asks for both `{PARAM}={first}` and `{PARAM}={other}`, so it cannot be told which the prices of the response are in"
            ))),
            None => Ok(format),
        }
    }

    /// The decimal odds of a `price` written in this format, or the reason
    /// it is not a price in this format.
    pub fn to_decimal(self, price: f64) -> Result<f64, String> {
        match self {
            OddsFormat::Decimal => decimal(price),
            OddsFormat::American => american_to_decimal(price),
        }
    }
}

/// Decimal odds are above 1: a price of 1 or less is a feed error.
fn decimal(price: f64) -> Result<f64, String> {
    if price.is_finite() && price > 1.0 {
        Ok(price)
    } else {
        Err(format!("price {price} is not decimal odds (above 1)"))
    }
}

/// The decimal odds of an American price: `+p` returns `1 + p/100` per unit
/// staked, `-p` returns `1 + 100/p`.
///
/// American odds are whole numbers of at least 100 or at most -100 (`+100`
/// and `-100` both being even money, 2.0): a price between -100 and 100, or
/// with a fraction, is no American price and is refused with the reason,
/// never guessed at. Each value is computed as one division of whole
/// numbers, `(p + 100) / 100` or `(|p| + 100) / |p|`, so it is the double
/// nearest the exact odds (`-110` gives 1.9090909090909092, the double
/// nearest 21/11), with no rounding to a few decimals on top.
pub fn american_to_decimal(price: f64) -> Result<f64, String> {
    if !price.is_finite() || price.fract() != 0.0 || price.abs() < 100.0 {
        return Err(format!(
            "price {price} is not American odds (a whole number, 100 or more, or -100 or less)"
        ));
    }
    let stake = price.abs();
    let decimal = if price > 0.0 {
        (stake + 100.0) / 100.0
    } else {
        (stake + 100.0) / stake
    };
    // A favourite so heavy that its decimal odds round to 1 (beyond about
    // -10^18) has no price sluice can store.
    if decimal.is_finite() && decimal > 1.0 {
        Ok(decimal)
    } else {
        Err(format!(
            "American price {price} has no decimal odds above 1 that a double can hold"
        ))
    }
}

/// Whether `price` can only be American odds: a whole number of -100 or
/// less, as decimal odds are never negative. One such price in a response
/// means all of its prices are American.
pub fn is_american_only(price: f64) -> bool {
    price.is_finite() && price.fract() == 0.0 && price <= -100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &[(&str, &str)]) -> HttpRequest {
        HttpRequest::get("/v4/sports/americanfootball_nfl/odds", query)
    }

    #[test]
    fn american_odds_convert_exactly() {
        let cases = [
            (150.0, 2.5),
            (-200.0, 1.5),
            (100.0, 2.0),
            (-100.0, 2.0),
            (-110.0, 21.0 / 11.0),
            (-105.0, 41.0 / 21.0),
            (110.0, 2.1),
            (-150.0, 5.0 / 3.0),
            (250.0, 3.5),
            (-1000.0, 1.1),
            (100_000.0, 1001.0),
        ];
        for (american, expected) in cases {
            assert_eq!(
                american_to_decimal(american),
                Ok(expected),
                "{american} in American odds"
            );
        }
        // The nearest doubles, spelled out.
        assert_eq!(american_to_decimal(-110.0), Ok(1.9090909090909092));
        assert_eq!(american_to_decimal(-150.0), Ok(1.6666666666666667));
    }

    #[test]
    fn what_is_no_american_price_is_refused_with_the_reason() {
        for price in [50.0, 99.0, -99.0, 0.0, -0.0, 1.91, -1.5, 99.999] {
            assert_eq!(
                american_to_decimal(price),
                Err(format!(
                    "price {price} is not American odds (a whole number, 100 or more, or -100 or less)"
                )),
                "{price}"
            );
        }
        for price in [150.5, -110.25, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(american_to_decimal(price).is_err(), "{price}");
        }
        assert_eq!(
            american_to_decimal(-1e19),
            Err(
                "American price -10000000000000000000 has no decimal odds above 1 that a double can hold"
                    .to_string()
            )
        );
    }

    #[test]
    fn decimal_prices_stay_as_they_are() {
        assert_eq!(OddsFormat::Decimal.to_decimal(1.91), Ok(1.91));
        assert_eq!(OddsFormat::Decimal.to_decimal(150.0), Ok(150.0));
        assert_eq!(
            OddsFormat::Decimal.to_decimal(1.0),
            Err("price 1 is not decimal odds (above 1)".to_string())
        );
        assert_eq!(
            OddsFormat::Decimal.to_decimal(-110.0),
            Err("price -110 is not decimal odds (above 1)".to_string())
        );
        assert_eq!(OddsFormat::American.to_decimal(150.0), Ok(2.5));
    }

    #[test]
    fn only_a_whole_number_of_minus_100_or_less_is_surely_american() {
        for price in [-100.0, -110.0, -10_000.0] {
            assert!(is_american_only(price), "{price}");
        }
        for price in [
            -99.0,
            -110.5,
            -1.5,
            0.0,
            100.0,
            150.0,
            2.5,
            f64::NEG_INFINITY,
        ] {
            assert!(!is_american_only(price), "{price}");
        }
    }

    #[test]
    fn the_format_is_the_requests() {
        assert_eq!(
            OddsFormat::of_request(&request(&[("regions", "us")])),
            Ok(OddsFormat::Decimal)
        );
        assert_eq!(
            OddsFormat::of_request(&request(&[("oddsFormat", "decimal")])),
            Ok(OddsFormat::Decimal)
        );
        assert_eq!(
            OddsFormat::of_request(&request(&[("regions", "us"), ("oddsFormat", "american")])),
            Ok(OddsFormat::American)
        );
        assert_eq!(
            OddsFormat::of_request(&request(&[
                ("oddsFormat", "american"),
                ("oddsFormat", "american")
            ])),
            Ok(OddsFormat::American)
        );
        assert_eq!(
            OddsFormat::of_request(&request(&[("oddsFormat", "fractional")])),
            Err(PluginError::InvalidParams(
                "the request asks for `oddsFormat=fractional`; the-odds-api reads only `decimal` or `american` odds, so it cannot tell what the prices of the response are"
                    .to_string()
            ))
        );
        assert_eq!(
            OddsFormat::of_request(&request(&[
                ("oddsFormat", "american"),
                ("oddsFormat", "decimal")
            ])),
            Err(PluginError::InvalidParams(
                "the request asks for both `oddsFormat=american` and `oddsFormat=decimal`, so it cannot be told which the prices of the response are in"
                    .to_string()
            ))
        );
    }
}
