//! Contract 0.5.0's worlds through the host's plugin API: a transformer
//! (typed rows in, rows and rejects out) and a scorer (a population's
//! per-user aggregates in, scores out) load and run; what a hostile or
//! careless one answers (loops, memory bombs, huge or mistyped output, a
//! reject of a row it was not given, a user left out) is contained as a
//! clear error; a component of another world is refused for what it is;
//! and `crm-scores` computes the built-in scores (floats to the last bits
//! of `exp` and `ln_1p`).

use std::path::PathBuf;

use sluice::plugin::transformer::{Column, ColumnType, Value};
use sluice::plugin::{PluginEngine, PluginError, SandboxLimits, Scorer, Transformed, Transformer};

use crate::common::{plugin_dir, repo_root};

fn test_plugin(name: &str) -> PathBuf {
    let wasm = repo_root().join(format!("target/test-plugins/{name}.wasm"));
    assert!(
        wasm.is_file(),
        "{} is missing: run `make test-plugins` first (`make test` does)",
        wasm.display()
    );
    wasm
}

fn engine() -> PluginEngine {
    PluginEngine::new(SandboxLimits::default()).expect("the plugin runtime")
}

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn columns() -> Vec<Column> {
    vec![
        Column {
            name: "id".into(),
            type_: ColumnType::Integer,
        },
        Column {
            name: "name".into(),
            type_: ColumnType::Text,
        },
        Column {
            name: "amount".into(),
            type_: ColumnType::Decimal,
        },
    ]
}

/// `n` rows: id i, name `user i`, amount `i.50`; every fifth name null.
fn rows(n: i64) -> Vec<Vec<Value>> {
    (0..n)
        .map(|i| {
            vec![
                Value::Integer(i),
                if i % 5 == 4 {
                    Value::Null
                } else {
                    Value::Text(format!("user {i}"))
                },
                Value::Text(format!("{i}.50")),
            ]
        })
        .collect()
}

fn transform(mode: &str, n: i64) -> Result<Transformed, PluginError> {
    let plugin =
        Transformer::load(&engine(), &test_plugin("transformer-probe")).expect("the probe loads");
    plugin.transform(
        &columns(),
        rows(n),
        &params(&[("mode", mode), ("column", "id")]),
    )
}

#[test]
fn a_transformer_passes_changes_drops_adds_and_rejects_rows() {
    let plugin =
        Transformer::load(&engine(), &test_plugin("transformer-probe")).expect("the probe loads");
    assert_eq!(plugin.manifest().wit, "0.5.0");

    let out = transform("pass", 10).expect("pass");
    assert_eq!(out.columns, columns());
    assert_eq!(out.rows, rows(10));
    assert!(out.rejects.is_empty());

    let out = plugin
        .transform(
            &columns(),
            rows(3),
            &params(&[("mode", "uppercase"), ("column", "name")]),
        )
        .expect("uppercase");
    assert_eq!(out.rows[2][1], Value::Text("USER 2".into()));
    assert_eq!(out.rows[2][0], Value::Integer(2));

    let out = transform("drop", 10).expect("drop");
    let ids: Vec<&Value> = out.rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        ids,
        [0, 2, 4, 6, 8]
            .map(Value::Integer)
            .iter()
            .collect::<Vec<_>>()
    );

    let out = plugin
        .transform(
            &columns(),
            rows(2),
            &params(&[("mode", "add"), ("name", "note")]),
        )
        .expect("add");
    assert_eq!(out.columns.len(), 4);
    assert_eq!(out.columns[3].name, "note");
    assert_eq!(out.columns[3].type_, ColumnType::Text);
    assert_eq!(out.rows[1][3], Value::Text("row 1".into()));

    let out = transform("reject", 6).expect("reject");
    assert_eq!(out.rows.len(), 3);
    assert_eq!(
        out.rejects.into_iter().collect::<Vec<_>>(),
        [1, 3, 5].map(|i| (i, "id is odd".to_string()))
    );
}

#[test]
fn a_large_batch_goes_in_slices_and_comes_back_whole() {
    let n = (sluice::plugin::transformer::TRANSFORM_ROWS_PER_CALL * 2 + 17) as i64;
    let out = transform("reject", n).expect("reject");
    assert_eq!(out.rows.len() + out.rejects.len(), n as usize);
    // Row indexes are the batch's, not the slice's.
    assert_eq!(out.rejects.keys().last(), Some(&(n as usize - 2)));
    assert_eq!(out.rows.last().map(|r| &r[0]), Some(&Value::Integer(n - 1)));
    // An empty batch is still answered, in the transformer's columns.
    let out = transform("add", 0).expect("add");
    assert_eq!(out.columns.len(), 4);
    assert!(out.rows.is_empty());
}

