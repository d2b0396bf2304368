//! The end-to-end odds benchmark of `../shared/bench/`, for `make bench`:
//! 280,000 outcomes (10 sports × 200 events × 20 bookmakers × 7 outcomes)
//! served on loopback as The Odds API v4 `/odds`, loaded by the real
//! `sluice` binary through the the-odds-api plugin into PostgreSQL.
//!
//! Printed, measured in one run: the cold load and the price-move update
//! (outcome rows/s, wall time, the binary's peak RSS), and the floor: a
//! plain `COPY` of the 280,000 rows the cold load wrote into a table shaped
//! like `odds` (same columns, same indexes), timed alone, in the binary
//! format, PostgreSQL's fastest way in.
//!
//! Needs `../shared/bench` (the generator and server), python3, and the
//! PostgreSQL server `SLUICE_TEST_POSTGRES` names (`make bench` finds or
//! starts one as `make test` does).

// wait4 is the one way to read the peak memory of one child process.
#![allow(unsafe_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::{Connection, Executor, PgConnection};

const SPORTS: usize = 10;
const EVENTS: usize = 200;
const BOOKMAKERS: usize = 20;
const OUTCOMES: usize = SPORTS * EVENTS * BOOKMAKERS * 7;
/// dlt's `rest_api` source on this workload, as `../shared/bench/README.md`
/// measured it on this machine.
const DLT_SECONDS: f64 = 18.0;

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
    let database = format!("sluice_bench_{}", std::process::id());
    let url = runtime.block_on(create_database(&admin_url, &database))?;
    let config = work.path().join("sluice.toml");
    let sports: Vec<String> = (0..SPORTS)
        .map(|s| format!("soccer_league_{s:02}"))
        .collect();

    let result = (|| -> anyhow::Result<()> {
        let mut figures = Vec::new();
        let mut floor = None;
        for (label, dir) in [("cold load", "odds"), ("price-move update", "odds2")] {
            let port = free_port()?;
            let _server = Server::start(&bench, &work.path().join(dir), port)?;
            std::fs::write(
                &config,
                format!(
                    "database = \"{url}\"\nplugin_dir = \"{plugins}\"\n\n\
                     [providers.odds]\nplugin = \"the-odds-api\"\nbase_url = \"http://127.0.0.1:{port}\"\n\n\
                     [[pipelines.odds.streams]]\nprovider = \"odds\"\nstream = \"odds\"\n\
                     params = {{ sport = \"{sports}\", regions = \"eu\", markets = \"h2h,spreads,totals\" }}\n",
                    plugins = root.join("target/plugins").display(),
                    sports = sports.join(","),
                ),
            )?;
            let (wall, peak_kib, summary) = timed_run(&config)?;
            println!(
                "odds e2e, {label}: {OUTCOMES} outcomes in {:.2} s = {:.0} outcome rows/s, peak RSS {:.0} MiB",
                wall.as_secs_f64(),
                OUTCOMES as f64 / wall.as_secs_f64(),
                peak_kib as f64 / 1024.0
            );
            for line in summary.lines().skip(1) {
                println!("    {}", line.trim_end());
            }
            figures.push(wall);
            if figures.len() == 1 {
                floor = Some(runtime.block_on(copy_floor(&url))?);
            }
        }
        let floor = floor.context("the floor is measured after the cold load")?;
        println!(
            "odds e2e, floor: plain COPY of the same {OUTCOMES} rows into a table shaped like odds: {:.2} s = {:.0} rows/s",
            floor.as_secs_f64(),
            OUTCOMES as f64 / floor.as_secs_f64()
        );
        let cold = figures[0].as_secs_f64();
        println!(
            "odds e2e, cold load: {:.1}x the COPY floor; {:.1}x faster than dlt's ~{DLT_SECONDS:.0} s",
            cold / floor.as_secs_f64(),
            DLT_SECONDS / cold
        );
        Ok(())
    })();
    runtime.block_on(drop_database(&admin_url, &database))?;
    result
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

fn run_quiet(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output()?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
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
