//! The plugin author's kit, as an author uses it: `sluice plugin new` in
//! each language gives a project whose fixture passes `sluice plugin test`;
//! a changed expectation fails with a readable diff; `sluice plugin check`
//! says what a component is or why a host would refuse it.

use std::path::Path;

use crate::common::{TestContext, assert_ok, repo_root, sluice_command};

/// [`TestContext::filters`] and what the build tools print: cargo's status
/// lines and componentize-py's (a capitalised word at the start of a line,
/// after cargo's indentation), the component's size and hash, which follow
/// the toolchain, and the line of a build script installing its tool, which
/// only the first build on a machine prints.
fn kit_filters(ctx: &TestContext) -> Vec<(String, String)> {
    let mut filters = ctx.filters();
    filters.extend([
        (r"(?m)^ *[A-Z][a-z]+ [^\n]*\n".to_string(), String::new()),
        (
            r"(?m)^installing \S+ into [^\n]*\n".to_string(),
            String::new(),
        ),
        (
            r"\.wasm \(\d+(\.\d+)?[KM]\)".to_string(),
            ".wasm ([SIZE])".to_string(),
        ),
        (
            r"sha256: +[0-9a-f]{64}".to_string(),
            "sha256:   [SHA256]".to_string(),
        ),
    ]);
    filters
}

/// Runs the binary in `dir`, sharing one cargo target folder between test
/// runs so the template's dependencies build once.
fn kit(dir: &Path, args: &[&str]) -> std::process::Output {
    sluice_command(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo_root().join("target/plugin-kit"))
        .output()
        .expect("run sluice")
}

fn new_project_passes_its_own_fixtures(lang: &str) {
    let ctx = TestContext::new();
    let dir = ctx.dir.path();
    let name = format!("{lang}-feed");
    assert_ok(&kit(dir, &["plugin", "new", &name, "--lang", lang]));
    let project = dir.join(&name);
    assert!(project.join("manifest.toml").is_file());
    assert!(
        std::fs::read_to_string(project.join("manifest.toml"))
            .expect("manifest")
            .contains(&format!("name = \"{name}\"")),
        "the template was renamed"
    );
    let filters = kit_filters(&ctx);
    crate::sluice_snapshot!(
        format!("plugin_test_passes_{lang}"),
        filters.clone(),
        kit(dir, &["plugin", "test", &name])
    );

    // A changed expectation fails, and the diff shows the line.
    let expected = project.join("fixtures/teams/expected.ndjson");
    let text = std::fs::read_to_string(&expected).expect("expected output");
    assert!(text.contains("\"kind\":\"team\""), "{text}");
    let changed = text.replacen("\"provider_id\":\"1\"", "\"provider_id\":\"100\"", 1);
    assert_ne!(changed, text);
    std::fs::write(&expected, changed).expect("edit");
    crate::sluice_snapshot!(
        format!("plugin_test_shows_the_diff_{lang}"),
        filters.clone(),
        kit(dir, &["plugin", "test", &name])
    );

    // --update rewrites it back.
    assert_ok(&kit(dir, &["plugin", "test", &name, "--update"]));
    assert_eq!(std::fs::read_to_string(&expected).expect("rewritten"), text);

    let wasm = project.join(format!("target/plugin/{name}.wasm"));
    crate::sluice_snapshot!(
        format!("plugin_check_{lang}"),
        filters,
        kit(dir, &["plugin", "check", wasm.to_str().expect("utf-8")])
    );
}

#[test]
fn a_new_rust_plugin_passes_its_fixtures() {
    new_project_passes_its_own_fixtures("rust");
}

#[test]
fn a_new_python_plugin_passes_its_fixtures() {
    new_project_passes_its_own_fixtures("python");
}

#[test]
fn a_new_javascript_plugin_passes_its_fixtures() {
    new_project_passes_its_own_fixtures("js");
}

#[test]
fn check_refuses_what_a_host_would_refuse() {
    let ctx = TestContext::new();
    let plugins = ctx.path("plugins");
    std::fs::create_dir_all(&plugins).expect("mkdir");
    let wasm = crate::common::football_data_wasm();
    std::fs::copy(&wasm, plugins.join("football-data.wasm")).expect("copy");
    let manifest = std::fs::read_to_string(wasm.with_extension("toml"))
        .expect("manifest")
        .replace("wit = \"0.4.0\"", "wit = \"0.1.0\"");
    std::fs::write(plugins.join("football-data.toml"), manifest).expect("manifest");
    let wasm = plugins.join("football-data.wasm");
    let check = ["plugin", "check", wasm.to_str().expect("utf-8")];
    crate::sluice_snapshot!(
        "check_a_manifest_claiming_another_version",
        ctx.filters(),
        kit(ctx.dir.path(), &check)
    );
    crate::sluice_snapshot!(
        "new_with_a_bad_name",
        ctx.filters(),
        kit(ctx.dir.path(), &["plugin", "new", "Bad_Name"])
    );
}

