//! Request rate limits written as `"N/period"`.

use serde::Deserialize;
use std::num::NonZeroU32;
use std::time::Duration;

/// At most `requests` requests in any window of `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests.
    pub requests: NonZeroU32,
    /// In how long a window.
    pub period: Duration,
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let expected = "expected `N/unit` with unit s, min, hour or day, e.g. `10/min`";
        let (count, unit) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}`: {expected}"))?;
        let requests = count.trim().parse::<NonZeroU32>().map_err(|_| {
            format!("`{text}`: `{count}` is not a positive whole number; {expected}")
        })?;
        let seconds = match unit.trim() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3_600,
            "d" | "day" => 86_400,
            other => return Err(format!("`{text}`: unknown unit `{other}`; {expected}")),
        };
        Ok(RateLimit {
            requests,
            period: Duration::from_secs(seconds),
        })
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}s", self.requests, self.period.as_secs())
    }
}

/// Every limit a provider is under; a request waits until all allow it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits(pub Vec<RateLimit>);

impl<'de> Deserialize<'de> for RateLimits {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let texts = match OneOrMany::deserialize(de).map_err(|_| {
            serde::de::Error::custom("expected a rate such as \"10/min\" or a list of them")
        })? {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(ts) => ts,
        };
        texts
            .iter()
            .map(|t| t.parse().map_err(serde::de::Error::custom))
            .collect::<Result<Vec<_>, _>>()
            .map(RateLimits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_units_providers_publish() {
        let limit: RateLimit = "10/min".parse().expect("valid");
        assert_eq!(limit.requests.get(), 10);
        assert_eq!(limit.period, Duration::from_secs(60));
        let daily: RateLimit = "100/day".parse().expect("valid");
        assert_eq!(daily.period, Duration::from_secs(86_400));
    }

    #[test]
    fn rejects_what_it_cannot_enforce() {
        assert!("0/min".parse::<RateLimit>().is_err());
        assert!("ten/min".parse::<RateLimit>().is_err());
        let err = "10/fortnight"
            .parse::<RateLimit>()
            .err()
            .unwrap_or_default();
        assert!(err.contains("unknown unit `fortnight`"), "{err}");
    }
}
