//! The odds benchmark's peers, run on the same data in the same run:
//! dlt's `rest_api` source (`../shared/bench/dlt_odds.py`, installed by the
//! bench into its own virtualenv) and `psql \copy` of the rows sluice
//! loaded into an empty `odds` table.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The dlt release the peer runs: pinned, so the figure compares with the
/// same dlt from run to run.
const DLT: &str = "dlt[postgres]==1.31.0";

/// A virtualenv under `target/bench-tools/dlt` holding dlt, made on first
/// use; its python.
pub fn dlt_python(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join("target/bench-tools/dlt");
    let python = venv.join("bin/python");
    let installed = Command::new(&python)
        .args(["-c", "import dlt, psycopg2"])
        .output()
        .is_ok_and(|out| out.status.success());
    if installed {
        return Ok(python);
    }
    println!("odds e2e: installing {DLT} into {}", venv.display());
    run_quiet(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run_quiet(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(DLT),
    )?;
    Ok(python)
}

/// Runs `dlt_odds.py` against the server at `base_url` into the database at
/// `url`, from a working folder of its own; returns its wall time and the
/// outcome rows it loaded.
pub fn dlt_load(
    python: &Path,
    bench: &Path,
    work: &Path,
    base_url: &str,
    sports: usize,
    url: &str,
) -> anyhow::Result<(Duration, i64)> {
    let dir = work.join("dlt");
    std::fs::create_dir_all(&dir)?;
    let mut cmd = Command::new(python);
    cmd.arg(bench.join("dlt_odds.py"))
        .arg(base_url)
        .arg(sports.to_string())
        .arg(url)
        .current_dir(&dir)
        .env("DLT_DATA_DIR", dir.join("data"))
        .env("RUNTIME__DLTHUB_TELEMETRY", "false");
    // dlt insists on a password; a server that trusts local connections
    // ignores it.
    if reqwest::Url::parse(url).is_ok_and(|u| u.password().is_none()) {
        cmd.env("DESTINATION__POSTGRES__CREDENTIALS__PASSWORD", "unused");
    }
    let started = Instant::now();
    run_quiet(&mut cmd)?;
    let wall = started.elapsed();
    let rows = psql(
        url,
        "SELECT count(*) FROM dlt_odds.odds_events__bookmakers__markets__outcomes",
    )?;
    let rows = rows.trim().parse().context("dlt's outcome count")?;
    Ok((wall, rows))
}

/// Writes the rows of `odds` at `url` to a CSV file in `work`, as
/// `psql \copy` reads them back.
pub fn export_odds(url: &str, work: &Path) -> anyhow::Result<PathBuf> {
    let file = work.join("odds.csv");
    psql(
        url,
        &format!("\\copy odds TO '{}' (FORMAT csv)", file.display()),
    )?;
    Ok(file)
}

/// `psql \copy` of `file` into the empty `odds` table at `url`: its wall
/// time and the rows it copied.
pub fn copy_into_odds(url: &str, file: &Path) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let out = psql(
        url,
        &format!("\\copy odds FROM '{}' (FORMAT csv)", file.display()),
    )?;
    let wall = started.elapsed();
    let rows = out
        .trim()
        .strip_prefix("COPY ")
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("psql said `{}`", out.trim()))?;
    Ok((wall, rows))
}

/// Runs one psql command on `url`; returns what it printed.
fn psql(url: &str, command: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args(["--no-psqlrc", "--tuples-only", "--set", "ON_ERROR_STOP=1"])
        .arg(url)
        .args(["-c", command])
        .output()
        .context("running psql")?;
    if !out.status.success() {
        bail!("psql {command}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `psql` can be run.
pub fn psql_found() -> bool {
    Command::new("psql")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Runs `cmd`, failing with its stderr when it fails.
pub fn run_quiet(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    Ok(())
}
