//! The work-unit queue: a pgmq queue whose messages carry their unit's id
//! as their group, and `sluice_units`, which says which message and which
//! epoch of each unit are current. A unit has one live message at a time;
//! the message is its lease.

use pgmq::PGMQueueExt;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::postgres::PgConnection;

use super::WorkerError;

/// The pgmq queue of every pipeline's units.
pub const QUEUE: &str = "sluice_units";

/// A message of the queue: which unit it moves on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitMessage {
    /// The unit's id: `PIPELINE:STREAM_KEY`.
    pub unit: String,
}

/// pgmq's header naming a message's group: a grouped read hands out the
/// head of each group only, so one unit is never read twice at once.
#[derive(Debug, Serialize)]
struct GroupHeader<'a> {
    #[serde(rename = "x-pgmq-group")]
    group: &'a str,
}

/// A unit this worker holds, fenced by `epoch`.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The unit's id.
    pub unit: String,
    /// Its pipeline.
    pub pipeline: String,
    /// Its stream's key.
    pub stream_key: String,
    /// The epoch this worker holds it under.
    pub epoch: i64,
    /// Whether another worker held it under a lease that ran out.
    pub took_over: bool,
}

/// How a unit ended.
#[derive(Debug, Clone)]
pub enum Ending {
    /// Every batch committed.
    Done,
    /// The stream failed; the unit waits for `sluice enqueue` again.
    Failed(String),
    /// The worker stops: the unit goes back to the queue at once.
    Released,
}

/// What `sluice enqueue` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// Units queued (new, or done or failed before).
    pub queued: Vec<String>,
    /// Units left alone because they are queued or running already.
    pub pending: Vec<String>,
}

/// The unit id of stream `stream_key` of `pipeline`.
pub fn unit_id(pipeline: &str, stream_key: &str) -> String {
    format!("{pipeline}:{stream_key}")
}

/// The queue in one PostgreSQL database.
#[derive(Clone)]
pub struct UnitQueue {
    pool: PgPool,
    pgmq: std::sync::Arc<PGMQueueExt>,
}

fn queue_error(doing: &'static str) -> impl FnOnce(pgmq::PgmqError) -> WorkerError {
    move |source| WorkerError::Queue { doing, source }
}

fn sql_error(doing: &'static str) -> impl FnOnce(sqlx::Error) -> WorkerError {
    move |source| WorkerError::Sql { doing, source }
}

impl UnitQueue {
    /// The queue in the database of `pool`: pgmq's SQL is installed from
    /// the crate (no server extension) and the queue created, once, by
    /// whichever process comes first.
    pub async fn open(pool: PgPool) -> Result<Self, WorkerError> {
        let pgmq = PGMQueueExt::new_with_pool(pool.clone()).await;
        // Installing is not safe twice at once: processes starting together
        // take turns, on a lock held by one connection meanwhile.
        let mut lock = pool
            .acquire()
            .await
            .map_err(sql_error("connecting to install the queue"))?;
        sqlx::query("SELECT pg_advisory_lock(hashtext('sluice: install pgmq'))")
            .execute(&mut *lock)
            .await
            .map_err(sql_error("waiting to install the queue"))?;
        let installed = async {
            pgmq.install_sql_from_embedded()
                .await
                .map_err(queue_error("installing pgmq's SQL"))?;
            pgmq.create(QUEUE)
                .await
                .map_err(queue_error("creating the queue"))?;
            pgmq.create_fifo_index(QUEUE)
                .await
                .map_err(queue_error("indexing the queue's groups"))
        }
        .await;
        let unlocked = sqlx::query("SELECT pg_advisory_unlock(hashtext('sluice: install pgmq'))")
            .execute(&mut *lock)
            .await
            .map_err(sql_error("installing the queue"));
        installed?;
        unlocked?;
        Ok(UnitQueue {
            pool,
            pgmq: std::sync::Arc::new(pgmq),
        })
    }

    /// The database.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// pgmq's client, for the fence.
    pub fn pgmq(&self) -> &std::sync::Arc<PGMQueueExt> {
        &self.pgmq
    }

