//! `sluice serve` after a season: with 100,000 runs (300,000 stream rows)
//! and 1,000 quarantined items in the database, how long the dashboard's
//! first page and its JSON, and `/metrics`, take to answer (the goal is
//! under 200 ms each); then the server's memory after 1,000 scheduled runs
//! on the replay provider against after 10 (the goal: flat). SQLite, and
//! PostgreSQL when `SLUICE_TEST_POSTGRES` names a server (`make bench`
//! starts one).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sluice::db::{Exec, Pool, Value};
use sluice::replay_provider::{self, Recordings};

const RUNS: i64 = 100_000;
const STREAMS_PER_RUN: i64 = 3;
const QUARANTINED: i64 = 1_000;
const ROWS_PER_INSERT: i64 = 400;
const GOAL_MS: f64 = 200.0;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("host/ has a parent")?
        .to_path_buf();
    let plugins = root.join("target/plugins");
    if !plugins.join("football-data.wasm").is_file() {
        bail!(
            "{} has no football-data.wasm: run `make plugins`",
            plugins.display()
        );
    }
    let work = tempfile::tempdir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let replay = runtime.block_on(async {
        let recordings = Arc::new(Recordings::load(
            &root.join("examples/replay/football-data"),
        )?);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(replay_provider::serve(listener, recordings));
        anyhow::Ok(url)
    })?;

    let mut databases = vec![(
        "sqlite",
        format!("sqlite://{}", work.path().join("history.db").display()),
    )];
    match std::env::var("SLUICE_TEST_POSTGRES") {
        Ok(url) => databases.push(("postgres", fresh_postgres(&runtime, &url)?)),
        Err(_) => println!(
            "serve history: PostgreSQL skipped (SLUICE_TEST_POSTGRES not set; `make bench` sets it)"
        ),
    }
    for (backend, url) in &databases {
        let filled = Instant::now();
        runtime.block_on(fill(url))?;
        println!(
            "serve history ({backend}): {RUNS} runs, {} stream rows, {QUARANTINED} quarantined items written in {:.1} s",
            RUNS * STREAMS_PER_RUN,
            filled.elapsed().as_secs_f64()
        );
        let config = write_config(work.path(), url, &plugins, &replay, None)?;
        let server = Server::start(&config)?;
        for path in [
            "/",
            "/runs",
            "/runs?limit=50&pipeline=p7",
            "/runs/50000",
            "/quarantine",
            "/quarantine/500",
            "/streams",
            "/providers",
            "/alerts",
            "/metrics",
        ] {
            let mut times = Vec::new();
            for _ in 0..20 {
                let started = Instant::now();
                let status = server.get(path)?.0;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                if status != 200 {
                    bail!("GET {path} answered {status}");
                }
            }
            times.sort_by(f64::total_cmp);
            let (p50, max) = (times[times.len() / 2], times[times.len() - 1]);
            println!(
                "serve history ({backend}): GET {path:<28} p50 {p50:6.1} ms, max {max:6.1} ms ({})",
                if max < GOAL_MS {
                    "under 200 ms"
                } else {
                    "OVER 200 ms"
                }
            );
        }
        drop(server);
    }

    // Memory over a day's worth of 30-second schedules, compressed: a run
    // every 50 ms until 1,000 have run.
    let url = format!("sqlite://{}", work.path().join("memory.db").display());
    let config = write_config(work.path(), &url, &plugins, &replay, Some("50ms"))?;
    let server = Server::start(&config)?;
    let rss_at = |runs: i64| -> anyhow::Result<(u64, f64)> {
        let started = Instant::now();
        loop {
            let body = server.get("/runs?limit=1")?.1;
            let latest: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            if latest[0]["id"].as_i64().unwrap_or(0) >= runs {
                return Ok((server.rss_kib()?, started.elapsed().as_secs_f64()));
            }
            if started.elapsed() > Duration::from_secs(1800) {
                bail!("{runs} scheduled runs did not happen within 30 minutes");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let (after_10, _) = rss_at(10)?;
    let (after_1000, took) = rss_at(1000)?;
    println!(
        "serve memory: RSS {:.1} MiB after 10 scheduled runs, {:.1} MiB after 1,000 ({:+.1}%; the 990 runs took {took:.0} s)",
        after_10 as f64 / 1024.0,
        after_1000 as f64 / 1024.0,
        (after_1000 as f64 / after_10 as f64 - 1.0) * 100.0
    );
    drop(server);
    if let Ok(admin) = std::env::var("SLUICE_TEST_POSTGRES") {
        runtime.block_on(async {
            use sqlx::{Connection, Executor, PgConnection};
            let mut admin = PgConnection::connect(&admin).await?;
            admin
                .execute("DROP DATABASE IF EXISTS sluice_bench_serve_history")
                .await?;
            anyhow::Ok(())
        })?;
    }
    drop(runtime);
    Ok(())
}

/// A database of its own on the server at `url` (created through a plain
/// connection: the server's own database is never migrated), dropped
/// first if an earlier bench left it.
fn fresh_postgres(runtime: &tokio::runtime::Runtime, url: &str) -> anyhow::Result<String> {
    use sqlx::{Connection, Executor, PgConnection};
    let name = "sluice_bench_serve_history";
    runtime.block_on(async {
        let mut admin = PgConnection::connect(url).await?;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await?;
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await?;
        anyhow::Ok(())
    })?;
    let mut url = reqwest::Url::parse(url)?;
    url.set_path(name);
    Ok(url.to_string())
}

/// Writes the season's history: runs of 10 pipelines, each with its
/// streams, and quarantined items with a 2 KB payload.
async fn fill(url: &str) -> anyhow::Result<()> {
    let pool = Pool::connect(url).await?;
    let mut tx = pool.begin().await?;
    let timestamp = |i: i64| {
        let s = 1_700_000_000 + i * 30;
        let at = time::OffsetDateTime::from_unix_timestamp(s)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000000Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )
    };
    for chunk in (1..=RUNS)
        .collect::<Vec<_>>()
        .chunks(ROWS_PER_INSERT as usize)
    {
        let mut sql = String::from(
            "INSERT INTO sluice_runs (id, pipeline, mode, status, started_at, finished_at, requests, records_in, inserted, updated, unchanged, quarantined) VALUES ",
        );
        let mut args: Vec<Value> = Vec::new();
        for (n, &i) in chunk.iter().enumerate() {
            sql.push_str(if n == 0 {
                "(?, ?, 'run', ?, ?, ?, 3, 300, 10, 20, 268, 2)"
            } else {
                ", (?, ?, 'run', ?, ?, ?, 3, 300, 10, 20, 268, 2)"
            });
            args.extend([
                Value::Int(i),
                format!("p{}", i % 10).into(),
                (if i % 50 == 0 { "failed" } else { "succeeded" }).into(),
                timestamp(i).into(),
                timestamp(i).into(),
            ]);
        }
        tx.execute(&sql, args).await?;
    }
    let streams: Vec<(i64, i64)> = (1..=RUNS)
        .flat_map(|run| (0..STREAMS_PER_RUN).map(move |s| (run, s)))
        .collect();
    for chunk in streams.chunks(ROWS_PER_INSERT as usize) {
        let mut sql = String::from(
            "INSERT INTO sluice_stream_runs (run_id, pipeline, stream_key, provider, stream, status, started_at, finished_at, requests, records_in, inserted, updated, unchanged, quarantined) VALUES ",
        );
        let mut args: Vec<Value> = Vec::new();
        for (n, &(run, s)) in chunk.iter().enumerate() {
            sql.push_str(if n == 0 {
                "(?, ?, ?, 'football-data', 'matches', 'succeeded', ?, ?, 1, 100, 3, 7, 89, 1)"
            } else {
                ", (?, ?, ?, 'football-data', 'matches', 'succeeded', ?, ?, 1, 100, 3, 7, 89, 1)"
            });
            args.extend([
                Value::Int(run),
                format!("p{}", run % 10).into(),
                format!("football-data/matches?competition=C{s}").into(),
                timestamp(run).into(),
                timestamp(run).into(),
            ]);
        }
        tx.execute(&sql, args).await?;
    }
    let raw = format!("{{\"id\": 1, \"note\": \"{}\"}}", "x".repeat(2000));
    for chunk in (1..=QUARANTINED)
        .collect::<Vec<_>>()
        .chunks(ROWS_PER_INSERT as usize)
    {
        let mut sql = String::from(
            "INSERT INTO sluice_quarantine (run_id, provider, stream, plugin, plugin_version, kind, provider_id, reason, raw, payload_hash, created_at) VALUES ",
        );
        let mut args: Vec<Value> = Vec::new();
        for (n, &i) in chunk.iter().enumerate() {
            sql.push_str(if n == 0 { "(?, 'football-data', 'matches', 'football-data', '0.1.0', 'record', ?, 'missing home team', ?, 'h', ?)" } else { ", (?, 'football-data', 'matches', 'football-data', '0.1.0', 'record', ?, 'missing home team', ?, 'h', ?)" });
            args.extend([
                Value::Int(i * 97),
                i.to_string().into(),
                raw.as_str().into(),
                timestamp(i * 97).into(),
            ]);
        }
        tx.execute(&sql, args).await?;
    }
    tx.execute(
        "INSERT INTO sluice_stream_freshness (pipeline, stream_key, provider, stream, run_id, last_success) \
         SELECT pipeline, stream_key, min(provider), min(stream), max(run_id), max(finished_at) FROM sluice_stream_runs \
         WHERE status <> 'failed' GROUP BY pipeline, stream_key",
        vec![],
    )
    .await?;
    tx.commit().await?;
    if matches!(pool, Pool::Postgres(_)) {
        let mut conn = pool.acquire().await?;
        conn.execute(
            "SELECT setval('sluice_runs_id_seq', (SELECT max(id) FROM sluice_runs))",
            vec![],
        )
        .await?;
        conn.execute("ANALYZE", vec![]).await?;
    }
    Ok(())
}

fn write_config(
    dir: &Path,
    database: &str,
    plugins: &Path,
    replay: &str,
    every: Option<&str>,
) -> anyhow::Result<PathBuf> {
    let schedule = every.map_or(String::new(), |e| {
        format!("schedule = {{ every = \"{e}\" }}\n")
    });
    let config = dir.join(format!(
        "sluice-{}.toml",
        database.len() + usize::from(every.is_some())
    ));
    std::fs::write(
        &config,
        format!(
            "database = \"{database}\"\nplugin_dir = \"{plugins}\"\n\n\
             [providers.football-data]\nplugin = \"football-data\"\nbase_url = \"{replay}\"\n\n\
             [pipelines.teams]\n{schedule}\n[[pipelines.teams.streams]]\nprovider = \"football-data\"\nstream = \"teams\"\n\
             params = {{ competition = \"CL\", season = \"2022\" }}\n",
            plugins = plugins.display(),
        ),
    )?;
    Ok(config)
}

/// A `sluice serve` process, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(config: &Path) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(["serve", "--config"])
            .arg(config)
            .args(["--addr", &addr])
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let server = Server { child, addr };
        let started = Instant::now();
        while !matches!(server.get("/healthz"), Ok((200, _))) {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("sluice serve did not answer /healthz");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn get(&self, path: &str) -> anyhow::Result<(u16, String)> {
        let mut stream = TcpStream::connect(&self.addr)?;
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr)?;
        let mut text = String::new();
        stream.read_to_string(&mut text)?;
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("an HTTP status line")?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok((status, body))
    }

    fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmRSS in /proc/PID/status")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
