//! More than one machine: `sluice worker` processes share one PostgreSQL.
//! Four workers, killed with SIGKILL at random moments and replaced, load
//! every unit exactly once (the same rows as one `sluice run`), never
//! exceed the provider's limit by its own clock, and take a killed
//! worker's unit over within the visibility timeout plus one poll.

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::serving::{Serving, request, wait_for};
use crate::common::{
    ReplayServer, TestContext, assert_ok, error_line, repo_root, sluice_command, stdout,
};

const INCLUDE: &str =
    "participants;scores;state;league;venue;stage;round;periods;events;statistics";
const UNITS: u64 = 12;
const PAGES: u64 = 6;
const WORKERS: usize = 4;
const KILLS: usize = 3;
const VISIBILITY_SECS: f64 = 2.0;
const POLL_SECS: f64 = 0.25;
/// The provider's limit, enforced by the replay provider with 429.
const LIMIT_PER_SECOND: usize = 20;

/// `UNITS` seasons of league 901, `PAGES` pages of two fixtures each, made
/// from the Sportmonks backfill fixture with other ids; answers take 50 ms
/// and the provider refuses a 21st request in any second.
fn seasons(dir: &Path) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    let page_one: Value = serde_json::from_slice(
        &std::fs::read(
            repo_root().join("plugins/sportmonks/fixtures/season-backfill-page/response.json"),
        )
        .expect("fixture"),
    )
    .expect("json");
    let mut index =
        format!("latency_ms = 50\n\n[limit]\nrequests = {LIMIT_PER_SECOND}\nperiod_secs = 1\n\n");
    let mut pipeline = String::new();
    for unit in 0..UNITS {
        let season = 9100 + unit;
        for page in 1..=PAGES {
            let mut body = page_one.clone();
            for (i, fixture) in body["data"]
                .as_array_mut()
                .expect("data")
                .iter_mut()
                .enumerate()
            {
                fixture["id"] = Value::from(season * 1000 + page * 10 + i as u64);
            }
            body["pagination"]["current_page"] = Value::from(page);
            body["pagination"]["has_more"] = Value::from(page < PAGES);
            let file = format!("s{season}p{page}.json");
            std::fs::write(dir.join(&file), serde_json::to_vec(&body).expect("json"))
                .expect("write");
            index.push_str(&format!(
                "[[route]]\npath = \"/fixtures\"\nquery = {{ filters = \"fixtureSeasons:{season}\", include = \"{INCLUDE}\", per_page = \"50\", page = \"{page}\" }}\nfile = \"{file}\"\n\n"
            ));
        }
        pipeline.push_str(&format!(
            "[[pipelines.seasons.streams]]\nprovider = \"sportmonks\"\nstream = \"fixtures\"\nparams = {{ league = \"901\", season = \"{season}\" }}\n\n"
        ));
    }
    std::fs::write(dir.join("index.toml"), index).expect("index");
    pipeline
}

/// A config for `ctx` with the Sportmonks provider at `base_url` under the
/// shared 20/s limit, and the seasons pipeline.
fn config(ctx: &TestContext, base_url: &str, pipeline: &str) -> String {
    let pipelines = format!(
        "[resolution]\nenabled = false\n\n\
         [serve]\nadmin_token_env = \"SLUICE_TEST_ADMIN\"\n\n\
         [workers]\nvisibility_timeout = \"{VISIBILITY_SECS}s\"\npoll = \"{}ms\"\npipelines = [\"seasons\"]\n\n\
         [providers.sportmonks]\nplugin = \"sportmonks\"\nbase_url = \"{base_url}\"\nrate_limit = \"{LIMIT_PER_SECOND}/s\"\n\n{pipeline}",
        (POLL_SECS * 1000.0) as u64
    );
    let path = ctx.write_config(base_url, "", &pipelines);
    path.to_str().expect("utf-8").to_string()
}

/// Each loaded table's row count and a checksum of its rows, without the
/// columns that name the run, the moment, or the response that wrote the
/// row last (a team every page names is written by whichever page commits
/// last, in one process as in four).
fn tables(ctx: &TestContext) -> BTreeMap<String, (i64, String)> {
    let columns = ctx.query(
        "SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position) \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name NOT LIKE 'sluice%' AND table_name NOT LIKE '\\_%' \
         AND column_name NOT IN ('run_id', 'created_at', 'updated_at', 'id', 'recorded_at', 'payload_hash') \
         GROUP BY table_name HAVING bool_or(column_name = 'provider')",
    );
    columns
        .into_iter()
        .map(|row| {
            let (table, columns) = (&row[0], &row[1]);
            let summary = ctx.query(&format!(
                "SELECT count(*), md5(COALESCE(string_agg(r::text, '|' ORDER BY r::text), '')) \
                 FROM (SELECT {columns} FROM {table}) r"
            ));
            let count = summary[0][0].parse().expect("a number");
            (table.clone(), (count, summary[0][1].clone()))
        })
        .collect()
}

