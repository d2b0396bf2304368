//! User features for a betting CRM: one row of about fifty features per
//! user, computed from a transactions table where it lives and loaded into
//! a features table for clustering.
//!
//! From a PostgreSQL table, `table_stream/` has the server filter the
//! counted transactions and stream five narrow columns by binary COPY, on
//! one connection per core, into per-user accumulators in the host; other
//! tables (SQLite, or columns of other types) take the grouped query of
//! `query.rs` (per user and local day, then per user, with a window
//! function for the gaps between active days), whose rows `source.rs`
//! streams into [`UserAggregates`]. The host then reads the population's
//! quantiles (`scores.rs`, `quantile.rs`), computes each user's behaviour
//! and time features (`features.rs`) and scores (`scores.rs`), and streams
//! the rows (`row.rs`) to the target with the configured disposition
//! (`target.rs`, `write_postgres.rs`, `write_sqlite.rs`). `zone.rs` gives
//! SQLite the time zone's offsets; `generate/` makes realistic
//! transactions to try it all on. From Parquet files instead of a table,
//! `lake/` computes the same [`UserAggregates`] in the host, streaming
//! row groups in parallel.

pub mod aggregates;
pub mod connection;
pub mod copy_binary;
pub mod features;
pub mod generate;
pub mod lake;
pub mod quantile;
pub mod query;
pub mod row;
pub mod scorer;
pub mod scores;
pub mod source;
pub mod table_stream;
pub mod target;
pub mod users;
pub mod write_parquet;
pub mod write_postgres;
pub mod write_sqlite;
pub mod zone;

pub use aggregates::UserAggregates;
pub use scores::{Population, Segment};
pub use target::Target;
pub use users::Users;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use time::{Date, OffsetDateTime};

use crate::config::CrmFeaturesConfig;
use crate::db::Pool;
use row::Cell;

