//! A unit's fence, sealed in each of its batches' transactions: the batch
//! commits only while this worker's epoch is still the unit's, and with it
//! the unit's message is deleted and its next one sent, hidden for a
//! visibility timeout (the lease, renewed while the unit runs).

use futures_util::future::BoxFuture;
use std::sync::atomic::{AtomicBool, Ordering};

use super::queue::{Claim, QUEUE, UnitQueue};
use crate::db::{DbError, Tx};
use crate::load::BatchFence;

/// The fence of one claimed unit.
pub struct UnitFence {
    queue: UnitQueue,
    claim: Claim,
    vt_secs: u32,
    lost: AtomicBool,
}

impl UnitFence {
    /// The fence of `claim`, whose next messages stay hidden `vt_secs`.
    pub fn new(queue: UnitQueue, claim: Claim, vt_secs: u32) -> Self {
        UnitFence {
            queue,
            claim,
            vt_secs,
            lost: AtomicBool::new(false),
        }
    }

    /// Whether a batch found the unit held by another worker.
    pub fn lost(&self) -> bool {
        self.lost.load(Ordering::Acquire)
    }

    /// Marks the unit as held by another worker (a renewal found it so).
    pub fn mark_lost(&self) {
        self.lost.store(true, Ordering::Release);
    }

    async fn seal_postgres(
        &self,
        conn: &mut sqlx::PgConnection,
        last: bool,
    ) -> Result<(), DbError> {
        let unexpected = |e: &dyn std::fmt::Display| DbError::Unexpected(format!("{e}"));
        // The unit's row first: a claim by another worker waits for this
        // transaction, or this one finds its epoch gone.
        let current: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE sluice_units SET batches = batches + 1, \
             lease_until = clock_timestamp() + make_interval(secs => $3), \
             updated_at = clock_timestamp() \
             WHERE id = $1 AND epoch = $2 AND status = 'running' RETURNING msg_id",
        )
        .bind(&self.claim.unit)
        .bind(self.claim.epoch)
        .bind(f64::from(self.vt_secs))
        .fetch_optional(&mut *conn)
        .await
        .map_err(DbError::query("checking the unit's epoch"))?;
        let Some(current) = current else {
            self.mark_lost();
            return Err(DbError::Unexpected(format!(
                "unit {}: another worker holds it now (epoch {} is no longer current); \
                 the batch was not committed",
                self.claim.unit, self.claim.epoch
            )));
        };
        if let Some(msg_id) = current {
            self.queue
                .pgmq()
                .delete_with_cxn(QUEUE, msg_id, &mut *conn)
                .await
                .map_err(|e| unexpected(&e))?;
        }
        if last {
            // The unit is done with its last batch: no next message, and a
            // crash from here on leaves nothing to take over.
            sqlx::query(
                "UPDATE sluice_units SET status = 'done', msg_id = NULL, lease_until = NULL, \
                 finished_at = clock_timestamp() WHERE id = $1",
            )
            .bind(&self.claim.unit)
            .execute(&mut *conn)
            .await
            .map_err(DbError::query("marking the unit done"))?;
            return Ok(());
        }
        let next = self
            .queue
            .send(conn, &self.claim.unit, self.vt_secs)
            .await
            .map_err(|e| unexpected(&e))?;
        sqlx::query("UPDATE sluice_units SET msg_id = $2 WHERE id = $1")
            .bind(&self.claim.unit)
            .bind(next)
            .execute(&mut *conn)
            .await
            .map_err(DbError::query("moving the unit to its next message"))?;
        Ok(())
    }
}

impl BatchFence for UnitFence {
    fn seal<'a>(&'a self, tx: &'a mut Tx, last: bool) -> BoxFuture<'a, Result<(), DbError>> {
        Box::pin(async move {
            match tx {
                Tx::Postgres(t) => self.seal_postgres(t, last).await,
                Tx::Sqlite(_) => Err(DbError::Unexpected(
                    "work units need PostgreSQL; this batch was written to SQLite".to_string(),
                )),
            }
        })
    }
}
