//! API-Football's markets (`bets[].name`) and selections (`values[].value`)
//! as the canonical odds name them, the way the-odds-api's quotes do, so
//! that the `odds-maths` enricher groups both providers' books alike:
//!
//! | API-Football bet | market | selection | line |
//! |---|---|---|---|
//! | `Match Winner` | `h2h` | `Home`, `Draw`, `Away` | none |
//! | `Goals Over/Under` | `totals` | `Over`, `Under` | the total (`2.5`) |
//! | `Asian Handicap` | `spreads` | `Home`, `Away` | that side's handicap (`-0.5`, `+0.25`) |
//! | `Double Chance` | `double_chance` | `Home/Draw`, `Home/Away`, `Draw/Away` | none |
//! | `Both Teams Score` | `btts` | `Yes`, `No` | none |
//! | any other | its name folded (`Goals Over/Under First Half` is `goals_over_under_first_half`) | `Over`/`Under` when the value is one with a line, else the value as written | the line of an `Over`/`Under` value, else none |
//!
//! The names must match whole (case aside): `Asian Handicap First Half` is
//! another market, not a handicap on the match. Another market's `Over 1.5`
//! and `Under 1.5` are split as a total's are, since odds-maths makes one
//! book of a market's quotes per line: kept whole and without a line, every
//! line of a first-half or corners total would be one book. Other values
//! (`Home -1` of a three-way handicap, `2:1`) stay as written. The odds body
//! names no teams, so a side is `Home` or `Away`, as API-Football writes it.

/// A market of API-Football's, known or kept under its own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Market {
    /// `Match Winner`: the result of regular time, draw included.
    MatchWinner,
    /// `Goals Over/Under`: total goals above or below a line.
    Totals,
    /// `Asian Handicap`: each side with its own handicap.
    Handicap,
    /// `Double Chance`: two of the three results.
    DoubleChance,
    /// `Both Teams Score`.
    BothTeamsScore,
    /// Any other market, under its folded name.
    Other(String),
}

impl Market {
    /// The market a bet's name is; a name with no letter or digit to key it
    /// by is refused.
    pub fn of(name: &str) -> Result<Market, String> {
        let known = [
            ("match winner", Market::MatchWinner),
            ("goals over/under", Market::Totals),
            ("asian handicap", Market::Handicap),
            ("double chance", Market::DoubleChance),
            ("both teams score", Market::BothTeamsScore),
        ];
        let name_lower = name.trim().to_lowercase();
        if let Some((_, market)) = known.into_iter().find(|(n, _)| *n == name_lower) {
            return Ok(market);
        }
        let folded = fold(name);
        if folded.is_empty() {
            return Err(format!(
                "bet name `{name}` has no letter or digit to name its market by"
            ));
        }
        Ok(Market::Other(folded))
    }

    /// The market's canonical key.
    pub fn key(&self) -> &str {
        match self {
            Market::MatchWinner => "h2h",
            Market::Totals => "totals",
            Market::Handicap => "spreads",
            Market::DoubleChance => "double_chance",
            Market::BothTeamsScore => "btts",
            Market::Other(name) => name,
        }
    }

    /// The selection and line of one value of this market, or why the value
    /// does not belong to it.
    pub fn selection(&self, value: &str) -> Result<(String, Option<f64>), String> {
        let value = value.trim();
        let one_of = |choices: &[&str]| {
            choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(value))
                .map(|c| ((*c).to_string(), None))
                .ok_or_else(|| {
                    let names: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
                    format!(
                        "value `{value}` is none of {} in market `{}`",
                        names.join(", "),
                        self.key()
                    )
                })
        };
        match self {
            Market::MatchWinner => one_of(&["Home", "Draw", "Away"]),
            Market::DoubleChance => one_of(&["Home/Draw", "Home/Away", "Draw/Away"]),
            Market::BothTeamsScore => one_of(&["Yes", "No"]),
            Market::Totals => side_and_line(value, &["Over", "Under"], false),
            Market::Handicap => side_and_line(value, &["Home", "Away"], true),
            Market::Other(_) => Ok(side_and_line(value, &["Over", "Under"], false)
                .unwrap_or_else(|_| (value.to_string(), None))),
        }
    }
}

/// `Over 2.5`, `Home -0.5`: a side of `sides` and a decimal line, signed
/// when `signed` (a handicap), a plain non-negative number otherwise (a
/// total).
fn side_and_line(
    value: &str,
    sides: &[&str],
    signed: bool,
) -> Result<(String, Option<f64>), String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let side = words
        .first()
        .and_then(|w| sides.iter().find(|s| s.eq_ignore_ascii_case(w)));
    let (Some(side), [_, number]) = (side, words.as_slice()) else {
        let [first, second] = sides else {
            return Err(format!("value `{value}` cannot be read"));
        };
        let example = if signed { "-0.5" } else { "2.5" };
        return Err(format!(
            "value `{value}` is not `{first}` or `{second}` followed by a line, such as `{first} {example}`"
        ));
    };
    let digits = if signed {
        number.strip_prefix(['+', '-']).unwrap_or(number)
    } else {
        number
    };
    let line = is_decimal(digits)
        .then(|| number.parse::<f64>().ok())
        .flatten()
        .filter(|l| l.is_finite())
        .ok_or_else(|| format!("line `{number}` of value `{value}` is not a number"))?;
    Ok(((*side).to_string(), Some(line + 0.0)))
}

