//! `make bench-scale`: `sluice worker` processes against a provider that
//! answers in 50 ms. First with the shared limit set high (latency-bound:
//! throughput should grow with the workers), then with a limit the workers
//! reach (throughput flat at the limit). Then the queue and the limit row
//! under a pgbench-style load of concurrent clients: claims and turns per
//! second, and their p99 latency. Every figure printed is measured here.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;
use sluice::replay_provider::{self, Recordings};

const INCLUDE: &str =
    "participants;scores;state;league;venue;stage;round;periods;events;statistics";
/// Units (seasons) and pages per unit of the scaling runs.
const UNITS: u64 = 32;
const PAGES: u64 = 12;
const WORKERS: [usize; 4] = [1, 2, 4, 8];

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
    let admin = std::env::var("SLUICE_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
        .context("SLUICE_TEST_POSTGRES is not set: `make bench-scale` sets it (scripts/postgres-for-tests.sh)")?;
    // SLUICE_BENCH_KEEP=1 keeps the work folder (configs, worker logs).
    let mut work = tempfile::tempdir()?;
    if std::env::var_os("SLUICE_BENCH_KEEP").is_some() {
        work.disable_cleanup(true);
        println!("work folder kept: {}", work.path().display());
    }
    let recordings = work.path().join("recordings");
    let pipeline = seasons(&root, &recordings)?;
    let runtime = tokio::runtime::Runtime::new()?;

    for (title, limit) in [
        ("latency-bound (shared limit 1000/s)", 1000u32),
        ("limit-bound (shared limit 40/s)", 40),
    ] {
        println!("\n{title}: {UNITS} units x {PAGES} pages, 50 ms a response");
        let repeats = repeats();
        println!(
            "{:>7} {:>9} {:>8} {:>9} {:>17} {:>12} {:>12}",
            "workers", "requests", "seconds", "req/s", "runs' req/s", "vs 1 worker", "of limit"
        );
        let mut one = None;
        for workers in worker_counts() {
            // Each count runs `repeats` times on a fresh database: the
            // median run is printed, with the range of all.
            let mut runs = Vec::with_capacity(repeats);
            for run in 0..repeats {
                let db = Database::create(&runtime, &admin)?;
                let (served, seconds) = run_workers(
                    &runtime,
                    &work.path().join(format!("w{workers}-{limit}-{run}")),
                    &recordings,
                    &plugins,
                    &db.url,
                    &pipeline,
                    limit,
                    workers,
                )?;
                db.drop(&runtime)?;
                runs.push((served, seconds, (served as f64 - 1.0) / seconds));
            }
            runs.sort_by(|a, b| a.2.total_cmp(&b.2));
            let (served, seconds, rate) = runs[runs.len() / 2];
            let range = format!("{:.1}-{:.1}", runs[0].2, runs[runs.len() - 1].2);
            let base = *one.get_or_insert(rate);
            println!(
                "{workers:>7} {served:>9} {seconds:>8.2} {rate:>9.1} {range:>17} {:>11.2}x {:>11.1}%",
                rate / base,
                100.0 * rate / f64::from(limit)
            );
        }
    }

    let clients: usize = std::env::var("SLUICE_BENCH_CLIENTS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    if clients > 0 {
        let db = Database::create(&runtime, &admin)?;
        runtime.block_on(contention(&db.url, clients))?;
        db.drop(&runtime)?;
    }
    Ok(())
}

/// The worker counts to run: `SLUICE_BENCH_WORKERS` (`1,8`), else
/// `WORKERS`.
fn worker_counts() -> Vec<usize> {
    std::env::var("SLUICE_BENCH_WORKERS")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect::<Vec<usize>>()
        })
        .filter(|counts| !counts.is_empty())
        .unwrap_or_else(|| WORKERS.to_vec())
}

