//! Entity resolution on real data: the 2023-24 Bundesliga from openfootball
//! (306 matches) and API-Football (`league=78&season=2023`, the 71 fixtures
//! not yet played when it was recorded), through the real binary. Every
//! API-Football fixture must be linked to its openfootball match, and no
//! link may be wrong; precision and recall are printed.

use crate::common::links::judge_fixture_links;
use crate::common::{ReplayServer, TestContext, assert_ok, repo_root};
use crate::on_both_databases;
use crate::sluice_snapshot;

/// API-Football's team ids against openfootball's names, written by hand
/// from the two files: the truth the links are judged against.
const TEAMS: [(&str, &str); 18] = [
    ("157", "FC Bayern München"),
    ("160", "SC Freiburg"),
    ("161", "VfL Wolfsburg"),
    ("162", "SV Werder Bremen"),
    ("163", "Borussia Mönchengladbach"),
    ("164", "1. FSV Mainz 05"),
    ("165", "Borussia Dortmund"),
    ("167", "TSG 1899 Hoffenheim"),
    ("168", "Bayer 04 Leverkusen"),
    ("169", "Eintracht Frankfurt"),
    ("170", "FC Augsburg"),
    ("172", "VfB Stuttgart"),
    ("173", "RB Leipzig"),
    ("176", "VfL Bochum 1848"),
    ("180", "1. FC Heidenheim 1846"),
    ("181", "SV Darmstadt 98"),
    ("182", "1. FC Union Berlin"),
    ("192", "1. FC Köln"),
];

