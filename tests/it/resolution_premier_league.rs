//! Entity resolution on a league whose providers spell its clubs apart:
//! API-Football's Premier League 2022 (`Wolves`, `West Ham`, `Tottenham`)
//! against openfootball's 2022-23 (`Wolverhampton Wanderers FC`, `West Ham
//! United FC`, `Tottenham Hotspur FC`), from the recordings in
//! `../shared/data/providers`, through the real binary: the whole season,
//! and the part of it a recording made in mid-season holds. Every fixture
//! must be linked to its match, none wrongly; precision and recall are
//! printed.

use std::path::Path;

use serde_json::Value;

use crate::common::links::judge_fixture_links;
use crate::common::{TestContext, assert_ok};
use crate::on_both_databases;
use crate::sluice_snapshot;
use sluice_test_support::recordings;

/// API-Football's team ids against openfootball's names, written by hand
/// from the two files: the truth the links are judged against.
const TEAMS: [(&str, &str); 20] = [
    ("33", "Manchester United FC"),
    ("34", "Newcastle United FC"),
    ("35", "AFC Bournemouth"),
    ("36", "Fulham FC"),
    ("39", "Wolverhampton Wanderers FC"),
    ("40", "Liverpool FC"),
    ("41", "Southampton FC"),
    ("42", "Arsenal FC"),
    ("45", "Everton FC"),
    ("46", "Leicester City FC"),
    ("47", "Tottenham Hotspur FC"),
    ("48", "West Ham United FC"),
    ("49", "Chelsea FC"),
    ("50", "Manchester City FC"),
    ("51", "Brighton & Hove Albion FC"),
    ("52", "Crystal Palace FC"),
    ("55", "Brentford FC"),
    ("63", "Leeds United FC"),
    ("65", "Nottingham Forest FC"),
    ("66", "Aston Villa FC"),
];

const API_FOOTBALL: &str = "api-football/v3_fixtures_league39_season2022.json";
const OPENFOOTBALL: &str = "openfootball/2022-23_en.1.json";

/// The recorded openfootball season and API-Football `fixtures` body; see
/// `sluice_test_support::recordings` for when they are missing.
fn recorded() -> Option<(Vec<u8>, Vec<u8>)> {
    Some((
        recordings::read(OPENFOOTBALL)?,
        recordings::read(API_FOOTBALL)?,
    ))
}

/// A replay folder in `dir` serving openfootball's season `openfootball`
/// and API-Football's `fixtures` body `api_football` for league 39, 2022.
fn replay_folder(dir: &Path, openfootball: &[u8], api_football: &[u8]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("openfootball.json"), openfootball).expect("write openfootball");
    std::fs::write(dir.join("api-football.json"), api_football).expect("write api-football");
    std::fs::write(
        dir.join("index.toml"),
        "[[route]]\npath = \"/2022-23/en.1.json\"\nfile = \"openfootball.json\"\n\n\
         [[route]]\npath = \"/fixtures\"\nquery = { league = \"39\", season = \"2022\" }\n\
         file = \"api-football.json\"\n",
    )
    .expect("write index");
}

