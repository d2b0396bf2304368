//! Reading a stream's parameters.

use crate::{Params, PluginError};

/// Params of `pairs`, as a pipeline's `params = { … }` gives them (tests
/// and examples build them so).
pub fn of(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// The value of parameter `name`, if the pipeline set it.
pub fn get<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The value of parameter `name`, or an `invalid-params` error naming it.
pub fn require<'a>(params: &'a Params, name: &str) -> Result<&'a str, PluginError> {
    match get(params, name) {
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(_) => Err(PluginError::InvalidParams(format!(
            "parameter `{name}` is empty"
        ))),
        None => Err(PluginError::InvalidParams(format!(
            "parameter `{name}` is required"
        ))),
    }
}

/// Which of `sets` (alternative parameter sets, such as `league` +
/// `season`, or `ids`, or `date`) the params use, named by its first
/// parameter: exactly one set must be present, and all of its parameters.
/// `described` lists the sets for the error ("`league` + `season`, `ids` or
/// `date`").
pub fn one_set(
    params: &Params,
    sets: &[&[&'static str]],
    described: &str,
) -> Result<&'static str, PluginError> {
    let present: Vec<&[&'static str]> = sets
        .iter()
        .copied()
        .filter(|set| set.iter().any(|p| get(params, p).is_some()))
        .collect();
    match present.as_slice() {
        [set] => {
            if let Some(missing) = set.iter().find(|p| get(params, p).is_none()) {
                let given: Vec<String> = set
                    .iter()
                    .filter(|p| get(params, p).is_some())
                    .map(|p| format!("`{p}`"))
                    .collect();
                return Err(PluginError::InvalidParams(format!(
                    "parameter `{missing}` is required with {}",
                    given.join(" and ")
                )));
            }
            Ok(set[0])
        }
        [] => Err(PluginError::InvalidParams(format!(
            "give one of {described}"
        ))),
        several => {
            let names: Vec<String> = several.iter().map(|set| format!("`{}`", set[0])).collect();
            Err(PluginError::InvalidParams(format!(
                "give only one of {described}, not {} together",
                names.join(" and ")
            )))
        }
    }
}

/// Whether `text` is a calendar day `YYYY-MM-DD`: a month of 01-12 and a
/// day the month can have (29 February in leap years only).
pub fn is_day(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (
        year.parse::<u32>(),
        month.parse::<u32>(),
        day.parse::<u32>(),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_names_the_missing_parameter() {
        let params = of(&[("season", "2022")]);
        assert_eq!(require(&params, "season"), Ok("2022"));
        assert_eq!(
            require(&params, "competition"),
            Err(PluginError::InvalidParams(
                "parameter `competition` is required".to_string()
            ))
        );
    }

    #[test]
    fn exactly_one_whole_parameter_set_is_taken() {
        let params = of;
        let sets: &[&[&str]] = &[&["league", "season"], &["ids"]];
        let described = "`league` + `season`, or `ids`";
        assert_eq!(
            one_set(&params(&[("ids", "1-2")]), sets, described),
            Ok("ids")
        );
        assert_eq!(
            one_set(
                &params(&[("season", "2023"), ("league", "78")]),
                sets,
                described
            ),
            Ok("league")
        );
        let err = |pairs: &[(&str, &str)]| match one_set(&params(pairs), sets, described) {
            Err(PluginError::InvalidParams(message)) => message,
            other => panic!("expected invalid-params, got {other:?}"),
        };
        assert_eq!(
            err(&[("league", "78")]),
            "parameter `season` is required with `league`"
        );
        assert_eq!(err(&[]), "give one of `league` + `season`, or `ids`");
        assert_eq!(
            err(&[("league", "78"), ("season", "2023"), ("ids", "1")]),
            "give only one of `league` + `season`, or `ids`, not `league` and `ids` together"
        );
    }

    #[test]
    fn a_day_is_a_real_calendar_day() {
        for day in ["2024-02-29", "2023-12-31", "2000-02-29"] {
            assert!(is_day(day), "{day}");
        }
        for not_a_day in [
            "2023-02-29",
            "1900-02-29",
            "2023-13-01",
            "2023-04-31",
            "2023-4-01",
            "20230401",
            "",
        ] {
            assert!(!is_day(not_a_day), "{not_a_day}");
        }
    }
}
