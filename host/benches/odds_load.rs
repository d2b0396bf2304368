//! The end-to-end odds benchmark of `../shared/bench/`, for `make bench`:
//! 280,000 outcomes (10 sports × 200 events × 20 bookmakers × 7 outcomes)
//! served on loopback as The Odds API v4 `/odds`, loaded by the real
//! `sluice` binary through the the-odds-api plugin into PostgreSQL.
//!
//! Two shapes of the same pipeline, each into a database of its own: one
//! stream asking for the ten sports, and ten streams, one per sport, as
//! users list them (the pipeline's default `concurrency`; and once more one
//! at a time, `concurrency = 1`, for comparison). Printed, measured in one
//! run: each shape's cold load and price-move update (outcome rows/s, wall
//! time, the binary's peak RSS); the peers on the same data: dlt's
//! `rest_api` source (`dlt_odds.py`, merge into PostgreSQL) and `psql
//! \copy` of the rows the cold load wrote into an empty `odds` table; and
//! the floor, a plain binary `COPY` of those rows, PostgreSQL's fastest way
//! in. And what quality checks cost: the one-stream cold load with every
//! built-in check kind declared on `odds` against the same load without,
//! alternated, each the best of two (`SLUICE_BENCH_ODDS_ONLY=quality`
//! measures that alone).
//!
//! Needs `../shared/bench` (the generator, the server and the dlt script),
//! python3 (the bench installs dlt into `target/bench-tools/dlt` on first
//! use), psql, and the PostgreSQL server `SLUICE_TEST_POSTGRES` names
//! (`make bench` finds or starts one as `make test` does).

// wait4 is the one way to read the peak memory of one child process.
#![allow(unsafe_code)]

#[path = "odds_load/peers.rs"]
mod peers;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::{Connection, Executor, PgConnection};

use peers::run_quiet;

const SPORTS: usize = 10;
const EVENTS: usize = 200;
const BOOKMAKERS: usize = 20;
const OUTCOMES: usize = SPORTS * EVENTS * BOOKMAKERS * 7;

/// Every built-in check kind on `odds`, as `warn` so that the load is the
/// same with and without them: the row-level ones judged in one pass over
/// each batch, the table-level ones in one aggregate query after the run.
const ODDS_CHECKS: &str = r#"
[[quality.checks]]
table = "odds"
name = "price_present"
check = "not_null"
column = "price"

[[quality.checks]]
table = "odds"
name = "one_quote_per_selection"
check = "unique"
columns = ["event_id", "bookmaker", "market", "selection", "participant", "line"]

[[quality.checks]]
table = "odds"
name = "decimal_odds"
check = "range"
column = "price"
min = 1.0
max = 1000.0

[[quality.checks]]
table = "odds"
name = "known_market"
check = "allowed"
column = "market"
values = ["h2h", "spreads", "totals"]

[[quality.checks]]
table = "odds"
name = "bookmaker_key"
check = "regex"
column = "bookmaker"
pattern = "^[a-z0-9_]+$"

[[quality.checks]]
table = "odds"
name = "price_outliers"
check = "outliers"
column = "price"
method = "iqr"
max_failing = "5%"

[[quality.checks]]
table = "odds"
name = "price_drift"
check = "drift"
column = "price"

[[quality.checks]]
table = "odds"
name = "volume"
check = "volume"

[[quality.checks]]
table = "odds"
name = "event_exists"
check = "referential"
column = "event_id"
references = "events.provider_id"

[[quality.checks]]
table = "odds"
name = "fresh"
check = "freshness"
column = "provider_updated_at"
max_age = "3650d"

[[quality.checks]]
table = "odds"
name = "price_above_one"
check = "sql"
expression = "price > 1"
"#;

/// How a shape lists the ten sports in its pipeline.
#[derive(Clone, Copy)]
enum Shape {
    /// One stream whose `sport` names all ten.
    OneStream,
    /// One stream per sport, `concurrency` left to its default.
    StreamPerSport,
    /// One stream per sport, one at a time.
    StreamPerSportInTurn,
}

impl Shape {
    fn label(self) -> &'static str {
        match self {
            Shape::OneStream => "1 stream of 10 sports",
            Shape::StreamPerSport => "10 streams, one per sport",
            Shape::StreamPerSportInTurn => "10 streams, concurrency = 1",
        }
    }

    /// The `[pipelines.odds]` part of the config.
    fn pipeline(self, sports: &[String]) -> String {
        let stream = |sport: &str| {
            format!(
                "[[pipelines.odds.streams]]\nprovider = \"odds\"\nstream = \"odds\"\n\
                 params = {{ sport = \"{sport}\", regions = \"eu\", markets = \"h2h,spreads,totals\" }}\n"
            )
        };
        match self {
            Shape::OneStream => stream(&sports.join(",")),
            Shape::StreamPerSport => sports.iter().map(|s| stream(s)).collect(),
            Shape::StreamPerSportInTurn => {
                let streams: String = sports.iter().map(|s| stream(s)).collect();
                format!("[pipelines.odds]\nconcurrency = 1\n\n{streams}")
            }
        }
    }
}

