//! What a run tells its lineage server: the streams it reads at START, and
//! at its end the streams with their checks and the tables it wrote.

use super::concurrency::StreamOutcome;
use super::{PreparedPipeline, PreparedStream, RunReport, Stores};
use crate::lineage::{Assertion, RunEnd, RunRef, StreamRead, TableWritten};
use crate::state::{LoadCounts, RunId, RunMode, RunStatus};

/// The check quarantine makes today: nothing a stream read was set aside.
const NO_QUARANTINED_ROWS: &str = "no_quarantined_rows";

/// What each stream of a run read, and how its checks went, once it ran.
pub(super) struct ReadStreams(Vec<StreamRead>);

impl ReadStreams {
    /// The streams of `prepared`, before any ran.
    pub(super) fn planned(prepared: &PreparedPipeline) -> Self {
        ReadStreams(prepared.streams.iter().map(|s| read(s, None)).collect())
    }

    /// The streams that ran, in config order, each with its outcome's
    /// checks, and the fallbacks that served for them.
    pub(super) fn ran(prepared: &PreparedPipeline, outcomes: &[StreamOutcome]) -> Self {
        let mut reads = Vec::new();
        for (stream, outcome) in prepared.streams.iter().zip(outcomes) {
            reads.push(read(stream, Some(&outcome.counts)));
            for served in &outcome.fallbacks {
                if let Some(fallback) = stream
                    .fallbacks
                    .iter()
                    .find(|f| f.key == served.fallback_key)
                {
                    reads.push(read(fallback, None));
                }
            }
        }
        ReadStreams(reads)
    }
}

fn read(stream: &PreparedStream, counts: Option<&LoadCounts>) -> StreamRead {
    let assertions = counts
        .map(|c| {
            vec![Assertion {
                assertion: NO_QUARANTINED_ROWS.to_string(),
                success: c.quarantined == 0 && c.failed_batches == 0,
                column: None,
            }]
        })
        .unwrap_or_default();
    // The stream with its parameters: two streams of one provider that
    // differ only by them read different datasets.
    let name = stream
        .key
        .strip_prefix(&format!("{}/", stream.provider))
        .unwrap_or(&stream.key)
        .trim_end_matches('?');
    StreamRead {
        base_url: stream.client.base_url().to_string(),
        stream: name.to_string(),
        assertions,
    }
}

/// The tables `counts` wrote to, with the rows inserted or changed, and
/// `odds_history` when prices moved.
fn tables_written(counts: &LoadCounts) -> Vec<TableWritten> {
    let mut tables: Vec<TableWritten> = counts
        .tables
        .iter()
        .filter(|(_, c)| c.records > 0 || c.deleted > 0)
        .map(|(table, c)| TableWritten {
            table: (*table).to_string(),
            rows: c.inserted + c.updated,
            assertions: Vec::new(),
        })
        .collect();
    let moves: u64 = counts.tables.values().map(|c| c.moves).sum();
    if moves > 0 {
        tables.push(TableWritten {
            table: "odds_history".to_string(),
            rows: moves,
            assertions: Vec::new(),
        });
    }
    tables
}

/// Each written table's quality checks, as its `dataQualityAssertions`;
/// a table checked but not written this run is listed too.
fn with_checks(tables: &mut Vec<TableWritten>, quality: &crate::quality::QualityReport) {
    for checked in &quality.tables {
        let assertions = checked.checks.iter().map(|check| Assertion {
            assertion: check.name.clone(),
            success: check.passed,
            column: None,
        });
        match tables.iter_mut().find(|t| t.table == checked.table) {
            Some(table) => table.assertions.extend(assertions),
            None => tables.push(TableWritten {
                table: checked.table.clone(),
                rows: 0,
                assertions: assertions.collect(),
            }),
        }
    }
}

/// Sends START for a run that is not a dry run.
pub(super) async fn started(
    prepared: &PreparedPipeline,
    stores: &Stores,
    run_id: RunId,
    mode: RunMode,
) {
    let Some(transport) = prepared
        .lineage
        .as_ref()
        .filter(|_| mode != RunMode::DryRun)
    else {
        return;
    };
    let run = run_ref(prepared, stores, run_id);
    transport
        .run_started(run, &ReadStreams::planned(prepared).0)
        .await;
}

/// Sends the run's last event: COMPLETE, FAIL or ABORT by its status.
pub(super) async fn ended(
    prepared: &PreparedPipeline,
    stores: &Stores,
    report: &RunReport,
    reads: &ReadStreams,
) {
    let Some(transport) = prepared
        .lineage
        .as_ref()
        .filter(|_| report.mode != RunMode::DryRun)
    else {
        return;
    };
    let end = match report.status {
        RunStatus::Failed => RunEnd::Fail,
        RunStatus::Abandoned => RunEnd::Abort,
        _ => RunEnd::Complete,
    };
    let run = run_ref(prepared, stores, report.run_id);
    let mut tables = tables_written(&report.counts);
    if let Some(quality) = &report.quality {
        with_checks(&mut tables, quality);
    }
    transport.run_ended(run, end, &reads.0, &tables).await;
}

/// Sends FAIL for a run that ended in an error before its report.
pub(super) async fn failed(
    prepared: &PreparedPipeline,
    stores: &Stores,
    run_id: RunId,
    mode: RunMode,
    reads: &ReadStreams,
    counts: &LoadCounts,
) {
    let Some(transport) = prepared
        .lineage
        .as_ref()
        .filter(|_| mode != RunMode::DryRun)
    else {
        return;
    };
    let run = run_ref(prepared, stores, run_id);
    transport
        .run_ended(run, RunEnd::Fail, &reads.0, &tables_written(counts))
        .await;
}

fn run_ref<'a>(prepared: &'a PreparedPipeline, stores: &'a Stores, run_id: RunId) -> RunRef<'a> {
    RunRef {
        pool: stores.state.pool(),
        pipeline: &prepared.name,
        run_id,
    }
}
