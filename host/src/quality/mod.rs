//! Data quality: checks declared per table in `[quality]`, judged before
//! the load (row-level, in one pass over a batch's rows in memory) and
//! after it (table-level, one aggregate query per table), graded into a
//! score and a grade per table and per run, and stored with every check's
//! figures.
//!
//! `plan.rs` readies the config's checks, `row_checks.rs` judges a batch,
//! `table_checks.rs` writes the aggregate queries, `validators.rs` runs
//! `plugin` checks' validator components, `score.rs` holds the
//! scoring formula and bands, `grade.rs` assembles a report, `report.rs`
//! holds and prints it, and `store.rs` keeps it.

pub mod grade;
pub mod plan;
pub mod report;
pub mod row_checks;
pub mod score;
pub mod store;
pub mod table_checks;
pub mod validators;

pub use plan::{QualityPlan, RunQuality};
pub use report::{CheckOutcome, QualityReport, TableReport};
pub use row_checks::Verdict;

/// Why the checks could not be readied.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    /// A check names what its table does not have.
    #[error("{key}: {message}")]
    Invalid {
        /// The offending key (`quality.checks[2].column`).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A `regex` check's pattern does not compile.
    #[error("quality check {check}: the pattern is not a regular expression: {message}")]
    Pattern {
        /// The check's name.
        check: String,
        /// What the regex compiler said.
        message: String,
    },
    /// A `plugin` check's validator could not be loaded.
    #[error("quality check {check}: {source}")]
    Validator {
        /// The check's name.
        check: String,
        /// Why the validator could not be loaded.
        #[source]
        source: crate::plugin::PluginError,
    },
}
