//! `sluice schema infer`: a file's typed schema, as config TOML on stdout.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

use crate::config::{Encoding, FileFormat};
use crate::files::{InferOptions, infer_schema, schema_toml};

/// Arguments of `sluice schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// What to do.
    #[command(subcommand)]
    command: SchemaCommand,
}

/// `sluice schema …`.
#[derive(Debug, Subcommand)]
enum SchemaCommand {
    /// Infer a typed schema from the first rows of a file and print it as
    /// the `[tables.NAME]` TOML the config accepts.
    Infer(InferArgs),
}

/// Arguments of `sluice schema infer`.
#[derive(Debug, Args)]
struct InferArgs {
    /// The file (CSV, JSON, NDJSON, Parquet or xlsx; `.gz`/`.zst` too).
    path: PathBuf,
    /// The format, when the extension does not say.
    #[arg(long, value_parser = parse_format)]
    format: Option<FileFormat>,
    /// The table's name (by default the file's name).
    #[arg(long)]
    table: Option<String>,
    /// How many rows are sampled.
    #[arg(long, default_value_t = 1000)]
    rows: usize,
    /// CSV: the field delimiter.
    #[arg(long, default_value_t = ',')]
    delimiter: char,
    /// CSV: read the file as Latin-1 rather than UTF-8.
    #[arg(long)]
    latin1: bool,
    /// xlsx: the sheet (the first by default).
    #[arg(long)]
    sheet: Option<String>,
}

fn parse_format(text: &str) -> Result<FileFormat, String> {
    FileFormat::from_name(&format!("x.{text}"))
        .ok_or_else(|| format!("`{text}`: expected csv, json, ndjson, parquet or xlsx"))
}

pub async fn execute(args: SchemaArgs) -> anyhow::Result<()> {
    let SchemaCommand::Infer(args) = args.command;
    if !args.delimiter.is_ascii() {
        anyhow::bail!("--delimiter must be one ASCII character");
    }
    let options = InferOptions {
        format: args.format,
        rows: args.rows.max(1),
        delimiter: args.delimiter as u8,
        encoding: if args.latin1 {
            Encoding::Latin1
        } else {
            Encoding::Utf8
        },
        sheet: args.sheet,
    };
    let schema = infer_schema(&args.path, &options)
        .await
        .with_context(|| format!("while inferring the schema of {}", args.path.display()))?;
    let table = args.table.unwrap_or_else(|| {
        let name = args
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("table");
        let stem = name.split('.').next().unwrap_or(name);
        crate::files::column_name(stem)
    });
    print!("{}", schema_toml(&table, &schema));
    Ok(())
}
