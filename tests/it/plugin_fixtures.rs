//! Every plugin's own fixtures, run through its built component in the
//! sandbox. A case is a folder `plugins/NAME/fixtures/CASE/` holding
//! `case.toml` (`stream`, `params`), `response.json`, and either
//! `expected.ndjson` (the records) plus `rejects.txt` when items are
//! rejected, or `error.txt` when the call must fail with that message.
//! `SLUICE_UPDATE_FIXTURES=1` rewrites the expected files from the output.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

use sluice::plugin::{HttpResponse, NormalizerPlugin, PluginEngine, SandboxLimits};

use crate::common::{plugin_dir, repo_root};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    stream: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
}

#[test]
fn every_fixture_of_every_plugin_gives_its_expected_output() {
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    let update = std::env::var_os("SLUICE_UPDATE_FIXTURES").is_some();
    let mut cases = 0;
    let mut failures = Vec::new();
    for plugin in sorted_dirs(&repo_root().join("plugins")) {
        let name = plugin
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        let wasm = plugin_dir().join(format!("{name}.wasm"));
        let loaded = NormalizerPlugin::load(&engine, &wasm).expect("plugin loads");
        for case in sorted_dirs(&plugin.join("fixtures")) {
            cases += 1;
            if let Err(diff) = run_case(&loaded, &case, update) {
                failures.push(format!("{}: {diff}", case.display()));
            }
        }
    }
    assert!(
        cases >= 4,
        "expected the plugins' fixture cases, found {cases}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn run_case(plugin: &NormalizerPlugin, case: &Path, update: bool) -> Result<(), String> {
    let spec: Case = toml::from_str(&read(&case.join("case.toml"))).map_err(|e| e.to_string())?;
    let params: Vec<(String, String)> = spec.params.into_iter().collect();
    let body = std::fs::read(case.join("response.json")).map_err(|e| e.to_string())?;
    let request = plugin
        .plan(&spec.stream, None, &params)
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("the plugin planned no request")?;
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body,
    };
    let result = plugin
        .normalize(&spec.stream, &params, &request, response)
        .0;
    let error_file = case.join("error.txt");
    match result {
        Err(err) if error_file.is_file() || update => {
            compare(&error_file, &format!("{err}\n"), update)
        }
        Err(err) => Err(format!("unexpected error: {err}")),
        Ok(_) if error_file.is_file() => {
            Err(format!("expected the error in {}", error_file.display()))
        }
        Ok(batch) => {
            let records: String = batch
                .records
                .iter()
                .map(|r| serde_json::to_string(r).map(|l| l + "\n"))
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            compare(&case.join("expected.ndjson"), &records, update)?;
            let rejects: String = batch
                .rejects
                .iter()
                .map(|r| {
                    format!(
                        "{}: {}\n",
                        r.provider_id.as_deref().unwrap_or("-"),
                        r.reason
                    )
                })
                .collect();
            let rejects_file = case.join("rejects.txt");
            if rejects.is_empty() && !rejects_file.exists() {
                return Ok(());
            }
            compare(&rejects_file, &rejects, update)
        }
    }
}

/// Compares `actual` with the file, or rewrites it; a mismatch names the
/// first line that differs.
fn compare(expected_file: &Path, actual: &str, update: bool) -> Result<(), String> {
    if update {
        std::fs::write(expected_file, actual).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = read(expected_file);
    if expected == actual {
        return Ok(());
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    Err(format!(
        "{} differs at line {} ({} lines expected, {} produced)\n  expected: {}\n  actual:   {}",
        expected_file.display(),
        at + 1,
        e.len(),
        a.len(),
        e.get(at).unwrap_or(&"(end)"),
        a.get(at).unwrap_or(&"(end)")
    ))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn sorted_dirs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}
