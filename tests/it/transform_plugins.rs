//! `{ plugin = "name", params = {...} }` steps of file sources' transforms:
//! batches handed to a transformer plugin (the transformer probe) between
//! the config's own steps, its rejects quarantined with its reason, the
//! rows it makes loaded with the columns it declares; a plugin that fails,
//! or answers what the host refuses, refuses the file and nothing of it
//! loads; a plugin that is not there is a config error naming the step.

use std::path::PathBuf;

use crate::common::{TestContext, repo_root};
use crate::files::{config, load, load_failing, quarantine_reasons, source, write};
use crate::on_both_databases;

/// Bets keyed by id.
const BETS: &str = r#"
[tables.bets]
columns = [
  { name = "bet_id", type = "int", primary_key = true },
  { name = "status", type = "text" },
  { name = "amount", type = "decimal" },
]
"#;

/// Seven bets, ids 1 to 7.
const BETS_CSV: &str = "bet_id,status,amount\n\
    1,settled,10.00\n\
    2,open,20.50\n\
    3,settled,30.00\n\
    4,settled,40.25\n\
    5,open,50.00\n\
    6,void,60.00\n\
    7,settled,70.00\n";

on_both_databases!(
    plugin_steps_run_between_the_config_steps_across_batches,
    a_plugin_that_fails_or_answers_wrongly_refuses_the_file,
    the_columns_a_plugin_answers_with_are_checked_against_later_steps,
);

/// The transformer probe in the context's plugin folder; the `plugin_dir`
/// line of the config.
fn probe(ctx: &TestContext) -> String {
    let built = repo_root().join("target/test-plugins");
    let dir = ctx.path("plugins");
    std::fs::create_dir_all(&dir).expect("mkdir plugins");
    for file in ["transformer-probe.wasm", "transformer-probe.toml"] {
        let from = built.join(file);
        assert!(
            from.is_file(),
            "{} is missing: run `make test-plugins` first (`make test` does)",
            from.display()
        );
        std::fs::copy(&from, dir.join(file)).expect("copy the probe");
    }
    format!("plugin_dir = \"{}\"\n", dir.display())
}

fn plugin_steps_run_between_the_config_steps_across_batches(ctx: TestContext) {
    write(&ctx, "in/bets.csv", BETS_CSV);
    let tables = format!("{}{BETS}", probe(&ctx));
    // The probe rejects odd integers: `bet_id` must be cast first. Batches
    // of 3 rows: the plugin is called for each, rows made numbered across
    // the file.
    let transforms = r#"batch_rows = 3
transforms = [
  { cast = { bet_id = "int" } },
  { plugin = "transformer-probe", params = { mode = "reject", column = "bet_id" } },
  { plugin = "transformer-probe", params = { mode = "uppercase", column = "status" } },
  { filter = "status != \"VOID\"" },
  { plugin = "transformer-probe", params = { mode = "add", name = "slice_row" } },
]"#;
    let config = config(&ctx, &tables, &source("bets", "in/bets.csv", transforms));
    let out = load(&ctx, &config);
    assert!(
        out.contains("rows: 2 inserted, 0 updated, 0 unchanged, 4 quarantined; transforms: 1 filtered, 0 deduplicated, 4 failed; columns added: slice_row"),
        "{out}"
    );
    let rows: Vec<String> = ctx
        .lines("SELECT bet_id, status, CAST(amount AS TEXT), slice_row FROM bets ORDER BY bet_id");
    // Bet 6 is void, filtered; 2 and 4 remain. Each is the first row of
    // its batch to reach the last step.
    assert_eq!(rows, ["2|OPEN|20.50|row 0", "4|SETTLED|40.25|row 0"]);
    let reasons = quarantine_reasons(&ctx);
    let expected: Vec<String> = [1, 3, 5, 7]
        .iter()
        .map(|id| {
            format!(
                "in/bets.csv, line {}, transform step 2 (plugin `transformer-probe`) rejected it: bet_id is odd",
                id + 1
            )
        })
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    for (reason, expected) in reasons.iter().zip(&expected) {
        assert!(reason.ends_with(expected.as_str()), "{reasons:?}");
    }
    // Loaded once, the file is skipped on the next run.
    let again = load(&ctx, &config);
    assert!(again.contains("1 skipped"), "{again}");
}

