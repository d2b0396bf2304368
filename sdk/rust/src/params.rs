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
}
