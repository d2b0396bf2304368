//! What `sluice serve`'s scheduler does: runs started and ended, ticks
//! skipped, runs that could not start.

use std::fmt::Display;

use super::InternalEvent;

/// A run of a pipeline started (`running`) or ended.
pub struct RunTriggered<'a> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// Why it started (`schedule`, `catch-up`, `api`); empty when it ended.
    pub trigger: &'a str,
    /// Whether it is running now.
    pub running: bool,
}

impl InternalEvent for RunTriggered<'_> {
    fn emit(self) {
        if self.running {
            tracing::info!(pipeline = %self.pipeline, trigger = self.trigger, "run started");
        }
        metrics::gauge!("sluice_runs_running", "pipeline" => self.pipeline.to_string())
            .set(if self.running { 1.0 } else { 0.0 });
    }
}

/// A scheduled tick found the pipeline's previous run still going: no run
/// starts and none is queued.
pub struct TickSkipped<'a> {
    /// The pipeline.
    pub pipeline: &'a str,
}

impl InternalEvent for TickSkipped<'_> {
    fn emit(self) {
        tracing::warn!(
            pipeline = %self.pipeline,
            "scheduled run skipped: the previous run is still going"
        );
        metrics::counter!("sluice_schedule_skipped_total", "pipeline" => self.pipeline.to_string())
            .increment(1);
    }
}

/// A run could not start or could not be recorded.
pub struct RunNotStarted<'a, E: Display> {
    /// The pipeline.
    pub pipeline: &'a str,
    /// Why.
    pub error: &'a E,
}

impl<E: Display> InternalEvent for RunNotStarted<'_, E> {
    fn emit(self) {
        tracing::error!(pipeline = %self.pipeline, error = %self.error, "run not started");
    }
}

/// Runs left `running` by a process that is gone were marked abandoned.
pub struct RunsAbandoned<'a> {
    /// Their ids, pipelines and modes.
    pub runs: &'a [(i64, String, String)],
    /// Why.
    pub why: &'a str,
}

impl InternalEvent for RunsAbandoned<'_> {
    fn emit(self) {
        for (id, pipeline, mode) in self.runs {
            tracing::warn!(run_id = id, %pipeline, %mode, why = self.why, "run marked abandoned");
            // `sluice_runs_total` counts runs, as `RunFinished` does:
            // dry runs and replays are not among them.
            if mode != "run" {
                continue;
            }
            metrics::counter!("sluice_runs_total", "pipeline" => pipeline.clone(), "outcome" => "abandoned")
                .increment(1);
        }
    }
}
