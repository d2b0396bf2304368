//! The host runs plugins built for every contract version it accepts: a
//! plugin built against `sluice:plugin@0.1.0`, before odds joined the
//! contract, one built against 0.2.0, before standings and incidents, and
//! one built against 0.3.0, before validators, load their records next to
//! 0.4.0 plugins; a plugin whose
//! manifest disagrees with its component is refused with a clear message.

use std::path::PathBuf;

use crate::common::{ReplayServer, TestContext, assert_ok, one_route_recordings, repo_root};
use crate::on_both_databases;

/// Where `make test-plugins` puts the plugins that exist for the tests.
fn test_plugin_dir() -> PathBuf {
    let dir = repo_root().join("target/test-plugins");
    assert!(
        dir.join("legacy-v0-1.wasm").is_file(),
        "{} has no legacy-v0-1.wasm: run `make test-plugins` first (`make test` does)",
        dir.display()
    );
    dir
}

fn legacy_config(ctx: &TestContext, plugins: &std::path::Path, base_url: &str) -> PathBuf {
    let config = format!(
        "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n[providers.legacy]\nplugin = \"legacy-v0-1\"\nbase_url = \"{base_url}\"\n\n[[pipelines.teams.streams]]\nprovider = \"legacy\"\nstream = \"teams\"\n",
        db = ctx.database_url(),
        plugins = plugins.display(),
    );
    let path = ctx.path("sluice.toml");
    std::fs::write(&path, config).expect("config");
    path
}

fn a_plugin_built_for_0_1_0_still_loads(ctx: TestContext) {
    one_route_recordings(
        &ctx.path("recordings"),
        "/v1/teams",
        "",
        200,
        br#"[{"id": "7", "name": "Aston Villa"}, {"id": "8", "name": "Brentford"}]"#,
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let config = legacy_config(&ctx, &test_plugin_dir(), &server.base_url());
    crate::sluice_snapshot!(
        "a_0_1_0_plugin_runs",
        ctx.filters(),
        ctx.run(&config, "teams")
    );
    assert_eq!(
        ctx.query("SELECT provider, provider_id, name, plugin, plugin_version FROM teams ORDER BY provider_id"),
        vec![
            vec!["legacy", "7", "Aston Villa", "legacy-v0-1", "0.1.0"],
            vec!["legacy", "8", "Brentford", "legacy-v0-1", "0.1.0"],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>()
    );
}

on_both_databases!(a_plugin_built_for_0_1_0_still_loads);

/// A plugin built against 0.2.0, before standings, participants and
/// incidents, still loads its odds.
fn a_plugin_built_for_0_2_0_still_loads(ctx: TestContext) {
    one_route_recordings(
        &ctx.path("recordings"),
        "/v1/prices",
        "",
        200,
        br#"[{"event": "e1", "bookmaker": "alpha", "selection": "Home", "price": 1.8},
             {"event": "e1", "bookmaker": "alpha", "selection": "Away", "price": 2.1}]"#,
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let config = format!(
        "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n[providers.legacy2]\nplugin = \"legacy-v0-2\"\nbase_url = \"{base_url}\"\n\n[[pipelines.prices.streams]]\nprovider = \"legacy2\"\nstream = \"prices\"\n",
        db = ctx.database_url(),
        plugins = test_plugin_dir().display(),
        base_url = server.base_url(),
    );
    let config_path = ctx.path("sluice.toml");
    std::fs::write(&config_path, config).expect("config");
    let out = ctx.run(&config_path, "prices");
    assert_ok(&out);
    assert_eq!(
        ctx.query("SELECT selection, price, plugin, plugin_version FROM odds ORDER BY selection"),
        vec![
            vec!["Away", "2.1", "legacy-v0-2", "0.2.0"],
            vec!["Home", "1.8", "legacy-v0-2", "0.2.0"],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>()
    );
}

on_both_databases!(a_plugin_built_for_0_2_0_still_loads);

/// A plugin built against 0.3.0, whose record types 0.4.0 kept, still
/// loads its standings.
fn a_plugin_built_for_0_3_0_still_loads(ctx: TestContext) {
    one_route_recordings(
        &ctx.path("recordings"),
        "/v1/table",
        "",
        200,
        br#"[{"team": "t1", "rank": 1, "points": 30}, {"team": "t2", "rank": 2, "points": 27}]"#,
    );
    let server = ReplayServer::start(&ctx.path("recordings"));
    let config = format!(
        "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n[providers.legacy3]\nplugin = \"legacy-v0-3\"\nbase_url = \"{base_url}\"\n\n[[pipelines.table.streams]]\nprovider = \"legacy3\"\nstream = \"table\"\n",
        db = ctx.database_url(),
        plugins = test_plugin_dir().display(),
        base_url = server.base_url(),
    );
    let config_path = ctx.path("sluice.toml");
    std::fs::write(&config_path, config).expect("config");
    let out = ctx.run(&config_path, "table");
    assert_ok(&out);
    assert_eq!(
        ctx.query("SELECT team, rank, points, plugin, plugin_version FROM standings ORDER BY rank"),
        [
            ["t1", "1", "30", "legacy-v0-3", "0.3.0"],
            ["t2", "2", "27", "legacy-v0-3", "0.3.0"]
        ]
        .map(|r| r.map(str::to_string).to_vec())
        .to_vec()
    );
}

on_both_databases!(a_plugin_built_for_0_3_0_still_loads);

#[test]
fn a_manifest_claiming_another_contract_version_is_refused() {
    let ctx = TestContext::new();
    let plugins = ctx.path("plugins");
    std::fs::create_dir_all(&plugins).expect("mkdir");
    std::fs::copy(
        test_plugin_dir().join("legacy-v0-1.wasm"),
        plugins.join("legacy-v0-1.wasm"),
    )
    .expect("copy");
    let manifest = std::fs::read_to_string(test_plugin_dir().join("legacy-v0-1.toml"))
        .expect("manifest")
        .replace("wit = \"0.1.0\"", "wit = \"0.2.0\"");
    std::fs::write(plugins.join("legacy-v0-1.toml"), manifest).expect("manifest");
    let config = legacy_config(&ctx, &plugins, "http://127.0.0.1:9");
    crate::sluice_snapshot!(
        "a_manifest_claiming_another_version",
        ctx.filters(),
        ctx.run(&config, "teams")
    );
}
