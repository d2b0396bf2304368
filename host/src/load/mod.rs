//! Loading: writes a batch's rows, its quarantined items, its archived
//! response, its checkpoint and its run counters in one transaction, so a
//! crash never separates the data from the position that says it was loaded.

mod sqlite;
pub mod tables;

pub use sqlite::SqliteSink;

use std::collections::BTreeMap;

use crate::extract::BreakerSnapshot;
use crate::model::{Record, Reject};
use crate::state::archive::{LatestResponse, ReplayItem};
use crate::state::providers::ProviderStatus;
use crate::state::runs::RunRow;
use crate::state::{ArchivedResponse, ReplaySelection, RunId, RunMode, RunStatus};

/// Why loading failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The URL names a database this build cannot load into.
    #[error("database URL `{url}`: unsupported scheme (supported: sqlite://PATH)")]
    UnsupportedDatabase {
        /// The URL.
        url: String,
    },
    /// The database could not be opened.
    #[error("cannot open database {url}: {source}")]
    Connect {
        /// The URL.
        url: String,
        /// What sqlx said.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        /// The URL.
        url: String,
        /// What sqlx said.
        source: sqlx::migrate::MigrateError,
    },
    /// A payload could not be compressed or decompressed.
    #[error("raw archive: {0}")]
    Archive(String),
    /// A statement failed; the transaction was rolled back.
    #[error("database error while {doing}: {source}")]
    Query {
        /// What the host was doing.
        doing: String,
        /// What sqlx said.
        source: sqlx::Error,
    },
}

impl LoadError {
    /// A [`LoadError::Query`] for `doing`.
    pub(crate) fn query(doing: impl Into<String>) -> impl FnOnce(sqlx::Error) -> Self {
        let doing = doing.into();
        move |source| LoadError::Query { doing, source }
    }
}

/// One response's worth of output, with what identifies where it came from.
#[derive(Debug, Clone)]
pub struct LoadBatch {
    /// The run loading it.
    pub run_id: RunId,
    /// Pipeline name.
    pub pipeline: String,
    /// Identifies the stream and its parameters across runs.
    pub stream_key: String,
    /// Provider config name.
    pub provider: String,
    /// Stream name.
    pub stream: String,
    /// Plugin that produced it.
    pub plugin: String,
    /// The plugin's version.
    pub plugin_version: String,
    /// sha256 of the response body.
    pub payload_hash: String,
    /// HTTP requests made for this batch (0 when served from the archive).
    pub requests: u64,
    /// The response to archive; none when it is archived already (replay).
    pub response: Option<ArchivedResponse>,
    /// What the plugin made of it.
    pub outcome: BatchOutcome,
}

/// What the plugin made of a response.
#[derive(Debug, Clone)]
pub enum BatchOutcome {
    /// Records to load, items to quarantine, and the stream's new position.
    Loaded {
        /// Canonical records.
        records: Vec<Record>,
        /// Rejected items.
        rejects: Vec<Reject>,
        /// The stream's position after this batch.
        cursor: Option<String>,
    },
    /// The plugin failed on the whole response: it is quarantined with its
    /// body and nothing of it loads.
    Failed {
        /// Why.
        reason: String,
        /// The body as text.
        raw: String,
    },
}

/// What loading did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableCounts {
    /// Records received for the table.
    pub records: u64,
    /// New rows.
    pub inserted: u64,
    /// Rows whose content changed.
    pub updated: u64,
    /// Rows already holding the same content.
    pub unchanged: u64,
}

impl TableCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: TableCounts) {
        self.records += other.records;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// What loading did with one or more batches. Every record in is accounted
/// for: `records_in = inserted + updated + unchanged + duplicates`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadCounts {
    /// Per table.
    pub tables: BTreeMap<&'static str, TableCounts>,
    /// Records that repeated an earlier record of the same batch (the last
    /// one wins).
    pub duplicates: u64,
    /// Items quarantined.
    pub quarantined: u64,
    /// Responses quarantined whole.
    pub failed_batches: u64,
    /// HTTP requests made.
    pub requests: u64,
}