/// The config of one pipeline loading both providers' season, openfootball
/// first in the priority order.
fn config(ctx: &TestContext, base_url: &str) -> String {
    let pipelines = format!(
        "[providers.openfootball]\nplugin = \"openfootball\"\nbase_url = \"{base_url}\"\n\n\
         [providers.api-football]\nplugin = \"api-football\"\nbase_url = \"{base_url}\"\n\n\
         [[pipelines.epl.streams]]\nprovider = \"openfootball\"\nstream = \"matches\"\n\
         params = {{ league = \"en.1\", season = \"2022-23\", timezone = \"Europe/London\" }}\n\n\
         [[pipelines.epl.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
         params = {{ league = \"39\", season = \"2022\" }}\n\n\
         [resolution.priority]\ndefault = [\"openfootball\", \"api-football\"]\n"
    );
    let config = ctx.write_config(base_url, "", &pipelines);
    config.to_str().expect("utf-8").to_string()
}

/// Judges every API-Football fixture's link against the truth (the
/// openfootball match of the same home and away club in the season), and
/// requires precision and recall of at least 0.98; returns (fixtures,
/// right, wrong).
fn judge(ctx: &TestContext, label: &str) -> (usize, usize, usize) {
    let judged = judge_fixture_links(ctx, label, "en.1/2022-23", &TEAMS);
    assert!(
        judged.precision >= 0.98 && judged.recall >= 0.98,
        "{judged:?}"
    );
    (judged.fixtures, judged.right, judged.wrong)
}

/// Every club of both providers, linked to the right one; the method each
/// link names.
fn assert_clubs_linked(ctx: &TestContext) {
    for (id, name) in TEAMS {
        assert_eq!(
            ctx.query(&format!(
                "SELECT o.provider_id FROM provider_ids a JOIN provider_ids o \
                 ON o.kind = 'team' AND o.canonical_id = a.canonical_id AND o.provider = 'openfootball' \
                 WHERE a.kind = 'team' AND a.provider = 'api-football' AND a.provider_id = '{id}'"
            )),
            vec![vec![name.to_string()]],
            "API-Football's team {id}"
        );
    }
    // Never two clubs of one provider on one canonical club.
    assert!(
        ctx.query(
            "SELECT canonical_id, provider FROM provider_ids WHERE kind = 'team' \
             GROUP BY canonical_id, provider HAVING count(*) > 1"
        )
        .is_empty()
    );
    let method = |id: &str| {
        ctx.query(&format!(
            "SELECT method FROM provider_ids \
             WHERE kind = 'team' AND provider = 'api-football' AND provider_id = '{id}'"
        ))
    };
    // `Wolves` is no spelling of Wolverhampton: its fixtures say who it is.
    assert_eq!(method("39"), vec![vec!["fixtures"]]);
    // `West Ham` begins `West Ham United FC`.
    assert_eq!(method("48"), vec![vec!["short-name"]]);
    assert_eq!(method("42"), vec![vec!["name"]]);
    assert_eq!(
        ctx.query(
            "SELECT method, count(*) FROM provider_ids \
             WHERE kind = 'team' AND provider = 'api-football' GROUP BY method ORDER BY method"
        ),
        vec![
            vec!["fixtures", "1"],
            vec!["name", "13"],
            vec!["short-name", "6"]
        ]
    );
}

fn every_premier_league_fixture_is_linked_whatever_the_spelling(ctx: TestContext) {
    let Some((openfootball, api_football)) = recorded() else {
        return;
    };
    let dir = ctx.path("recordings");
    replay_folder(&dir, &openfootball, &api_football);
    let server = crate::common::ReplayServer::start(&dir);
    let config = config(&ctx, &server.base_url());
    sluice_snapshot!("the_whole_season", ctx.filters(), ctx.run(&config, "epl"));
    let (fixtures, right, wrong) = judge(
        &ctx,
        "API-Football league 39 2022 vs openfootball en.1 2022-23",
    );
    assert_eq!((fixtures, right, wrong), (380, 380, 0));
    assert_clubs_linked(&ctx);
    assert_eq!(ctx.count("SELECT count(*) FROM canonical_events"), 380);
    assert_eq!(ctx.count("SELECT count(*) FROM canonical_teams"), 20);
    assert_eq!(
        ctx.count(
            "SELECT count(*) FROM provider_ids WHERE kind = 'competition' \
             AND canonical_id = 'competition:openfootball:en.1'"
        ),
        2,
        "the two competitions are one"
    );
    sluice_snapshot!(
        "nothing_to_review",
        ctx.filters(),
        ctx.sluice(&["resolve", "--config", &config, "review"])
    );

    // `sluice resolve` redoes every link from scratch and finds the same.
    let before = ctx.query(
        "SELECT kind, provider, provider_id, canonical_id, method FROM provider_ids \
         ORDER BY kind, provider, provider_id",
    );
    assert_ok(&ctx.sluice(&["resolve", "--config", &config]));
    assert_eq!(
        ctx.query(
            "SELECT kind, provider, provider_id, canonical_id, method FROM provider_ids \
             ORDER BY kind, provider, provider_id"
        ),
        before
    );
}

on_both_databases!(every_premier_league_fixture_is_linked_whatever_the_spelling);

/// A recording made in mid-season: API-Football's fixtures from March on,
/// against openfootball's whole season.
#[test]
fn a_mid_season_recording_links_every_fixture_it_holds() {
    let Some((openfootball, api_football)) = recorded() else {
        return;
    };
    let ctx = TestContext::new();
    let mut body: Value = serde_json::from_slice(&api_football).expect("API-Football JSON");
    let fixtures = body["response"].as_array_mut().expect("response array");
    fixtures.retain(|f| {
        f["fixture"]["date"]
            .as_str()
            .is_some_and(|d| d >= "2023-03-01")
    });
    let kept = fixtures.len();
    assert!((100..200).contains(&kept), "{kept} fixtures from March on");
    body["results"] = Value::from(kept);
    let dir = ctx.path("recordings");
    replay_folder(
        &dir,
        &openfootball,
        &serde_json::to_vec(&body).expect("json"),
    );
    let server = crate::common::ReplayServer::start(&dir);
    let config = config(&ctx, &server.base_url());
    assert_ok(&ctx.run(&config, "epl"));
    let (fixtures, right, wrong) = judge(
        &ctx,
        "API-Football league 39 2022 from March vs openfootball en.1 2022-23",
    );
    assert_eq!((fixtures, right, wrong), (kept, kept, 0));
    assert_clubs_linked(&ctx);
}
