//! Records to complete: the fields a provider rarely fills are none, so a
//! plugin writes only what it has (`Team { crest_url, ..Team::named(id,
//! name) }`).

use crate::{Standing, StandingSplit, Team};

impl Team {
    /// Team `provider_id` called `name`, with nothing else known.
    pub fn named(provider_id: impl Into<String>, name: impl Into<String>) -> Team {
        Team {
            provider_id: provider_id.into(),
            name: name.into(),
            short_name: None,
            code: None,
            country: None,
            founded: None,
            venue: None,
            crest_url: None,
        }
    }
}

impl Standing {
    /// A row of the table (`competition`, `season`, `group`, `split`) with
    /// no team, place (0) or figures yet: the base each of the table's rows
    /// is completed from, `Standing { team, rank, …, ..base.clone() }`.
    pub fn in_table(
        competition: impl Into<String>,
        season: impl Into<String>,
        group: Option<String>,
        split: StandingSplit,
    ) -> Standing {
        Standing {
            competition: competition.into(),
            season: season.into(),
            group,
            split,
            team: String::new(),
            team_name: None,
            rank: 0,
            played: None,
            won: None,
            drawn: None,
            lost: None,
            goals_for: None,
            goals_against: None,
            points: None,
            form: None,
            note: None,
            provider_updated_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_team_has_its_id_and_name_only() {
        let team = Team::named("19", "Arsenal");
        assert_eq!(
            (team.provider_id.as_str(), team.name.as_str()),
            ("19", "Arsenal")
        );
        assert_eq!((team.code, team.crest_url), (None, None));
    }

    #[test]
    fn a_table_row_starts_with_its_table_and_nothing_else() {
        let base = Standing::in_table(
            "39",
            "2022",
            Some("Group A".to_string()),
            StandingSplit::Home,
        );
        assert_eq!(
            (
                base.competition.as_str(),
                base.season.as_str(),
                base.group.as_deref()
            ),
            ("39", "2022", Some("Group A"))
        );
        assert_eq!(base.split, StandingSplit::Home);
        assert_eq!((base.team.as_str(), base.rank, base.points), ("", 0, None));
    }
}
