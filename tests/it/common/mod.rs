//! What every integration test needs: a temporary folder, a replay provider
//! on a free port, the built plugins, the binary, and a way to read the
//! database it wrote.

#![allow(dead_code)]

pub mod links;
pub mod live_sim;
pub mod s3;
pub mod server;
pub mod serving;
pub mod snapshot;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use sluice::replay_provider::{self, Recordings};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
        .to_path_buf()
}

/// Where `make plugins` puts the first-party plugins; fails the test with
/// what to do when they were not built.
pub fn plugin_dir() -> PathBuf {
    let dir = repo_root().join("target/plugins");
    assert!(
        dir.join("football-data.wasm").is_file(),
        "{} has no football-data.wasm: run `make plugins` first (`make test` does)",
        dir.display()
    );
    dir
}

/// The first-party plugin `name` as `make plugins` built it, loaded in an
/// engine with the default limits.
pub fn built_plugin(name: &str) -> sluice::plugin::NormalizerPlugin {
    use sluice::plugin::{NormalizerPlugin, PluginEngine, SandboxLimits};
    let wasm = plugin_dir().join(format!("{name}.wasm"));
    assert!(
        wasm.is_file(),
        "{} is missing: run `make plugins` first (`make test` does)",
        wasm.display()
    );
    let engine = PluginEngine::new(SandboxLimits::default()).expect("engine");
    NormalizerPlugin::load(&engine, &wasm).expect("plugin loads")
}

/// The built football-data plugin.
pub fn football_data_wasm() -> PathBuf {
    plugin_dir().join("football-data.wasm")
}

/// A replay provider serving a recordings folder on a free loopback port,
/// on its own thread and runtime, until dropped.
pub struct ReplayServer {
    pub addr: SocketAddr,
    pub recordings: Arc<Recordings>,
    _server: server::Server,
}

impl ReplayServer {
    pub fn start(dir: &Path) -> Self {
        let recordings = Arc::new(Recordings::load(dir).expect("recordings load"));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let served = recordings.clone();
        let server = server::Server::start(listener, move |l| async move {
            let _ = replay_provider::serve(l, served).await;
        });
        ReplayServer {
            addr: server.addr,
            recordings,
            _server: server,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A temporary folder holding a config, and the database the test loads:
/// a SQLite file in the folder, or a PostgreSQL database of its own.
pub struct TestContext {
    pub dir: tempfile::TempDir,
    postgres: Option<PgDatabase>,
}

/// A PostgreSQL database created for one test and dropped after it.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestContext {
    /// A context loading into SQLite.
    pub fn new() -> Self {
        TestContext {
            dir: tempfile::tempdir().expect("tempdir"),
            postgres: None,
        }
    }

    /// A context loading into a new PostgreSQL database on the server
    /// `make test` provides (`SLUICE_TEST_POSTGRES`).
    pub fn postgres() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let admin_url = std::env::var("SLUICE_TEST_POSTGRES")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
        let name = format!(
            "sluice_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default()
        );
        admin(&admin_url, &format!("CREATE DATABASE {name}")).unwrap_or_else(|e| {
            panic!(
                "the PostgreSQL tests need a server they can create databases on ({admin_url}): {e}. \
                 Run them with `make test`, which finds or starts one, or set SLUICE_TEST_POSTGRES."
            )
        });
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => {
                panic!("SLUICE_TEST_POSTGRES is not a URL ending in a database name: {admin_url}")
            }
        };
        TestContext {
            dir: tempfile::tempdir().expect("tempdir"),
            postgres: Some(PgDatabase {
                admin_url,
                name,
                url,
            }),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn database_path(&self) -> PathBuf {
        self.path("sluice.db")
    }

    pub fn database_url(&self) -> String {
        match &self.postgres {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}", self.database_path().display()),
        }
    }

    /// Writes `sluice.toml`: the database, the built plugins, one
    /// football-data provider at `base_url` with `extra_provider_keys`, and
    /// `pipelines` (TOML) as given.
    pub fn write_config(
        &self,
        base_url: &str,
        extra_provider_keys: &str,
        pipelines: &str,
    ) -> PathBuf {
        self.write_config_with_plugins(&plugin_dir(), base_url, extra_provider_keys, pipelines)
    }

    /// `write_config` with the plugins of `plugins`.
    pub fn write_config_with_plugins(
        &self,
        plugins: &Path,
        base_url: &str,
        extra_provider_keys: &str,
        pipelines: &str,
    ) -> PathBuf {
        let config = format!(
            "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n[providers.football-data]\nplugin = \"football-data\"\nbase_url = \"{base_url}\"\n{extra_provider_keys}\n\n{pipelines}\n",
            db = self.database_url(),
            plugins = plugins.display(),
        );
        let path = self.path("sluice.toml");
        std::fs::write(&path, config).expect("write config");
        path
    }

    /// Runs the binary with `args` in the temporary folder.
    pub fn sluice(&self, args: &[&str]) -> Output {
        sluice_command(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run sluice")
    }

    /// `sluice run --config CONFIG --pipeline PIPELINE` in the folder.
    pub fn run(&self, config: impl AsRef<Path>, pipeline: &str) -> Output {
        let config = config.as_ref().to_str().expect("utf-8 path");
        self.sluice(&["run", "--config", config, "--pipeline", pipeline])
    }

    /// Runs a SQL query on the database and returns every row as strings
    /// (NULL as `NULL`).
    pub fn query(&self, sql: &str) -> Vec<Vec<String>> {
        query(&self.database_url(), sql)
    }

    /// [`TestContext::query`], each row's cells joined by `|`.
    pub fn lines(&self, sql: &str) -> Vec<String> {
        self.query(sql).into_iter().map(|r| r.join("|")).collect()
    }

    /// Runs a query returning one number.
    pub fn count(&self, sql: &str) -> i64 {
        self.query(sql)[0][0].parse().expect("a number")
    }
}

/// The `sluice` binary, with logs at their default level.
pub fn sluice_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env_remove("SLUICE_DATABASE");
    cmd
}

/// Asserts the command succeeded, showing what it printed when it did not.
pub fn assert_ok(out: &Output) {
    assert!(out.status.success(), "{}\n{}", stdout(out), stderr(out));
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

impl Drop for TestContext {
    fn drop(&mut self) {
        if let Some(pg) = &self.postgres {
            let _ = admin(
                &pg.admin_url,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg.name),
            );
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs one statement on the server at `url`, outside any transaction.
fn admin(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    runtime().block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query(sql).execute(&mut conn).await?;
        conn.close().await
    })
}

/// Runs `sql` against the database at `url` (SQLite or PostgreSQL) and
/// returns every row as strings: NULL as `NULL`, timestamps as RFC 3339.
pub fn query(url: &str, sql: &str) -> Vec<Vec<String>> {
    use sluice::db::{Exec, Pool, Value};
    runtime().block_on(async {
        let pool = Pool::connect(url).await.expect("open database");
        let mut conn = pool.acquire().await.expect("connection");
        let rows = conn
            .fetch(sql, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|v| match v {
                        Value::Null | Value::NullInt | Value::NullFloat => "NULL".to_string(),
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Text(t) => t,
                        Value::Blob(b) => format!("<{} bytes>", b.len()),
                        Value::Key(k) => Value::key_hex(&k),
                    })
                    .collect()
            })
            .collect()
    })
}

