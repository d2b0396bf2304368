//! Every command explains itself.

use crate::common::{sluice_command, stdout};

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["plugin", "--help"],
        vec!["plugin", "run", "--help"],
        vec!["replay-provider", "--help"],
    ] {
        let out = sluice_command(&args).output().expect("run");
        assert!(out.status.success(), "{args:?}");
        let text = stdout(&out);
        assert!(text.contains("Usage: sluice"), "{args:?}: {text}");
    }
    let top = stdout(&sluice_command(&["--help"]).output().expect("run"));
    insta::assert_snapshot!("sluice_help", top);
    let run = stdout(&sluice_command(&["run", "--help"]).output().expect("run"));
    insta::assert_snapshot!("sluice_run_help", run);
}

#[test]
fn a_missing_argument_says_which() {
    crate::sluice_snapshot!(
        "run_without_a_pipeline",
        sluice_command(&["run"]).output().expect("run")
    );
}
