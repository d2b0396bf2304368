//! A resumable backfill (Sportmonks: a season's fixtures, page by page):
//! a run cut short resumes after its last committed page, and
//! `--clear-checkpoint` starts the stream over.

use serde_json::Value;

use crate::common::{ReplayServer, TestContext, assert_ok, repo_root};

const INCLUDE: &str =
    "participants;scores;state;league;venue;stage;round;periods;events;statistics";

/// Three pages of the season 9101 of league 901, two fixtures each, made
/// from the plugin's backfill fixture with other fixture ids.
fn season_recordings(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let page_one: Value = serde_json::from_slice(
        &std::fs::read(
            repo_root().join("plugins/sportmonks/fixtures/season-backfill-page/response.json"),
        )
        .expect("fixture"),
    )
    .expect("json");
    let mut index = String::new();
    for page in 1..=3u64 {
        let mut body = page_one.clone();
        for (i, fixture) in body["data"]
            .as_array_mut()
            .expect("data")
            .iter_mut()
            .enumerate()
        {
            fixture["id"] = Value::from(page * 100 + i as u64);
        }
        body["pagination"]["current_page"] = Value::from(page);
        body["pagination"]["has_more"] = Value::from(page < 3);
        let file = format!("page{page}.json");
        std::fs::write(dir.join(&file), serde_json::to_vec(&body).expect("json")).expect("write");
        index.push_str(&format!(
            "[[route]]\npath = \"/fixtures\"\nquery = {{ filters = \"fixtureSeasons:9101\", include = \"{INCLUDE}\", per_page = \"50\", page = \"{page}\" }}\nfile = \"{file}\"\n\n"
        ));
    }
    std::fs::write(dir.join("index.toml"), index).expect("index");
}

/// The pages each run fetched, as `run:page`.
fn pages_by_run(ctx: &TestContext) -> Vec<String> {
    ctx.query("SELECT run_id, url FROM sluice_responses ORDER BY id")
        .into_iter()
        .map(|row| {
            let page = row[1]
                .rsplit("page=")
                .next()
                .unwrap_or_default()
                .to_string();
            format!("{}:{page}", row[0])
        })
        .collect()
}

#[test]
fn a_backfill_resumes_after_its_last_page_and_clear_checkpoint_starts_it_over() {
    let ctx = TestContext::new();
    let dir = ctx.path("recordings");
    season_recordings(&dir);
    let server = ReplayServer::start(&dir);
    let pipelines = format!(
        "[providers.sportmonks]\nplugin = \"sportmonks\"\nbase_url = \"{}\"\n\n\
         [[pipelines.season.streams]]\nprovider = \"sportmonks\"\nstream = \"fixtures\"\n\
         params = {{ league = \"901\", season = \"9101\" }}\n",
        server.base_url()
    );
    let config = ctx.write_config(&server.base_url(), "", &pipelines);
    let config = config.to_str().expect("utf-8");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--config", config, "--pipeline", "season"];
        args.extend_from_slice(extra);
        let out = ctx.sluice(&args);
        assert_ok(&out);
        out
    };
    let cursor = || ctx.query("SELECT cursor FROM sluice_checkpoints")[0][0].clone();

    // Cut short after two pages: the checkpoint says page 2 is loaded.
    run(&["--max-requests", "2"]);
    assert_eq!(cursor(), "v1;league=901;season=9101;page=2");
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE provider = 'sportmonks'"),
        4
    );

    // The next run asks for page 3 only, and the pass is complete.
    crate::sluice_snapshot!("the_run_after_the_cut", ctx.filters(), run(&[]));
    assert_eq!(cursor(), "v1;league=901;season=9101;complete");
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE provider = 'sportmonks'"),
        6
    );

    // --clear-checkpoint: the whole season again, from page 1.
    run(&["--clear-checkpoint"]);
    assert_eq!(
        pages_by_run(&ctx),
        vec!["1:1", "1:2", "2:3", "3:1", "3:2", "3:3"]
    );
    assert_eq!(
        ctx.query("SELECT id, requests, status FROM sluice_runs ORDER BY id"),
        vec![
            vec!["1", "2", "succeeded"],
            vec!["2", "1", "succeeded"],
            vec!["3", "3", "succeeded"],
        ]
    );
}