/// `sluice plugin new --kind transformer|scorer`: a Rust project that
/// builds into a component a host loads as that world (contract 0.5.0),
/// whose own tests pass, and that `plugin check` describes.
fn new_world_project_builds_and_passes_its_tests(kind: &str) {
    let ctx = TestContext::new();
    let dir = ctx.dir.path();
    let name = format!("my-{kind}");
    assert_ok(&kit(dir, &["plugin", "new", &name, "--kind", kind]));
    let project = dir.join(&name);
    let manifest = std::fs::read_to_string(project.join("manifest.toml")).expect("manifest");
    assert!(
        manifest.contains(&format!("name = \"{name}\""))
            && manifest.contains(&format!("kind = \"{kind}\""))
            && manifest.contains("wit = \"0.5.0\""),
        "{manifest}"
    );
    let out = kit(dir, &["plugin", "test", &name]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "the component loads as a {kind}; its tests passed"
        )),
        "{text}"
    );
    let wasm = project.join(format!("target/plugin/{name}.wasm"));
    let out = kit(dir, &["plugin", "check", wasm.to_str().expect("utf-8")]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{name} 0.1.0 ({kind})"))
            && text.contains("contract: sluice:plugin@0.5.0")
            && text.contains("ok: the component and its manifest are valid"),
        "{text}"
    );
}

#[test]
fn a_new_rust_transformer_builds_and_passes_its_tests() {
    new_world_project_builds_and_passes_its_tests("transformer");
}

#[test]
fn a_new_rust_scorer_builds_and_passes_its_tests() {
    new_world_project_builds_and_passes_its_tests("scorer");
}

/// `sluice plugin new --kind transformer` in Python or JavaScript: a
/// project whose fixture cases (typed tables in, rows, columns and rejects
/// out) pass `sluice plugin test` against the built component; a changed
/// expectation fails with the diff and `--update` writes it back.
fn new_transformer_passes_its_table_fixtures(lang: &str) {
    let ctx = TestContext::new();
    let dir = ctx.dir.path();
    let name = format!("{lang}-rows");
    assert_ok(&kit(
        dir,
        &[
            "plugin",
            "new",
            &name,
            "--lang",
            lang,
            "--kind",
            "transformer",
        ],
    ));
    let project = dir.join(&name);
    let out = kit(dir, &["plugin", "test", &name]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 fixture cases passed"), "{text}");

    let expected = project.join("fixtures/trim/expected.ndjson");
    let rows = std::fs::read_to_string(&expected).expect("expected rows");
    assert_eq!(
        rows,
        "[1,\"a@example.com\",\"12.50\"]\n[3,\"b@example.com\",null]\n"
    );
    let rejects =
        std::fs::read_to_string(project.join("fixtures/trim/rejects.txt")).expect("rejects");
    assert_eq!(rejects, "1: `email` is empty\n3: `email` is empty\n");
    let error =
        std::fs::read_to_string(project.join("fixtures/unknown-column/error.txt")).expect("error");
    assert!(error.contains("the table has no column `phone`"), "{error}");

    std::fs::write(&expected, rows.replace("12.50", "12.5")).expect("edit");
    let out = kit(dir, &["plugin", "test", &name]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("-[1,\"a@example.com\",\"12.5\"]")
            && text.contains("+[1,\"a@example.com\",\"12.50\"]"),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 of 2 fixture cases differ"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ok(&kit(dir, &["plugin", "test", &name, "--update"]));
    assert_eq!(std::fs::read_to_string(&expected).expect("rewritten"), rows);

    let wasm = project.join(format!("target/plugin/{name}.wasm"));
    let out = kit(dir, &["plugin", "check", wasm.to_str().expect("utf-8")]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{name} 0.1.0 (transformer)"))
            && text.contains("contract: sluice:plugin@0.5.0"),
        "{text}"
    );
}

#[test]
fn a_new_python_transformer_passes_its_table_fixtures() {
    new_transformer_passes_its_table_fixtures("python");
}

#[test]
fn a_new_javascript_transformer_passes_its_table_fixtures() {
    new_transformer_passes_its_table_fixtures("js");
}

#[test]
fn a_scorer_in_python_is_refused_by_name() {
    let ctx = TestContext::new();
    let out = kit(
        ctx.dir.path(),
        &[
            "plugin",
            "new",
            "py-scores",
            "--lang",
            "python",
            "--kind",
            "scorer",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--kind scorer: the kit has a scorer template for Rust only"),
        "{err}"
    );
}