/// A worker process of `config`, its output in `dir`.
fn spawn_worker(config: &str, dir: &Path, n: usize) -> Child {
    let log = |kind: &str| {
        std::fs::File::create(dir.join(format!("worker-{n}.{kind}"))).expect("log file")
    };
    sluice_command(&["worker", "--config", config, "--concurrency", "4"])
        .stdout(Stdio::from(log("out")))
        .stderr(Stdio::from(log("err")))
        .spawn()
        .expect("spawn a worker")
}

/// The database's clock, in seconds since the epoch.
fn db_now(ctx: &TestContext) -> f64 {
    ctx.query("SELECT extract(epoch FROM clock_timestamp())::float8")[0][0]
        .parse()
        .expect("a number")
}

#[test]
fn four_workers_killed_at_random_load_every_unit_once_under_one_limit() {
    let recordings = tempfile::tempdir().expect("tempdir");
    let pipeline = seasons(recordings.path());

    // One process, for reference.
    let reference_server = ReplayServer::start(recordings.path());
    let reference = TestContext::postgres();
    let reference_config = config(&reference, &reference_server.base_url(), &pipeline);
    assert_ok(&reference.run(&reference_config, "seasons"));
    let expected = tables(&reference);
    assert_eq!(
        expected.get("events").map(|(n, _)| *n),
        Some((UNITS * PAGES * 2) as i64),
        "{expected:?}"
    );

    let server = ReplayServer::start(recordings.path());
    let ctx = TestContext::postgres();
    let config = config(&ctx, &server.base_url(), &pipeline);
    let queued = ctx.sluice(&["enqueue", "seasons", "--config", &config]);
    assert_ok(&queued);
    assert!(
        stdout(&queued).contains(&format!("{UNITS} unit(s) queued")),
        "{}",
        stdout(&queued)
    );

    let mut spawned = 0;
    let mut workers: Vec<Child> = (0..WORKERS)
        .map(|_| {
            spawned += 1;
            spawn_worker(&config, ctx.dir.path(), spawned)
        })
        .collect();
    let mut random = RandomState::new().build_hasher();
    // (the database's clock just before the kill, the units it held)
    let mut kills: Vec<(f64, Vec<String>)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while kills.len() < KILLS {
        assert!(Instant::now() < deadline, "no worker to kill held a unit");
        random.write_usize(kills.len());
        std::thread::sleep(Duration::from_millis(200 + random.finish() % 700));
        let holding = ctx.query(
            "SELECT w.pid, string_agg(u.id, '\n') FROM sluice_units u \
             JOIN sluice_workers w ON w.id = u.worker WHERE u.status = 'running' \
             GROUP BY w.pid ORDER BY w.pid",
        );
        if holding.is_empty() {
            let left = ctx.count("SELECT count(*) FROM sluice_units WHERE status <> 'done'");
            assert!(left > 0, "every unit finished before {KILLS} kills landed");
            continue;
        }
        let (pid, units) = {
            let row = &holding[(random.finish() as usize) % holding.len()];
            (row[0].parse::<u32>().expect("pid"), row[1].clone())
        };
        let Some(at) = workers.iter().position(|w| w.id() == pid) else {
            continue;
        };
        let before = db_now(&ctx);
        let mut victim = workers.swap_remove(at);
        victim.kill().expect("SIGKILL"); // SIGKILL
        let _ = victim.wait();
        kills.push((before, units.lines().map(str::to_string).collect()));
        spawned += 1;
        workers.push(spawn_worker(&config, ctx.dir.path(), spawned));
    }

    loop {
        let left = ctx.count("SELECT count(*) FROM sluice_units WHERE status <> 'done'");
        if left == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{left} unit(s) not done after 120 s:\n{}",
            stdout(&ctx.sluice(&["units", "--config", &config]))
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for mut worker in workers {
        let _ = worker.kill();
        let _ = worker.wait();
    }

    // Every unit loaded exactly once: the rows of one process's run, and
    // each page's batch committed once.
    assert_eq!(tables(&ctx), expected);
    let pages = ctx.query("SELECT count(*), count(DISTINCT url) FROM sluice_responses");
    let total = (UNITS * PAGES).to_string();
    assert_eq!(pages, vec![vec![total.clone(), total]]);

    // The provider's limit, by its own clock: nothing refused, and no
    // second holds more than the limit.
    let log = server.recordings.request_log();
    let refused = log.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 0, "the provider refused {refused} request(s)");
    let mut served: Vec<f64> = log
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.at)
        .collect();
    served.sort_by(f64::total_cmp);
    let busiest = busiest_second(&served);
    assert!(
        busiest <= LIMIT_PER_SECOND,
        "{busiest} requests in one second by the provider's clock"
    );

    // A killed worker's unit is taken over within the visibility timeout
    // plus one poll (and the moment to claim it).
    let mut taken_over = 0;
    let mut delays = Vec::new();
    for (killed_at, units) in &kills {
        for unit in units {
            let claimed = ctx.query(&format!(
                "SELECT extract(epoch FROM min(claimed_at))::float8 FROM sluice_unit_claims \
                 WHERE unit = '{unit}' AND claimed_at > to_timestamp({killed_at})"
            ));
            let Ok(claimed) = claimed[0][0].parse::<f64>() else {
                // Its last batch committed as the worker was killed.
                continue;
            };
            let after = claimed - killed_at;
            assert!(
                after <= VISIBILITY_SECS + POLL_SECS + 0.5,
                "{unit} was taken over {after:.2} s after its worker was killed"
            );
            taken_over += 1;
            delays.push(format!("{after:.2}"));
        }
    }
    eprintln!(
        "{KILLS} kills, {taken_over} units taken over after {} s; {} requests served, at most {} in a second",
        delays.join(", "),
        served.len(),
        busiest_second(&served)
    );
    assert!(taken_over > 0, "no kill left a unit to take over");
    // A unit the test does not count (its last batch committed as its
    // worker was killed) may still have been claimed again.
    let takeovers = ctx.count("SELECT COALESCE(sum(takeovers), 0)::bigint FROM sluice_units");
    assert!(takeovers >= taken_over, "{takeovers} < {taken_over}");

    let units = ctx.sluice(&["units", "--config", &config]);
    assert_ok(&units);
    assert!(
        stdout(&units).contains(&format!("0 queued, 0 running, {UNITS} done, 0 failed")),
        "{}",
        stdout(&units)
    );

    // `sluice serve` shows the units on the dashboard and in its metrics.
    let serving = Serving::start(
        &ctx,
        Path::new(&config),
        &[],
        &[("SLUICE_TEST_ADMIN", "secret")],
    );
    let (status, body) = serving.get("/workers").expect("/workers answers");
    assert_eq!(status, 200, "{body}");
    let queue: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(queue["counts"]["done"], Value::from(UNITS));
    assert_eq!(
        queue["units"].as_array().map(Vec::len),
        Some(UNITS as usize)
    );
    assert_eq!(queue["takeovers"].as_i64(), Some(takeovers));
    let (_, metrics) = serving.get("/metrics").expect("/metrics answers");
    assert!(
        metrics.contains(&format!("sluice_units{{status=\"done\"}} {UNITS}")),
        "{metrics}"
    );
    assert!(metrics.contains("sluice_queue_depth 0"), "{metrics}");

    // A run `sluice serve` starts of a pipeline `[workers] pipelines`
    // names is queued for the workers instead.
    let (status, body) = request(&serving.addr, "POST", "/runs/seasons", Some("secret"))
        .expect("POST /runs answers");
    assert!(status < 300, "{status} {body}");
    wait_for(
        "the pipeline's units queued again",
        Duration::from_secs(30),
        || ctx.count("SELECT count(*) FROM sluice_units WHERE status = 'queued'") == UNITS as i64,
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM pgmq.q_sluice_units"),
        UNITS as i64
    );
}

