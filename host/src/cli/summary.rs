//! The few lines `sluice run` and `sluice replay` print when they are done.

use std::fmt::Write;

use crate::load::tables;
use crate::pipeline::RunReport;
use crate::resolve::ResolveReport;
use crate::state::{RunMode, RunStatus};

/// `run 3 of pipeline `demo``, `dry run 4 …`, `replay 5 of run 3 …`.
pub fn title(report: &RunReport) -> String {
    match report.mode {
        RunMode::Run => format!("run {} of pipeline `{}`", report.run_id, report.pipeline),
        RunMode::DryRun => format!(
            "dry run {} of pipeline `{}`",
            report.run_id, report.pipeline
        ),
        RunMode::Replay(Some(of)) => format!(
            "replay {} of run {of} (pipeline `{}`)",
            report.run_id, report.pipeline
        ),
        RunMode::Replay(None) => {
            format!("replay {} (pipeline `{}`)", report.run_id, report.pipeline)
        }
    }
}

/// The summary of a run: per table the records and what loading did with
/// them, then quarantine, and a plain sentence when nothing changed.
pub fn render(report: &RunReport, database: &str) -> String {
    let mut out = String::new();
    let requests = report.counts.requests;
    let _ = writeln!(
        out,
        "{} {} in {:.2} s: {requests} request{} into {database}",
        title(report),
        report.status.as_str(),
        report.elapsed.as_secs_f64(),
        if requests == 1 { "" } else { "s" },
    );
    if report.mode == RunMode::DryRun {
        let _ = writeln!(
            out,
            "  dry run: nothing was loaded; this is what would have changed"
        );
    }
    // As wide as the longest table name, so every row lines up.
    let width = tables::ALL.iter().map(|t| t.name.len()).max().unwrap_or(5);
    let _ = writeln!(
        out,
        "  {:<width$} {:>8} {:>9} {:>8} {:>10}",
        "table", "records", "inserted", "updated", "unchanged"
    );
    for table in tables::ALL {
        if let Some(c) = report.counts.tables.get(table.name) {
            let _ = writeln!(
                out,
                "  {:<width$} {:>8} {:>9} {:>8} {:>10}",
                table.name, c.records, c.inserted, c.updated, c.unchanged
            );
        }
    }
    let total = report.counts.total();
    if total.moves + total.deleted > 0 {
        let _ = writeln!(
            out,
            "  odds moves recorded in odds_history: {}; withdrawn lines deleted: {}",
            total.moves, total.deleted
        );
    }
    if report.counts.duplicates > 0 {
        let _ = writeln!(
            out,
            "  repeated within a response (last kept): {}",
            report.counts.duplicates
        );
    }
    for source in &report.files {
        let _ = writeln!(out, "  {}", source.line());
    }
    let _ = writeln!(out, "  quarantined: {}", report.counts.quarantined);
    if report.counts.live_events > 0 {
        let _ = writeln!(
            out,
            "  live: {} events told (goals, cards, corrections, status)",
            report.counts.live_events
        );
    }
    if report.counts.failed_batches > 0 {
        let _ = writeln!(
            out,
            "  responses quarantined whole: {}",
            report.counts.failed_batches
        );
    }
    let _ = writeln!(
        out,
        "  {}: {} in = {} inserted + {} updated + {} unchanged + {} repeated + {} quarantined",
        if report.counts.balances() {
            "balanced"
        } else {
            "NOT BALANCED"
        },
        report.counts.records_in(),
        total.inserted,
        total.updated,
        total.unchanged,
        report.counts.duplicates,
        report.counts.quarantined
    );
    for fallback in &report.fallbacks {
        let _ = writeln!(
            out,
            "  fallback: {} served in place of {} ({})",
            fallback.fallback_key, fallback.stream_key, fallback.reason
        );
    }
    if let Some(resolution) = report.resolution.as_ref().filter(|r| r.linked() > 0) {
        let _ = writeln!(out, "  {}", resolution_line(resolution));
    }
    if let Some(quality) = &report.quality {
        for line in quality.render().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    for failure in &report.failures {
        let _ = writeln!(out, "  ! {}: {}", failure.stream_key, failure.error);
    }
    if report.stopped_at_limit {
        let _ = writeln!(
            out,
            "  stopped at --max-requests: streams still running stopped at the limit, and those not yet started did not run"
        );
    }
    if report.status == RunStatus::Succeeded && total.inserted + total.updated == 0 {
        let _ = match report.mode {
            RunMode::DryRun => writeln!(
                out,
                "No changes: loading would change none of the {} records.",
                total.records
            ),
            _ => writeln!(
                out,
                "No changes: all {} records were already loaded and unchanged.",
                total.records
            ),
        };
    }
    out
}

/// "resolved: 71 events (71 merged), 18 teams (18 merged, 1 to review)".
pub fn resolution_line(report: &ResolveReport) -> String {
    let kinds: Vec<String> = report
        .kinds
        .iter()
        .map(|(kind, c)| {
            let plural = if c.linked == 1 { "" } else { "s" };
            let review = if c.review > 0 {
                format!(", {} to review", c.review)
            } else {
                String::new()
            };
            format!(
                "{} {}{plural} ({} merged{review})",
                c.linked,
                kind.as_str(),
                c.merged
            )
        })
        .collect();
    let hint = if report.review() > 0 {
        "; `sluice resolve review` lists the links left unmerged"
    } else {
        ""
    };
    format!("resolved: {}{hint}", kinds.join(", "))
}