/// The figures of one shape.
struct Loaded {
    shape: Shape,
    cold: Duration,
    update: Option<Duration>,
}

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("host/ has a parent")?
        .to_path_buf();
    let bench = root.join("../shared/bench");
    if !bench.join("gen_odds.py").is_file() {
        println!(
            "odds benchmark SKIPPED: {} is absent (it holds the generator and server)",
            bench.display()
        );
        return Ok(());
    }
    let plugin = root.join("target/plugins/the-odds-api.wasm");
    if !plugin.is_file() {
        bail!("{} is missing: run `make plugins`", plugin.display());
    }
    let admin_url = std::env::var("SLUICE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let work = tempfile::tempdir()?;
    for (dir, seed) in [("odds", "1"), ("odds2", "2")] {
        let out = work.path().join(dir);
        run_quiet(
            Command::new("python3")
                .arg(bench.join("gen_odds.py"))
                .arg(&out)
                .args([SPORTS, EVENTS, BOOKMAKERS].map(|n| n.to_string()))
                .arg(seed),
        )?;
    }

    // Compiling a component is a one-off per plugin version (the compiled
    // code is cached by content hash): done and timed apart, so the loads
    // below measure loading.
    let started = Instant::now();
    run_quiet(
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(["plugin", "check"])
            .arg(&plugin),
    )?;
    println!(
        "odds e2e, the-odds-api plugin checked and its compiled code cached beforehand: {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sports: Vec<String> = (0..SPORTS)
        .map(|s| format!("soccer_league_{s:02}"))
        .collect();
    let databases = Databases {
        admin_url: admin_url.clone(),
        prefix: format!("sluice_bench_{}", std::process::id()),
    };
    let bench_run = BenchRun {
        root: &root,
        bench: &bench,
        work: work.path(),
        sports: &sports,
        databases: &databases,
        runtime: &runtime,
    };
    let result = bench_run.measure();
    for name in [
        "one",
        "ten",
        "turns",
        "dlt",
        "copy",
        "plain_a",
        "plain_b",
        "checked_a",
        "checked_b",
    ] {
        runtime.block_on(databases.drop(name))?;
    }
    result
}

/// The PostgreSQL databases of one bench run, each made fresh.
struct Databases {
    admin_url: String,
    prefix: String,
}

impl Databases {
    /// A new empty database `name`; its URL.
    async fn create(&self, name: &str) -> anyhow::Result<String> {
        create_database(&self.admin_url, &format!("{}_{name}", self.prefix)).await
    }

    async fn drop(&self, name: &str) -> anyhow::Result<()> {
        drop_database(&self.admin_url, &format!("{}_{name}", self.prefix)).await
    }
}

/// What the measurements share.
struct BenchRun<'a> {
    root: &'a Path,
    bench: &'a Path,
    work: &'a Path,
    sports: &'a [String],
    databases: &'a Databases,
    runtime: &'a tokio::runtime::Runtime,
}

