//! `make bench-live`: the live path under a simulated match day. The
//! replay provider's simulator plays 500 matches at once (SLUICE_BENCH_LIVE_MATCHES)
//! at 60x (SLUICE_BENCH_LIVE_SPEED), served as API-Football's
//! `fixtures?live=all`; `sluice serve` polls it into PostgreSQL
//! (SLUICE_TEST_POSTGRES; `make bench-live` starts one) while an SSE
//! client on `/live/events` and a `LISTEN sluice_live` connection record
//! what they receive and when. Printed, never asserted: events missed,
//! told twice or corrected wrongly against the simulator's truth; the
//! latency the host adds, from the simulator handing over the response
//! that first showed a change to the SSE client receiving its event
//! (p50/p95/p99; the goal is p95 under 250 ms); and the server's peak RSS.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;
use sluice::replay_provider::live_sim::{
    self, LiveSim, LiveSimSpec, Phase, ServedResponse, SimProvider, TruthEvent, TruthKind,
};

const DATABASE: &str = "sluice_bench_live";
const GOAL_P95_MS: f64 = 250.0;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("host/ has a parent")?
        .to_path_buf();
    let plugins = root.join("target/plugins");
    if !plugins.join("api-football.wasm").is_file() {
        bail!(
            "{} has no api-football.wasm: run `make plugins`",
            plugins.display()
        );
    }
    let Ok(admin) = std::env::var("SLUICE_TEST_POSTGRES") else {
        bail!("live bench: set SLUICE_TEST_POSTGRES (`make bench-live` starts a server)");
    };
    let matches: u32 = env_or("SLUICE_BENCH_LIVE_MATCHES", 500)?;
    let speed: u32 = env_or("SLUICE_BENCH_LIVE_SPEED", 60)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let database = runtime.block_on(fresh_postgres(&admin))?;
    // Migrated before anything listens, so the listener's database is ready.
    runtime.block_on(sluice::db::Pool::connect(&database))?;

    let spec: LiveSimSpec =
        format!("matches={matches},seed=7,speed={speed},refresh=1s,half_time=5,stagger=10")
            .parse()?;
    let sim = Arc::new(LiveSim::start(spec));
    let sim_url = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(live_sim::serve(listener, sim.clone()));
        anyhow::Ok(url)
    })?;
    let work = tempfile::tempdir()?;
    let config = work.path().join("live.toml");
    let today = time::OffsetDateTime::now_utc().date();
    std::fs::write(
        &config,
        format!(
            "database = \"{database}\"\nplugin_dir = \"{plugins}\"\n\n\
             [providers.api-football]\nplugin = \"api-football\"\nbase_url = \"{sim_url}\"\n\n\
             [[pipelines.setup.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
             params = {{ date = \"{today}\" }}\n\n\
             [pipelines.live]\nschedule = \"1s\"\n\n\
             [[pipelines.live.streams]]\nprovider = \"api-football\"\nstream = \"fixtures\"\n\
             params = {{ live = \"all\" }}\nlive = true\n",
            plugins = plugins.display(),
        ),
    )?;
    println!(
        "live bench: {matches} simulated matches at {speed}x (a 90-minute match in {:.0} s), PostgreSQL",
        90.0 * 60.0 / f64::from(speed)
    );
    let setup = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["run", "--pipeline", "setup", "--config"])
        .arg(&config)
        .output()?;
    if !out.status.success() {
        bail!(
            "the setup run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!(
        "live bench: the day's {matches} fixtures loaded and resolved in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let listened: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    let listener = runtime.spawn(listen(database.clone(), listened.clone()));
    let server = Server::start(&config)?;
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let sse = {
        let (addr, received) = (server.addr.clone(), received.clone());
        std::thread::spawn(move || read_sse(&addr, &received))
    };
    // Until every match is over, then until nothing more comes for 10 s.
    let deadline = Instant::now() + Duration::from_secs(3_600);
    let mut peak_kib = 0;
    let mut quiet_since = None;
    let mut last_count = 0;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        peak_kib = server.peak_rss_kib().unwrap_or(peak_kib);
        let minutes = sim
            .clock()
            .minutes_of(sim.clock().generation(Instant::now()));
        let count = lock(&received).len();
        if sim.over_at(minutes) {
            if count != last_count || quiet_since.is_none() {
                quiet_since = Some(Instant::now());
            }
            if quiet_since.is_some_and(|q| q.elapsed() > Duration::from_secs(10)) {
                break;
            }
        }
        last_count = count;
    }
    drop(server);
    listener.abort();
    drop(sse);

    let served: Vec<ServedResponse> = sim
        .served()
        .into_iter()
        .filter(|s| s.provider == SimProvider::ApiFootball)
        .collect();
    let received = lock(&received).clone();
    let listened = lock(&listened).clone();
    let in_play = |fixture: u64, generation: u64| {
        sim.matches().iter().any(|m| {
            m.fixture_id == fixture
                && matches!(
                    sim.phase_of(m, SimProvider::ApiFootball, generation),
                    Phase::FirstHalf(_) | Phase::HalfTime | Phase::SecondHalf(_)
                )
        })
    };
    let judged = judge(sim.truth(), &served, &received, &in_play);
    println!(
        "live bench: {} polls served, {} events over SSE, {} NOTIFYs on sluice_live",
        served.len(),
        received.len(),
        listened.len()
    );
    println!(
        "live bench: truth {} goals, {} re-timed, {} ruled out, {} cards; seen in a served response: {} expected events",
        count(sim.truth(), TruthKind::Goal),
        count(sim.truth(), TruthKind::GoalRetimed),
        count(sim.truth(), TruthKind::GoalCancelled),
        count(sim.truth(), TruthKind::Card),
        judged.expected
    );
    println!(
        "live bench: missed events {}, duplicate events {}, wrong corrections {}, events matching no truth {}",
        judged.missed, judged.duplicates, judged.wrong_corrections, judged.unknown
    );
    for (what, latencies) in [("goals", &judged.goal_ms), ("all events", &judged.all_ms)] {
        print_latency(&format!("SSE, {what}"), latencies, GOAL_P95_MS);
    }
    let notify_ms = notify_latencies(&received, &listened, &judged);
    print_latency("NOTIFY, all events", &notify_ms, GOAL_P95_MS);
    println!(
        "live bench: sluice serve peak RSS (VmHWM) {:.1} MiB",
        peak_kib as f64 / 1024.0
    );
    runtime.block_on(async {
        use sqlx::{Connection, Executor, PgConnection};
        let mut conn = PgConnection::connect(&admin).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str())
            .await?;
        anyhow::Ok(())
    })?;
    Ok(())
}

