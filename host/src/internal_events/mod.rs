//! Everything worth observing that happens in the host, one type each:
//! `emit()` writes its log line in one place, with the same fields every
//! time, and is where its metric is counted, so logs and metrics cannot
//! disagree. Callers build the event where it happens and emit it; they
//! never write the line themselves.

mod alerts;
mod extract;
mod lineage;
mod live;
mod live_sink;
mod pipeline;
mod plugin;
mod quality;
mod serve;

pub use alerts::{AlertNotification, AlertsFiring, AlertsNotEvaluated, NotificationOutcome};
pub use extract::{
    BreakerChange, BreakerChanged, QuotaObserved, QuotaReserveReached, QuotaWindowSpent,
    RateLimited, RequestRetried, RequestSent, ResponseReceived,
};
pub use lineage::{LineageEventNotSent, LineageEventSent};
pub use live::{LiveFallbackPolled, LiveHandover, OddsSuspensionsChanged};
pub use live_sink::{
    LiveSinkDbFailed, LiveSinkDelivered, LiveSinkEventsDropped, LiveSinkFailed, LiveSinkFailure,
    LiveSinkMessageSkipped,
};
pub use pipeline::{
    BatchCommitted, BatchNormalized, BatchQuarantined, CheckpointCleared, ConcurrentLoadMerged,
    FallbackServing, RecordsQuarantined, RecordsResolved, ReplaceCommitted, ReplaceIncomplete,
    ResolutionFailed, RunFinished, StreamFailed, StreamFinished,
};
pub use plugin::{
    PluginCalled, PluginNotLoaded, PluginPrinted, PluginPublished, PluginReloadAborted,
    PluginReloadRefused, PluginReloaded, PluginSwitchedOff,
};
pub use quality::{QualityGraded, TableGraded};
pub use serve::{RunNotStarted, RunTriggered, RunsAbandoned, TickSkipped};

/// Something that happened, observed once.
pub trait InternalEvent {
    /// Writes the event's log line.
    fn emit(self);
}
