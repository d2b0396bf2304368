//! The streams' parameters, checked, and the requests each set plans.

use std::collections::HashSet;

use sluice_plugin_sdk::{HttpRequest, Params, PluginError, params};

use crate::cursor;
use crate::team_fixtures::TeamFixtures;

/// The most fixture ids `/fixtures/multi/{ids}` takes in one request
/// (Sportmonks' documentation of the endpoint).
pub const MAX_IDS_PER_REQUEST: usize = 50;

/// Items per page of the paginated endpoints: Sportmonks' maximum (the
/// default is 25).
pub const PER_PAGE: &str = "50";

/// The includes of every fixtures request. `events` become incidents;
/// `statistics` is asked for although the contract has no record for it
/// yet: it reaches the host's response archive, so a replay can load it
/// once it has.
pub const FIXTURE_INCLUDE: &str =
    "participants;scores;state;league;venue;stage;round;periods;events;statistics";

/// The includes of the standings request: the team's name, the figures
/// with their type names (to check the ids), the form, the stage and group
/// a table is of, what a place leads to, and the league.
pub const STANDINGS_INCLUDE: &str = "participant;details.type;form;stage;group;rule.type;league";

/// What a `fixtures` run reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureSelection {
    /// These fixtures, distinct, in the order given.
    Ids(Vec<u64>),
    /// Every fixture of a season, page by page, resumable.
    Season {
        /// The league the season belongs to, checked on every fixture.
        league: u64,
        /// The Sportmonks season id.
        season: u64,
    },
    /// The fixtures of one day (`YYYY-MM-DD`).
    Date(String),
}

/// What a `schedules` run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleSelection {
    /// A team's schedule across its current competitions.
    Team(u64),
    /// A season's schedule.
    Season(u64),
}

/// What a `teams` run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamSelection {
    /// One team.
    Id(u64),
    /// The teams of a season.
    Season(u64),
}

/// The parameter sets of `fixtures`, for messages.
const FIXTURE_SETS: &str = "`ids`, `league` + `season`, or `date`";

/// Reads the `fixtures` parameters: exactly one of `ids`, `league` +
/// `season`, or `date`.
pub fn fixtures(params: &Params) -> Result<FixtureSelection, PluginError> {
    match params::one_set(
        params,
        &[&["ids"], &["league", "season"], &["date"]],
        FIXTURE_SETS,
    )? {
        "ids" => Ok(FixtureSelection::Ids(id_list(params::require(
            params, "ids",
        )?)?)),
        "league" => Ok(FixtureSelection::Season {
            league: id(params, "league", "league id", "8")?,
            season: id(params, "season", "Sportmonks season id", "23614")?,
        }),
        _ => {
            let date = params::require(params, "date")?;
            if !params::is_day(date) {
                return Err(invalid(format!(
                    "parameter `date` must be a day `YYYY-MM-DD`, such as `2025-05-25`, not `{date}`"
                )));
            }
            Ok(FixtureSelection::Date(date.to_string()))
        }
    }
}

/// Reads the `schedules` parameters: exactly one of `team` or `season`.
pub fn schedules(params: &Params) -> Result<ScheduleSelection, PluginError> {
    match params::one_set(params, &[&["team"], &["season"]], "`team` or `season`")? {
        "team" => Ok(ScheduleSelection::Team(id(
            params, "team", "team id", "14",
        )?)),
        _ => Ok(ScheduleSelection::Season(id(
            params,
            "season",
            "Sportmonks season id",
            "23614",
        )?)),
    }
}

/// Reads the `teams` parameters: exactly one of `id` or `season`, and
/// optionally `fixtures`, which of each team's fixtures to ask for too.
pub fn teams(params: &Params) -> Result<(TeamSelection, TeamFixtures), PluginError> {
    let selection = match params::one_set(params, &[&["id"], &["season"]], "`id` or `season`")? {
        "id" => TeamSelection::Id(id(params, "id", "team id", "14")?),
        _ => TeamSelection::Season(id(params, "season", "Sportmonks season id", "23614")?),
    };
    Ok((selection, TeamFixtures::read(params)?))
}