/// Digits with at most one decimal point between digits: `3`, `3.10`, not
/// `3.`, `.5`, `1e3` or `inf`.
pub fn is_decimal(text: &str) -> bool {
    let mut parts = text.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && parts.next().is_none_or(digits)
}

/// A market name as a key: lower case, every run of other characters than
/// letters and digits one `_`, none at either end.
fn fold(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            folded.extend(c.to_lowercase());
        } else if !folded.is_empty() && !folded.ends_with('_') {
            folded.push('_');
        }
    }
    while folded.ends_with('_') {
        folded.pop();
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bet: &str, value: &str) -> Result<(String, String, Option<f64>), String> {
        let market = Market::of(bet)?;
        let (selection, line) = market.selection(value)?;
        Ok((market.key().to_string(), selection, line))
    }

    fn quote(
        market: &str,
        selection: &str,
        line: Option<f64>,
    ) -> Result<(String, String, Option<f64>), String> {
        Ok((market.to_string(), selection.to_string(), line))
    }

    #[test]
    fn the_known_markets_take_the_canonical_names() {
        assert_eq!(read("Match Winner", "Home"), quote("h2h", "Home", None));
        assert_eq!(read("Match Winner", "Draw"), quote("h2h", "Draw", None));
        assert_eq!(read("match winner", " away "), quote("h2h", "Away", None));
        assert_eq!(
            read("Goals Over/Under", "Over 2.5"),
            quote("totals", "Over", Some(2.5))
        );
        assert_eq!(
            read("Goals Over/Under", "Under 0.5"),
            quote("totals", "Under", Some(0.5))
        );
        assert_eq!(
            read("Goals Over/Under", "Over 3"),
            quote("totals", "Over", Some(3.0))
        );
        assert_eq!(
            read("Asian Handicap", "Home -0.5"),
            quote("spreads", "Home", Some(-0.5))
        );
        assert_eq!(
            read("Asian Handicap", "Away +0.25"),
            quote("spreads", "Away", Some(0.25))
        );
        assert_eq!(
            read("Asian Handicap", "Away -1.75"),
            quote("spreads", "Away", Some(-1.75))
        );
        // -0 and +0 are one line, 0.
        let level = read("Asian Handicap", "Home -0").expect("a line");
        assert_eq!(level.2.map(f64::to_bits), Some(0.0f64.to_bits()));
        assert_eq!(
            read("Double Chance", "Home/Draw"),
            quote("double_chance", "Home/Draw", None)
        );
        assert_eq!(
            read("Double Chance", "Draw/Away"),
            quote("double_chance", "Draw/Away", None)
        );
        assert_eq!(read("Both Teams Score", "Yes"), quote("btts", "Yes", None));
        assert_eq!(read("Both Teams Score", "No"), quote("btts", "No", None));
    }

    #[test]
    fn other_markets_keep_their_name_folded_and_split_only_over_and_under_lines() {
        assert_eq!(
            read("Goals Over/Under First Half", "Over 1.5"),
            quote("goals_over_under_first_half", "Over", Some(1.5))
        );
        assert_eq!(
            read("Corners Over Under", "under 10.5"),
            quote("corners_over_under", "Under", Some(10.5))
        );
        assert_eq!(
            read("Handicap Result", "Home -1"),
            quote("handicap_result", "Home -1", None)
        );
        assert_eq!(
            read("Exact Goals Number", "more 6"),
            quote("exact_goals_number", "more 6", None)
        );
        assert_eq!(
            read("Total - Home", "Over"),
            quote("total_home", "Over", None)
        );
        assert_eq!(
            read("Asian Handicap First Half", "Home -0.5"),
            quote("asian_handicap_first_half", "Home -0.5", None)
        );
        assert_eq!(
            read("Exact Score", "2:1"),
            quote("exact_score", "2:1", None)
        );
        assert_eq!(
            read("  Home/Away  ", "Home"),
            quote("home_away", "Home", None)
        );
        assert_eq!(
            read("Résultat / Mi-temps", "1/X"),
            quote("résultat_mi_temps", "1/X", None)
        );
        assert_eq!(
            Market::of(" -/- "),
            Err("bet name ` -/- ` has no letter or digit to name its market by".to_string())
        );
    }

    #[test]
    fn a_value_that_does_not_fit_its_market_says_why() {
        assert_eq!(
            read("Match Winner", "1"),
            Err("value `1` is none of `Home`, `Draw`, `Away` in market `h2h`".to_string())
        );
        assert_eq!(
            read("Goals Over/Under", "Over"),
            Err(
                "value `Over` is not `Over` or `Under` followed by a line, such as `Over 2.5`"
                    .to_string()
            )
        );
        assert_eq!(
            read("Goals Over/Under", "Over -2.5"),
            Err("line `-2.5` of value `Over -2.5` is not a number".to_string())
        );
        assert_eq!(
            read("Asian Handicap", "Draw -0.5"),
            Err(
                "value `Draw -0.5` is not `Home` or `Away` followed by a line, such as `Home -0.5`"
                    .to_string()
            )
        );
        for value in [
            "Home x",
            "Home -",
            "Home 1e3",
            "Home inf",
            "Home +-1",
            "Home -0.5 -1",
        ] {
            assert!(read("Asian Handicap", value).is_err(), "{value}");
        }
        assert!(read("Both Teams Score", "Maybe").is_err());
    }

    #[test]
    fn decimals_are_digits_with_one_point_inside() {
        for ok in ["3", "3.10", "1.001", "10"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in [
            "", "3.", ".5", "1e3", "inf", "NaN", "-1", "1.2.3", "1,5", " 2",
        ] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }
}