impl BenchRun<'_> {
    fn measure(&self) -> anyhow::Result<()> {
        // `SLUICE_BENCH_ODDS_ONLY=quality`: only what the checks cost.
        if std::env::var("SLUICE_BENCH_ODDS_ONLY").is_ok_and(|only| only == "quality") {
            return self.quality_cost();
        }
        let mut shapes = Vec::new();
        let mut floor = None;
        let mut copy_file = None;
        for (shape, db, update) in [
            (Shape::OneStream, "one", true),
            (Shape::StreamPerSport, "ten", true),
            (Shape::StreamPerSportInTurn, "turns", false),
        ] {
            let url = self.runtime.block_on(self.databases.create(db))?;
            let cold = self.load(shape, &url, "odds", "cold load")?;
            if floor.is_none() {
                floor = Some(self.runtime.block_on(copy_floor(&url))?);
                if peers::psql_found() {
                    copy_file = Some(peers::export_odds(&url, self.work)?);
                }
            }
            let update = match update {
                true => Some(self.load(shape, &url, "odds2", "price-move update")?),
                false => None,
            };
            shapes.push(Loaded {
                shape,
                cold,
                update,
            });
        }
        let floor = floor.context("the floor is measured after the first cold load")?;
        println!(
            "odds e2e, floor: plain binary COPY of the same {OUTCOMES} rows into a table shaped like odds: {:.2} s = {:.0} rows/s",
            floor.as_secs_f64(),
            OUTCOMES as f64 / floor.as_secs_f64()
        );
        let copy = match copy_file {
            Some(file) => Some(self.psql_copy(&file)?),
            None => {
                println!("odds e2e, psql \\copy SKIPPED: psql is not installed");
                None
            }
        };
        let dlt = self.dlt()?;
        println!("odds e2e, cold loads side by side:");
        for loaded in &shapes {
            let cold = loaded.cold.as_secs_f64();
            let mut line = format!("    {:<28} {cold:.2} s", loaded.shape.label());
            if let Some(dlt) = dlt {
                line.push_str(&format!(
                    "; {:.1}x faster than dlt",
                    dlt.as_secs_f64() / cold
                ));
            }
            if let Some(copy) = copy {
                line.push_str(&format!("; {:.2}x psql \\copy", cold / copy.as_secs_f64()));
            }
            line.push_str(&format!(
                "; {:.1}x the binary COPY floor",
                cold / floor.as_secs_f64()
            ));
            if let Some(update) = loaded.update {
                line.push_str(&format!(
                    "; price-move update {:.2} s",
                    update.as_secs_f64()
                ));
            }
            println!("{line}");
        }
        if let (Some(one), Some(ten)) = (shapes.first(), shapes.get(1)) {
            println!(
                "odds e2e, 10 streams against 1 stream of the same sports: {:.2}x the wall time",
                ten.cold.as_secs_f64() / one.cold.as_secs_f64()
            );
        }
        self.quality_cost()
    }

    /// The one-stream cold load with every built-in check kind on `odds`
    /// against the same load without, alternated so that both see the same
    /// machine, the best of two each.
    fn quality_cost(&self) -> anyhow::Result<()> {
        let pipeline = Shape::OneStream.pipeline(self.sports);
        let checked = format!("{pipeline}\n{ODDS_CHECKS}");
        let mut plain = Duration::MAX;
        let mut with_checks = Duration::MAX;
        let mut report = String::new();
        for round in ["a", "b"] {
            let url = self
                .runtime
                .block_on(self.databases.create(&format!("plain_{round}")))?;
            plain = plain.min(self.load_config(&url, &pipeline)?.0);
            let url = self
                .runtime
                .block_on(self.databases.create(&format!("checked_{round}")))?;
            let (wall, summary) = self.load_config(&url, &checked)?;
            with_checks = with_checks.min(wall);
            report = summary;
        }
        println!(
            "odds e2e, quality checks: {OUTCOMES} outcomes with all 11 built-in check kinds on odds in {:.2} s, without {:.2} s: +{:.1}% wall time (best of 2 each, alternated)",
            with_checks.as_secs_f64(),
            plain.as_secs_f64(),
            (with_checks.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0
        );
        for line in report
            .lines()
            .filter(|l| l.starts_with("quality") || l.starts_with("  "))
        {
            println!("    {}", line.trim_end());
        }
        Ok(())
    }

    /// One cold `sluice run` of `pipeline` into `url`; its wall time and
    /// summary.
    fn load_config(&self, url: &str, pipeline: &str) -> anyhow::Result<(Duration, String)> {
        let port = free_port()?;
        let _server = Server::start(self.bench, &self.work.join("odds"), port)?;
        let config = self.config(url, port, pipeline)?;
        let (wall, _, summary) = timed_run(&config)?;
        Ok((wall, summary))
    }

    /// One `sluice run` of `shape` into `url`, serving the data in `dir`;
    /// prints and returns its wall time.
    fn load(&self, shape: Shape, url: &str, dir: &str, label: &str) -> anyhow::Result<Duration> {
        let port = free_port()?;
        let _server = Server::start(self.bench, &self.work.join(dir), port)?;
        let config = self.config(url, port, &shape.pipeline(self.sports))?;
        let (wall, peak_kib, summary) = timed_run(&config)?;
        println!(
            "odds e2e, {}, {label}: {OUTCOMES} outcomes in {:.2} s = {:.0} outcome rows/s, peak RSS {:.0} MiB",
            shape.label(),
            wall.as_secs_f64(),
            OUTCOMES as f64 / wall.as_secs_f64(),
            peak_kib as f64 / 1024.0
        );
        for line in summary.lines().skip(1) {
            println!("    {}", line.trim_end());
        }
        Ok(wall)
    }

    /// Writes the config of a pipeline `odds` into `url` from the server on
    /// `port`.
    fn config(&self, url: &str, port: u16, pipeline: &str) -> anyhow::Result<PathBuf> {
        let config = self.work.join("sluice.toml");
        std::fs::write(
            &config,
            format!(
                "database = \"{url}\"\nplugin_dir = \"{plugins}\"\n\n\
                 [providers.odds]\nplugin = \"the-odds-api\"\nbase_url = \"http://127.0.0.1:{port}\"\n\n\
                 {pipeline}",
                plugins = self.root.join("target/plugins").display(),
            ),
        )?;
        Ok(config)
    }

    /// `psql \copy` of the cold load's rows into the `odds` table of a
    /// database sluice has just created (its tables, indexes and
    /// constraints, and no row).
    fn psql_copy(&self, file: &Path) -> anyhow::Result<Duration> {
        let url = self.runtime.block_on(self.databases.create("copy"))?;
        let config = self.config(&url, 1, &Shape::OneStream.pipeline(self.sports))?;
        run_quiet(
            Command::new(env!("CARGO_BIN_EXE_sluice"))
                .args(["runs", "--config"])
                .arg(&config),
        )?;
        let (wall, rows) = peers::copy_into_odds(&url, file)?;
        if rows as usize != OUTCOMES {
            bail!("psql \\copy wrote {rows} rows, not {OUTCOMES}");
        }
        println!(
            "odds e2e, psql \\copy of the same {OUTCOMES} rows (CSV) into an empty odds table: {:.2} s = {:.0} rows/s",
            wall.as_secs_f64(),
            OUTCOMES as f64 / wall.as_secs_f64()
        );
        Ok(wall)
    }

    /// dlt's `rest_api` source on the cold data into a database of its
    /// own; skipped with the reason when dlt cannot be installed.
    fn dlt(&self) -> anyhow::Result<Option<Duration>> {
        let python = match peers::dlt_python(self.root) {
            Ok(python) => python,
            Err(error) => {
                println!("odds e2e, dlt SKIPPED: {error:#}");
                return Ok(None);
            }
        };
        let url = self.runtime.block_on(self.databases.create("dlt"))?;
        let port = free_port()?;
        let _server = Server::start(self.bench, &self.work.join("odds"), port)?;
        let base_url = format!("http://127.0.0.1:{port}/");
        let (wall, rows) =
            peers::dlt_load(&python, self.bench, self.work, &base_url, SPORTS, &url)?;
        if rows as usize != OUTCOMES {
            bail!("dlt loaded {rows} outcome rows, not {OUTCOMES}");
        }
        println!(
            "odds e2e, dlt rest_api (merge into PostgreSQL), cold load: {OUTCOMES} outcomes in {:.2} s = {:.0} outcome rows/s",
            wall.as_secs_f64(),
            OUTCOMES as f64 / wall.as_secs_f64()
        );
        Ok(Some(wall))
    }
}