/// Runs per worker count: `SLUICE_BENCH_REPEAT`, else 3 (the median is
/// printed: a 2-core machine's run-to-run spread at eight workers is
/// about 10 %).
fn repeats() -> usize {
    std::env::var("SLUICE_BENCH_REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(3)
}

/// `UNITS` seasons of `PAGES` pages each, 50 ms a response; the pipeline.
fn seasons(root: &Path, dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir)?;
    let page_one: Value = serde_json::from_slice(&std::fs::read(
        root.join("plugins/sportmonks/fixtures/season-backfill-page/response.json"),
    )?)?;
    let mut index = "latency_ms = 50\n\n".to_string();
    let mut pipeline = String::new();
    for unit in 0..UNITS {
        let season = 9100 + unit;
        for page in 1..=PAGES {
            let mut body = page_one.clone();
            if let Some(fixtures) = body["data"].as_array_mut() {
                for (i, fixture) in fixtures.iter_mut().enumerate() {
                    fixture["id"] = Value::from(season * 1000 + page * 10 + i as u64);
                }
            }
            body["pagination"]["current_page"] = Value::from(page);
            body["pagination"]["has_more"] = Value::from(page < PAGES);
            // No quota window in the body: the host would pace itself by
            // it, and the run would be quota-bound, not latency-bound.
            if let Some(object) = body.as_object_mut() {
                object.remove("rate_limit");
            }
            let file = format!("s{season}p{page}.json");
            std::fs::write(dir.join(&file), serde_json::to_vec(&body)?)?;
            index.push_str(&format!(
                "[[route]]\npath = \"/fixtures\"\nquery = {{ filters = \"fixtureSeasons:{season}\", include = \"{INCLUDE}\", per_page = \"50\", page = \"{page}\" }}\nfile = \"{file}\"\n\n"
            ));
        }
        pipeline.push_str(&format!(
            "[[pipelines.seasons.streams]]\nprovider = \"sportmonks\"\nstream = \"fixtures\"\nparams = {{ league = \"901\", season = \"{season}\" }}\n\n"
        ));
    }
    std::fs::write(dir.join("index.toml"), index)?;
    Ok(pipeline)
}

