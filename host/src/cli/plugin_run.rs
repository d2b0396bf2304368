//! `sluice plugin run`: one recorded payload through a plugin, in the same
//! sandbox a pipeline uses, with no network and no database.

use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

use crate::model::HttpResponse;
use crate::plugin::{NormalizerPlugin, PluginEngine, SandboxLimits};

/// Arguments of `sluice plugin run`.
#[derive(Debug, Args)]
pub struct PluginRunArgs {
    /// The plugin component (`NAME.wasm`, with `NAME.toml` beside it).
    plugin: PathBuf,
    /// The stream the payload belongs to.
    #[arg(long)]
    stream: String,
    /// The recorded response body.
    #[arg(long)]
    input: PathBuf,
    /// A stream parameter, `key=value`; repeat for several.
    #[arg(long = "param", value_parser = parse_param)]
    params: Vec<(String, String)>,
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{text}` is not key=value"))
}

pub async fn execute(mut args: PluginRunArgs) -> anyhow::Result<()> {
    args.params.sort();
    let engine =
        PluginEngine::new(SandboxLimits::default()).context("cannot start the plugin runtime")?;
    let plugin = NormalizerPlugin::load(&engine, &args.plugin)?;
    plugin.manifest().check_stream(&args.stream, &args.params)?;
    let body = std::fs::read(&args.input)
        .with_context(|| format!("cannot read input {}", args.input.display()))?;
    // The plugin plans the request the payload answers, as in a real run.
    let request = plugin
        .plan(&args.stream, None, &args.params)?
        .into_iter()
        .next()
        .with_context(|| {
            format!(
                "plugin {} planned no request for stream `{}`",
                plugin.manifest().name,
                args.stream
            )
        })?;
    let response = HttpResponse {
        status: 200,
        headers: vec![("content-type".to_string(), "application/json".to_string())],
        body,
    };
    let mut batch = plugin
        .normalize(&args.stream, &args.params, &request, response)
        .0?;
    // What a run would load: the host's checks move what the tables cannot
    // hold to the rejects.
    crate::model::quality::gate(&mut batch);
    let mut stdout = std::io::stdout().lock();
    for record in &batch.records {
        serde_json::to_writer(&mut stdout, record)?;
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    let mut stderr = std::io::stderr().lock();
    for reject in &batch.rejects {
        writeln!(
            stderr,
            "rejected {}: {}",
            reject.provider_id.as_deref().unwrap_or("(no id)"),
            reject.reason
        )?;
    }
    for follow_up in &batch.follow_ups {
        writeln!(stderr, "follow-up request: {follow_up}")?;
    }
    Ok(())
}
