//! A provider that takes its key as a path segment (TheSportsDB:
//! `/api/v1/json/KEY/eventsseason.php`): the host puts the key there, the
//! plugin never plans it, and no archive, log or error shows it.

use crate::common::{ReplayServer, TestContext, assert_ok, repo_root, stderr, stdout};
use crate::sluice_snapshot;

const KEY: &str = "s3cr3t-key";

fn thesportsdb_pipeline(base_url: &str) -> String {
    format!(
        "[providers.tsdb]\nplugin = \"thesportsdb\"\nbase_url = \"{base_url}/api/v1/json\"\n\
         token_env = \"TSDB_KEY\"\n\n\
         [[pipelines.season.streams]]\nprovider = \"tsdb\"\nstream = \"events\"\n\
         params = {{ league = \"9101\", season = \"2030-2031\" }}\n"
    )
}

#[test]
fn the_key_travels_as_a_path_segment_and_is_stored_or_shown_nowhere() {
    let ctx = TestContext::new();
    let dir = ctx.path("recordings");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(
        repo_root().join("plugins/thesportsdb/fixtures/soccer-season/response.json"),
        dir.join("season.json"),
    )
    .expect("copy body");
    // The route answers only when the key is the segment after the base path.
    std::fs::write(
        dir.join("index.toml"),
        format!(
            "[[route]]\npath = \"/api/v1/json/{KEY}/eventsseason.php\"\n\
             query = {{ id = \"9101\", s = \"2030-2031\" }}\nfile = \"season.json\"\n"
        ),
    )
    .expect("index");
    let server = ReplayServer::start(&dir);
    let config = ctx.write_config(
        &server.base_url(),
        "",
        &thesportsdb_pipeline(&server.base_url()),
    );
    let config = config.to_str().expect("utf-8");

    let out =
        crate::common::sluice_command(&["-vv", "run", "--config", config, "--pipeline", "season"])
            .current_dir(ctx.dir.path())
            .env("TSDB_KEY", KEY)
            .output()
            .expect("run");
    assert_ok(&out);
    assert_eq!(
        ctx.count("SELECT count(*) FROM events WHERE provider = 'thesportsdb'"),
        7
    );
    let archived = ctx.query("SELECT url FROM sluice_responses");
    assert_eq!(
        archived,
        vec![vec![format!(
            "{}/api/v1/json/eventsseason.php?id=9101&s=2030-2031",
            server.base_url()
        )]],
        "the archive holds the request as planned, without the key"
    );
    let everything = format!(
        "{}{}{:?}",
        stdout(&out),
        stderr(&out),
        ctx.query("SELECT url, query, headers FROM sluice_responses")
    );
    assert!(!everything.contains("s3cr3t"), "{everything}");

    // A wrong key: the provider's 404 is the error, and the key is not in it.
    let out = sluice_snapshot!(
        "a_wrong_key",
        ctx.filters(),
        crate::common::sluice_command(&["run", "--config", config, "--pipeline", "season"])
            .current_dir(ctx.dir.path())
            .env("TSDB_KEY", "wrong-k3y-value")
            .output()
            .expect("run")
    );
    assert!(!stderr(&out).contains("wrong-k3y"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("wrong-k3y"), "{}", stdout(&out));
}

#[test]
fn a_key_that_cannot_be_one_path_segment_is_refused_before_any_request() {
    let ctx = TestContext::new();
    let config = ctx.write_config(
        "http://127.0.0.1:9",
        "",
        &thesportsdb_pipeline("http://127.0.0.1:9"),
    );
    let out = crate::common::sluice_command(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--pipeline",
        "season",
    ])
    .current_dir(ctx.dir.path())
    .env("TSDB_KEY", "abc/../def")
    .output()
    .expect("run");
    let out = sluice_snapshot!("a_key_that_is_not_one_segment", ctx.filters(), out);
    assert!(!stderr(&out).contains("abc/"), "{}", stderr(&out));
}
