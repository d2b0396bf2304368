//! `--live-sim matches=500,seed=7,speed=60,refresh=2s,freeze=api-football@60`:
//! what the simulator plays and how its providers misbehave, parsed into
//! types once.

use std::time::Duration;

/// Why a `--live-sim` value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A `key=value` item is malformed or names no setting.
    #[error("--live-sim: {0}")]
    Invalid(String),
}

/// A provider the simulator renders its matches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SimProvider {
    /// API-Football v3: `GET /fixtures?live=all`.
    ApiFootball,
    /// The Odds API v4: `GET /v4/sports/{sport}/scores`.
    TheOddsApi,
}

impl SimProvider {
    /// The provider's name, as configs and fault specs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            SimProvider::ApiFootball => "api-football",
            SimProvider::TheOddsApi => "the-odds-api",
        }
    }

    fn parse(text: &str) -> Result<Self, SpecError> {
        match text {
            "api-football" => Ok(SimProvider::ApiFootball),
            "the-odds-api" => Ok(SimProvider::TheOddsApi),
            other => Err(SpecError::Invalid(format!(
                "`{other}` is not a simulated provider (api-football, the-odds-api)"
            ))),
        }
    }
}

/// What a provider does wrong, from a minute of play on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SimFault {
    /// Each match's state stops at this minute of play: the same snapshot
    /// is served from then on.
    Freeze(SimProvider, u32),
    /// Every request answers HTTP 500 once the first match to kick off
    /// reaches this minute of play.
    Fail(SimProvider, u32),
}

/// The simulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSimSpec {
    /// Matches played at once.
    pub matches: u32,
    /// The seed the day is drawn from.
    pub seed: u64,
    /// Simulated seconds per wall second.
    pub speed: f64,
    /// How often what is served moves on (wall time).
    pub refresh: Duration,
    /// Minutes of the half-time break (simulated).
    pub half_time: u32,
    /// Kick-offs spread over this many simulated minutes.
    pub stagger: u32,
    /// Faults, any number.
    pub faults: Vec<SimFault>,
}

impl Default for LiveSimSpec {
    fn default() -> Self {
        LiveSimSpec {
            matches: 10,
            seed: 1,
            speed: 60.0,
            refresh: Duration::from_secs(2),
            half_time: 15,
            stagger: 0,
            faults: Vec::new(),
        }
    }
}

impl std::str::FromStr for LiveSimSpec {
    type Err = SpecError;

    /// `key=value` items separated by commas; keys: `matches`, `seed`,
    /// `speed`, `refresh` (a duration), `half_time`, `stagger`,
    /// `freeze=PROVIDER@MINUTE`, `fail=PROVIDER@MINUTE`.
    fn from_str(text: &str) -> Result<Self, SpecError> {
        let mut spec = LiveSimSpec::default();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| SpecError::Invalid(format!("`{item}` is not key=value")))?;
            let number = |what: &str| -> Result<u64, SpecError> {
                value
                    .parse::<u64>()
                    .map_err(|_| SpecError::Invalid(format!("`{key}` wants {what}, not `{value}`")))
            };
            let small = |what: &str| -> Result<u32, SpecError> {
                u32::try_from(number(what)?)
                    .map_err(|_| SpecError::Invalid(format!("`{key}` = {value} is too large")))
            };
            match key {
                "matches" => spec.matches = small("a number of matches")?,
                "seed" => spec.seed = number("a number")?,
                "speed" => {
                    spec.speed = value
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0)
                        .ok_or_else(|| {
                            SpecError::Invalid(format!(
                                "`speed` wants a positive factor (60: a 90-minute match in 90 s), not `{value}`"
                            ))
                        })?;
                }
                "refresh" => {
                    spec.refresh = humantime::parse_duration(value)
                        .map_err(|e| SpecError::Invalid(format!("`refresh` = `{value}`: {e}")))?;
                }
                "half_time" => spec.half_time = small("minutes")?,
                "stagger" => spec.stagger = small("minutes")?,
                "freeze" | "fail" => {
                    let (provider, minute) = value.split_once('@').ok_or_else(|| {
                        SpecError::Invalid(format!("`{key}` wants PROVIDER@MINUTE, not `{value}`"))
                    })?;
                    let provider = SimProvider::parse(provider)?;
                    let minute =
                        minute
                            .parse::<u32>()
                            .ok()
                            .filter(|m| *m <= 90)
                            .ok_or_else(|| {
                                SpecError::Invalid(format!(
                                    "`{key}`: `{minute}` is not a minute of play (0 to 90)"
                                ))
                            })?;
                    spec.faults.push(if key == "freeze" {
                        SimFault::Freeze(provider, minute)
                    } else {
                        SimFault::Fail(provider, minute)
                    });
                }
                other => {
                    return Err(SpecError::Invalid(format!(
                        "unknown setting `{other}` (matches, seed, speed, refresh, half_time, stagger, freeze, fail)"
                    )));
                }
            }
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_reads_every_setting_and_refuses_a_typo_by_name() {
        let spec: LiveSimSpec =
            "matches=500,seed=7,speed=60,refresh=2s,freeze=api-football@60,fail=the-odds-api@70,half_time=1"
                .parse()
                .expect("valid");
        assert_eq!(spec.matches, 500);
        assert_eq!(spec.refresh, Duration::from_secs(2));
        assert_eq!(
            spec.faults,
            [
                SimFault::Freeze(SimProvider::ApiFootball, 60),
                SimFault::Fail(SimProvider::TheOddsApi, 70)
            ]
        );
        let typo = "matchs=5".parse::<LiveSimSpec>().expect_err("a typo");
        assert!(
            typo.to_string().contains("unknown setting `matchs`"),
            "{typo}"
        );
        let bad = "freeze=espn@60"
            .parse::<LiveSimSpec>()
            .expect_err("no such provider");
        assert!(bad.to_string().contains("`espn`"), "{bad}");
        assert!("speed=0".parse::<LiveSimSpec>().is_err());
    }
}