/// Turns `fn name(ctx: TestContext)` bodies into one test on SQLite and one
/// on PostgreSQL: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::common::TestContext::new())
                }
                #[test]
                fn postgres() {
                    super::$name($crate::common::TestContext::postgres())
                }
            }
        )*
    };
}

/// The demo recordings shipped with the project.
pub fn demo_recordings() -> PathBuf {
    repo_root().join("examples/replay/football-data")
}

/// The three streams of the demo pipeline, as TOML for `write_config`.
pub const DEMO_PIPELINE: &str = r#"
[[pipelines.demo.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "CL", season = "2022" }

[[pipelines.demo.streams]]
provider = "football-data"
stream = "teams"
params = { competition = "CL", season = "2022" }

[[pipelines.demo.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "BL1", season = "2022" }
"#;

/// Copies the files of `from` into a new folder `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// A recordings folder in `dir` with one route, `path?query`, answering
/// `body` with `status`.
pub fn one_route_recordings(dir: &Path, path: &str, query: &str, status: u16, body: &[u8]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("body"), body).expect("write body");
    std::fs::write(
        dir.join("index.toml"),
        format!("[[route]]\npath = \"{path}\"\nquery = {{ {query} }}\nfile = \"body\"\nstatus = {status}\n"),
    )
    .expect("write index");
}

/// The one-line error the binary printed, asserting it is one line.
pub fn error_line(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure, got: {}",
        stdout(out)
    );
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(lines.len(), 1, "one error line expected in: {err}");
    lines[0].to_string()
}

/// A plugin folder in `dir` holding the built football-data plugin with its
/// manifest passed through `edit`.
pub fn football_data_with_manifest(dir: &Path, edit: impl FnOnce(String) -> String) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::copy(football_data_wasm(), dir.join("football-data.wasm")).expect("copy wasm");
    let manifest =
        std::fs::read_to_string(plugin_dir().join("football-data.toml")).expect("manifest");
    std::fs::write(dir.join("football-data.toml"), edit(manifest)).expect("write manifest");
    dir.to_path_buf()
}

/// A recordings folder with `n` single-match routes `/v4/matches/1..=n`,
/// `index_head` (TOML) before them; and the pipeline `p` with one `match`
/// stream per route.
pub fn many_match_routes(dir: &Path, n: usize, index_head: &str) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::copy(
        repo_root().join("plugins/football-data/fixtures/match-417211/response.json"),
        dir.join("match.json"),
    )
    .expect("copy");
    let mut index = format!("{index_head}\n");
    let mut pipeline = String::new();
    for id in 1..=n {
        index.push_str(&format!(
            "[[route]]\npath = \"/v4/matches/{id}\"\nfile = \"match.json\"\n\n"
        ));
        pipeline.push_str(&format!(
            "[[pipelines.p.streams]]\nprovider = \"football-data\"\nstream = \"match\"\nparams = {{ id = \"{id}\" }}\n\n"
        ));
    }
    std::fs::write(dir.join("index.toml"), index).expect("index");
    pipeline
}

/// An event of `provider` that says nothing but its id (scheduled, every
/// other field empty): the base the recorded-payload tests spell their
/// expected events from.
pub fn bare_event(provider: &str, id: &str) -> sluice::model::Event {
    sluice::model::Event {
        provider: provider.to_string(),
        provider_id: id.to_string(),
        name: None,
        competition: None,
        season: None,
        stage: None,
        matchday: None,
        home_team: None,
        away_team: None,
        home_team_name: None,
        away_team_name: None,
        kickoff: None,
        status: sluice::model::EventStatus::Scheduled,
        minute: None,
        home_score: None,
        away_score: None,
        home_score_half_time: None,
        away_score_half_time: None,
        home_score_extra_time: None,
        away_score_extra_time: None,
        home_score_penalties: None,
        away_score_penalties: None,
        venue: None,
        provider_updated_at: None,
    }
}