fn message(result: Result<Transformed, PluginError>) -> String {
    match result {
        Ok(out) => panic!("expected an error, got {} rows", out.rows.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_careless_transformer_is_refused_naming_what_it_got_wrong() {
    let wrong = message(transform("wrong-types", 3));
    assert!(
        wrong.contains("plugin transformer-probe failed in transform")
            && wrong.contains("row 0, column `name` (integer): a text cell"),
        "{wrong}"
    );
    let ragged = message(transform("ragged", 3));
    assert!(
        ragged.contains("returned row 0 with 2 cells for 3 columns"),
        "{ragged}"
    );
    let beyond = message(transform("beyond", 3));
    assert!(
        beyond.contains("rejected row 8 of a batch of 3 rows"),
        "{beyond}"
    );
    let error = message(transform("error", 3));
    assert!(
        error.contains("invalid params: the probe was told to fail")
            || error.contains("the probe was told to fail"),
        "{error}"
    );
}

#[test]
fn a_hostile_transformer_is_contained_with_a_clear_error() {
    let looped = transform("loop", 3);
    assert!(
        matches!(looped, Err(PluginError::Timeout { limit_ms: 500, .. })),
        "{looped:?}"
    );
    let bomb = transform("memory-bomb", 3);
    assert!(
        matches!(bomb, Err(PluginError::MemoryLimit { limit_mib: 64, .. })),
        "{bomb:?}"
    );
    let huge = transform("huge-output", 3);
    assert!(
        matches!(huge, Err(PluginError::OutputTooLarge { limit_mib: 4, .. })),
        "{huge:?}"
    );
    // The host is unharmed: the next call answers.
    assert_eq!(transform("pass", 2).expect("pass").rows, rows(2));
}

fn population(n: usize) -> sluice::plugin::scorer::Population {
    let users = (0..n)
        .map(|i| sluice::plugin::scorer::UserAggregates {
            user_id: format!("u{i}"),
            transactions: i as u64 + 1,
            active_days: 1,
            recency_days: i as u32,
            tenure_days: i as u32,
            deposits: 1,
            deposit_cents: 1_000 * i as i64,
            withdrawals: 0,
            withdrawal_cents: 0,
            bets: 0,
            bet_cents: 0,
            wins: 0,
            win_cents: 0,
            bonuses: 0,
            bonus_cents: 0,
            bets_by_game: vec![0; 5],
            by_weekday: vec![0; 7],
            by_daypart: vec![0; 4],
            gap_count: 0,
            gap_sum: 0,
            gap_sum_squares: 0,
        })
        .collect();
    sluice::plugin::scorer::Population {
        reference_date: "2025-06-30".into(),
        game_types: ["casino", "crash", "poker", "slots", "sports"]
            .map(String::from)
            .to_vec(),
        users,
    }
}

fn score(mode: &str) -> Result<Vec<sluice::plugin::scorer::UserScores>, PluginError> {
    let plugin = Scorer::load(&engine(), &test_plugin("scorer-probe")).expect("the probe loads");
    plugin.score(&population(4), &params(&[("mode", mode)]))
}

#[test]
fn a_scorer_answers_every_user_in_their_order() {
    let out = score("plain").expect("plain");
    let ids: Vec<&str> = out.iter().map(|s| s.user_id.as_str()).collect();
    assert_eq!(ids, ["u0", "u1", "u2", "u3"]);
    assert!(out.iter().all(|s| s.churn_risk_score == 0.5));
}

#[test]
fn a_careless_or_hostile_scorer_is_refused_with_a_clear_error() {
    let text = |r: Result<Vec<_>, PluginError>| match r {
        Ok(out) => panic!("expected an error, got {} scores", out.len()),
        Err(e) => e.to_string(),
    };
    let skip = text(score("skip"));
    assert!(
        skip.contains(
            "plugin scorer-probe failed in score: left 1 of 4 users unscored, the first `u3`"
        ),
        "{skip}"
    );
    let stranger = text(score("stranger"));
    assert!(
        stranger.contains("scored user `nobody`, who is not in the population"),
        "{stranger}"
    );
    let range = text(score("out-of-range"));
    assert!(
        range.contains("churn-risk-score 1.5, outside 0 to 1"),
        "{range}"
    );
    assert!(
        text(score("error")).contains("the probe was told to fail"),
        "an error the plugin returns"
    );
    assert!(matches!(score("loop"), Err(PluginError::Timeout { .. })));
    assert!(matches!(
        score("memory-bomb"),
        Err(PluginError::MemoryLimit { limit_mib: 64, .. })
    ));
}

#[test]
fn a_component_of_another_world_is_refused_for_what_it_is() {
    let engine = engine();
    let dir = tempfile::tempdir().expect("a temporary folder");
    // The transformer probe under a scorer's manifest.
    let wasm = dir.path().join("scorer-probe.wasm");
    std::fs::copy(test_plugin("transformer-probe"), &wasm).expect("copy");
    std::fs::copy(
        repo_root().join("target/test-plugins/scorer-probe.toml"),
        dir.path().join("scorer-probe.toml"),
    )
    .expect("copy");
    let err = Scorer::load(&engine, &wasm).err().map(|e| e.to_string());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("is not a scorer")
            && e.contains("sluice:plugin/transform@0.5.0")
            && e.contains("this host accepts sluice:plugin@0.5.0")),
        "{err:?}"
    );
    // A 0.4.0 validator is no transformer.
    let validator = dir.path().join("transformer-probe.wasm");
    std::fs::copy(test_plugin("validator-probe"), &validator).expect("copy");
    std::fs::copy(
        repo_root().join("target/test-plugins/transformer-probe.toml"),
        dir.path().join("transformer-probe.toml"),
    )
    .expect("copy");
    let err = Transformer::load(&engine, &validator)
        .err()
        .map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("is not a transformer") && e.contains("validate@0.4.0")),
        "{err:?}"
    );
    // A manifest of another kind is refused before the component is read.
    std::fs::write(
        dir.path().join("transformer-probe.toml"),
        "name = \"transformer-probe\"\nversion = \"0.1.0\"\nkind = \"scorer\"\nwit = \"0.5.0\"\n",
    )
    .expect("write");
    let err = Transformer::load(&engine, &validator)
        .err()
        .map(|e| e.to_string());
    assert!(
        err.as_deref().is_some_and(|e| e
            .contains("kind = \"scorer\": a transformer's manifest says kind = \"transformer\"")),
        "{err:?}"
    );
}

