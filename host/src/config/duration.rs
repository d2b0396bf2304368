//! Durations written the way people write them: `500ms`, `30s`, `5m`, `1h`.

use serde::Deserialize;
use std::time::Duration;

/// A duration parsed from text such as `"30s"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        humantime::parse_duration(&text)
            .map(HumanDuration)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "`{text}` is not a duration ({e}); write e.g. \"500ms\", \"30s\", \"5m\""
                ))
            })
    }
}