/// Reads the `standings` parameters: `season`, a Sportmonks season id.
pub fn standings(params: &Params) -> Result<u64, PluginError> {
    id(params, "season", "Sportmonks season id", "23614")
}

/// The request of a `standings` run: every table of the season, in one
/// response (the endpoint has no pages).
pub fn standings_request(season: u64) -> HttpRequest {
    HttpRequest::get(
        format!("/standings/seasons/{season}"),
        &[("include", STANDINGS_INCLUDE)],
    )
}

impl FixtureSelection {
    /// The first requests of a run: every id list split into requests of
    /// at most [`MAX_IDS_PER_REQUEST`] ids; the season's first page not yet
    /// loaded according to `cursor`; the day's first page.
    pub fn plan(&self, cursor: Option<&str>) -> Vec<HttpRequest> {
        match self {
            FixtureSelection::Ids(ids) => ids
                .chunks(MAX_IDS_PER_REQUEST)
                .map(|chunk| {
                    let list: Vec<String> = chunk.iter().map(u64::to_string).collect();
                    HttpRequest::get(
                        format!("/fixtures/multi/{}", list.join(",")),
                        &[("include", FIXTURE_INCLUDE)],
                    )
                })
                .collect(),
            FixtureSelection::Season { league, season } => {
                let page = cursor::first_page(cursor, *league, *season);
                vec![season_page(*season, page)]
            }
            FixtureSelection::Date(date) => vec![HttpRequest::get(
                format!("/fixtures/date/{date}"),
                &[("include", FIXTURE_INCLUDE), ("per_page", PER_PAGE)],
            )],
        }
    }
}

/// Page `page` of every fixture of `season`.
///
/// `GET /fixtures` filtered by season, rather than date windows of
/// `/fixtures/between` (at most 100 days each): the filter needs no season
/// dates, which only another response could give, it also finds fixtures
/// moved outside the season's dates, and its pages form one chain a single
/// cursor can follow.
pub fn season_page(season: u64, page: u32) -> HttpRequest {
    HttpRequest::get(
        "/fixtures",
        &[
            ("filters", &format!("fixtureSeasons:{season}")),
            ("include", FIXTURE_INCLUDE),
            ("per_page", PER_PAGE),
            ("page", &page.to_string()),
        ],
    )
}

impl ScheduleSelection {
    /// The run's request.
    pub fn plan(&self) -> HttpRequest {
        match self {
            ScheduleSelection::Team(team) => {
                HttpRequest::get(format!("/schedules/teams/{team}"), &[])
            }
            ScheduleSelection::Season(season) => {
                HttpRequest::get(format!("/schedules/seasons/{season}"), &[])
            }
        }
    }
}

impl TeamSelection {
    /// The run's first request, asking for `fixtures` of every team too.
    pub fn plan(&self, fixtures: TeamFixtures) -> HttpRequest {
        let include = fixtures.include();
        match self {
            TeamSelection::Id(team) => {
                HttpRequest::get(format!("/teams/{team}"), &[("include", &include)])
            }
            TeamSelection::Season(season) => HttpRequest::get(
                format!("/teams/seasons/{season}"),
                &[("include", &include), ("per_page", PER_PAGE)],
            ),
        }
    }
}

/// A numeric id parameter.
fn id(params: &Params, name: &str, what: &str, example: &str) -> Result<u64, PluginError> {
    let value = params::require(params, name)?;
    parse_id(value.trim()).ok_or_else(|| {
        invalid(format!(
            "parameter `{name}` must be a numeric {what} such as `{example}`, not `{value}`"
        ))
    })
}

/// Fixture ids separated by commas or dashes, each once.
fn id_list(text: &str) -> Result<Vec<u64>, PluginError> {
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for part in text.split([',', '-']) {
        let part = part.trim();
        let id = parse_id(part).ok_or_else(|| {
            invalid(format!(
                "parameter `ids` must be numeric fixture ids separated by commas or dashes, such as `19683241,19135043`; `{part}` in `{text}` is not an id"
            ))
        })?;
        if !seen.insert(id) {
            return Err(invalid(format!(
                "parameter `ids` names fixture {id} more than once"
            )));
        }
        ids.push(id);
    }
    Ok(ids)
}