fn env_or(name: &str, default: u32) -> anyhow::Result<u32> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .with_context(|| format!("{name}={v} is not a number")),
        Err(_) => Ok(default),
    }
}

fn count(truth: &[TruthEvent], kind: TruthKind) -> usize {
    truth.iter().filter(|e| e.kind == kind).count()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A database of its own on the server at `admin`, dropped first if an
/// earlier bench left it.
async fn fresh_postgres(admin: &str) -> anyhow::Result<String> {
    use sqlx::{Connection, Executor, PgConnection};
    let mut conn = PgConnection::connect(admin).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)").as_str())
        .await?;
    conn.execute(format!("CREATE DATABASE {DATABASE}").as_str())
        .await?;
    let mut url = reqwest::Url::parse(admin)?;
    url.set_path(DATABASE);
    Ok(url.to_string())
}

/// Records each `sluice_live` notification (the newest seq of a batch) as
/// it arrives.
async fn listen(url: String, into: Arc<Mutex<Vec<(i64, Instant)>>>) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
    listener.listen(sluice::load::LIVE_CHANNEL).await?;
    loop {
        let told = listener.recv().await?;
        let seq = told.payload().parse().unwrap_or(0);
        lock(&into).push((seq, Instant::now()));
    }
}

/// One event as the SSE client received it.
#[derive(Debug, Clone)]
struct Received {
    seq: i64,
    kind: String,
    data: Value,
    at: Instant,
}