/// Users drawn from a seeded xorshift: every field varied, some users
/// with nothing deposited, some away for months, some active daily.
fn drawn_users(n: usize, reference: time::Date) -> Vec<sluice::crm::UserAggregates> {
    use sluice::crm::aggregates::{GapStats, TypeTotal};
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    (0..n)
        .map(|i| {
            let active_days = 1 + next(60);
            let last_day = reference - time::Duration::days(next(200) as i64);
            let first_day = last_day - time::Duration::days(next(400) as i64);
            let gaps = active_days - 1;
            let gap_sum = if gaps == 0 { 0 } else { gaps + next(300) };
            let mut total = || TypeTotal {
                count: next(50),
                cents: next(5_000_000) as i64,
            };
            let by_type = [total(), total(), total(), total(), total()];
            let mut counts = |k: usize| (0..k).map(|_| next(4) * next(30)).collect::<Vec<_>>();
            let bets = counts(5);
            let weekdays = counts(7);
            let dayparts = counts(4);
            sluice::crm::UserAggregates {
                user_id: format!("user-{i}"),
                transactions: 1 + next(500),
                active_days,
                first_day,
                last_day,
                bets_by_game: bets.try_into().expect("5"),
                by_weekday: weekdays.try_into().expect("7"),
                by_daypart: dayparts.try_into().expect("4"),
                by_type,
                bet_cents_squared: 0,
                max_bet_cents: 0,
                gaps: GapStats {
                    count: gaps,
                    sum: gap_sum as i64,
                    sum_squares: (gap_sum * gap_sum) as i64,
                },
            }
        })
        .collect()
}

#[test]
fn crm_scores_computes_exactly_the_built_in_scores() {
    let reference = time::macros::date!(2025 - 06 - 30);
    let users = drawn_users(5_000, reference);
    let population = sluice::crm::Population::of(&users, reference, [0.33, 0.67]);
    let expected: Vec<_> = users
        .iter()
        .map(|u| sluice::crm::scores::score(u, &population))
        .collect();
    let plugin =
        Scorer::load(&engine(), &plugin_dir().join("crm-scores.wasm")).expect("crm-scores loads");
    let scored = sluice::crm::scorer::scores(&plugin, &users, reference).expect("scores");
    assert_eq!(scored.len(), expected.len());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
    for ((user, built_in), from_plugin) in users.iter().zip(&expected).zip(&scored) {
        let (a, b) = (built_in, from_plugin);
        assert_eq!(
            (
                a.recency_score,
                a.frequency_score,
                a.monetary_score,
                a.rfm_segment
            ),
            (
                b.recency_score,
                b.frequency_score,
                b.monetary_score,
                b.rfm_segment
            ),
            "{}",
            user.user_id
        );
        // The component's libm (wasi-libc) may round `exp` and `ln_1p` in
        // the last bit otherwise than the host's.
        for (x, y) in [
            (a.clv_score, b.clv_score),
            (a.churn_risk_score, b.churn_risk_score),
            (a.behavioral_diversity_score, b.behavioral_diversity_score),
        ] {
            assert!(close(x, y), "{}: {a:?} against {b:?}", user.user_id);
        }
    }
    // The draw covers every segment, so the comparison covers every rule.
    for segment in sluice::crm::Segment::ALL {
        assert!(
            expected.iter().any(|s| s.rfm_segment == segment),
            "no user fell in {segment:?}"
        );
    }
}
