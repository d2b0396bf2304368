//! Delivery in the background: one task per channel takes its messages in
//! order and retries a failed one with a growing wait, a bounded number of
//! times, so a channel that is down delays only itself, never a run, the
//! evaluator or another channel.

use backon::{BackoffBuilder, ExponentialBuilder};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::channels::{Channel, Notification, SendError};
use crate::internal_events::{AlertNotification, InternalEvent, NotificationOutcome};

/// Messages waiting for one channel; more are dropped (and counted failed).
const QUEUE: usize = 1024;
/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(300);

/// The queues of every channel, and the tasks that empty them.
pub(crate) struct Outbox {
    queues: BTreeMap<String, mpsc::Sender<Notification>>,
    tasks: Vec<JoinHandle<Delivered>>,
    pending: Arc<Pending>,
}

/// Messages queued and not yet sent or given up on, so a stopping server
/// can wait for them while other handles to the outbox still exist.
#[derive(Default)]
struct Pending {
    count: std::sync::atomic::AtomicUsize,
    settled: tokio::sync::Notify,
}

impl Pending {
    fn add(&self) {
        self.count.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    fn done(&self) {
        if self.count.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1 {
            self.settled.notify_waiters();
        }
    }

    async fn settled(&self) {
        loop {
            let notified = self.settled.notified();
            if self.count.load(std::sync::atomic::Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// What the delivery tasks did, counted per message and channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Messages a channel took.
    pub sent: u64,
    /// Messages given up on after every attempt.
    pub failed: u64,
}

impl Outbox {
    /// Starts one delivery task per channel. Each ends once the outbox is
    /// dropped and its queue is empty.
    pub fn start(
        channels: BTreeMap<String, Arc<Channel>>,
        attempts: u32,
        first_wait: Duration,
    ) -> Self {
        let mut tasks = Vec::new();
        let pending = Arc::new(Pending::default());
        let queues = channels
            .into_iter()
            .map(|(name, channel)| {
                let (tx, rx) = mpsc::channel(QUEUE);
                tasks.push(tokio::spawn(deliver(
                    name.clone(),
                    channel,
                    rx,
                    attempts,
                    first_wait,
                    pending.clone(),
                )));
                (name, tx)
            })
            .collect();
        Outbox {
            queues,
            tasks,
            pending,
        }
    }

    /// Waits until every message queued so far was sent or given up on,
    /// leaving the queues open.
    pub async fn settled(&self) {
        self.pending.settled().await;
    }

    /// Closes the queues and waits until every queued message was sent or
    /// given up on.
    pub async fn finish(self) -> Delivered {
        drop(self.queues);
        let mut total = Delivered::default();
        for task in self.tasks {
            if let Ok(done) = task.await {
                total.sent += done.sent;
                total.failed += done.failed;
            }
        }
        total
    }

    /// Queues `notification` for `channel`, without waiting.
    pub fn send(&self, channel: &str, notification: Notification) {
        let Some(queue) = self.queues.get(channel) else {
            return;
        };
        self.pending.add();
        if let Err(e) = queue.try_send(notification) {
            self.pending.done();
            let (why, n) = match e {
                mpsc::error::TrySendError::Full(n) => ("the channel's queue is full", n),
                mpsc::error::TrySendError::Closed(n) => ("the channel's task has ended", n),
            };
            AlertNotification {
                channel,
                rule: &n.rule,
                subject: &n.subject,
                kind: n.kind.as_str(),
                outcome: NotificationOutcome::Failed { error: &why },
            }
            .emit();
        }
    }
}

async fn deliver(
    name: String,
    channel: Arc<Channel>,
    mut queue: mpsc::Receiver<Notification>,
    attempts: u32,
    first_wait: Duration,
    pending: Arc<Pending>,
) -> Delivered {
    let mut done = Delivered::default();
    while let Some(n) = queue.recv().await {
        deliver_one(&name, &channel, &n, attempts, first_wait, &mut done).await;
        pending.done();
    }
    done
}

/// Sends `n` through `channel`, retrying with backoff up to `attempts`.
async fn deliver_one(
    name: &str,
    channel: &Channel,
    n: &Notification,
    attempts: u32,
    first_wait: Duration,
    done: &mut Delivered,
) {
    {
        let mut waits = ExponentialBuilder::default()
            .with_min_delay(first_wait)
            .with_max_delay(MAX_WAIT)
            .with_factor(2.0)
            .with_max_times(attempts.saturating_sub(1) as usize)
            .build();
        let mut attempt = 1;
        loop {
            let event = |outcome| AlertNotification {
                channel: name,
                rule: &n.rule,
                subject: &n.subject,
                kind: n.kind.as_str(),
                outcome,
            };
            match channel.send(n).await {
                Ok(()) => {
                    event(NotificationOutcome::<SendError>::Sent).emit();
                    done.sent += 1;
                    break;
                }
                Err(error) => match waits.next() {
                    Some(wait) => {
                        event(NotificationOutcome::Retrying {
                            attempt,
                            error: &error,
                        })
                        .emit();
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => {
                        event(NotificationOutcome::Failed { error: &error }).emit();
                        done.failed += 1;
                        break;
                    }
                },
            }
        }
    }
}
