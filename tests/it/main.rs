//! Integration tests: the real `sluice` binary and the real built plugins
//! (`make plugins`) against the bundled replay provider and real databases.

mod alerts;
mod api_football_odds;
mod backfill;
mod bad_input;
mod cli;
mod common;
mod concurrent_streams;
mod contract_versions;
mod crash;
mod dashboard;
mod end_to_end;
mod enrichers;
mod entity_quota;
mod extraction;
mod live;
mod odds;
mod path_auth;
mod plugin_fixtures;
mod plugin_kit;
mod plugin_run;
mod quarantine;
mod recorded_api_football;
mod recorded_espn;
mod recorded_football_data;
mod recorded_openfootball;
mod recorded_the_odds_api;
mod resolution;
mod resolution_premier_league;
mod sandbox;
mod secrets;
mod serve;
mod tables_and_incidents;
mod terminal;
mod unattended;
mod write_dispositions;
