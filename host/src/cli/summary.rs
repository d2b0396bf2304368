//! The few lines `sluice run` prints when it is done.

use std::fmt::Write;

use crate::load::tables;
use crate::pipeline::RunReport;

/// The summary of a run: per table the records and what loading did with
/// them, then quarantine, and a plain sentence when nothing changed.
pub fn render(report: &RunReport, database: &str) -> String {
    let mut out = String::new();
    let outcome = if report.error.is_some() {
        "failed"
    } else {
        "finished"
    };
    let _ = writeln!(
        out,
        "run {} of pipeline `{}` {outcome} in {:.2} s: {} request{} into {database}",
        report.run_id,
        report.pipeline,
        report.elapsed.as_secs_f64(),
        report.requests,
        if report.requests == 1 { "" } else { "s" },
    );
    let _ = writeln!(
        out,
        "  {:<14} {:>8} {:>9} {:>8} {:>10}",
        "table", "records", "inserted", "updated", "unchanged"
    );
    for table in tables::ALL {
        if let Some(c) = report.counts.tables.get(table.name) {
            let _ = writeln!(
                out,
                "  {:<14} {:>8} {:>9} {:>8} {:>10}",
                table.name, c.records, c.inserted, c.updated, c.unchanged
            );
        }
    }
    let total = report.counts.total();
    if report.counts.duplicates > 0 {
        let _ = writeln!(
            out,
            "  repeated within a response (last kept): {}",
            report.counts.duplicates
        );
    }
    let _ = writeln!(out, "  quarantined: {}", report.counts.quarantined);
    if report.error.is_none() && total.inserted + total.updated == 0 {
        let _ = writeln!(
            out,
            "No changes: all {} records were already loaded and unchanged.",
            total.records
        );
    }
    out
}