/// Why the features could not be computed or loaded.
#[derive(Debug, thiserror::Error)]
pub enum CrmError {
    /// A statement failed.
    #[error("database error while {doing}: {source}")]
    Query {
        /// What was being done.
        doing: String,
        /// What sqlx said.
        source: sqlx::Error,
    },
    /// The lean COPY reader's connection failed.
    #[error("database error while {doing}: {source}")]
    Stream {
        /// What was being done.
        doing: String,
        /// What the connection said.
        source: crate::db::copy_out::WireError,
    },
    /// A value read back did not have the expected shape.
    #[error("unexpected value from the database: {0}")]
    Unexpected(String),
    /// The config asks for what the database cannot do.
    #[error("{key}: {message}")]
    Invalid {
        /// The config key (`crm.features.target`).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The generator could not write its output.
    #[error("{0}")]
    Generate(String),
    /// The features file could not be written.
    #[error("{}: {message}", path.display())]
    Output {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Transactions could not be read from files.
    #[error(transparent)]
    Files(#[from] lake::LakeError),
    /// The scorer plugin failed or answered what the contract refuses.
    #[error(transparent)]
    Scorer(#[from] crate::plugin::PluginError),
}

impl CrmError {
    /// A [`CrmError::Unexpected`] for column `at` of the aggregate query.
    fn decode(at: usize) -> impl FnOnce(sqlx::Error) -> Self {
        move |e| CrmError::Unexpected(format!("column {at} of the aggregate query: {e}"))
    }
}

/// Everything one computation of the features needs, resolved from the
/// config and the command line.
#[derive(Debug, Clone)]
pub struct FeaturesJob {
    /// The transactions table.
    pub source: String,
    /// Parquet files to read the transactions from instead of the table:
    /// a path, or a pattern of file names (`lake/tx-*.parquet`).
    pub source_file: Option<String>,
    /// Where the features go and how.
    pub target: Target,
    /// A Parquet file to write the features to instead of the table.
    pub target_file: Option<std::path::PathBuf>,
    /// The day the features are as of.
    pub reference_date: Date,
    /// The time zone of days and hours.
    pub zone: chrono_tz::Tz,
    /// The quantiles splitting tickets into low, medium, high.
    pub ticket_quantiles: [f64; 2],
    /// The statuses that count.
    pub statuses: Vec<String>,
    /// How many weekdays `preferred_weekdays` lists.
    pub top_weekdays: usize,
}

impl FeaturesJob {
    /// The job `[crm.features]` declares, as of `reference_date`.
    pub fn from_config(config: &CrmFeaturesConfig, reference_date: Date) -> Result<Self, CrmError> {
        let invalid = |key: &str, message: String| CrmError::Invalid {
            key: format!("crm.features.{key}"),
            message,
        };
        let zone = config.zone().map_err(|m| invalid("time_zone", m))?;
        let [low, high] = match config.ticket_quantiles.as_slice() {
            [low, high] => [*low, *high],
            other => {
                return Err(invalid(
                    "ticket_quantiles",
                    format!("expected two quantiles, got {other:?}"),
                ));
            }
        };
        Ok(FeaturesJob {
            source: config.source.clone(),
            source_file: config.source_file.clone(),
            target: Target::new(&config.target, config.write),
            target_file: config.target_file.as_ref().map(std::path::PathBuf::from),
            reference_date,
            zone,
            ticket_quantiles: [low, high],
            statuses: config.completed_statuses.clone(),
            top_weekdays: usize::from(config.top_weekdays),
        })
    }

    /// Where the transactions are read from: the files, else the table.
    pub fn source_name(&self) -> &str {
        self.source_file.as_deref().unwrap_or(&self.source)
    }

    /// Where the features go: the file, else the table.
    pub fn target_name(&self) -> String {
        match &self.target_file {
            Some(path) => path.display().to_string(),
            None => self.target.name(),
        }
    }

    /// Whether the job reads or writes a table, so needs a database.
    pub fn needs_database(&self) -> bool {
        self.source_file.is_none() || self.target_file.is_none()
    }

    /// The first instant after the reference date, in the job's time zone:
    /// transactions from then on do not count.
    pub fn cutoff(&self) -> Result<OffsetDateTime, CrmError> {
        let next = self
            .reference_date
            .next_day()
            .ok_or_else(|| CrmError::Invalid {
                key: "crm.features.reference_date".to_string(),
                message: "no day follows it".to_string(),
            })?;
        let midnight = chrono::NaiveDate::from_ymd_opt(
            next.year(),
            u32::from(u8::from(next.month())),
            u32::from(next.day()),
        )
        .and_then(|d| d.and_hms_opt(0, 0, 0));
        let local = midnight.map(|m| self.zone.from_local_datetime(&m).earliest());
        let epoch = match local {
            Some(Some(at)) => at.timestamp(),
            // Midnight skipped by a daylight-saving change: an hour later.
            _ => {
                let naive = midnight.map(|m| m + chrono::Duration::hours(1));
                naive
                    .and_then(|m| self.zone.from_local_datetime(&m).earliest())
                    .map(|at| at.timestamp())
                    .ok_or_else(|| CrmError::Invalid {
                        key: "crm.features.time_zone".to_string(),
                        message: format!("no midnight on {next} in {}", self.zone.name()),
                    })?
            }
        };
        OffsetDateTime::from_unix_timestamp(epoch)
            .map_err(|e| CrmError::Unexpected(format!("the cutoff {epoch}: {e}")))
    }
}

/// What one computation did, for the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct FeaturesSummary {
    /// Users with at least one completed transaction.
    pub users: u64,
    /// Rows written.
    pub written: u64,
    /// Users per segment, every segment listed.
    pub segments: BTreeMap<Segment, u64>,
    /// Time spent in the aggregate query.
    pub aggregate_time: Duration,
    /// Time spent computing and writing.
    pub write_time: Duration,
}

/// Computes the features of every user the job's source has and writes
/// them to its target. `pool` is the database of a source table or a
/// target table; a job from files to a file needs none. The scores come
/// from `scorer` when given, else from `scores.rs`.
pub async fn compute_and_load(
    pool: Option<&Pool>,
    job: &FeaturesJob,
    scorer: Option<&crate::plugin::Scorer>,
) -> Result<FeaturesSummary, CrmError> {
    let no_database = |what: &str| CrmError::Invalid {
        key: "database".to_string(),
        message: format!("{what} lives in a database: configure `database` or pass --database"),
    };
    if let Some(Pool::Sqlite(_)) = pool
        && job.target_file.is_none()
        && job.target.schema.is_some()
    {
        return Err(CrmError::Invalid {
            key: "crm.features.target".to_string(),
            message: format!(
                "SQLite has no schemas: name a plain table (such as `{}`), not `{}`",
                job.target.table,
                job.target.name()
            ),
        });
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    let users = match &job.source_file {
        Some(files) => {
            let query = lake::FileQuery {
                source: files.clone(),
                zone: job.zone,
                cutoff: job.cutoff()?,
                reference_date: job.reference_date,
                statuses: job.statuses.clone(),
                threads,
            };
            let users = tokio::task::spawn_blocking(move || lake::read_users(&query))
                .await
                .map_err(|e| CrmError::Unexpected(format!("the file reader stopped: {e}")))??;
            Users::Compact(users)
        }
        None => {
            source::read_users(
                pool.ok_or_else(|| no_database("the source table"))?,
                &source::SourceQuery {
                    source: job.source.clone(),
                    zone: job.zone,
                    cutoff: job.cutoff()?,
                    statuses: job.statuses.clone(),
                },
                job.reference_date,
                table_stream::Plan::per_core(threads),
            )
            .await?
        }
    };
    let aggregate_time = started.elapsed();
    tracing::info!(
        users = users.len(),
        seconds = aggregate_time.as_secs_f64(),
        "aggregated transactions per user"
    );
    let started = Instant::now();
    let (reference, quantiles) = (job.reference_date, job.ticket_quantiles);
    let (users, population) = tokio::task::spawn_blocking(move || {
        let population = users.population(reference, quantiles, threads);
        (users, population)
    })
    .await
    .map_err(|e| CrmError::Unexpected(format!("the population's statistics stopped: {e}")))?;
    let scored = match scorer {
        // A scorer plugin takes every user at once.
        Some(scorer) => Some(scorer::scores(scorer, &users.all(threads), reference)?),
        None => None,
    };
    let user_count = users.len() as u64;
    let (written, segments) = match &job.target_file {
        Some(path) => {
            let (path, snapshot, top) = (path.clone(), job.reference_date, job.top_weekdays);
            let written = tokio::task::spawn_blocking(move || {
                let scored = scored.as_deref();
                write_parquet::write(&path, snapshot, &users, &population, scored, top, threads)
            })
            .await
            .map_err(|e| CrmError::Unexpected(format!("the file writer stopped: {e}")))??;
            (written.rows, written.segments)
        }
        None => {
            let pool = pool.ok_or_else(|| no_database("the target table"))?;
            let mut segments: BTreeMap<Segment, u64> =
                Segment::ALL.iter().map(|s| (*s, 0)).collect();
            // Users are built a chunk at a time, their rows owning what
            // they hold: a compact population is never built whole.
            let rows = users.each(|i, user| {
                let given = scored.as_ref().and_then(|s| s.get(i)).cloned();
                let row = row::FeatureRow::new(user, &population, given, job.top_weekdays);
                *segments.entry(row.scores.rfm_segment).or_default() += 1;
                row.into_cells(job.reference_date).map(Cell::into_owned)
            });
            let written = match pool {
                Pool::Postgres(pg) => {
                    write_postgres::write(pg, &job.target, job.reference_date, rows).await?
                }
                Pool::Sqlite(lite) => {
                    write_sqlite::write(lite, &job.target, job.reference_date, rows).await?
                }
            };
            (written, segments)
        }
    };
    Ok(FeaturesSummary {
        users: user_count,
        written,
        segments,
        aggregate_time,
        write_time: started.elapsed(),
    })
}
