//! Scores and grades: how far each check is inside its allowance, how the
//! checks add up by severity, and which band a score falls in.
//!
//! A check's *use* `r` is how much of its allowance it used: failing rows
//! over the rows it may fail (`max_failing`), a freshness check's age over
//! its `max_age`, a volume check's deviation over its tolerance, a drift
//! check's shift over its `max_shift`. Its unit score is `1 − 0.2·r` when
//! `r ≤ 1` (it passes, between 0.8 and 1 by how far inside it stays) and 0
//! when it fails. A table's (and a run's) score is the mean of its checks'
//! unit scores weighted by severity: warn 1, quarantine 2, fail_batch 3,
//! fail_run 4. A hard gate (a null key, data past its freshness limit)
//! makes the grade F whatever the score.

use crate::config::Severity;

/// How much a passing check can lose for using its whole allowance.
pub const PASSING_SPAN: f64 = 0.2;

/// A check's weight in its table's and run's score.
pub fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Warn => 1.0,
        Severity::Quarantine => 2.0,
        Severity::FailBatch => 3.0,
        Severity::FailRun => 4.0,
    }
}

/// The share of its allowance a check used, from its failing and allowed
/// counts: 0 when nothing failed, infinite when nothing was allowed and
/// something failed.
pub fn used(failing: f64, allowed: f64) -> f64 {
    if failing <= 0.0 {
        0.0
    } else if allowed <= 0.0 {
        f64::INFINITY
    } else {
        failing / allowed
    }
}

/// The unit score of a check that used `r` of its allowance.
pub fn unit(r: f64) -> f64 {
    if r <= 1.0 {
        1.0 - PASSING_SPAN * r.max(0.0)
    } else {
        0.0
    }
}

/// The severity-weighted mean of `(severity, unit score)` pairs; 1 when
/// there are none.
pub fn weighted(units: impl IntoIterator<Item = (Severity, f64)>) -> f64 {
    let (sum, weights) = units
        .into_iter()
        .fold((0.0, 0.0), |(sum, weights), (severity, unit)| {
            (sum + weight(severity) * unit, weights + weight(severity))
        });
    if weights == 0.0 { 1.0 } else { sum / weights }
}

/// The grade of `score` in `bands` (best first), or F below the last; a
/// hard gate makes it F.
pub fn grade(score: f64, bands: &[(char, f64)], gated: bool) -> char {
    if gated {
        return 'F';
    }
    bands
        .iter()
        .find(|(_, lowest)| score >= *lowest - 1e-9)
        .map_or('F', |(grade, _)| *grade)
}

/// Whether `grade` is worse than `min` (A is best, F worst).
pub fn below(grade: char, min: char) -> bool {
    grade > min
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_BANDS;

    /// The documented example: a CRM batch of 10,000 rows with 98.5%
    /// completeness (at least 95% wanted), 2.1% outliers (at most 5%) and
    /// 0.3% duplicates (at most 2%), all three `warn`.
    #[test]
    fn a_typical_crm_batch_scores_0_942_and_grade_a() {
        let rows = 10_000.0;
        let completeness = unit(used(150.0, 0.05 * rows));
        let outliers = unit(used(210.0, 0.05 * rows));
        let duplicates = unit(used(30.0, 0.02 * rows));
        assert!((completeness - 0.94).abs() < 1e-12);
        assert!((outliers - 0.916).abs() < 1e-12);
        assert!((duplicates - 0.97).abs() < 1e-12);
        let score = weighted([
            (Severity::Warn, completeness),
            (Severity::Warn, outliers),
            (Severity::Warn, duplicates),
        ]);
        assert!((score - 0.942).abs() < 1e-12, "{score}");
        assert_eq!(grade(score, &DEFAULT_BANDS, false), 'A');
    }

    #[test]
    fn severities_weigh_1_2_3_4() {
        let score = weighted([
            (Severity::Warn, 1.0),
            (Severity::Quarantine, 0.0),
            (Severity::FailBatch, 1.0),
            (Severity::FailRun, 0.0),
        ]);
        assert!((score - 0.4).abs() < 1e-12);
        assert_eq!(weighted([]), 1.0);
    }

    #[test]
    fn a_failing_check_scores_nothing_and_a_clean_one_everything() {
        assert_eq!(unit(used(0.0, 0.0)), 1.0);
        assert_eq!(unit(used(1.0, 0.0)), 0.0);
        assert_eq!(unit(used(11.0, 10.0)), 0.0);
        assert!((unit(used(10.0, 10.0)) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn bands_grade_scores_and_gates_force_f() {
        let bands = DEFAULT_BANDS;
        assert_eq!(grade(1.0, &bands, false), 'A');
        assert_eq!(grade(0.9, &bands, false), 'A');
        assert_eq!(grade(0.85, &bands, false), 'B');
        assert_eq!(grade(0.7, &bands, false), 'C');
        assert_eq!(grade(0.65, &bands, false), 'D');
        assert_eq!(grade(0.59, &bands, false), 'F');
        assert_eq!(grade(1.0, &bands, true), 'F');
        let strict = [('A', 0.99), ('B', 0.95), ('C', 0.9), ('D', 0.5)];
        assert_eq!(grade(0.942, &strict, false), 'C');
        assert!(below('C', 'B'));
        assert!(!below('A', 'B'));
        assert!(!below('B', 'B'));
    }
}
