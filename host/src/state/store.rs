//! The host's own state as one store: runs, checkpoints, the raw archive,
//! breakers and quarantine, for the pipeline, `sluice serve` and the CLI.
//! What must commit with a batch is written by the loader inside the
//! batch's transaction, through the same modules.

use super::archive::{LatestResponse, ReplayItem};
use super::providers::ProviderStatus;
use super::quarantine::QuarantinedItem;
use super::runs::RunRow;
use super::{ReplaySelection, RunId, RunMode, RunStatus};
use crate::db::{Conn, DbError, Pool};
use crate::extract::BreakerSnapshot;

/// The state of the database of one pool.
#[derive(Clone)]
pub struct StateStore {
    pool: Pool,
}

impl StateStore {
    /// The state kept in the database of `pool`.
    pub fn new(pool: Pool) -> Self {
        StateStore { pool }
    }

    /// Opens the database at `url`, bringing its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        Ok(StateStore::new(Pool::connect(url).await?))
    }

    /// The connection pool, for callers that query the tables.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    async fn conn(&self) -> Result<Conn, DbError> {
        self.pool
            .acquire()
            .await
            .map_err(DbError::query("acquiring a connection"))
    }

    /// Records the start of a run of `pipeline`.
    pub async fn start_run(&self, pipeline: &str, mode: RunMode) -> Result<RunId, DbError> {
        super::runs::start(&mut self.conn().await?, pipeline, mode).await
    }

    /// The stored position of a stream, if any.
    pub async fn checkpoint(
        &self,
        pipeline: &str,
        stream_key: &str,
    ) -> Result<Option<String>, DbError> {
        super::checkpoints::load(&mut self.conn().await?, pipeline, stream_key).await
    }

    /// Forgets the stored position of a stream, so it starts over.
    pub async fn clear_checkpoint(&self, pipeline: &str, stream_key: &str) -> Result<(), DbError> {
        super::checkpoints::clear(&mut self.conn().await?, pipeline, stream_key).await
    }

    /// Stores what `provider` last reported of its quota windows.
    pub async fn save_quotas(
        &self,
        provider: &str,
        reports: &[(String, String, crate::extract::QuotaReport)],
    ) -> Result<(), DbError> {
        if reports.is_empty() {
            return Ok(());
        }
        super::quotas::save(&mut self.conn().await?, provider, reports).await
    }

    /// Records how one stream of a run went, with its last success, in one
    /// transaction.
    pub async fn record_stream_run(
        &self,
        row: &super::stream_runs::StreamRun,
    ) -> Result<(), DbError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(DbError::query("starting a transaction"))?;
        super::stream_runs::record(&mut tx, row).await?;
        tx.commit()
            .await
            .map_err(DbError::query("committing how the stream went"))
    }

    /// Records how a run ended; false when it was no longer `running`
    /// (marked `abandoned` meanwhile), which is left as it is.
    pub async fn finish_run(
        &self,
        run_id: RunId,
        status: RunStatus,
        error: Option<&str>,
        note: Option<&str>,
    ) -> Result<bool, DbError> {
        super::runs::finish(&mut self.conn().await?, run_id, status, error, note).await
    }

    /// The newest archived response of `url` in a stream.
    pub async fn latest_response(
        &self,
        stream_key: &str,
        url: &str,
    ) -> Result<Option<LatestResponse>, DbError> {
        super::archive::latest(&mut self.conn().await?, stream_key, url).await
    }

    /// Whether a live event of the provider's `events` or `competitions`
    /// committed after `since` (see [`super::live::told_since`]).
    pub async fn live_told_since(
        &self,
        provider: &str,
        events: &[String],
        competitions: &[String],
        since: &str,
    ) -> Result<bool, DbError> {
        super::live::told_since(
            &mut self.conn().await?,
            provider,
            events,
            competitions,
            since,
        )
        .await
    }

    /// An archived body.
    pub async fn payload(&self, payload_hash: &str) -> Result<Vec<u8>, DbError> {
        super::archive::payload(&mut self.conn().await?, payload_hash).await
    }

    /// Archived responses to replay.
    pub async fn replay_items(
        &self,
        selection: &ReplaySelection,
    ) -> Result<Vec<ReplayItem>, DbError> {
        super::archive::select(&mut self.conn().await?, selection).await
    }

    /// A provider's stored breaker.
    pub async fn load_breaker(&self, provider: &str) -> Result<Option<BreakerSnapshot>, DbError> {
        super::providers::load_breaker(&mut self.conn().await?, provider).await
    }

    /// Stores a provider's breaker.
    pub async fn save_breaker(
        &self,
        provider: &str,
        snapshot: &BreakerSnapshot,
    ) -> Result<(), DbError> {
        super::providers::save_breaker(&mut self.conn().await?, provider, snapshot).await
    }

    /// Quarantined items (see [`super::quarantine::list`]).
    pub async fn quarantined(
        &self,
        run: Option<RunId>,
        all: bool,
    ) -> Result<Vec<QuarantinedItem>, DbError> {
        super::quarantine::list(&mut self.conn().await?, run, all).await
    }

    /// One quarantined item.
    pub async fn quarantined_item(&self, id: i64) -> Result<Option<QuarantinedItem>, DbError> {
        super::quarantine::get(&mut self.conn().await?, id).await
    }

    /// Marks what a replay of `payload_hash` loaded as resolved.
    pub async fn resolve_quarantine(
        &self,
        payload_hash: &str,
        run_id: RunId,
        failed: bool,
        still_rejected: &[Option<String>],
    ) -> Result<u64, DbError> {
        super::quarantine::resolve(
            &mut self.conn().await?,
            payload_hash,
            run_id,
            failed,
            still_rejected,
        )
        .await
    }

    /// Latest runs and every provider's state, for `sluice status`.
    pub async fn status(&self, runs: i64) -> Result<(Vec<RunRow>, Vec<ProviderStatus>), DbError> {
        let mut conn = self.conn().await?;
        let recent = super::runs::recent(&mut conn, runs).await?;
        let providers = super::providers::all(&mut conn).await?;
        Ok((recent, providers))
    }
}