/// The most of the sorted instants `served` in any one-second window.
fn busiest_second(served: &[f64]) -> usize {
    (0..served.len())
        .map(|i| {
            served[i..]
                .iter()
                .take_while(|t| **t < served[i] + 1.0)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn workers_refuse_sqlite_and_say_why() {
    let ctx = TestContext::new();
    let config = ctx.write_config("http://127.0.0.1:9", "", "");
    let config = config.to_str().expect("utf-8");
    for command in ["worker", "units"] {
        let out = ctx.sluice(&[command, "--config", config]);
        let line = error_line(&out);
        assert!(
            line.contains("workers need PostgreSQL") && line.contains("sqlite://"),
            "{line}"
        );
    }
}

/// The queue of a fresh PostgreSQL database, through the library.
async fn queue_of(ctx: &TestContext) -> (sqlx::PgPool, sluice::workers::UnitQueue) {
    let (_stores, pool) = sluice::workers::postgres_pool(&ctx.database_url(), 4)
        .await
        .expect("database");
    let queue = sluice::workers::UnitQueue::open(pool.clone())
        .await
        .expect("queue");
    (pool, queue)
}

#[test]
fn a_worker_whose_lease_ran_out_cannot_commit_over_the_one_that_took_over() {
    use sluice::db::Tx;
    use sluice::load::BatchFence;
    use sluice::workers::{Ending, UnitFence};

    let ctx = TestContext::postgres();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let (pool, queue) = queue_of(&ctx).await;
        let keys = vec!["p/s?x=1".to_string()];
        let queued = queue.enqueue("p", &keys).await.expect("enqueue");
        assert_eq!(queued.queued, vec!["p:p/s?x=1".to_string()]);
        // Queued or running already: left alone.
        assert_eq!(
            queue.enqueue("p", &keys).await.expect("enqueue").pending,
            queued.queued
        );

        let stale = queue.claim("a", 1).await.expect("claim").expect("a unit");
        assert!(!stale.took_over);
        assert!(
            queue.claim("b", 1).await.expect("claim").is_none(),
            "a unit's message is hidden while its lease runs"
        );
        // The lease runs out without a renewal: the next worker takes over.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let current = queue
            .claim("b", 30)
            .await
            .expect("claim")
            .expect("taken over");
        assert!(current.took_over);
        assert_eq!(current.epoch, stale.epoch + 1);

        let seal = |claim: sluice::workers::Claim| {
            let (queue, pool) = (queue.clone(), pool.clone());
            async move {
                let fence = UnitFence::new(queue, claim, 30);
                let mut tx = Tx::Postgres(pool.begin().await.expect("tx"));
                let sealed = fence.seal(&mut tx, false).await;
                if sealed.is_ok() {
                    tx.commit().await.expect("commit");
                }
                (sealed, fence.lost())
            }
        };
        let (sealed, lost) = seal(stale.clone()).await;
        let error = sealed.expect_err("the stale worker's batch is refused");
        assert!(
            error.to_string().contains("another worker holds it now"),
            "{error}"
        );
        assert!(lost);
        assert!(!queue.renew(&stale, 30).await.expect("renew"));
        assert!(!queue.end(&stale, &Ending::Done, None).await.expect("end"));

        // The current worker commits, and its unit keeps one message.
        let (sealed, lost) = seal(current.clone()).await;
        sealed.expect("the current worker's batch commits");
        assert!(!lost);
        let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM pgmq.q_sluice_units")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(messages, 1);
        assert!(queue.renew(&current, 30).await.expect("renew"));
        assert!(queue.end(&current, &Ending::Done, None).await.expect("end"));
        let row: (String, i64, i64, Option<i64>) =
            sqlx::query_as("SELECT status, batches, takeovers, msg_id FROM sluice_units")
                .fetch_one(&pool)
                .await
                .expect("unit");
        assert_eq!(row, ("done".to_string(), 1, 1, None));
        let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM pgmq.q_sluice_units")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(messages, 0);
    });
}

#[test]
fn the_shared_limit_spaces_every_holders_turns_and_counts_the_day() {
    use sluice::extract::{SharedRate, SharedTurn};
    use sluice::workers::SharedRateRow;

    let ctx = TestContext::postgres();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let (pool, _queue) = queue_of(&ctx).await;
        let limits = |text: &str| -> sluice::config::RateLimits {
            sluice::config::RateLimits(
                text.split(',')
                    .map(|t| t.parse().expect("a limit"))
                    .collect(),
            )
        };
        // Two holders of one provider's row (two workers): 40 turns at
        // 20/s between them are spaced as one provider's would be.
        let a = SharedRateRow::open(pool.clone(), "p", &limits("20/s"))
            .await
            .expect("row");
        let b = SharedRateRow::open(pool.clone(), "p", &limits("20/s"))
            .await
            .expect("row");
        // When each turn may go, by this process's clock: when the database
        // answered, plus the wait it said.
        let started = std::time::Instant::now();
        let mut slots = Vec::new();
        for _ in 0..20 {
            for row in [&a, &b] {
                match row.take().await.expect("turn") {
                    SharedTurn::After(wait) => slots.push(started.elapsed() + wait),
                    other => panic!("{other:?}"),
                }
            }
        }
        // 39 intervals of 52 ms (50 ms and the margin) from the first turn
        // to the last, whichever holder took them.
        let span = slots[39].as_secs_f64() - slots[0].as_secs_f64();
        assert!((span - 39.0 * 0.052).abs() < 0.05, "{slots:?}");

        // A day limit counts every holder's requests, by the database's day.
        let day = SharedRateRow::open(pool.clone(), "q", &limits("3/day"))
            .await
            .expect("row");
        for _ in 0..3 {
            assert!(matches!(day.take().await, Ok(SharedTurn::After(_))));
        }
        assert_eq!(
            day.take().await.expect("turn"),
            SharedTurn::DaySpent { limit: 3 }
        );
    });
}
