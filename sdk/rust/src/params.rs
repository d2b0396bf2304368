//! Reading a stream's parameters.

use crate::{Params, PluginError};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_names_the_missing_parameter() {
        let params = vec![("season".to_string(), "2022".to_string())];
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
        let params = |pairs: &[(&str, &str)]| -> Params {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
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
}