/// Runs `sluice run` on `config`; returns its wall time, peak RSS in KiB
/// and the summary it printed.
fn timed_run(config: &Path) -> anyhow::Result<(Duration, i64, String)> {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["run", "--config"])
        .arg(config)
        .args(["--pipeline", "odds"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.context("stdout")?;
    let mut summary = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut summary)?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 only writes
    // into the two locals it is given, for a child this process spawned and
    // has not reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if reaped != pid {
        bail!("waiting for sluice: {}", std::io::Error::last_os_error());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("sluice run failed (status {status}):\n{summary}");
    }
    Ok((wall, usage.ru_maxrss, summary))
}

/// `serve_odds.py` on `port`, stopped when dropped.
struct Server(Child);

impl Server {
    fn start(bench: &Path, data: &Path, port: u16) -> anyhow::Result<Self> {
        let child = Command::new("python3")
            .arg(bench.join("serve_odds.py"))
            .arg(data)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .spawn()
            .context("starting serve_odds.py")?;
        let server = Server(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("serve_odds.py did not listen on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let mut admin = PgConnection::connect(admin_url).await?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let mut url = reqwest::Url::parse(admin_url)?;
    url.set_path(name);
    Ok(url.to_string())
}

async fn drop_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let mut admin = PgConnection::connect(admin_url).await?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    Ok(())
}

/// Times a plain binary `COPY` of the rows the cold load wrote (read back
/// from `odds` beforehand) into a fresh table with the columns and indexes
/// of `odds`.
async fn copy_floor(url: &str) -> anyhow::Result<Duration> {
    use futures_util::TryStreamExt;
    let mut conn = PgConnection::connect(url).await?;
    let text: Vec<u8> = conn
        .copy_out_raw("COPY odds TO STDOUT (FORMAT binary)")
        .await?
        .try_fold(Vec::with_capacity(128 << 20), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await?;
    conn.execute("CREATE TABLE copy_floor (LIKE odds INCLUDING ALL)")
        .await?;
    let started = Instant::now();
    let mut copy = conn
        .copy_in_raw("COPY copy_floor FROM STDIN (FORMAT binary)")
        .await?;
    for chunk in text.chunks(1 << 20) {
        copy.send(chunk).await?;
    }
    let copied = copy.finish().await?;
    let elapsed = started.elapsed();
    if copied as usize != OUTCOMES {
        bail!("COPY wrote {copied} rows, not {OUTCOMES}");
    }
    Ok(elapsed)
}
