//! The Sportmonks season backfill against a local server that enforces
//! Sportmonks' free-plan window, 3,000 calls an hour, and reports it the way
//! Sportmonks does, in the body's `rate_limit` block: prints fixtures per
//! minute, the figure a quota-bound backfill is judged by (the collector
//! users run today manages 19.7). The host paces itself by that block, so
//! the figure is what the window allows, not what the server could serve.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::Value;
use sluice::replay_provider::{self, Recordings};

/// Pages of the season the server holds, 50 fixtures each.
const PAGES: u64 = 20;
const PER_PAGE: u64 = 50;
const CALLS_PER_HOUR: u64 = 3_000;
const COLLECTOR_FIXTURES_PER_MINUTE: f64 = 19.7;
const INCLUDE: &str =
    "participants;scores;state;league;venue;stage;round;periods;events;statistics";

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("host/ has a parent")?
        .to_path_buf();
    let plugins = root.join("target/plugins");
    if !plugins.join("sportmonks.wasm").is_file() {
        bail!(
            "{} has no sportmonks.wasm: run `make plugins`",
            plugins.display()
        );
    }
    let work = tempfile::tempdir()?;
    let recordings = work.path().join("recordings");
    season(&root, &recordings)?;

    let runtime = tokio::runtime::Runtime::new()?;
    let url = runtime.block_on(async {
        let recordings = Arc::new(Recordings::load(&recordings)?);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(replay_provider::serve(listener, recordings));
        anyhow::Ok(url)
    })?;
    let config = work.path().join("sluice.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"sqlite://{db}\"\nplugin_dir = \"{plugins}\"\n\n\
             [providers.sportmonks]\nplugin = \"sportmonks\"\nbase_url = \"{url}\"\n\n\
             [[pipelines.season.streams]]\nprovider = \"sportmonks\"\nstream = \"fixtures\"\n\
             params = {{ league = \"901\", season = \"9101\" }}\n",
            db = work.path().join("sluice.db").display(),
            plugins = plugins.display(),
        ),
    )?;
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["run", "--config"])
        .arg(&config)
        .args(["--pipeline", "season"])
        .env("RUST_LOG", "warn")
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "sluice run failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let fixtures = (PAGES * PER_PAGE) as f64;
    let per_minute = fixtures / wall * 60.0;
    let bound = (CALLS_PER_HOUR * PER_PAGE) as f64 / 60.0;
    println!(
        "sportmonks backfill, {PAGES} pages of {PER_PAGE} under {CALLS_PER_HOUR} calls/hour: \
         {fixtures:.0} fixtures in {wall:.1} s = {per_minute:.0} fixtures/min \
         (the window allows {bound:.0}; the collector managed {COLLECTOR_FIXTURES_PER_MINUTE})"
    );
    drop(runtime);
    Ok(())
}

/// The season's pages, from the plugin's backfill fixture: its first
/// fixture repeated with new ids, and a `[limit]` that reports itself in
/// the body as Sportmonks does.
fn season(root: &Path, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let page: Value = serde_json::from_slice(&std::fs::read(
        root.join("plugins/sportmonks/fixtures/season-backfill-page/response.json"),
    )?)?;
    let fixture = page["data"][0].clone();
    let mut index = format!(
        "[limit]\nrequests = {CALLS_PER_HOUR}\nperiod_secs = 3600\nbody_field = \"rate_limit\"\n\n"
    );
    for n in 1..=PAGES {
        let mut body = page.clone();
        body["data"] = Value::Array(
            (0..PER_PAGE)
                .map(|i| {
                    let mut f = fixture.clone();
                    f["id"] = Value::from(n * 1_000 + i);
                    f
                })
                .collect(),
        );
        body["pagination"]["current_page"] = Value::from(n);
        body["pagination"]["per_page"] = Value::from(PER_PAGE);
        body["pagination"]["has_more"] = Value::from(n < PAGES);
        let file = format!("page{n}.json");
        std::fs::write(dir.join(&file), serde_json::to_vec(&body)?)?;
        index.push_str(&format!(
            "[[route]]\npath = \"/fixtures\"\nquery = {{ filters = \"fixtureSeasons:9101\", include = \"{INCLUDE}\", per_page = \"{PER_PAGE}\", page = \"{n}\" }}\nfile = \"{file}\"\n\n"
        ));
    }
    std::fs::write(dir.join("index.toml"), index)?;
    Ok(())
}
