//! sluice: an ETL host for sports and betting data.
//!
//! The host owns every I/O and all state; provider-specific logic runs in
//! sandboxed WebAssembly components behind the `sluice:plugin` WIT contract.
//! Modules follow the stages of a batch: [`config`] → [`extract`] →
//! [`plugin`] (normalize) → [`load`], with [`state`] holding runs,
//! checkpoints and quarantine, and [`pipeline`] driving a run through them.

pub mod cli;
pub mod config;
pub mod db;
pub mod extract;
#[cfg(test)]
mod layers;
pub mod load;
pub mod model;
pub mod pipeline;
pub mod plugin;
pub mod replay_provider;
pub mod resolve;
pub mod serve;
pub mod state;
