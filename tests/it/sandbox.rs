//! The hostile-plugin suite: a plugin that loops, bombs its memory,
//! overflows its stack, floods its output, panics, or reaches for files,
//! sockets and the environment fails that call only, with a clear error,
//! within its deadline plus 100 ms, while the host goes on serving a good
//! plugin on another thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sluice::model::HttpResponse;
use sluice::model::{PlannedRequest, Record};
use sluice::plugin::{
    NormalizerPlugin, PluginEngine, PluginError, SWITCH_OFF_AFTER, SandboxLimits,
};

use crate::common::{football_data_wasm, repo_root};

/// The hostile plugin's deadline (its manifest's `deadline_ms`).
const DEADLINE: Duration = Duration::from_millis(500);

fn test_plugin(name: &str) -> PathBuf {
    let path = repo_root().join(format!("target/test-plugins/{name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: run `make test-plugins` first (`make test` does)",
        path.display()
    );
    path
}

fn request() -> PlannedRequest {
    PlannedRequest {
        path: "/".to_string(),
        query: Vec::new(),
    }
}

fn response(body: &[u8]) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: body.to_vec(),
    }
}

/// Each hostile stream and what its error must say.
const FAILING: &[(&str, &str)] = &[
    (
        "infinite_loop",
        "exceeded its time limit of 500 ms in normalize",
    ),
    (
        "memory_bomb",
        "reached its memory limit of 64 MiB in normalize",
    ),
    (
        "stack_overflow",
        "crashed in normalize: wasm trap: call stack exhausted",
    ),
    ("huge_output", "over its output limit of 4 MiB"),
    (
        "panic",
        "crashed in normalize: panicked: the provider's JSON had no `teams` key",
    ),
    ("open_file", "provider error: open /etc/passwd:"),
    ("open_socket", "provider error: connect 127.0.0.1:5432:"),
];

#[test]
fn every_hostile_call_fails_alone_clearly_and_in_time_while_a_good_plugin_serves() {
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    let hostile = NormalizerPlugin::load(&engine, &test_plugin("hostile")).expect("hostile loads");
    let good =
        Arc::new(NormalizerPlugin::load(&engine, &football_data_wasm()).expect("good loads"));
    let match_body = std::fs::read(
        repo_root().join("plugins/football-data/fixtures/match-417211/response.json"),
    )
    .expect("fixture");

    let stop = Arc::new(AtomicBool::new(false));
    let server = std::thread::spawn({
        let (good, stop) = (good.clone(), stop.clone());
        move || {
            let (mut served, mut slowest) = (0u32, Duration::ZERO);
            while !stop.load(Ordering::SeqCst) {
                let started = Instant::now();
                let (batch, _) = good.normalize(
                    "match",
                    &[("id".to_string(), "417211".to_string())],
                    &request(),
                    response(&match_body),
                );
                slowest = slowest.max(started.elapsed());
                let batch = batch.expect("the good plugin keeps working");
                assert!(!batch.records.is_empty());
                served += 1;
            }
            (served, slowest)
        }
    });

    for (stream, expected) in FAILING {
        let started = Instant::now();
        let (result, _) = hostile.normalize(stream, &[], &request(), response(b"{}"));
        let took = started.elapsed();
        let error = result.expect_err(stream).to_string();
        assert!(error.contains(expected), "{stream}: {error}");
        assert!(
            took <= DEADLINE + Duration::from_millis(100),
            "{stream} took {took:?}"
        );
        assert!(!error.contains("root:"), "{stream} read a file: {error}");
    }
    // What the sandbox grants: no environment, and stdout that goes to the
    // log instead of failing the plugin.
    let (env, _) = hostile.normalize("read_env", &[], &request(), response(b"{}"));
    match env.expect("read_env").records.first() {
        Some(Record::Team(t)) => assert_eq!(t.name, "env: []"),
        other => panic!("unexpected {other:?}"),
    }
    let (printed, _) = hostile.normalize("print", &[], &request(), response(b"{}"));
    assert_eq!(
        printed.expect("a chatty plugin still works").records.len(),
        1
    );

    stop.store(true, Ordering::SeqCst);
    let (served, slowest) = server.join().expect("the good plugin's thread");
    assert!(served >= 10, "the good plugin served only {served} calls");
    assert!(
        slowest < Duration::from_millis(500),
        "a good call waited {slowest:?} for a hostile one"
    );
}

#[test]
fn a_plugin_that_keeps_failing_is_switched_off_until_loaded_again() {
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    let hostile = NormalizerPlugin::load(&engine, &test_plugin("hostile")).expect("loads");
    for _ in 0..SWITCH_OFF_AFTER {
        let (result, _) = hostile.normalize("stack_overflow", &[], &request(), response(b"{}"));
        assert!(
            matches!(result, Err(PluginError::Trap { .. })),
            "{result:?}"
        );
    }
    let (result, _) = hostile.normalize("good", &[], &request(), response(b"{}"));
    let error = result.expect_err("switched off").to_string();
    assert!(
        error.contains(&format!(
            "hostile is switched off after {SWITCH_OFF_AFTER} failed calls in a row"
        )),
        "{error}"
    );
    let reloaded = NormalizerPlugin::load(&engine, &test_plugin("hostile")).expect("loads");
    let (result, _) = reloaded.normalize("good", &[], &request(), response(b"{}"));
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn fuel_stops_a_loop_at_the_same_instruction_count_everywhere() {
    let limits = SandboxLimits {
        fuel: Some(50_000_000),
        ..SandboxLimits::default()
    };
    let engine = PluginEngine::new(limits).expect("engine");
    let hostile = NormalizerPlugin::load(&engine, &test_plugin("hostile")).expect("loads");
    let (result, _) = hostile.normalize("infinite_loop", &[], &request(), response(b"{}"));
    let error = result.expect_err("out of fuel").to_string();
    assert!(
        error.contains("used up its instruction budget of 50000000 in normalize"),
        "{error}"
    );
    let (result, _) = hostile.normalize("good", &[], &request(), response(b"{}"));
    assert!(result.is_ok(), "a good call fits the budget: {result:?}");
}

#[test]
fn a_component_built_for_a_contract_the_host_does_not_speak_is_refused() {
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    let error = NormalizerPlugin::load(&engine, &test_plugin("future-contract"))
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains(
            "was built for sluice:plugin@0.9.0; this host accepts sluice:plugin@0.1.0, 0.2.0, 0.3.0, 0.4.0, 0.5.0"
        ),
        "{error}"
    );
}

#[test]
fn a_pinned_hash_refuses_any_other_file() {
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    let wasm = football_data_wasm();
    let error = NormalizerPlugin::load_pinned(&engine, &wasm, Some("00ff"))
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("but the config pins 00ff"), "{error}");
    let real = NormalizerPlugin::load(&engine, &wasm).expect("loads");
    let pinned = NormalizerPlugin::load_pinned(&engine, &wasm, Some(&real.sha256().to_uppercase()));
    assert!(pinned.is_ok(), "the right hash, in any case, loads");
}