/// A numeric id: 1 to 18 digits, not zero.
fn parse_id(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|id| *id > 0)
}

fn invalid(message: String) -> PluginError {
    PluginError::InvalidParams(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn refused<T: std::fmt::Debug>(result: Result<T, PluginError>) -> String {
        match result {
            Err(PluginError::InvalidParams(m)) => m,
            other => panic!("expected invalid-params, got {other:?}"),
        }
    }

    fn paths(requests: &[HttpRequest]) -> Vec<&str> {
        requests.iter().map(|r| r.path.as_str()).collect()
    }

    #[test]
    fn ids_are_split_into_requests_of_fifty() {
        let ids: Vec<String> = (1..=120).map(|i| (19_000_000 + i).to_string()).collect();
        let selection = fixtures(&p(&[("ids", &ids.join(","))])).expect("ids");
        let requests = selection.plan(None);
        assert_eq!(requests.len(), 3);
        let counts: Vec<usize> = requests
            .iter()
            .map(|r| {
                r.path
                    .trim_start_matches("/fixtures/multi/")
                    .split(',')
                    .count()
            })
            .collect();
        assert_eq!(counts, [50, 50, 20]);
        assert!(
            requests[0]
                .path
                .starts_with("/fixtures/multi/19000001,19000002,")
        );
        assert!(requests[2].path.ends_with(",19000120"));
        for r in &requests {
            assert_eq!(
                r.query,
                HttpRequest::get("/", &[("include", FIXTURE_INCLUDE)]).query
            );
        }
        // Exactly fifty stay one request; dashes separate as commas do.
        let fifty: Vec<String> = (1..=50).map(|i| i.to_string()).collect();
        let one = fixtures(&p(&[("ids", &fifty.join("-"))]))
            .expect("ids")
            .plan(None);
        assert_eq!(one.len(), 1);
        let mixed = fixtures(&p(&[("ids", "19683241, 19135043-3")])).expect("ids");
        assert_eq!(mixed, FixtureSelection::Ids(vec![19683241, 19135043, 3]));
        assert_eq!(
            paths(&mixed.plan(None)),
            ["/fixtures/multi/19683241,19135043,3"]
        );
    }

    #[test]
    fn duplicate_or_malformed_ids_are_refused() {
        assert_eq!(
            refused(fixtures(&p(&[("ids", "5,6,5")]))),
            "parameter `ids` names fixture 5 more than once"
        );
        assert_eq!(
            refused(fixtures(&p(&[("ids", "5,005")]))),
            "parameter `ids` names fixture 5 more than once"
        );
        for bad in ["", "5,,6", "5,x", "0", "5;6", "-5", "1234567890123456789"] {
            assert!(
                fixtures(&p(&[("ids", bad)])).is_err(),
                "`{bad}` was accepted"
            );
        }
    }

    #[test]
    fn a_season_backfill_plans_the_page_after_its_cursor() {
        let selection = fixtures(&p(&[("league", "8"), ("season", "23614")])).expect("season");
        assert_eq!(
            selection,
            FixtureSelection::Season {
                league: 8,
                season: 23614
            }
        );
        let first = selection.plan(None);
        assert_eq!(
            first,
            vec![HttpRequest::get(
                "/fixtures",
                &[
                    ("filters", "fixtureSeasons:23614"),
                    ("include", FIXTURE_INCLUDE),
                    ("per_page", "50"),
                    ("page", "1"),
                ]
            )]
        );
        let resumed = selection.plan(Some("v1;league=8;season=23614;page=4"));
        assert_eq!(resumed, vec![season_page(23614, 5)]);
        assert_eq!(
            selection.plan(Some("v1;league=8;season=23614;complete")),
            vec![season_page(23614, 1)]
        );
        assert_eq!(
            selection.plan(Some("v1;league=8;season=99999;page=4")),
            vec![season_page(23614, 1)]
        );
        assert_eq!(
            selection.plan(Some("not a cursor")),
            vec![season_page(23614, 1)]
        );
    }

    #[test]
    fn a_day_and_the_other_streams_plan_one_request() {
        let day = fixtures(&p(&[("date", "2024-02-29")])).expect("date");
        assert_eq!(
            day.plan(Some("v1;league=8;season=23614;page=4")),
            vec![HttpRequest::get(
                "/fixtures/date/2024-02-29",
                &[("include", FIXTURE_INCLUDE), ("per_page", "50")]
            )]
        );
        assert_eq!(
            schedules(&p(&[("team", "14")])).map(|s| s.plan()),
            Ok(HttpRequest::get("/schedules/teams/14", &[]))
        );
        assert_eq!(
            schedules(&p(&[("season", "23614")])).map(|s| s.plan()),
            Ok(HttpRequest::get("/schedules/seasons/23614", &[]))
        );
        assert_eq!(
            teams(&p(&[("id", "19")])).map(|(t, f)| t.plan(f)),
            Ok(HttpRequest::get(
                "/teams/19",
                &[("include", "country;venue")]
            ))
        );
        assert_eq!(
            teams(&p(&[("season", "23614")])).map(|(t, f)| t.plan(f)),
            Ok(HttpRequest::get(
                "/teams/seasons/23614",
                &[("include", "country;venue"), ("per_page", "50")]
            ))
        );
        assert_eq!(
            teams(&p(&[("id", "19"), ("fixtures", "upcoming")])).map(|(t, f)| t.plan(f)),
            Ok(HttpRequest::get(
                "/teams/19",
                &[("include", "country;venue;upcoming.participants")]
            ))
        );
    }

    #[test]
    fn parameter_sets_must_be_exactly_one_and_whole() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "give one of `ids`, `league` + `season`, or `date`"),
            (
                &[("league", "8")],
                "parameter `season` is required with `league`",
            ),
            (
                &[("season", "23614")],
                "parameter `league` is required with `season`",
            ),
            (
                &[("ids", "1"), ("date", "2025-05-25")],
                "give only one of `ids`, `league` + `season`, or `date`, not `ids` and `date` together",
            ),
            (
                &[("league", "PL"), ("season", "23614")],
                "parameter `league` must be a numeric league id such as `8`, not `PL`",
            ),
            (
                &[("league", "8"), ("season", "2024/2025")],
                "parameter `season` must be a numeric Sportmonks season id such as `23614`, not `2024/2025`",
            ),
            (
                &[("date", "2023-02-29")],
                "parameter `date` must be a day `YYYY-MM-DD`, such as `2025-05-25`, not `2023-02-29`",
            ),
        ];
        for (params, message) in cases {
            assert_eq!(refused(fixtures(&p(params))), *message, "{params:?}");
        }
        assert_eq!(
            refused(schedules(&p(&[("team", "14"), ("season", "1")]))),
            "give only one of `team` or `season`, not `team` and `season` together"
        );
        assert_eq!(refused(teams(&p(&[]))), "give one of `id` or `season`");
        assert!(teams(&p(&[("id", "x")])).is_err());
        assert_eq!(
            refused(teams(&p(&[("fixtures", "upcoming")]))),
            "give one of `id` or `season`"
        );
        assert!(teams(&p(&[("season", "1"), ("fixtures", "next")])).is_err());
    }

    #[test]
    fn standings_read_one_season_with_their_includes() {
        let season = standings(&p(&[("season", "23614")])).expect("season");
        assert_eq!(
            standings_request(season),
            HttpRequest::get(
                "/standings/seasons/23614",
                &[(
                    "include",
                    "participant;details.type;form;stage;group;rule.type;league"
                )]
            )
        );
        assert_eq!(
            refused(standings(&p(&[]))),
            "parameter `season` is required"
        );
        assert_eq!(
            refused(standings(&p(&[("season", "2024/2025")]))),
            "parameter `season` must be a numeric Sportmonks season id such as `23614`, not `2024/2025`"
        );
    }
}
