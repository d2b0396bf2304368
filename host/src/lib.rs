//! sluice: an ETL host for sports and betting data.
//!
//! The host owns every I/O and all state; provider-specific logic runs in
//! sandboxed WebAssembly components behind the `sluice:plugin` WIT contract.
//! Modules follow the stages of a batch: [`config`] → [`extract`] →
//! [`plugin`] (normalize, enrich) → the quality gate of [`model`] →
//! [`load`], then [`resolve`] after a run's batches, with [`state`] holding
//! runs, checkpoints, the archive and quarantine, [`db`] the database they
//! all use, and [`pipeline`] driving a run through them. Each imports only
//! the modules below it (`docs/architecture.md` draws the graph).

pub mod alerts;
pub mod cli;
pub mod config;
pub mod crm;
pub mod db;
pub mod export;
pub mod expr;
pub mod extract;
pub mod files;
pub mod internal_events;
#[cfg(test)]
mod layers;
pub mod lineage;
pub mod live;
pub mod load;
pub mod model;
pub mod pipeline;
pub mod plugin;
pub mod quality;
pub mod replay_provider;
pub mod resolve;
pub mod serve;
pub mod state;
pub mod workers;