    /// Queues one unit per stream key of `pipeline`, each with its first
    /// message in the same transaction; a unit queued or running already
    /// is left alone, and one done or failed starts over under a new epoch.
    pub async fn enqueue(
        &self,
        pipeline: &str,
        stream_keys: &[String],
    ) -> Result<Enqueued, WorkerError> {
        let mut report = Enqueued::default();
        for key in stream_keys {
            let unit = unit_id(pipeline, key);
            let mut tx = self
                .pool
                .begin()
                .await
                .map_err(sql_error("starting to enqueue"))?;
            let queued: Option<i64> = sqlx::query_scalar(
                "INSERT INTO sluice_units (id, pipeline, stream_key, status) \
                 VALUES ($1, $2, $3, 'queued') \
                 ON CONFLICT (id) DO UPDATE SET status = 'queued', epoch = sluice_units.epoch + 1, \
                 worker = NULL, lease_until = NULL, error = NULL, batches = 0, run_id = NULL, \
                 started_at = NULL, finished_at = NULL, enqueued_at = clock_timestamp(), \
                 updated_at = clock_timestamp() \
                 WHERE sluice_units.status IN ('done', 'failed') \
                 RETURNING epoch",
            )
            .bind(&unit)
            .bind(pipeline)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(sql_error("queueing a unit"))?;
            if queued.is_none() {
                report.pending.push(unit);
                continue;
            }
            let msg_id = self.send(&mut tx, &unit, 0).await?;
            sqlx::query("UPDATE sluice_units SET msg_id = $2 WHERE id = $1")
                .bind(&unit)
                .bind(msg_id)
                .execute(&mut *tx)
                .await
                .map_err(sql_error("queueing a unit"))?;
            tx.commit()
                .await
                .map_err(sql_error("committing the queued unit"))?;
            report.queued.push(unit);
        }
        Ok(report)
    }

    /// Sends `unit`'s next message on `conn`, invisible for `delay_secs`.
    pub async fn send(
        &self,
        conn: &mut PgConnection,
        unit: &str,
        delay_secs: u32,
    ) -> Result<i64, WorkerError> {
        self.pgmq
            .send_delay_with_headers_with_cxn(
                QUEUE,
                &UnitMessage {
                    unit: unit.to_string(),
                },
                Some(&GroupHeader { group: unit }),
                delay_secs,
                &mut *conn,
            )
            .await
            .map_err(queue_error("sending a unit's message"))
    }

    /// Reads the head of one unit's group that no worker holds, hidden for
    /// `vt_secs`, and claims its unit under a new epoch. `None` when no
    /// unit is waiting; a message its unit no longer names (superseded
    /// while it was read) is deleted and `None` returned.
    pub async fn claim(&self, worker: &str, vt_secs: u32) -> Result<Option<Claim>, WorkerError> {
        let read: Vec<pgmq::types::Message<UnitMessage>> = self
            .pgmq
            .read_grouped_head(QUEUE, vt_secs, 1)
            .await
            .map_err(queue_error("reading the queue"))?;
        let Some(message) = read.into_iter().next() else {
            return Ok(None);
        };
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(sql_error("starting a claim"))?;
        let claimed: Option<(i64, bool, String, String)> = sqlx::query_as(
            "WITH before AS (SELECT status FROM sluice_units WHERE id = $1 FOR UPDATE) \
             UPDATE sluice_units SET epoch = epoch + 1, status = 'running', worker = $3, \
             lease_until = clock_timestamp() + make_interval(secs => $4), \
             takeovers = takeovers + CASE WHEN (SELECT status FROM before) = 'running' THEN 1 ELSE 0 END, \
             started_at = COALESCE(started_at, clock_timestamp()), updated_at = clock_timestamp() \
             WHERE id = $1 AND msg_id = $2 AND status IN ('queued', 'running') \
             RETURNING epoch, (SELECT status FROM before) = 'running', pipeline, stream_key",
        )
        .bind(&message.message.unit)
        .bind(message.msg_id)
        .bind(worker)
        .bind(f64::from(vt_secs))
        .fetch_optional(&mut *tx)
        .await
        .map_err(sql_error("claiming a unit"))?;
        let Some((epoch, took_over, pipeline, stream_key)) = claimed else {
            self.pgmq
                .delete_with_cxn(QUEUE, message.msg_id, &mut *tx)
                .await
                .map_err(queue_error("deleting a superseded message"))?;
            tx.commit()
                .await
                .map_err(sql_error("deleting a superseded message"))?;
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO sluice_unit_claims (unit, epoch, worker, took_over) VALUES ($1, $2, $3, $4)",
        )
        .bind(&message.message.unit)
        .bind(epoch)
        .bind(worker)
        .bind(took_over)
        .execute(&mut *tx)
        .await
        .map_err(sql_error("recording a claim"))?;
        tx.commit().await.map_err(sql_error("committing a claim"))?;
        Ok(Some(Claim {
            unit: message.message.unit,
            pipeline,
            stream_key,
            epoch,
            took_over,
        }))
    }

