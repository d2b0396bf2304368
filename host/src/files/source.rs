//! Running a pipeline's sources: each file source's files are listed,
//! those loaded before unchanged are skipped, and each other file is loaded
//! in a transaction with its checkpoint and run counters (a `replace`
//! source: all its files in one, the old rows deleted in it); a database
//! source is run by `database::run`.

use std::path::PathBuf;
use std::sync::Arc;
use tracing::Instrument;

use super::FileError;
use super::database::run::DatabaseRun;
use super::report::SourceReport;
use super::source_run::SourceRun;
use super::transform::Transforms;
use crate::config::{FileFormat, LoadedConfig, SourceConfig, TableSchema, WriteDisposition};
use crate::db::Pool;
use crate::plugin::{PluginEngine, Transformer};
use crate::state::{LoadCounts, RunId};

/// A file source ready to run: its config, its table's schema, and the
/// folder its paths are relative to.
#[derive(Debug, Clone)]
pub struct PreparedSource {
    /// The pipeline.
    pub pipeline: String,
    /// The source's key (`table <- path`).
    pub key: String,
    /// The table's declared schema.
    pub schema: TableSchema,
    /// The source's config.
    pub config: SourceConfig,
    /// The folder relative paths start from.
    pub base: PathBuf,
    /// Its row transforms, compiled.
    pub transforms: Arc<Transforms>,
}

/// A source or a file of it that failed.
#[derive(Debug)]
pub struct SourceFailure {
    /// The source.
    pub source_key: String,
    /// What happened.
    pub error: FileError,
}

/// What a pipeline's file sources did in a run.
#[derive(Debug, Default)]
pub struct FilesOutcome {
    /// Per source.
    pub reports: Vec<SourceReport>,
    /// What failed, in order.
    pub failures: Vec<SourceFailure>,
    /// The rows' counts, all sources together.
    pub counts: LoadCounts,
}

/// The file sources of `pipeline`, their tables' schemas read.
pub fn prepare_sources(
    config: &LoadedConfig,
    pipeline: &str,
    engine: &PluginEngine,
) -> Result<Vec<PreparedSource>, FileError> {
    let pipeline_config = config.pipeline(pipeline)?;
    let base = config.path.parent().map(PathBuf::from).unwrap_or_default();
    let plugin_dir = config.plugin_dir();
    // Each transformer is loaded once, however many steps name it.
    let mut transformers: std::collections::HashMap<String, Arc<Transformer>> =
        std::collections::HashMap::new();
    let mut load = |name: &str| -> Result<Arc<Transformer>, String> {
        if let Some(loaded) = transformers.get(name) {
            return Ok(loaded.clone());
        }
        let loaded = crate::plugin::load_named(&plugin_dir, name, |wasm| {
            Transformer::load(engine, wasm).map(Arc::new)
        })
        .map_err(|e| e.to_string())?;
        transformers.insert(name.to_string(), loaded.clone());
        Ok(loaded)
    };
    let mut sources = Vec::new();
    for (i, source) in pipeline_config.sources.iter().enumerate() {
        let schema = config.table_schema(&source.table)?;
        if source.write == WriteDisposition::Merge && schema.primary_key().is_empty() {
            return Err(config
                .invalid(
                    format!("pipelines.{pipeline}.sources[{i}].write"),
                    format!(
                        "merge upserts on the primary key, and table `{}` has none",
                        source.table
                    ),
                )
                .into());
        }
        if source.detection() == Some(crate::config::ChangeDetection::Snapshot)
            && schema.primary_key().is_empty()
        {
            return Err(config
                .invalid(
                    format!("pipelines.{pipeline}.sources[{i}].change_detection"),
                    format!(
                        "a snapshot compares rows by key, and table `{}` has none",
                        source.table
                    ),
                )
                .into());
        }
        let at = format!("pipelines.{pipeline}.sources[{i}].transforms");
        let transforms = Transforms::compile_with(&source.transforms, &mut load)
            .map_err(|e| config.invalid(format!("{at}[{}].{}", e.step, e.key), e.message))?;
        // A file without a header holds the table's columns in order: the
        // columns the steps name are known before any file is read.
        let positional = !source.header
            && matches!(
                source
                    .format
                    .or_else(|| FileFormat::from_name(&source.path)),
                Some(FileFormat::Csv | FileFormat::Xlsx)
            );
        if positional {
            let columns: Vec<String> = schema.columns.iter().map(|c| c.name.clone()).collect();
            transforms
                .check_columns(&columns)
                .map_err(|message| config.invalid(at.clone(), message))?;
        }
        sources.push(PreparedSource {
            pipeline: pipeline.to_string(),
            key: source.key(),
            schema,
            config: source.clone(),
            base: base.clone(),
            transforms: Arc::new(transforms),
        });
    }
    Ok(sources)
}

/// How a run treats its file sources.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceOptions {
    /// Load each file and roll it back.
    pub dry_run: bool,
    /// Forget the files loaded before (`--clear-checkpoint`): every file is
    /// loaded again.
    pub clear_checkpoints: bool,
}

/// Runs `sources` in order into `pool` for run `run_id`.
pub async fn run_sources(
    sources: &[PreparedSource],
    pool: &Pool,
    run_id: RunId,
    options: SourceOptions,
) -> FilesOutcome {
    let dry_run = options.dry_run;
    let mut outcome = FilesOutcome::default();
    for source in sources {
        if source.config.database.is_some() {
            let span = tracing::info_span!("database_source", source = %source.key);
            let mut run = DatabaseRun {
                source,
                pool,
                run_id,
                dry_run,
                report: SourceReport::database(&source.key),
                counts: LoadCounts::default(),
            };
            let result = run.run(options.clear_checkpoints).instrument(span).await;
            tracing::info!(source = %source.key, summary = %run.report.line(), "database source done");
            outcome.counts.add(&run.counts);
            outcome.reports.push(run.report);
            if let Err(error) = result {
                outcome.failures.push(SourceFailure {
                    source_key: source.key.clone(),
                    error,
                });
            }
            continue;
        }
        let span = tracing::info_span!("file_source", source = %source.key);
        let mut run = SourceRun {
            source,
            pool,
            run_id,
            dry_run,
            report: SourceReport {
                has_transforms: !source.transforms.is_empty(),
                ..SourceReport::new(&source.key)
            },
            counts: LoadCounts::default(),
            failures: Vec::new(),
        };
        if let Err(error) = run.run(options.clear_checkpoints).instrument(span).await {
            run.failures.push(error);
        }
        tracing::info!(source = %source.key, summary = %run.report.line(), "file source done");
        outcome.counts.add(&run.counts);
        outcome.reports.push(run.report);
        outcome
            .failures
            .extend(run.failures.into_iter().map(|error| SourceFailure {
                source_key: source.key.clone(),
                error,
            }));
    }
    outcome
}