/// Queues the pipeline, runs `workers` worker processes until every unit
/// is done, and returns the requests the provider served and the seconds
/// from its first to its last, by its clock.
#[allow(clippy::too_many_arguments)]
fn run_workers(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    recordings: &Path,
    plugins: &Path,
    database: &str,
    pipeline: &str,
    limit: u32,
    workers: usize,
) -> anyhow::Result<(usize, f64)> {
    std::fs::create_dir_all(dir)?;
    let served = Arc::new(Recordings::load(recordings)?);
    let url = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(replay_provider::serve(listener, served.clone()));
        anyhow::Ok(url)
    })?;
    let config = dir.join("sluice.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{database}\"\nplugin_dir = \"{plugins}\"\n\n[resolution]\nenabled = false\n\n\
             [workers]\npoll = \"100ms\"\n\n\
             [providers.sportmonks]\nplugin = \"sportmonks\"\nbase_url = \"{url}\"\nrate_limit = \"{limit}/s\"\n\n{pipeline}",
            plugins = plugins.display(),
        ),
    )?;
    let config = config.to_str().context("utf-8 path")?;
    // Each worker's log is kept beside its config, for a look at where
    // the time went: at info when the folder is kept (SLUICE_BENCH_KEEP),
    // else at the default level, as a deployment runs.
    let level = if std::env::var_os("SLUICE_BENCH_KEEP").is_some() {
        "info"
    } else {
        "warn"
    };
    let mut children: Vec<Child> = (0..workers)
        .map(|i| {
            let log = std::fs::File::create(dir.join(format!("worker-{i}.log")))?;
            sluice(&["worker", "--config", config])
                .env("RUST_LOG", level)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    // Every worker ready (plugins compiled, registered) before the units
    // are queued: the figures are the workers', not their start.
    let ready = Instant::now() + Duration::from_secs(120);
    while runtime
        .block_on(count(database, "SELECT count(*) FROM sluice_workers"))
        .unwrap_or(0)
        < workers as i64
    {
        if Instant::now() > ready {
            bail!("{workers} workers did not start within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let queued = sluice(&["enqueue", "seasons", "--config", config]).output()?;
    if !queued.status.success() {
        bail!("enqueue: {}", String::from_utf8_lossy(&queued.stderr));
    }
    // One connection watches the queue: a new one every poll would cost
    // the server a process start each time, inside the measured window.
    let mut watch = runtime.block_on(async {
        use sqlx::Connection;
        sqlx::PgConnection::connect(database).await
    })?;
    let deadline = Instant::now() + Duration::from_secs(600);
    let done = loop {
        let left = runtime.block_on(count_on(
            &mut watch,
            "SELECT count(*) FROM sluice_units WHERE status <> 'done'",
        ))?;
        if left == 0 {
            break Ok(());
        }
        if Instant::now() > deadline {
            break Err(anyhow::anyhow!("{left} units not done after 600 s"));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = runtime.block_on(sqlx::Connection::close(watch));
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
    done?;
    let mut at: Vec<f64> = served
        .request_log()
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.at)
        .collect();
    at.sort_by(f64::total_cmp);
    let (Some(first), Some(last)) = (at.first(), at.last()) else {
        bail!("the provider served nothing");
    };
    Ok((at.len(), last - first))
}

/// The `sluice` binary with `args`.
fn sluice(args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("SLUICE_DATABASE");
    command
}

/// `SLUICE_BENCH_BINARY`, or the binary cargo built with this bench.
fn binary() -> PathBuf {
    std::env::var_os("SLUICE_BENCH_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_sluice")))
}

/// The number `sql` counts on `conn`.
async fn count_on(conn: &mut sqlx::PgConnection, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(conn).await?)
}

/// The number `sql` counts in the database at `url`.
async fn count(url: &str, sql: &str) -> anyhow::Result<i64> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let counted: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(counted)
}

/// `clients` concurrent clients, each with its own connection: first
/// claiming and ending units as fast as they can, then taking turns from
/// one provider's limit row (spacing zero, so the row's lock is all that
/// orders them).
async fn contention(url: &str, clients: usize) -> anyhow::Result<()> {
    use sluice::workers::{Ending, SharedRateRow, UnitQueue};
    // The server's max_connections bounds the clients: as many as it has
    // room for now, and no more than asked.
    let (stores, pool) = sluice::workers::postgres_pool(url, 2).await?;
    drop(stores);
    let room: i64 = sqlx::query_scalar(
        "SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity) - 4",
    )
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    let clients = clients.min(usize::try_from(room.max(1))?);
    let units = 20 * clients;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(u32::try_from(clients)?)
        .connect(url)
        .await?;
    let queue = UnitQueue::open(pool.clone()).await?;
    let keys: Vec<String> = (0..units).map(|i| format!("bench/unit?n={i}")).collect();
    queue.enqueue("bench", &keys).await?;
    // Every client holds its connection before the clock starts.
    let mut warm = Vec::new();
    for _ in 0..clients {
        warm.push(pool.acquire().await?);
    }
    drop(warm);

    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let worker = format!("bench-{client}");
            loop {
                let asked = Instant::now();
                match queue.claim(&worker, 60).await? {
                    Some(claim) => {
                        latencies.push(asked.elapsed());
                        queue.end(&claim, &Ending::Done, None).await?;
                    }
                    None => break,
                }
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut claims = Vec::new();
    for task in tasks {
        claims.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("\nthe queue under {clients} concurrent clients (each claims a unit, then ends it)");
    println!(
        "{} claims in {elapsed:.2} s: {:.0} claims/s, p50 {:.1} ms, p99 {:.1} ms",
        claims.len(),
        claims.len() as f64 / elapsed,
        percentile(&mut claims, 0.50),
        percentile(&mut claims, 0.99)
    );

    let limits = sluice::config::RateLimits::default();
    let row = Arc::new(SharedRateRow::open(pool.clone(), "bench", &limits).await?);
    let per_client = 200;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let row = row.clone();
        tasks.push(tokio::spawn(async move {
            use sluice::extract::SharedRate;
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let asked = Instant::now();
                row.take().await.map_err(anyhow::Error::msg)?;
                latencies.push(asked.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut turns = Vec::new();
    for task in tasks {
        turns.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("one provider's limit row under {clients} concurrent clients");
    println!(
        "{} turns in {elapsed:.2} s: {:.0} turns/s, p50 {:.1} ms, p99 {:.1} ms",
        turns.len(),
        turns.len() as f64 / elapsed,
        percentile(&mut turns, 0.50),
        percentile(&mut turns, 0.99)
    );
    Ok(())
}

/// The `q` quantile of `samples`, in milliseconds.
fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort_unstable();
    let at = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples
        .get(at)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

/// A database of its own on the server at `admin`, dropped after.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    fn create(runtime: &tokio::runtime::Runtime, admin: &str) -> anyhow::Result<Self> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "sluice_bench_scale_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let (server, _) = admin
            .rsplit_once('/')
            .context("SLUICE_TEST_POSTGRES is not a URL ending in a database name")?;
        runtime.block_on(execute(admin, &format!("CREATE DATABASE {name}")))?;
        Ok(Database {
            admin: admin.to_string(),
            url: format!("{server}/{name}"),
            name,
        })
    }

    fn drop(self, runtime: &tokio::runtime::Runtime) -> anyhow::Result<()> {
        runtime.block_on(execute(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        ))
    }
}

async fn execute(url: &str, sql: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}