fn a_plugin_that_fails_or_answers_wrongly_refuses_the_file(ctx: TestContext) {
    let tables = format!("{}{BETS}", probe(&ctx));
    let cases = [
        (
            "error",
            "transform step 1 (plugin `transformer-probe`): plugin transformer-probe",
            "the probe was told to fail",
        ),
        (
            "wrong-types",
            "transform step 1 (plugin `transformer-probe`): plugin transformer-probe",
            "returned row 0, column `bet_id` (integer): a text cell",
        ),
        (
            "loop",
            "transform step 1 (plugin `transformer-probe`): plugin transformer-probe",
            "transform",
        ),
    ];
    for (mode, step, why) in cases {
        let file = format!("in/{mode}.csv");
        write(&ctx, &file, BETS_CSV);
        let transforms = format!(
            "transforms = [{{ plugin = \"transformer-probe\", params = {{ mode = \"{mode}\" }} }}]"
        );
        let config = config(&ctx, &tables, &source("bets", &file, &transforms));
        let out = load_failing(&ctx, &config);
        assert!(out.contains(&format!("{file}: {step}")), "{mode}: {out}");
        assert!(out.contains(why), "{mode}: {out}");
        assert!(
            out.contains("the file was refused and nothing of it loaded"),
            "{mode}: {out}"
        );
        assert_eq!(ctx.count("SELECT count(*) FROM bets"), 0, "{mode}");
        std::fs::remove_file(ctx.path(&file)).expect("remove");
    }
}

fn the_columns_a_plugin_answers_with_are_checked_against_later_steps(ctx: TestContext) {
    let plugin_dir = probe(&ctx);
    write(&ctx, "in/bets.csv", BETS_CSV);
    let tables = format!("{plugin_dir}{BETS}");
    let transforms = r#"transforms = [
  { plugin = "transformer-probe", params = { mode = "add", name = "note" } },
  { derive = { loud = "note + status" } },
  { filter = "stake > 0" },
]"#;
    let checked = config(&ctx, &tables, &source("bets", "in/bets.csv", transforms));
    let out = load_failing(&ctx, &checked);
    assert!(
        out.contains("in/bets.csv: transform step 3 (filter): no column `stake` (the row has: bet_id, status, amount, note, loud); the columns are those plugin `transformer-probe` of step 1 answered with"),
        "{out}"
    );
    assert_eq!(ctx.count("SELECT count(*) FROM bets"), 0);

    // A plugin that is not in the folder, or a name that is no plugin's,
    // is the config's error, naming the step.
    let missing =
        r#"transforms = [{ cast = { bet_id = "int" } }, { plugin = "no-such-transformer" }]"#;
    let absent = config(&ctx, &tables, &source("bets", "in/bets.csv", missing));
    let out = load_failing(&ctx, &absent);
    assert!(
        out.contains("pipelines.load.sources[0].transforms[1].plugin: "),
        "{out}"
    );
    assert!(out.contains("no-such-transformer"), "{out}");
    let path = r#"transforms = [{ plugin = "../transformer-probe" }]"#;
    let named = config(&ctx, &tables, &source("bets", "in/bets.csv", path));
    let out = load_failing(&ctx, &named);
    assert!(
        out.contains("pipelines.load.sources[0].transforms[0].plugin: `../transformer-probe` is not a plugin name"),
        "{out}"
    );
    // A normalizer is no transformer.
    let normalizer: PathBuf = crate::common::plugin_dir().join("football-data.wasm");
    std::fs::copy(&normalizer, ctx.path("plugins/football-data.wasm")).expect("copy");
    std::fs::copy(
        normalizer.with_extension("toml"),
        ctx.path("plugins/football-data.toml"),
    )
    .expect("copy manifest");
    let wrong = r#"transforms = [{ plugin = "football-data" }]"#;
    let normalizer_step = config(&ctx, &tables, &source("bets", "in/bets.csv", wrong));
    let out = load_failing(&ctx, &normalizer_step);
    assert!(
        out.contains("pipelines.load.sources[0].transforms[0].plugin: "),
        "{out}"
    );
    assert!(out.contains("transformer"), "{out}");
}
