//! Integration tests: the real `sluice` binary and the real built plugins
//! (`make plugins`) against the bundled replay provider and real databases.

mod bad_input;
mod cli;
mod common;
mod crash;
mod end_to_end;
mod extraction;
mod plugin_fixtures;
mod plugin_run;
mod quarantine;
mod recorded_football_data;