/// Reads `/live/events` until the server goes, recording each event with
/// its arrival time.
fn read_sse(addr: &str, into: &Mutex<Vec<Received>>) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    write!(stream, "GET /live/events HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let (mut seq, mut kind, mut data) = (None, None, None);
    for line in BufReader::new(stream).lines() {
        let line = line?;
        if let Some(v) = line.strip_prefix("id:") {
            seq = v.trim().parse::<i64>().ok();
        } else if let Some(v) = line.strip_prefix("event:") {
            kind = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("data:") {
            data = serde_json::from_str::<Value>(v.trim()).ok();
        } else if line.is_empty()
            && let (Some(seq), Some(kind), Some(data)) = (seq.take(), kind.take(), data.take())
        {
            lock(into).push(Received {
                seq,
                kind,
                data,
                at: Instant::now(),
            });
        }
    }
    Ok(())
}

/// What the received events were, against the truth.
#[derive(Default)]
struct Judged {
    expected: usize,
    missed: usize,
    duplicates: usize,
    wrong_corrections: usize,
    unknown: usize,
    goal_ms: Vec<f64>,
    all_ms: Vec<f64>,
    /// Per received seq: the instant the response that first showed it was
    /// handed over.
    served_at: HashMap<i64, Instant>,
}

/// The first response served at or after generation `g`.
fn first_served(served: &[ServedResponse], g: u64) -> Option<&ServedResponse> {
    served
        .iter()
        .filter(|s| s.generation >= g)
        .min_by_key(|s| s.at)
}

/// Whether a response showing a generation in `from..until` with the
/// match in it (`live=all` lists matches in play only) was served.
fn shown(served: &[ServedResponse], in_play: &dyn Fn(u64) -> bool, from: u64, until: u64) -> bool {
    served
        .iter()
        .any(|s| s.generation >= from && s.generation < until && in_play(s.generation))
}

fn judge(
    truth: &[TruthEvent],
    served: &[ServedResponse],
    received: &[Received],
    in_play: &dyn Fn(u64, u64) -> bool,
) -> Judged {
    let mut judged = Judged::default();
    // The truth per goal: its scoring, correction and ruling out.
    let mut goals: BTreeMap<(u64, u32), [Option<&TruthEvent>; 3]> = BTreeMap::new();
    for e in truth {
        let slot = match e.kind {
            TruthKind::Goal => 0,
            TruthKind::GoalRetimed => 1,
            TruthKind::GoalCancelled => 2,
            TruthKind::Card => continue,
        };
        if let Some(n) = e.goal {
            goals.entry((e.fixture_id, n)).or_default()[slot] = Some(e);
        }
    }
    // What a listener should hear: each change a served response showed.
    let mut expected: Vec<(&str, u64, &TruthEvent)> = Vec::new();
    for [goal, retimed, cancelled] in goals.values() {
        let Some(goal) = goal else { continue };
        let end = cancelled.map_or(u64::MAX, |c| c.generation);
        let listed = |g: u64| in_play(goal.fixture_id, g);
        if !shown(served, &listed, goal.generation, end) {
            continue;
        }
        expected.push(("goal", goal.fixture_id, goal));
        if let Some(r) = retimed
            && shown(served, &listed, goal.generation, r.generation)
            && shown(served, &listed, r.generation, end)
        {
            expected.push(("goal_updated", goal.fixture_id, r));
        }
        if let Some(c) = cancelled
            && shown(served, &listed, c.generation, u64::MAX)
        {
            expected.push(("goal_cancelled", goal.fixture_id, c));
        }
    }
    for card in truth.iter().filter(|e| e.kind == TruthKind::Card) {
        let listed = |g: u64| in_play(card.fixture_id, g);
        if shown(served, &listed, card.generation, u64::MAX) {
            expected.push(("card", card.fixture_id, card));
        }
    }
    judged.expected = expected.len();

    let mut heard: HashMap<(&str, u64, String), usize> = HashMap::new();
    let mut subject_goal: HashMap<(u64, String), (u64, u32)> = HashMap::new();
    for r in received {
        let fixture: u64 = r.data["event"]
            .as_str()
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        let moment = &r.data["moment"];
        let subject = r.data["subject"].as_str().unwrap_or_default().to_string();
        let same = |e: &TruthEvent, minute: &Value| {
            e.fixture_id == fixture
                && moment["player"] == e.player.as_str()
                && serde_json::to_value(e.side).ok().as_ref() == Some(&moment["team"])
                && minute == &Value::from(e.minute)
        };
        let found: Option<(&'static str, &TruthEvent)> = match r.kind.as_str() {
            "goal" => goals.iter().filter(|((f, _), _)| *f == fixture).find_map(
                |(key, [g, retimed, _])| {
                    let g = (*g)?;
                    let matches = same(g, &moment["minute"])
                        || retimed.is_some_and(|rt| same(rt, &moment["minute"]));
                    matches.then(|| {
                        subject_goal.insert((fixture, subject.clone()), *key);
                        ("goal", g)
                    })
                },
            ),
            "goal_updated" | "goal_cancelled" => {
                let slot = if r.kind == "goal_updated" { 1 } else { 2 };
                let truth = subject_goal
                    .get(&(fixture, subject.clone()))
                    .and_then(|key| goals.get(key))
                    .and_then(|g| g[slot]);
                match truth {
                    Some(t) if slot == 2 || moment["minute"] == t.minute => Some((
                        if slot == 1 {
                            "goal_updated"
                        } else {
                            "goal_cancelled"
                        },
                        t,
                    )),
                    _ => {
                        judged.wrong_corrections += 1;
                        if judged.wrong_corrections <= 3 {
                            println!(
                                "live bench: a wrong correction, e.g. {} (truth of the goal: {:?})",
                                r.data,
                                subject_goal
                                    .get(&(fixture, subject.clone()))
                                    .and_then(|key| goals.get(key))
                            );
                        }
                        None
                    }
                }
            }
            "card" => truth
                .iter()
                .filter(|e| e.kind == TruthKind::Card)
                .find(|e| same(e, &moment["minute"]))
                .map(|e| ("card", e)),
            _ => continue,
        };
        let Some((kind, truth_event)) = found else {
            if r.kind == "goal" || r.kind == "card" {
                judged.unknown += 1;
            }
            continue;
        };
        let key = (
            kind,
            fixture,
            format!(
                "{}:{}:{}",
                truth_event.goal.unwrap_or(0),
                truth_event.player,
                truth_event.minute
            ),
        );
        let times = heard.entry(key).or_default();
        *times += 1;
        if *times > 1 {
            judged.duplicates += 1;
            continue;
        }
        if let Some(first) = first_served(served, truth_event.generation) {
            let ms = r.at.saturating_duration_since(first.at).as_secs_f64() * 1000.0;
            judged.all_ms.push(ms);
            if kind == "goal" {
                judged.goal_ms.push(ms);
            }
            judged.served_at.insert(r.seq, first.at);
        }
    }
    let missed: Vec<_> = expected
        .iter()
        .filter(|(kind, fixture, e)| {
            !heard.contains_key(&(
                *kind,
                *fixture,
                format!("{}:{}:{}", e.goal.unwrap_or(0), e.player, e.minute),
            ))
        })
        .collect();
    for (kind, _, e) in missed.iter().take(3) {
        println!(
            "live bench: a missed {kind}, e.g. fixture {} {:?} {} {}' at {:.1}' of play",
            e.fixture_id, e.side, e.player, e.minute, e.play
        );
    }
    judged.missed = missed.len();
    judged
}

/// From the response that first showed each event to the first
/// notification carrying its seq or a later one.
fn notify_latencies(
    received: &[Received],
    listened: &[(i64, Instant)],
    judged: &Judged,
) -> Vec<f64> {
    received
        .iter()
        .filter_map(|r| {
            let served_at = judged.served_at.get(&r.seq)?;
            let (_, at) = listened
                .iter()
                .filter(|(seq, _)| *seq >= r.seq)
                .min_by_key(|(_, at)| *at)?;
            Some(at.saturating_duration_since(*served_at).as_secs_f64() * 1000.0)
        })
        .collect()
}

fn print_latency(what: &str, ms: &[f64], goal: f64) {
    if ms.is_empty() {
        println!("live bench: host-added latency ({what}): nothing received");
        return;
    }
    let mut sorted = ms.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let p95 = at(0.95);
    println!(
        "live bench: host-added latency ({what}, {} events): p50 {:.0} ms, p95 {p95:.0} ms, p99 {:.0} ms, max {:.0} ms ({} the {goal:.0} ms goal at p95)",
        sorted.len(),
        at(0.5),
        at(0.99),
        sorted[sorted.len() - 1],
        if p95 < goal { "under" } else { "OVER" }
    );
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
        while !server.healthy() {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("sluice serve did not answer /healthz");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn healthy(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(&self.addr) else {
            return false;
        };
        let mut text = String::new();
        write!(
            stream,
            "GET /healthz HTTP/1.0\r\nHost: {}\r\n\r\n",
            self.addr
        )
        .is_ok()
            && stream.read_to_string(&mut text).is_ok()
            && (text.starts_with("HTTP/1.0 200") || text.starts_with("HTTP/1.1 200"))
    }

    /// The process's peak resident set so far (`VmHWM`).
    fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmHWM in /proc/PID/status")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
