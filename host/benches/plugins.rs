//! Plugin runtime figures for `make bench`, measured in one run:
//! - instantiate + call of a trivial normalizer (`tests/plugins/trivial`,
//!   one team from a one-item JSON list; a fresh instance per call from the
//!   pooling allocator and a reused `InstancePre`): median and 99th
//!   percentile over many calls;
//! - records/s of the football-data normalizer on a recorded 185-match
//!   response, as WebAssembly in the sandbox and as the same Rust code
//!   compiled natively, and their ratio: the median call of each, the two
//!   called in turns.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use sluice::model::HttpResponse;
use sluice::model::PlannedRequest;
use sluice::plugin::{NormalizerPlugin, PluginEngine, SandboxLimits};
use sluice_plugin_sdk::Source;

/// The allocator of the `sluice` binary, so the host's side of a call costs
/// here what it costs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CALLS: usize = 20_000;
const ROUNDS: usize = 1_000;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let engine = PluginEngine::new(SandboxLimits::default())?;

    let trivial = NormalizerPlugin::load(&engine, &root.join("target/test-plugins/trivial.wasm"))
        .context("run `make test-plugins` first")?;
    let request = PlannedRequest {
        path: "/teams".to_string(),
        query: Vec::new(),
    };
    let mut times = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let response = HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: br#"[{"id": "1", "name": "Good FC"}]"#.to_vec(),
        };
        let started = Instant::now();
        let (batch, _) = trivial.normalize("teams", &[], &request, response);
        times.push(started.elapsed());
        anyhow::ensure!(
            batch?.records.len() == 1,
            "the trivial normalizer made one team"
        );
    }
    times.sort();
    println!(
        "plugin instantiate + call (trivial normalizer, fresh instance each): median {:.1} µs, p99 {:.1} µs over {CALLS} calls",
        micros(times[CALLS / 2]),
        micros(times[CALLS * 99 / 100])
    );

    let fixture = root.join("plugins/football-data/fixtures/cl-2022-matches/response.json");
    let body = std::fs::read(&fixture)?;
    let wasm = NormalizerPlugin::load(&engine, &root.join("target/plugins/football-data.wasm"))
        .context("run `make plugins` first")?;
    let params = vec![("competition".to_string(), "CL".to_string())];
    let request = PlannedRequest {
        path: "/v4/competitions/CL/matches".to_string(),
        query: Vec::new(),
    };
    // The two run in turns, call by call, and each side's median call is
    // compared: a slow spell of the machine then lands on both sides alike
    // instead of on whichever ran during it.
    let mut wasm_times = Vec::with_capacity(ROUNDS);
    let mut native_times = Vec::with_capacity(ROUNDS);
    let mut records = None;
    for _ in 0..ROUNDS {
        let response = HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: body.clone(),
        };
        let started = Instant::now();
        let (batch, _) = wasm.normalize("matches", &params, &request, response);
        let batch = batch?;
        wasm_times.push(started.elapsed());

        let response = sluice_plugin_sdk::HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: body.clone(),
        };
        let started = Instant::now();
        let native = football_data::FootballData::normalize(
            "matches".to_string(),
            params.clone(),
            sluice_plugin_sdk::HttpRequest::get("/v4/competitions/CL/matches", &[]),
            response,
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        native_times.push(started.elapsed());
        anyhow::ensure!(
            batch.records.len() == native.records.len(),
            "WebAssembly made {} records, native {}",
            batch.records.len(),
            native.records.len()
        );
        records = Some(native.records.len());
    }
    let records = records.unwrap_or_default() as f64;
    let wasm_median = median(&mut wasm_times).as_secs_f64();
    let native_median = median(&mut native_times).as_secs_f64();
    println!(
        "football-data normalizer, {records} records a call, median of {ROUNDS} calls each, in turns: WebAssembly {:.0} records/s (host conversion included), native {:.0} records/s: WebAssembly at {:.2}x the native time",
        records / wasm_median,
        records / native_median,
        wasm_median / native_median
    );
    Ok(())
}

/// The middle of `times`.
fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
