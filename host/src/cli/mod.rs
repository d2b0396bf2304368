//! The `sluice` command line: argument parsing and the commands, which turn
//! library errors into one clear line and an exit code.

mod alerts;
mod check;
mod crm;
mod export;
mod lineage;
mod live;
pub mod logging;
mod logs;
mod metrics;
mod plugin_kit;
mod plugin_run;
mod quarantine;
mod replay;
mod resolve;
mod run;
mod schema;
mod serve;
mod status;
mod summary;
mod units;
mod worker;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// sluice: load sports and betting data from provider APIs into one clean,
/// deduplicated model, with provider logic in sandboxed WebAssembly plugins.
#[derive(Debug, Parser)]
#[command(name = "sluice", version, propagate_version = true)]
pub struct Cli {
    /// More log output on stderr (-v: info, -vv: debug). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Log lines on stderr: `pretty` (readable), or `json` (one object per
    /// line, with the run's and stream's fields).
    #[arg(
        long,
        global = true,
        value_enum,
        env = "SLUICE_LOG_FORMAT",
        default_value_t,
        hide_possible_values = true
    )]
    pub log_format: logging::LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a pipeline of the config: fetch, normalize and load every stream.
    Run(run::RunArgs),
    /// Run archived responses through the current plugins and load them
    /// again, with no request to any provider.
    Replay(replay::ReplayArgs),
    /// Show the providers' circuit breakers and the latest runs.
    Status(status::StatusArgs),
    /// List the runs, newest first, with what each fetched and loaded; or
    /// show one run (`sluice runs show ID`).
    Runs(status::RunsArgs),
    /// Print the log lines a run kept in the database.
    Logs(logs::LogsArgs),
    /// Runs, records, requests and durations per hour and pipeline.
    Metrics(metrics::MetricsArgs),
    /// List the alerts firing now, or send a test message through the
    /// alert channels (`sluice alerts test`).
    Alerts(alerts::AlertsArgs),
    /// Run a table's quality checks over what is already loaded and print
    /// the report.
    Check(check::CheckArgs),
    /// Write a table or a query's rows as CSV, Parquet, JSON, Excel, or an
    /// HTML or Markdown report, to a local path or S3.
    Export(export::ExportArgs),
    /// Inspect what could not be loaded, and load it once the plugin is fixed.
    Quarantine(quarantine::QuarantineArgs),
    /// Link every provider's records to canonical teams, competitions and
    /// events again (runs do it for their new records), or review the links
    /// left unmerged.
    Resolve(resolve::ResolveArgs),
    /// Work with plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Run scheduled pipelines, serve /healthz and /plugins, and reload
    /// plugins when their files change.
    Serve(serve::ServeArgs),
    /// Trace a loaded row to its runs, request, plugins and canonical entity,
    /// or draw the config's lineage graph (`sluice lineage graph`).
    Lineage(lineage::LineageArgs),
    /// Watch the matches in play on a running `sluice serve`: their score
    /// and minute, then one line per goal, card or status as it happens.
    Live(live::LiveArgs),
    /// Serve recorded provider responses on a local port, with faults on
    /// demand (for demos and tests).
    ReplayProvider(replay::ProviderArgs),
    /// A betting CRM's per-user features: generate transactions, compute
    /// and load the features (`sluice crm features`).
    Crm(crm::CrmArgs),
    /// Work with generic tables' schemas: `sluice schema infer FILE` prints
    /// a file's typed schema as config TOML.
    Schema(schema::SchemaArgs),
    /// Take work units from the PostgreSQL queue and load them, alongside
    /// other workers on this or other machines.
    Worker(worker::WorkerArgs),
    /// Queue a pipeline's streams as work units for `sluice worker`.
    Enqueue(worker::EnqueueArgs),
    /// List the work units (queued, running, done, failed), their leases
    /// and the workers.
    Units(units::UnitsArgs),
}

/// `sluice plugin …`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Run one recorded payload through a plugin in the sandbox and print the
    /// normalized records as NDJSON on stdout, rejected items on stderr.
    Run(plugin_run::PluginRunArgs),
    /// Create a plugin project from a template: a working normalizer with a
    /// manifest, a fixture and its expected output.
    New(plugin_kit::NewArgs),
    /// Build a plugin project into target/plugin/NAME.wasm and NAME.toml.
    Build(plugin_kit::ProjectArgs),
    /// Build a plugin project and run its fixtures through it in the
    /// sandbox, showing a diff against the expected output.
    Test(plugin_kit::ProjectArgs),
    /// Check a component and its manifest as a host would load them.
    Check(plugin_kit::CheckArgs),
}

impl Cli {
    /// Runs the command; the error is what the user reads.
    pub async fn execute(self) -> anyhow::Result<()> {
        match self.command {
            Command::Run(args) => run::execute(args).await,
            Command::Replay(args) => replay::execute(args).await,
            Command::Status(args) => status::execute(args).await,
            Command::Runs(args) => status::runs(args).await,
            Command::Logs(args) => logs::execute(args).await,
            Command::Metrics(args) => metrics::execute(args).await,
            Command::Alerts(args) => alerts::execute(args).await,
            Command::Check(args) => check::execute(args).await,
            Command::Export(args) => export::execute(args).await,
            Command::Quarantine(args) => quarantine::execute(args).await,
            Command::Resolve(args) => resolve::execute(args).await,
            Command::Plugin(PluginCommand::Run(args)) => plugin_run::execute(args).await,
            Command::Plugin(PluginCommand::New(args)) => plugin_kit::new(args),
            Command::Plugin(PluginCommand::Build(args)) => plugin_kit::build(&args).map(|wasm| {
                println!("built {}", wasm.display());
            }),
            Command::Plugin(PluginCommand::Test(args)) => plugin_kit::test(&args),
            Command::Plugin(PluginCommand::Check(args)) => plugin_kit::check(&args),
            Command::ReplayProvider(args) => replay::serve_recordings(args).await,
            Command::Serve(args) => serve::execute(args).await,
            Command::Live(args) => live::execute(args).await,
            Command::Lineage(args) => lineage::execute(args).await,
            Command::Crm(args) => crm::execute(args).await,
            Command::Schema(args) => schema::execute(args).await,
            Command::Worker(args) => worker::worker(args).await,
            Command::Enqueue(args) => worker::enqueue(args).await,
            Command::Units(args) => units::execute(args).await,
        }
    }
}

/// The config file used when `--config` is not given.
pub fn default_config() -> PathBuf {
    PathBuf::from("sluice.toml")
}
