use super::*;
use crate::config::DedupStep;
use crate::files::cell::Cell;

fn steps(toml_text: &str) -> Transforms {
    #[derive(serde::Deserialize)]
    struct Steps {
        transforms: Vec<TransformStep>,
    }
    let parsed: Steps = toml::from_str(toml_text).expect("steps parse");
    Transforms::compile(&parsed.transforms).expect("steps compile")
}

fn row(line: u64, fields: &[(&str, Cell)]) -> RawRow {
    RawRow {
        place: Place::Line(line),
        fields: fields
            .iter()
            .map(|(name, cell)| (Arc::from(*name), cell.clone()))
            .collect(),
    }
}

/// What became of one row.
#[derive(Debug)]
enum Outcome {
    Keep(RawRow),
    Dropped,
    Failed(BadRow),
}

/// `row` alone through `file`'s steps.
fn apply_one(file: &mut FileTransformer<'_>, row: RawRow) -> Outcome {
    let mut bad = Vec::new();
    let mut kept = file.apply(vec![row], &mut bad).expect("no plugin step");
    match (kept.pop(), bad.pop()) {
        (Some(row), None) => Outcome::Keep(row),
        (None, Some(row)) => Outcome::Failed(row),
        (None, None) => Outcome::Dropped,
        (Some(_), Some(_)) => panic!("one row in, a row kept and a row failed"),
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn kept(outcome: Outcome) -> Vec<(String, Cell)> {
    match outcome {
        Outcome::Keep(row) => row
            .fields
            .into_iter()
            .map(|(name, cell)| (name.to_string(), cell))
            .collect(),
        other => panic!("expected the row kept, got {other:?}"),
    }
}

const CHAIN: &str = r#"transforms = [
  { rename = { "Amount EUR" = "amount" } },
  { cast = { amount = "decimal" } },
  { filter = "status == \"settled\" && amount > 0" },
  { derive = { band = "if amount >= 100 { \"high\" } else { \"low\" }", double = "amount * 2" } },
]"#;

#[test]
fn a_chain_renames_casts_filters_and_derives() {
    let transforms = steps(CHAIN);
    let mut file = transforms.for_file(None);
    let fields = kept(apply_one(
        &mut file,
        row(
            2,
            &[("Amount EUR", text("100.10")), ("status", text("settled"))],
        ),
    ));
    assert_eq!(
        fields,
        [
            ("amount".to_string(), Cell::Decimal("100.10".to_string())),
            ("status".to_string(), text("settled")),
            ("band".to_string(), text("high")),
            ("double".to_string(), Cell::Decimal("200.20".to_string())),
        ]
    );
    for dropped in [
        row(3, &[("Amount EUR", text("5")), ("status", text("open"))]),
        row(4, &[("Amount EUR", text("0")), ("status", text("settled"))]),
    ] {
        assert!(matches!(apply_one(&mut file, dropped), Outcome::Dropped));
    }
    assert_eq!(
        file.counts(),
        TransformCounts {
            filtered: 2,
            deduplicated: 0,
            failed: 0
        }
    );
}

#[test]
fn a_failing_step_names_itself_and_the_place() {
    let transforms = steps(CHAIN);
    let mut file = transforms.for_file(None);
    let Outcome::Failed(bad) = apply_one(
        &mut file,
        row(
            7,
            &[("Amount EUR", text("12,5")), ("status", text("settled"))],
        ),
    ) else {
        panic!("the cast should fail");
    };
    assert_eq!(
        bad.reason,
        "line 7, transform step 2 (cast): column `amount`: `12,5` is not a decimal number"
    );
    let transforms = steps(r#"transforms = [{ derive = { ratio = "a / b" } }]"#);
    let mut file = transforms.for_file(None);
    let Outcome::Failed(bad) = apply_one(
        &mut file,
        row(3, &[("a", Cell::Int(1)), ("b", Cell::Int(0))]),
    ) else {
        panic!("division by zero should fail");
    };
    assert!(
        bad.reason
            .starts_with("line 3, transform step 1 (derive): column `ratio`: "),
        "{}",
        bad.reason
    );
    assert!(bad.reason.to_lowercase().contains("zero"), "{}", bad.reason);
    let transforms = steps(r#"transforms = [{ filter = "a + 1" }]"#);
    let Outcome::Failed(bad) = apply_one(
        &mut transforms.for_file(None),
        row(1, &[("a", Cell::Int(1))]),
    ) else {
        panic!("a filter giving a number should fail");
    };
    assert!(
        bad.reason.contains("gave an integer, not true or false"),
        "{}",
        bad.reason
    );
}

#[test]
fn dedup_keeps_the_first_or_the_last_row_of_a_key() {
    let rows = || {
        [(1, "a", 1), (2, "b", 2), (3, "a", 3), (4, "a", 4)]
            .map(|(line, id, n)| row(line, &[("id", text(id)), ("n", Cell::Int(n))]))
    };
    let first = Transforms::compile(&[TransformStep::Dedup(DedupStep {
        key: vec!["id".to_string()],
        keep: Keep::First,
    })])
    .expect("compiles");
    assert!(!first.needs_scan());
    let mut file = first.for_file(None);
    let kept_n: Vec<Cell> = rows()
        .into_iter()
        .filter_map(|r| match apply_one(&mut file, r) {
            Outcome::Keep(r) => Some(r.fields[1].1.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(kept_n, [Cell::Int(1), Cell::Int(2)]);
    assert_eq!(file.counts().deduplicated, 2);

    let last = steps(r#"transforms = [{ dedup = { key = ["id"], keep = "last" } }]"#);
    assert!(last.needs_scan());
    let mut scan = last.for_file(None);
    scan.scan(rows().into()).expect("no plugin step");
    let mut file = last.for_file(Some(scan.into_last()));
    let kept_n: Vec<Cell> = rows()
        .into_iter()
        .filter_map(|r| match apply_one(&mut file, r) {
            Outcome::Keep(r) => Some(r.fields[1].1.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(kept_n, [Cell::Int(2), Cell::Int(4)]);
    assert_eq!(file.counts().deduplicated, 2);
}

#[test]
fn columns_a_step_names_are_checked_in_order() {
    let transforms = steps(CHAIN);
    let columns = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        transforms.check_columns(&columns(&["Amount EUR", "status"])),
        Ok(())
    );
    assert_eq!(
        transforms.check_columns(&columns(&["Amount EUR", "state"])),
        Err(
            "transform step 3 (filter): no column `status` (the row has: amount, state)"
                .to_string()
        )
    );
    assert!(
        transforms
            .check_columns(&columns(&["amount", "status"]))
            .expect_err("rename of a missing column")
            .starts_with("transform step 1 (rename): no column `amount_eur`")
    );
}
