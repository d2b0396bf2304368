//! `[crm.features] scorer = "crm-scores"`: the first-party scorer plugin
//! computes the built-in scores, so the features table comes out the same
//! either way, row by row: every cell the same text, but for the last
//! digits of a float where the component's `exp`/`ln_1p` round otherwise.

use super::{features, target, write_features_config};
use crate::common::{TestContext, assert_ok, plugin_dir, stdout};
use crate::on_both_databases;

fn snapshot(ctx: &TestContext) -> Vec<Vec<String>> {
    let columns: Vec<String> = sluice::crm::row::COLUMNS
        .iter()
        .map(|(name, _)| format!("CAST({name} AS TEXT)"))
        .collect();
    ctx.query(&format!(
        "SELECT {} FROM {} ORDER BY user_id",
        columns.join(", "),
        target(ctx)
    ))
}

/// A cell as a float, failing the test (with its row) when it is not one.
fn number(cell: &str, row: &[String]) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` differs and is not a number: {row:?}"))
}

fn generate(ctx: &TestContext) {
    let out = ctx.sluice(&[
        "crm",
        "generate",
        "--users",
        "20000",
        "--transactions",
        "100000",
        "--seed",
        "5",
        "--into",
        &ctx.database_url(),
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("generated 100000 transactions of 20000 users"),
        "{}",
        stdout(&out)
    );
}

/// A plugin folder holding `crm-scores`.
fn plugins(ctx: &TestContext) -> std::path::PathBuf {
    let dir = ctx.path("plugins");
    std::fs::create_dir_all(&dir).expect("mkdir plugins");
    for ext in ["wasm", "toml"] {
        let file = plugin_dir().join(format!("crm-scores.{ext}"));
        std::fs::copy(&file, dir.join(format!("crm-scores.{ext}")))
            .unwrap_or_else(|e| panic!("{}: {e} (run `make plugins`)", file.display()));
    }
    dir
}

fn the_scorer_plugin_equals_the_built_in_scores(ctx: TestContext) {
    generate(&ctx);
    let built_in = write_features_config(&ctx, "replace", "");
    let out = features(&ctx, &built_in, &[]);
    let expected = snapshot(&ctx);
    // More users than one chunk: the scores of the plugin, given for the
    // whole population, are matched to users across chunks.
    assert!(
        expected.len() > sluice::crm::users::CHUNK_USERS,
        "{} users: {out}",
        expected.len()
    );
    assert!(!out.contains("scores by plugin"), "{out}");

    let plugins = plugins(&ctx);
    let with_plugin = ctx.path("crm-plugin.toml");
    let text = std::fs::read_to_string(&built_in).expect("config");
    let text = text.replacen(
        "\n\n[crm.features]\n",
        &format!(
            "\nplugin_dir = \"{}\"\n\n[crm.features]\nscorer = \"crm-scores\"\n",
            plugins.display()
        ),
        1,
    );
    std::fs::write(&with_plugin, text).expect("config");
    ctx.query(&format!("DELETE FROM {}", target(&ctx)));
    let out = features(&ctx, &with_plugin, &[]);
    assert!(
        out.contains("scores by plugin crm-scores 0.1.0 (sluice:plugin@0.5.0)"),
        "{out}"
    );
    let scored = snapshot(&ctx);
    assert_eq!(scored.len(), expected.len(), "{out}");
    let mut last_bit = 0;
    for (a, b) in expected.iter().zip(&scored) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            if x != y {
                // Only in the last bits of a float: the component's libm
                // (wasi-libc) and the host's may round `exp` and `ln_1p`
                // differently.
                let (fx, fy) = (number(x, a), number(y, b));
                assert!(
                    (fx - fy).abs() <= 1e-12 * fx.abs().max(1.0),
                    "user {}: built-in {x}, crm-scores {y}\n{a:?}\n{b:?}",
                    a[0]
                );
                last_bit += 1;
            }
        }
    }
    // Nearly every cell is the same text; a float may differ in its last
    // digits only.
    assert!(last_bit * 100 <= expected.len(), "{last_bit} cells differ");
}

on_both_databases!(the_scorer_plugin_equals_the_built_in_scores);