impl LoadCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &LoadCounts) {
        for (table, counts) in &other.tables {
            self.tables.entry(table).or_default().add(*counts);
        }
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
        self.failed_batches += other.failed_batches;
        self.requests += other.requests;
    }

    /// All tables together.
    pub fn total(&self) -> TableCounts {
        let mut total = TableCounts::default();
        for counts in self.tables.values() {
            total.add(*counts);
        }
        total
    }
}

/// Where rows go, chosen by the database URL.
pub enum Sink {
    /// A SQLite file.
    Sqlite(SqliteSink),
}

impl Sink {
    /// Opens the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, LoadError> {
        if url.starts_with("sqlite:") {
            return Ok(Sink::Sqlite(SqliteSink::connect(url).await?));
        }
        Err(LoadError::UnsupportedDatabase {
            url: url.to_string(),
        })
    }

    /// Records the start of a run of `pipeline`.
    pub async fn start_run(&self, pipeline: &str, mode: RunMode) -> Result<RunId, LoadError> {
        match self {
            Sink::Sqlite(s) => s.start_run(pipeline, mode).await,
        }
    }

    /// The stored position of a stream, if any.
    pub async fn checkpoint(
        &self,
        pipeline: &str,
        stream_key: &str,
    ) -> Result<Option<String>, LoadError> {
        match self {
            Sink::Sqlite(s) => s.checkpoint(pipeline, stream_key).await,
        }
    }

    /// Loads a batch atomically with its archive, checkpoint and counters;
    /// a dry run rolls it back and keeps only the counters.
    pub async fn commit_batch(
        &self,
        batch: LoadBatch,
        mode: RunMode,
    ) -> Result<LoadCounts, LoadError> {
        match self {
            Sink::Sqlite(s) => s.commit_batch(batch, mode).await,
        }
    }

    /// Records how a run ended.
    pub async fn finish_run(
        &self,
        run_id: RunId,
        status: RunStatus,
        error: Option<&str>,
        note: Option<&str>,
    ) -> Result<(), LoadError> {
        match self {
            Sink::Sqlite(s) => s.finish_run(run_id, status, error, note).await,
        }
    }

    /// The newest archived response of `url` in a stream.
    pub async fn latest_response(
        &self,
        stream_key: &str,
        url: &str,
    ) -> Result<Option<LatestResponse>, LoadError> {
        match self {
            Sink::Sqlite(s) => s.latest_response(stream_key, url).await,
        }
    }

    /// An archived body.
    pub async fn payload(&self, payload_hash: &str) -> Result<Vec<u8>, LoadError> {
        match self {
            Sink::Sqlite(s) => s.payload(payload_hash).await,
        }
    }

    /// Archived responses to replay.
    pub async fn replay_items(
        &self,
        selection: &ReplaySelection,
    ) -> Result<Vec<ReplayItem>, LoadError> {
        match self {
            Sink::Sqlite(s) => s.replay_items(selection).await,
        }
    }

    /// A provider's stored breaker.
    pub async fn load_breaker(&self, provider: &str) -> Result<Option<BreakerSnapshot>, LoadError> {
        match self {
            Sink::Sqlite(s) => s.load_breaker(provider).await,
        }
    }

    /// Stores a provider's breaker.
    pub async fn save_breaker(
        &self,
        provider: &str,
        snapshot: &BreakerSnapshot,
    ) -> Result<(), LoadError> {
        match self {
            Sink::Sqlite(s) => s.save_breaker(provider, snapshot).await,
        }
    }

    /// Latest runs and every provider's state, for `sluice status`.
    pub async fn status(&self, runs: i64) -> Result<(Vec<RunRow>, Vec<ProviderStatus>), LoadError> {
        match self {
            Sink::Sqlite(s) => s.status(runs).await,
        }
    }
}
