//! Quota windows kept per entity, as Sportmonks counts its calls: a spent
//! window holds only the streams whose responses named it, and the others
//! go on at once.

use crate::common::{ReplayServer, TestContext, assert_ok, repo_root};

const FIXTURE_INCLUDE: &str =
    "participants;scores;state;league;venue;stage;round;periods;events;statistics";

/// The replay provider with Sportmonks' per-entity window of two calls a
/// minute, reported in the body's `rate_limit` block, serving one day of
/// fixtures, a season's standings and a season's teams from the plugin's
/// fixtures.
fn recordings(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let fixtures = repo_root().join("plugins/sportmonks/fixtures");
    for (case, file) in [
        ("live-fixtures", "fixtures.json"),
        ("standings-groups", "standings.json"),
        ("teams-season-page", "teams.json"),
    ] {
        std::fs::copy(fixtures.join(case).join("response.json"), dir.join(file)).expect("copy");
    }
    let index = format!(
        "[limit]\nrequests = 2\nperiod_secs = 60\nbody_field = \"rate_limit\"\nper_entity = true\n\n\
         [[route]]\npath = \"/fixtures/date/2025-03-15\"\n\
         query = {{ include = \"{FIXTURE_INCLUDE}\", per_page = \"50\" }}\nfile = \"fixtures.json\"\n\n\
         [[route]]\npath = \"/standings/seasons/9101\"\n\
         query = {{ include = \"participant;details.type;form;stage;group;rule.type;league\" }}\n\
         file = \"standings.json\"\n\n\
         [[route]]\npath = \"/teams/seasons/9101\"\n\
         query = {{ include = \"country;venue\", per_page = \"50\" }}\nfile = \"teams.json\"\n"
    );
    std::fs::write(dir.join("index.toml"), index).expect("index");
}

#[test]
fn a_spent_entity_window_does_not_hold_the_streams_of_other_entities() {
    let ctx = TestContext::new();
    let dir = ctx.path("recordings");
    recordings(&dir);
    let server = ReplayServer::start(&dir);
    let stream = |stream: &str, params: &str| {
        format!(
            "[[pipelines.day.streams]]\nprovider = \"sportmonks\"\nstream = \"{stream}\"\n\
             params = {{ {params} }}\n\n"
        )
    };
    // One stream at a time: the fixtures stream spends its window first.
    let pipelines = format!(
        "[providers.sportmonks]\nplugin = \"sportmonks\"\nbase_url = \"{}\"\n\n\
         [pipelines.day]\nconcurrency = 1\n\n{}{}{}",
        server.base_url(),
        stream("fixtures", "date = \"2025-03-15\""),
        stream("standings", "season = \"9101\""),
        stream("teams", "season = \"9101\""),
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    assert_ok(&ctx.run(&config, "day"));

    let log = server.recordings.request_log();
    let paths: Vec<(&str, u16)> = log.iter().map(|r| (r.path.as_str(), r.status)).collect();
    assert_eq!(
        paths,
        [
            ("/fixtures/date/2025-03-15", 200),
            ("/standings/seasons/9101", 200),
            ("/teams/seasons/9101", 200),
        ]
    );
    // The fixtures response left one call of the `fixtures` window for the
    // 60 s to its reset: the host holds that entity's next call about 60 s.
    // The standings and teams windows are untouched, so their streams do
    // not wait for it (one window per provider would hold them ~60 s).
    let after_fixtures = log[2].at - log[0].at;
    assert!(
        after_fixtures < 30.0,
        "the standings and teams calls waited {after_fixtures:.1} s behind the fixtures window"
    );
    for (table, rows) in [("events", 4), ("standings", 8)] {
        assert_eq!(
            ctx.count(&format!(
                "SELECT count(*) FROM {table} WHERE provider = 'sportmonks'"
            )),
            rows,
            "{table} of the three streams loaded"
        );
    }
}
