//! Publishing the live outbox to Supabase Realtime Broadcast
//! (`[live.supabase]`): one topic per match (`match:KEY`), one message per
//! match per tick carrying its latest state and the tick's events, each
//! payload under the plan's size limit, at most `max_messages_per_second`
//! messages in any second.
//!
//! Delivery is at least once: the cursor in `live_sink_cursors` moves only
//! after Supabase accepted every POST of a tick, so a crash or a stop in
//! between sends that tick's messages again at the next start, and never
//! loses one.
//!
//! | file | job |
//! |---|---|
//! | `fold.rs` | a tick's events grouped per match |
//! | `message.rs` | a match's payload, under the size limit |
//! | `posts.rs` | messages grouped into request bodies |
//! | `pacing.rs` | the message rate, per second |
//! | `client.rs` | the REST call and what its answer means |
//! | `publisher.rs` | the task: tick, send, retry, advance the cursor |

mod client;
mod fold;
mod message;
mod pacing;
mod posts;
mod publisher;

use std::time::Duration;

use tokio::sync::watch;

use crate::config::SupabaseConfig;
use crate::db::Pool;

/// The sink's name in `live_sink_cursors` and in logs and metrics.
const SINK: &str = "supabase";

/// Why the Supabase sink cannot start.
#[derive(Debug, thiserror::Error)]
pub enum BroadcastError {
    /// `api_key_env` names a variable that is not set.
    #[error(
        "[live.supabase] api_key_env: environment variable {0} is not set (or is empty); \
         it must hold the Supabase project's service key"
    )]
    MissingKey(String),
    /// The HTTP client could not be built.
    #[error("[live.supabase]: cannot build an HTTP client: {0}")]
    Client(String),
}

/// What the publisher needs of the config, read once at start.
#[derive(Debug, Clone)]
struct Settings {
    topic_prefix: String,
    tick: Duration,
    max_messages_per_second: u32,
    max_payload_bytes: u64,
    private: bool,
}

/// The Supabase sink, checked and ready to be started.
#[derive(Debug)]
pub struct SupabaseSink {
    client: client::BroadcastClient,
    settings: Settings,
}

impl SupabaseSink {
    /// Reads the key from the environment and builds the client; refuses
    /// when the key is missing, so `sluice serve` does not start without it.
    pub fn new(config: &SupabaseConfig) -> Result<Self, BroadcastError> {
        let key = client::ApiKey::from_env(&config.api_key_env)?;
        let client = client::BroadcastClient::new(config.broadcast_url(), key)?;
        Ok(SupabaseSink {
            client,
            settings: Settings {
                topic_prefix: config.topic_prefix.clone(),
                tick: config.tick.0,
                max_messages_per_second: config.max_messages_per_second,
                max_payload_bytes: config.max_payload_bytes,
                private: config.private,
            },
        })
    }

    /// Starts publishing `pool`'s outbox in the background until
    /// `stopping` turns true.
    pub fn spawn(self, pool: Pool, stopping: watch::Receiver<bool>) {
        tracing::info!(
            sink = SINK,
            tick_ms = self.settings.tick.as_millis() as u64,
            max_messages_per_second = self.settings.max_messages_per_second,
            max_payload_bytes = self.settings.max_payload_bytes,
            "publishing the live outbox to Supabase Realtime"
        );
        // At 0 from the start, so the first failure is an increase
        // Prometheus can see.
        for failure in ["rate_limited", "refused", "unreachable", "database"] {
            metrics::counter!("sluice_live_sink_failures_total", "sink" => SINK, "failure" => failure)
                .increment(0);
        }
        metrics::counter!("sluice_live_sink_messages_total", "sink" => SINK).increment(0);
        let publisher = publisher::Publisher::new(pool, self.client, self.settings, stopping);
        tokio::spawn(publisher.run());
    }
}
