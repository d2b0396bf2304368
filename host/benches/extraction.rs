//! Extraction figures for `make bench`:
//! - requests per second the extraction layer sustains against a local
//!   server with no limit set (one stream, and eight concurrent streams);
//! - the utilisation of a set limit over one minute (requests made /
//!   requests the limit allows), with the count of 429s the server, which
//!   enforces the same limit, had to send.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice::config::RateLimit;
use sluice::extract::{
    CircuitBreaker, ClientSettings, ProviderAuth, ProviderClient, QuotaTracker, RateBudget,
    RetryPolicy,
};
use sluice::model::PlannedRequest;
use sluice::replay_provider::{self, Recordings};

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("SLUICE_BENCH_LIMIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let unlimited = start_server("").await?;
        for concurrency in [1usize, 8] {
            let client = Arc::new(client(&unlimited, &[])?);
            let rate = throughput(client, concurrency, Duration::from_secs(5)).await?;
            println!("extraction, no limit, {concurrency} concurrent stream(s): {rate:.0} requests/s");
        }

        let limit: RateLimit = "10/s".parse().map_err(anyhow::Error::msg)?;
        let limited = start_server("[limit]\nrequests = 10\nperiod_secs = 1.0\n").await?;
        let client = Arc::new(client(&limited, &[limit])?);
        let window = Duration::from_secs(seconds);
        let started = Instant::now();
        let mut made = 0u64;
        while started.elapsed() < window {
            client.fetch(&request(), "bench", None).await?;
            made += 1;
        }
        let allowed = limit.requests.get() as f64 * window.as_secs_f64() / limit.period.as_secs_f64();
        let refused = limited.1.request_log().iter().filter(|r| r.status == 429).count();
        println!(
            "extraction, limit 10/s over {seconds} s: {made} requests of {allowed:.0} allowed = {:.1}% utilisation, {refused} refused with 429",
            100.0 * made as f64 / allowed
        );
        Ok(())
    })
}

type Server = (String, Arc<Recordings>);

async fn start_server(index_head: &str) -> anyhow::Result<Server> {
    let dir = tempfile::tempdir()?.keep();
    std::fs::write(dir.join("body.json"), br#"{"matches": []}"#)?;
    std::fs::write(
        dir.join("index.toml"),
        format!("{index_head}\n[[route]]\npath = \"/v4/ping\"\nfile = \"body.json\"\n"),
    )?;
    let recordings = Arc::new(Recordings::load(&dir)?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(replay_provider::serve(listener, recordings.clone()));
    Ok((url, recordings))
}

fn client(server: &Server, limits: &[RateLimit]) -> anyhow::Result<ProviderClient> {
    let settings = ClientSettings {
        retry: RetryPolicy {
            max_attempts: 5,
            min_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        },
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(30),
        max_body_bytes: 64 << 20,
    };
    Ok(ProviderClient::new(
        "bench",
        &server.0,
        ProviderAuth::None,
        settings,
        Arc::new(RateBudget::new(limits)),
        Arc::new(CircuitBreaker::new("bench", 5, Duration::from_secs(60))),
        Arc::new(QuotaTracker::new(Vec::new(), 0)),
    )?)
}

fn request() -> PlannedRequest {
    PlannedRequest {
        path: "/v4/ping".to_string(),
        query: Vec::new(),
    }
}

async fn throughput(
    client: Arc<ProviderClient>,
    concurrency: usize,
    span: Duration,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut made = 0u64;
            while started.elapsed() < span {
                client.fetch(&request(), "bench", None).await?;
                made += 1;
            }
            Ok::<u64, anyhow::Error>(made)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}