fn bundesliga_config(ctx: &TestContext, base_url: &str, resolution: &str) -> String {
    let pipelines = format!(
        "[providers.openfootball]\nplugin = \"openfootball\"\nbase_url = \"{base_url}\"\n\n\
         [providers.api-football]\nplugin = \"api-football\"\nbase_url = \"{base_url}\"\n\n\
         [[pipelines.bundesliga.streams]]\nprovider = \"openfootball\"\nstream = \"matches\"\n\
         params = {{ league = \"de.1\", season = \"2023-24\", timezone = \"Europe/Berlin\" }}\n\n\
         [[pipelines.bundesliga.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
         params = {{ league = \"78\", season = \"2023\" }}\n\n{resolution}\n"
    );
    let config = ctx.write_config(base_url, "", &pipelines);
    config.to_str().expect("utf-8").to_string()
}

fn every_fixture_is_linked_to_its_match_and_no_link_is_wrong(ctx: TestContext) {
    let server = ReplayServer::start(&repo_root().join("examples/replay/bundesliga-2023-24"));
    let config = bundesliga_config(
        &ctx,
        &server.base_url(),
        "[resolution.priority]\ndefault = [\"openfootball\", \"api-football\"]\nvenue = [\"api-football\"]",
    );
    sluice_snapshot!(
        "bundesliga_first_run",
        ctx.filters(),
        ctx.run(&config, "bundesliga")
    );

    // The truth: each API-Football fixture is the openfootball match of the
    // same home and away team in the season (openfootball's id says which).
    let judged = judge_fixture_links(
        &ctx,
        "API-Football league 78 2023 vs openfootball de.1 2023-24",
        "de.1/2023-24",
        &TEAMS,
    );
    assert_eq!(
        (judged.fixtures, judged.right, judged.wrong),
        (71, 71, 0),
        "{judged:?}"
    );

    // One canonical row per real match, both providers' values merged.
    assert_eq!(ctx.count("SELECT count(*) FROM canonical_events"), 306);
    assert_eq!(
        ctx.count("SELECT count(*) FROM canonical_events WHERE providers = 2"),
        71
    );
    assert_eq!(
        ctx.query(
            "SELECT c.home_team_name, c.away_team_name, c.status, c.home_score, c.away_score, \
             c.venue, c.status_from, c.providers FROM canonical_events c \
             JOIN provider_ids l ON l.canonical_id = c.canonical_id \
             WHERE l.kind = 'event' AND l.provider = 'api-football' AND l.provider_id = '1049115'"
        ),
        vec![vec![
            "FC Bayern München",
            "Borussia Dortmund",
            "finished",
            "0",
            "2",
            "Allianz Arena",
            "openfootball",
            "2"
        ]],
        "names, status and score from openfootball (first), the venue from API-Football (first for venue)"
    );
    // The losing status stays queryable.
    assert_eq!(
        ctx.query(
            "SELECT c.provider, c.value FROM event_conflicts c JOIN provider_ids l \
             ON l.canonical_id = c.canonical_id AND l.kind = 'event' \
             WHERE l.provider = 'api-football' AND l.provider_id = '1049115' AND c.field = 'status' \
             ORDER BY c.provider"
        )
        ,
        vec![vec!["api-football", "scheduled"], vec!["openfootball", "finished"]]
    );
    // Teams: one per club, with API-Football's crest merged on.
    assert_eq!(ctx.count("SELECT count(*) FROM canonical_teams"), 18);
    assert_eq!(
        ctx.query(
            "SELECT name, crest_url, providers FROM canonical_teams \
             WHERE canonical_id = 'team:openfootball:1. FC Köln'"
        ),
        vec![vec![
            "1. FC Köln",
            "https://media.api-sports.io/football/teams/192.png",
            "2"
        ]]
    );
    // Every link is visible with the teams as each provider spelled them.
    assert_eq!(
        ctx.query(
            "SELECT provider, home_team, away_team, method FROM event_links \
             WHERE canonical_id = (SELECT canonical_id FROM provider_ids \
             WHERE provider = 'api-football' AND kind = 'event' AND provider_id = '1049115') \
             ORDER BY provider"
        ),
        vec![
            vec![
                "api-football",
                "Bayern Munich",
                "Borussia Dortmund",
                "league-season-teams"
            ],
            vec![
                "openfootball",
                "FC Bayern München",
                "Borussia Dortmund",
                "new"
            ],
        ]
    );

    // A second run links nothing new and changes no link.
    let before = ctx.query("SELECT * FROM provider_ids ORDER BY kind, provider, provider_id");
    sluice_snapshot!(
        "bundesliga_second_run",
        ctx.filters(),
        ctx.run(&config, "bundesliga")
    );
    assert_eq!(
        ctx.query("SELECT * FROM provider_ids ORDER BY kind, provider, provider_id"),
        before
    );
}

on_both_databases!(every_fixture_is_linked_to_its_match_and_no_link_is_wrong);

#[test]
fn a_link_below_the_threshold_is_reviewed_and_an_alias_settles_it() {
    let ctx = TestContext::new();
    let server = ReplayServer::start(&repo_root().join("examples/replay/bundesliga-2023-24"));
    // Sure links only: "Bayern Munich" is merely similar to "FC Bayern München".
    let config = bundesliga_config(
        &ctx,
        &server.base_url(),
        "[resolution]\nthreshold = 0.99\naliases = \"aliases.toml\"\n\
         [resolution.priority]\ndefault = [\"openfootball\", \"api-football\"]",
    );
    std::fs::write(ctx.path("aliases.toml"), "[teams]\n").expect("aliases");
    assert_ok(&ctx.run(&config, "bundesliga"));
    assert_eq!(
        ctx.query(
            "SELECT name, method, candidate_id FROM provider_ids \
             WHERE kind = 'team' AND provider = 'api-football' AND provider_id = '157'"
        ),
        vec![vec![
            "Bayern Munich",
            "new",
            "team:openfootball:FC Bayern München"
        ]]
    );
    // Bayern's matches cannot be linked without Bayern; the others are, by
    // their teams and kickoff.
    assert_eq!(
        ctx.count("SELECT count(*) FROM canonical_events WHERE providers = 2"),
        71 - 8
    );
    // Bayern for review at 0.95; and without Bayern, the two seasons share
    // 17 of 19 teams: the competitions wait for review too, at 0.89.
    sluice_snapshot!(
        "two_links_to_review",
        ctx.filters(),
        ctx.sluice(&["resolve", "--config", &config, "review"])
    );

    std::fs::write(
        ctx.path("aliases.toml"),
        "[teams]\n\"FC Bayern München\" = [\"Bayern Munich\"]\n",
    )
    .expect("aliases");
    sluice_snapshot!(
        "resolve_with_the_alias",
        ctx.filters(),
        ctx.sluice(&["resolve", "--config", &config])
    );
    assert_eq!(
        ctx.query(
            "SELECT method, canonical_id FROM provider_ids \
             WHERE kind = 'team' AND provider = 'api-football' AND provider_id = '157'"
        ),
        vec![vec!["alias", "team:openfootball:FC Bayern München"]]
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM canonical_events WHERE providers = 2"),
        71
    );
    sluice_snapshot!(
        "nothing_to_review",
        ctx.filters(),
        ctx.sluice(&["resolve", "--config", &config, "review"])
    );
}

#[test]
fn a_fallback_serves_while_the_provider_is_down_and_both_land_on_the_same_matches() {
    use sluice::replay_provider::{FaultKind, FaultSpec};
    let ctx = TestContext::new();
    let recordings = repo_root().join("examples/replay/bundesliga-2023-24");
    let config_for = |base_url: &str, cooldown: &str| {
        let pipelines = format!(
            "[providers.openfootball]\nplugin = \"openfootball\"\nbase_url = \"{base_url}\"\n\n\
             [providers.api-football]\nplugin = \"api-football\"\nbase_url = \"{base_url}\"\n\
             retry_min_wait = \"10ms\"\nbreaker_failures = 2\nbreaker_cooldown = \"{cooldown}\"\n\n\
             [[pipelines.bundesliga.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
             params = {{ league = \"78\", season = \"2023\" }}\n\
             fallback = [{{ provider = \"openfootball\", stream = \"matches\", \
             params = {{ league = \"de.1\", season = \"2023-24\", timezone = \"Europe/Berlin\" }} }}]\n"
        );
        let config = ctx.write_config(base_url, "", &pipelines);
        config.to_str().expect("utf-8").to_string()
    };

    // API-Football answers 503 until its breaker opens: openfootball serves.
    let down = ReplayServer::start(&recordings);
    down.recordings.faults().add(FaultSpec {
        path: Some("/fixtures".to_string()),
        skip: 0,
        times: 1000,
        kind: FaultKind::Status {
            status: 503,
            retry_after: None,
            body: None,
        },
    });
    sluice_snapshot!(
        "the_fallback_serves",
        ctx.filters(),
        ctx.run(config_for(&down.base_url(), "1h"), "bundesliga")
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE provider = 'openfootball'"),
        306
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE provider = 'api-football'"),
        0
    );

    // API-Football is back (and its breaker's cool-down, now short, is
    // over): its fixtures land on the same canonical matches.
    drop(down);
    let up = ReplayServer::start(&recordings);
    sluice_snapshot!(
        "the_provider_is_back",
        ctx.filters(),
        ctx.run(config_for(&up.base_url(), "1ms"), "bundesliga")
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE provider = 'api-football'"),
        71
    );
    assert_eq!(ctx.count("SELECT count(*) FROM canonical_events"), 306);
    assert_eq!(
        ctx.count("SELECT count(*) FROM canonical_events WHERE providers = 2"),
        71
    );
}
