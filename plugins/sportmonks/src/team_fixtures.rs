//! The `teams` stream's optional `fixtures` parameter: which of each
//! team's fixtures to ask for in the same request, through the team
//! includes `latest` and `upcoming`, so that a team's next matches load
//! with it at the cost of no extra call.

use sluice_plugin_sdk::{Params, PluginError, params};

/// The includes of every teams request.
pub const TEAM_INCLUDE: &str = "country;venue";

/// The includes that give the `latest` fixtures: their teams, and their
/// scores, since they have been played.
const LATEST_INCLUDE: &str = "latest.participants;latest.scores";

/// The include that gives the `upcoming` fixtures with their teams; not
/// played yet, they have no scores to ask for.
const UPCOMING_INCLUDE: &str = "upcoming.participants";

/// Which fixtures of each team a `teams` run asks for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TeamFixtures {
    /// The team's most recent fixtures (`latest`).
    pub latest: bool,
    /// The team's next fixtures (`upcoming`).
    pub upcoming: bool,
}

impl TeamFixtures {
    /// Reads the `fixtures` parameter: `latest`, `upcoming`, or both
    /// separated by a comma, each once; none when it is not set.
    pub fn read(params: &Params) -> Result<TeamFixtures, PluginError> {
        let Some(text) = params::get(params, "fixtures") else {
            return Ok(TeamFixtures::default());
        };
        let mut fixtures = TeamFixtures::default();
        for part in text.split(',') {
            let slot = match part.trim() {
                "latest" => &mut fixtures.latest,
                "upcoming" => &mut fixtures.upcoming,
                _ => {
                    return Err(PluginError::InvalidParams(format!(
                        "parameter `fixtures` must be `latest`, `upcoming` or `latest,upcoming`, not `{text}`"
                    )));
                }
            };
            if std::mem::replace(slot, true) {
                return Err(PluginError::InvalidParams(format!(
                    "parameter `fixtures` names `{}` more than once",
                    part.trim()
                )));
            }
        }
        Ok(fixtures)
    }

    /// The `include` of a teams request asking for these fixtures.
    pub fn include(&self) -> String {
        let mut include = TEAM_INCLUDE.to_string();
        for (wanted, extra) in [
            (self.latest, LATEST_INCLUDE),
            (self.upcoming, UPCOMING_INCLUDE),
        ] {
            if wanted {
                include.push(';');
                include.push_str(extra);
            }
        }
        include
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: Option<&str>) -> Result<TeamFixtures, PluginError> {
        let params: Params = value
            .map(|v| ("fixtures".to_string(), v.to_string()))
            .into_iter()
            .collect();
        TeamFixtures::read(&params)
    }

    #[test]
    fn none_either_or_both_and_the_includes_they_ask_for() {
        assert_eq!(read(None).map(|f| f.include()), Ok("country;venue".into()));
        assert_eq!(
            read(Some("upcoming")).map(|f| f.include()),
            Ok("country;venue;upcoming.participants".into())
        );
        assert_eq!(
            read(Some("latest")).map(|f| f.include()),
            Ok("country;venue;latest.participants;latest.scores".into())
        );
        assert_eq!(
            read(Some("upcoming, latest")).map(|f| f.include()),
            Ok("country;venue;latest.participants;latest.scores;upcoming.participants".into())
        );
    }

    #[test]
    fn anything_else_or_a_repeat_is_refused() {
        for bad in ["", "fixtures", "latest;upcoming", "latest,"] {
            assert_eq!(
                read(Some(bad)),
                Err(PluginError::InvalidParams(format!(
                    "parameter `fixtures` must be `latest`, `upcoming` or `latest,upcoming`, not `{bad}`"
                ))),
                "{bad}"
            );
        }
        assert_eq!(
            read(Some("upcoming,upcoming")),
            Err(PluginError::InvalidParams(
                "parameter `fixtures` names `upcoming` more than once".to_string()
            ))
        );
    }
}
