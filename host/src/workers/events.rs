//! What a worker does that is worth observing, one type each: the log
//! line and the metric together.

use crate::internal_events::InternalEvent;

/// A worker claimed a unit.
pub struct UnitClaimed<'a> {
    /// The unit.
    pub unit: &'a str,
    /// The epoch it holds it under.
    pub epoch: i64,
    /// Whether the unit's previous worker let its lease run out.
    pub took_over: bool,
}

impl InternalEvent for UnitClaimed<'_> {
    fn emit(self) {
        if self.took_over {
            tracing::warn!(unit = %self.unit, epoch = self.epoch, "unit taken over: its worker's lease ran out");
        } else {
            tracing::info!(unit = %self.unit, epoch = self.epoch, "unit claimed");
        }
        metrics::counter!("sluice_worker_claims_total", "took_over" => self.took_over.to_string())
            .increment(1);
    }
}

/// A unit ended on this worker.
pub struct UnitEnded<'a> {
    /// The unit.
    pub unit: &'a str,
    /// done, failed, released or lost.
    pub outcome: &'static str,
    /// Why, when it failed or was lost.
    pub error: Option<&'a str>,
}

impl InternalEvent for UnitEnded<'_> {
    fn emit(self) {
        match (self.outcome, self.error) {
            ("done", _) => tracing::info!(unit = %self.unit, "unit done"),
            ("released", _) => tracing::info!(unit = %self.unit, "unit released to the queue"),
            (outcome, error) => tracing::warn!(
                unit = %self.unit,
                outcome,
                error = error.unwrap_or_default(),
                "unit ended"
            ),
        }
        metrics::counter!("sluice_worker_units_total", "outcome" => self.outcome).increment(1);
    }
}
