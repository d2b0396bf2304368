//! Every plugin's own fixtures, run through its built component in the
//! sandbox. A case is a folder `plugins/NAME/fixtures/CASE/` holding
//! `case.toml` (`stream`, `params`, and `cursor` for a resumed stream),
//! `response.json`, and either `expected.ndjson` (the records) plus
//! `rejects.txt` when items are rejected, or `error.txt` when the call must
//! fail with that message; paging and incremental cases add `planned.txt`,
//! `follow_ups.txt` and `cursor.txt` (see `sluice::plugin::fixtures`).
//! `SLUICE_UPDATE_FIXTURES=1` rewrites the expected files from the output.

use sluice::plugin::fixtures;
use sluice::plugin::{NormalizerPlugin, PluginEngine, SandboxLimits};

use crate::common::{plugin_dir, repo_root};

#[test]
fn every_fixture_of_every_plugin_gives_its_expected_output() {
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    let update = std::env::var_os("SLUICE_UPDATE_FIXTURES").is_some();
    let mut cases = 0;
    let mut failures = Vec::new();
    let mut plugins: Vec<_> = std::fs::read_dir(repo_root().join("plugins"))
        .expect("plugins/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("fixtures").is_dir())
        .collect();
    plugins.sort();
    for plugin in plugins {
        let name = plugin.file_name().and_then(|n| n.to_str()).expect("name");
        let wasm = plugin_dir().join(format!("{name}.wasm"));
        let loaded = NormalizerPlugin::load(&engine, &wasm).expect("plugin loads");
        let report = fixtures::run_all(&loaded, &plugin.join("fixtures"), update);
        cases += report.cases;
        for (case, diff) in report.failures {
            failures.push(format!("{}:\n{diff}", case.display()));
        }
    }
    assert!(
        cases >= 8,
        "expected the plugins' fixture cases, found {cases}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
