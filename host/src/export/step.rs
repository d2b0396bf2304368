//! A pipeline's exports: after a successful run, each
//! `[[pipelines.NAME.exports]]` writes its table, whole or only the rows
//! the run inserted or changed. Those are the rows whose `run_id` is the
//! run's (a merge moves `run_id` only with a real change); a table
//! without that column is exported whole, and the log says so.

use super::{Destination, ExportError, ExportRequest, ExportSummary, Source, export};
use crate::config::{ExportStepConfig, LoadedConfig};
use crate::db::Pool;

/// One export of a pipeline, its destination resolved against the config.
#[derive(Debug, Clone)]
pub struct ExportStep {
    /// As the config says.
    pub config: ExportStepConfig,
    /// Where it goes.
    pub out: Destination,
}

impl ExportStep {
    /// The exports of pipeline `pipeline` in `config`, in order.
    pub fn of_pipeline(config: &LoadedConfig, pipeline: &str) -> Result<Vec<Self>, ExportError> {
        let Some(pipeline) = config.config.pipelines.get(pipeline) else {
            return Ok(Vec::new());
        };
        pipeline
            .exports
            .iter()
            .map(|export| {
                Ok(ExportStep {
                    out: Destination::parse(&config.export_out(&export.out))?,
                    config: export.clone(),
                })
            })
            .collect()
    }
}

/// How one export of a run went.
#[derive(Debug)]
pub struct StepOutcome {
    /// The table.
    pub table: String,
    /// Where it went.
    pub out: String,
    /// Whether only the run's rows were asked for but the table has no
    /// `run_id`, so it was exported whole.
    pub whole_table: bool,
    /// What it wrote, or why it could not.
    pub result: Result<ExportSummary, ExportError>,
}

/// Runs `steps` after run `run_id`, one after another; a failing export
/// does not stop the next.
pub async fn after_run(pool: &Pool, steps: &[ExportStep], run_id: i64) -> Vec<StepOutcome> {
    let mut outcomes = Vec::with_capacity(steps.len());
    for step in steps {
        let config = &step.config;
        let has_run_id = if config.changed_only {
            has_run_column(pool, &config.table).await
        } else {
            false
        };
        let whole_table = config.changed_only && !has_run_id;
        if whole_table {
            tracing::warn!(
                table = %config.table,
                "changed_only: the table has no run_id column, so it is exported whole"
            );
        }
        let request = ExportRequest {
            source: Source::Table {
                name: config.table.clone(),
                run: has_run_id.then_some(run_id),
            },
            format: config.format,
            out: step.out.clone(),
            partition_by: config.partition_by.clone(),
            max_partitions: usize::try_from(config.max_partitions()).unwrap_or(usize::MAX),
            max_file_size: config.max_file_size(),
            report_rows: usize::try_from(config.rows()).unwrap_or(usize::MAX),
            label: format!("run{run_id}"),
        };
        let result = export(pool, &request).await;
        match &result {
            Ok(summary) => tracing::info!(
                table = %config.table,
                out = %step.out.shown(),
                rows = summary.rows,
                files = summary.files.len(),
                "exported"
            ),
            Err(error) => {
                tracing::error!(table = %config.table, out = %step.out.shown(), %error, "export failed")
            }
        }
        outcomes.push(StepOutcome {
            table: config.table.clone(),
            out: step.out.shown(),
            whole_table,
            result,
        });
    }
    outcomes
}

/// Whether `table` has a `run_id` column; a table that cannot be read has
/// none here, and its export says why.
async fn has_run_column(pool: &Pool, table: &str) -> bool {
    use crate::db::Exec;
    let Ok(mut conn) = pool.acquire().await else {
        return false;
    };
    let sql = match &conn {
        crate::db::Conn::Sqlite(_) => {
            "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = 'run_id'"
        }
        crate::db::Conn::Postgres(_) => {
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = ? \
             AND table_schema = ANY (current_schemas(false)) AND column_name = 'run_id'"
        }
    };
    match conn.fetch(sql, vec![table.into()]).await {
        Ok(rows) => rows
            .first()
            .and_then(|r| r.first())
            .and_then(crate::db::Value::int)
            .is_some_and(|n| n > 0),
        Err(_) => false,
    }
}
