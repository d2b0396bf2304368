//! Entity resolution: one canonical team, competition and event per
//! real-world one, whichever providers report it.
//!
//! Provider rows stay as loaded; `provider_ids` maps each to a canonical id,
//! and the views `event_links`, `canonical_events`, `event_conflicts` and
//! `canonical_teams` merge them field by field. A run resolves the records
//! that have no link yet, after its batches, in one transaction of its own;
//! `sluice resolve` redoes every link (after an alias was added, say).

pub mod aliases;
mod competitions;
mod events;
mod fixtures;
pub mod link;
pub mod names;
pub mod records;
mod store;
mod teams;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use aliases::Aliases;
pub use link::{Kind, Link, Method};
pub use store::ReviewItem;

use crate::config::LoadedConfig;
use crate::db::DbError;
use crate::db::Pool;
use crate::db::now_timestamp;

/// Why resolution failed.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The alias file cannot be used.
    #[error("alias file {path}: {message}")]
    Aliases {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The database refused.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ResolveError {
    fn from(source: sqlx::Error) -> Self {
        ResolveError::Db(DbError::Query {
            doing: "resolving entities".to_string(),
            source,
        })
    }
}

/// The config's `[resolution]`, with its alias file read.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Resolve after each run.
    pub enabled: bool,
    threshold: f64,
    aliases: Aliases,
    priority: BTreeMap<String, Vec<String>>,
}

impl Resolution {
    /// The settings of `config`, reading its alias file.
    pub fn from_config(config: &LoadedConfig) -> Result<Self, ResolveError> {
        let settings = &config.config.resolution;
        let aliases = match config.aliases_path() {
            Some(path) => Aliases::load(&path)?,
            None => Aliases::default(),
        };
        Ok(Resolution {
            enabled: settings.enabled,
            threshold: settings.threshold,
            aliases,
            priority: settings.priority.clone(),
        })
    }
}

/// Which records a resolution links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Those without a link; the others keep theirs.
    Unlinked,
    /// All of them, from scratch.
    All,
}

/// What a resolution linked, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolveReport {
    /// Per kind: records linked, of which merged with another provider's,
    /// and of which left for review.
    pub kinds: BTreeMap<Kind, KindCounts>,
}

/// What a resolution did for one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Records that got a link.
    pub linked: u64,
    /// Of those, merged into another provider's entity.
    pub merged: u64,
    /// Of those, left unmerged with a candidate to review.
    pub review: u64,
}

impl ResolveReport {
    /// Records that got a link, all kinds.
    pub fn linked(&self) -> u64 {
        self.kinds.values().map(|c| c.linked).sum()
    }

    /// Links to review, all kinds.
    pub fn review(&self) -> u64 {
        self.kinds.values().map(|c| c.review).sum()
    }
}

/// Links the records of `scope` in one transaction and says what it did.
pub async fn resolve(
    pool: &Pool,
    settings: &Resolution,
    scope: Scope,
) -> Result<ResolveReport, ResolveError> {
    let mut tx = pool.begin().await?;
    store::save_priority(&mut tx, &settings.priority).await?;
    if scope == Scope::Unlinked && !store::any_unlinked(&mut tx).await? {
        tx.commit().await?;
        return Ok(ResolveReport::default());
    }
    let records = store::records(&mut tx).await?;
    let existing = match scope {
        Scope::Unlinked => store::links(&mut tx).await?,
        Scope::All => {
            store::clear(&mut tx).await?;
            Vec::new()
        }
    };
    let no_priority = Vec::new();
    let links = link::resolve(
        &records,
        &existing,
        &link::Settings {
            threshold: settings.threshold,
            aliases: &settings.aliases,
            priority: settings.priority.get("default").unwrap_or(&no_priority),
        },
    );
    store::save(&mut tx, &links, &now_timestamp()).await?;
    tx.commit().await?;
    let mut report = ResolveReport::default();
    for link in &links {
        let counts = report.kinds.entry(link.kind).or_default();
        counts.linked += 1;
        counts.merged += u64::from(link.method != Method::New);
        counts.review += u64::from(link.candidate.is_some());
    }
    Ok(report)
}

/// The links below the threshold, for a person to settle.
pub async fn review(pool: &Pool) -> Result<Vec<ReviewItem>, ResolveError> {
    let mut conn = pool.acquire().await?;
    Ok(store::review(&mut conn).await?)
}
