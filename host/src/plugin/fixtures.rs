//! A plugin's fixtures: recorded responses with the output they must give,
//! run through the component in the sandbox. Used by `sluice plugin test`,
//! by the hot-reload check of `sluice serve` and by the project's tests.
//!
//! A case is a folder `fixtures/CASE/` holding `case.toml` (`stream`,
//! `params`, and `cursor`, the checkpoint `plan` is given, for an
//! incremental or resumed stream), `response.json` (the answer to the first
//! request planned), and either `expected.ndjson` (the records, as `sluice
//! plugin run` prints them) plus `rejects.txt` when items are rejected, or
//! `error.txt` when the call must fail with that message.
//!
//! Paging and incremental cases say the rest of what the call gives, each
//! checked when its file is there: `planned.txt` (every request `plan`
//! makes, one a line as `PATH?QUERY`), `follow_ups.txt` (the requests the
//! batch asks for next, the same way) and `cursor.txt` (the position the
//! batch ends at; empty for none). An update writes `follow_ups.txt` and
//! `cursor.txt` when the batch has them, and `planned.txt` when the case
//! gives a cursor.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::NormalizerPlugin;
use crate::model::{HttpResponse, PlannedRequest};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    stream: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
    /// The stream's stored position, handed to `plan`.
    cursor: Option<String>,
}

/// What running a plugin's fixtures came to.
#[derive(Debug, Default)]
pub struct FixtureReport {
    /// Cases run.
    pub cases: usize,
    /// Cases whose output differed, with a readable diff or the error.
    pub failures: Vec<(PathBuf, String)>,
    /// Expected files rewritten (`update`).
    pub updated: usize,
}

impl FixtureReport {
    /// Whether every case gave its expected output.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every case under `fixtures` through `plugin`; with `update`, the
/// expected files are rewritten from the output instead of compared.
pub fn run_all(plugin: &NormalizerPlugin, fixtures: &Path, update: bool) -> FixtureReport {
    run_cases(fixtures, |case| run_case(plugin, case, update))
}

/// Runs `run` on every case folder under `fixtures`, in name order: each
/// gives the expected files it rewrote, or why the case failed.
pub(super) fn run_cases(
    fixtures: &Path,
    mut run: impl FnMut(&Path) -> Result<usize, String>,
) -> FixtureReport {
    let mut report = FixtureReport::default();
    for case in sorted_dirs(fixtures) {
        report.cases += 1;
        match run(&case) {
            Ok(rewritten) => report.updated += rewritten,
            Err(diff) => report.failures.push((case, diff)),
        }
    }
    report
}

fn run_case(plugin: &NormalizerPlugin, case: &Path, update: bool) -> Result<usize, String> {
    let spec: Case = toml::from_str(&read(&case.join("case.toml"))?)
        .map_err(|e| format!("case.toml: {}", e.message()))?;
    let params: Vec<(String, String)> = spec.params.into_iter().collect();
    let body =
        std::fs::read(case.join("response.json")).map_err(|e| format!("response.json: {e}"))?;
    let planned = plugin
        .plan(&spec.stream, spec.cursor.as_deref(), &params)
        .map_err(|e| format!("plan failed: {e}"))?;
    let mut rewritten = compare_if(
        &case.join("planned.txt"),
        &lines(&planned),
        update && spec.cursor.is_some(),
        update,
    )?;
    let request = planned
        .into_iter()
        .next()
        .ok_or("the plugin planned no request")?;
    let response = HttpResponse {
        status: 200,
        headers: Vec::new(),
        body,
    };
    // What a run would load: the plugin's batch through the host's checks.
    let result = plugin
        .normalize(&spec.stream, &params, &request, response)
        .0
        .map(|mut batch| {
            crate::model::quality::gate(&mut batch);
            batch
        });
    let error_file = case.join("error.txt");
    match result {
        Err(err) if error_file.is_file() || update => {
            Ok(rewritten + compare(&error_file, &format!("{err}\n"), update)?)
        }
        Err(err) => Err(format!("unexpected error: {err}")),
        Ok(_) if error_file.is_file() => Err(format!(
            "expected the call to fail as {} says, but it succeeded",
            error_file.display()
        )),
        Ok(batch) => {
            let mut records = String::new();
            for record in &batch.records {
                records.push_str(&serde_json::to_string(record).map_err(|e| e.to_string())?);
                records.push('\n');
            }
            rewritten += compare(&case.join("expected.ndjson"), &records, update)?;
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
            if !rejects.is_empty() || rejects_file.exists() {
                rewritten += compare(&rejects_file, &rejects, update)?;
            }
            rewritten += compare_if(
                &case.join("follow_ups.txt"),
                &lines(&batch.follow_ups),
                update && !batch.follow_ups.is_empty(),
                update,
            )?;
            let cursor = batch
                .cursor
                .as_deref()
                .map(|c| format!("{c}\n"))
                .unwrap_or_default();
            rewritten += compare_if(
                &case.join("cursor.txt"),
                &cursor,
                update && batch.cursor.is_some(),
                update,
            )?;
            Ok(rewritten)
        }
    }
}

/// One request a line, as `PATH?QUERY`.
fn lines(requests: &[PlannedRequest]) -> String {
    requests.iter().map(|r| format!("{r}\n")).collect()
}

/// [`compare`] for a file a case may leave out: checked or rewritten when
/// it is there, created only when `create`.
pub(super) fn compare_if(
    expected_file: &Path,
    actual: &str,
    create: bool,
    update: bool,
) -> Result<usize, String> {
    if expected_file.exists() || create {
        compare(expected_file, actual, update)
    } else {
        Ok(0)
    }
}

/// Compares `actual` with the file as a unified diff, or rewrites the file;
/// returns how many files were rewritten.
pub(super) fn compare(expected_file: &Path, actual: &str, update: bool) -> Result<usize, String> {
    if update {
        std::fs::write(expected_file, actual)
            .map_err(|e| format!("writing {}: {e}", expected_file.display()))?;
        return Ok(1);
    }
    let expected = read(expected_file)?;
    if expected == actual {
        return Ok(0);
    }
    let name = expected_file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("expected");
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
        .unified_diff()
        .context_radius(1)
        .header(name, "actual output")
        .to_string();
    Err(diff)
}

pub(super) fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}