    /// Renews `claim`'s lease by `vt_secs` from now, its row and its
    /// message together; false when another worker holds the unit now.
    pub async fn renew(&self, claim: &Claim, vt_secs: u32) -> Result<bool, WorkerError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(sql_error("starting a renewal"))?;
        let msg_id: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE sluice_units SET lease_until = clock_timestamp() + make_interval(secs => $3), \
             updated_at = clock_timestamp() WHERE id = $1 AND epoch = $2 AND status = 'running' \
             RETURNING msg_id",
        )
        .bind(&claim.unit)
        .bind(claim.epoch)
        .bind(f64::from(vt_secs))
        .fetch_optional(&mut *tx)
        .await
        .map_err(sql_error("renewing a lease"))?;
        let Some(Some(msg_id)) = msg_id else {
            return Ok(false);
        };
        self.pgmq
            .set_vt_with_cxn::<_, UnitMessage>(QUEUE, msg_id, vt_secs, &mut *tx)
            .await
            .map_err(queue_error("renewing a message's visibility"))?;
        tx.commit()
            .await
            .map_err(sql_error("committing a renewal"))?;
        Ok(true)
    }

    /// Ends `claim`'s unit as `ending` says, fenced like a batch: false
    /// when another worker holds it now. Its message is deleted (or, when
    /// released, made visible at once).
    pub async fn end(
        &self,
        claim: &Claim,
        ending: &Ending,
        run_id: Option<i64>,
    ) -> Result<bool, WorkerError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(sql_error("starting to end a unit"))?;
        let (status, error) = match ending {
            Ending::Done => ("done", None),
            Ending::Failed(error) => ("failed", Some(error.as_str())),
            Ending::Released => ("queued", None),
        };
        // The message first, under the row's lock: the update below
        // forgets it.
        let msg_id: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT msg_id FROM sluice_units WHERE id = $1 AND epoch = $2 \
             AND (status = 'running' OR (status = 'done' AND $3 <> 'queued')) FOR UPDATE",
        )
        .bind(&claim.unit)
        .bind(claim.epoch)
        .bind(status)
        .fetch_optional(&mut *tx)
        .await
        .map_err(sql_error("ending a unit"))?;
        let Some(msg_id) = msg_id else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE sluice_units SET status = $3, error = $4, run_id = COALESCE($5, run_id), \
             worker = CASE WHEN $3 = 'queued' THEN NULL ELSE worker END, lease_until = NULL, \
             msg_id = CASE WHEN $3 = 'queued' THEN msg_id ELSE NULL END, \
             finished_at = CASE WHEN $3 = 'queued' THEN NULL ELSE clock_timestamp() END, \
             updated_at = clock_timestamp() \
             WHERE id = $1 AND epoch = $2",
        )
        .bind(&claim.unit)
        .bind(claim.epoch)
        .bind(status)
        .bind(error)
        .bind(run_id)
        .execute(&mut *tx)
        .await
        .map_err(sql_error("ending a unit"))?;
        if let Some(msg_id) = msg_id {
            match ending {
                Ending::Released => {
                    self.pgmq
                        .set_vt_with_cxn::<_, UnitMessage>(QUEUE, msg_id, 0, &mut *tx)
                        .await
                        .map_err(queue_error("releasing a unit's message"))?;
                }
                Ending::Done | Ending::Failed(_) => {
                    self.pgmq
                        .delete_with_cxn(QUEUE, msg_id, &mut *tx)
                        .await
                        .map_err(queue_error("deleting a unit's message"))?;
                }
            }
        }
        tx.commit()
            .await
            .map_err(sql_error("committing a unit's end"))?;
        Ok(true)
    }
}
