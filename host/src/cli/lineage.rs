//! `sluice lineage TABLE KEY…` (where one loaded row came from) and
//! `sluice lineage graph` (providers → streams → plugins → tables → views).

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use std::fmt::Write;
use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::lineage::{self, RowLineage, RowQuery};
use crate::state::StateStore;

/// Arguments of `sluice lineage`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LineageArgs {
    /// The config file (for the database and the streams' enrichers).
    #[arg(short, long, default_value_os_t = super::default_config(), global = true)]
    config: PathBuf,
    /// Database URL, overriding the config's `database`.
    #[arg(long, env = "SLUICE_DATABASE", global = true)]
    database: Option<String>,
    /// A canonical table: competitions, teams, events, odds, standings,
    /// participants, incidents, fair_prices, market_consensus.
    #[arg(value_name = "TABLE")]
    table: Option<String>,
    /// The row's key: its provider then the table's key columns
    /// (`api-football 865368`), or one canonical id.
    #[arg(value_name = "KEY")]
    key: Vec<String>,
    /// `text` for a reader, `json` for a program.
    #[arg(long, value_enum, default_value_t = RowFormat::Text)]
    format: RowFormat,
    /// Without TABLE: the graph of the config.
    #[command(subcommand)]
    command: Option<LineageCommand>,
}

/// `sluice lineage …`.
#[derive(Debug, Subcommand)]
pub enum LineageCommand {
    /// The config's providers, streams, plugins, the tables each plugin
    /// wrote and the views over them, as Graphviz DOT or JSON.
    Graph(GraphArgs),
}

/// Arguments of `sluice lineage graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// `dot` for Graphviz (`| dot -Tsvg`), `json` for a program.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
}

/// How a row's lineage is printed.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RowFormat {
    Text,
    Json,
}

/// How the graph is printed.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Json,
}

pub async fn execute(args: LineageArgs) -> anyhow::Result<()> {
    let config = LoadedConfig::load(&args.config)?;
    let database = config.database(args.database.as_deref()).to_string();
    let state = StateStore::connect(&database).await?;
    if let Some(LineageCommand::Graph(graph_args)) = args.command {
        let tables = lineage::tables_by_plugin(state.pool()).await?;
        let graph = lineage::build_graph(&config.config, &tables);
        match graph_args.format {
            GraphFormat::Dot => print!("{}", graph.to_dot()),
            GraphFormat::Json => println!(
                "{}",
                serde_json::to_string_pretty(&graph).context("cannot write the graph as JSON")?
            ),
        }
        return Ok(());
    }
    let Some(table) = args.table else {
        anyhow::bail!(
            "name a row (`sluice lineage TABLE PROVIDER KEY…`) or ask for the graph (`sluice lineage graph`)"
        );
    };
    let query = RowQuery {
        table,
        key: args.key,
    };
    let enrichers_of = |pipeline: &str, stream_key: &str| {
        config
            .config
            .pipelines
            .get(pipeline)
            .into_iter()
            .flat_map(|p| &p.streams)
            .flat_map(|s| std::iter::once(s).chain(&s.fallback))
            .find(|s| s.key() == stream_key)
            .map(|s| s.enrich.clone())
            .unwrap_or_default()
    };
    let rows = lineage::row_lineage(state.pool(), &query, enrichers_of).await?;
    match args.format {
        RowFormat::Json => {
            let value = if rows.len() == 1 {
                serde_json::to_value(&rows[0])
            } else {
                serde_json::to_value(&rows)
            };
            let value = value.context("cannot write the lineage as JSON")?;
            println!(
                "{}",
                serde_json::to_string_pretty(&value).context("cannot write the lineage as JSON")?
            );
        }
        RowFormat::Text => {
            let texts: Vec<String> = rows.iter().map(render).collect();
            print!("{}", texts.join("\n"));
        }
    }
    Ok(())
}

/// One row's lineage for a reader.
fn render(row: &RowLineage) -> String {
    let mut out = String::new();
    let key: Vec<String> = row.key.iter().map(|(c, v)| format!("{c}={v}")).collect();
    let _ = writeln!(out, "{} {}", row.table, key.join(" "));
    match &row.canonical {
        Some(link) => {
            let _ = writeln!(
                out,
                "  canonical   {} {} (confidence {:.2}, {})",
                link.kind, link.canonical_id, link.confidence, link.method
            );
        }
        None => {
            let _ = writeln!(out, "  canonical   not linked");
        }
    }
    let _ = writeln!(out, "  plugin      {} {}", row.plugin, row.plugin_version);
    if !row.enrichers.is_empty() {
        let _ = writeln!(out, "  enrichers   {}", row.enrichers.join(" → "));
    }
    for write in &row.writes {
        let run = match &write.run {
            Some(run) => format!(
                "run {} ({} {}, {})",
                write.run_id, run.pipeline, run.mode, run.status
            ),
            None => format!("run {} (no longer recorded)", write.run_id),
        };
        let _ = writeln!(out, "  {:<11} {} at {}", write.action, run, write.at);
        let _ = writeln!(
            out,
            "              openlineage run {}",
            write.openlineage_run_id
        );
    }
    match &row.request {
        Some(request) => {
            let _ = writeln!(out, "  request     GET {}", request.url);
            let _ = writeln!(
                out,
                "              fetched {} by run {} ({}, {}), status {}",
                request.fetched_at,
                request.run_id,
                request.stream_key,
                request.source,
                request.status
            );
            let _ = writeln!(out, "              payload sha256 {}", request.payload_hash);
        }
        None => {
            let _ = writeln!(
                out,
                "  request     no archived response holds this row's payload"
            );
        }
    }
    out
}
