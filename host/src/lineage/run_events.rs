//! A run's START and COMPLETE/FAIL/ABORT events, from what the pipeline
//! tells: the streams it read, the tables it wrote, and the checks that
//! held or not.

use std::collections::BTreeMap;

use super::columns::table_columns;
use super::event::{
    Assertion, EventType, InputDataset, Job, OutputDataset, Run, RunEvent, SCHEMA_URL,
    assertions_facet, output_statistics_facet, producer, schema_facet,
};
use super::naming::{DatabaseNaming, provider_namespace, run_uuid};
use super::transport::LineageTransport;
use crate::db::{DbError, Pool};
use crate::internal_events::{InternalEvent, LineageEventNotSent};
use crate::state::runs;

/// One provider stream a run read: an input dataset.
#[derive(Debug, Clone)]
pub struct StreamRead {
    /// The provider's base URL.
    pub base_url: String,
    /// The stream's name, with its parameters (`matches?season=2022`).
    pub stream: String,
    /// The checks on what was read (today: nothing quarantined).
    pub assertions: Vec<Assertion>,
}

/// One table a run wrote: an output dataset.
#[derive(Debug, Clone)]
pub struct TableWritten {
    /// The table.
    pub table: String,
    /// Rows the run inserted or changed there.
    pub rows: u64,
    /// The checks on what was written (none yet; quality checks add them).
    pub assertions: Vec<Assertion>,
}

/// How a run ended, as OpenLineage tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Finished, everything or part of it loaded.
    Complete,
    /// Failed.
    Fail,
    /// Abandoned: its process went away meanwhile.
    Abort,
}

/// The run a pipeline is doing, as its events name it.
#[derive(Clone, Copy)]
pub struct RunRef<'a> {
    /// The database the run writes.
    pub pool: &'a Pool,
    /// The pipeline: the job's name.
    pub pipeline: &'a str,
    /// The run's id in `sluice_runs`.
    pub run_id: i64,
}

impl LineageTransport {
    /// Sends the run's START event with the streams it is to read.
    pub async fn run_started(&self, run: RunRef<'_>, inputs: &[StreamRead]) {
        if let Some(event) = self.event(run, EventType::Start, inputs, &[]).await {
            self.send(&event).await;
        }
    }

    /// Sends the run's last event: COMPLETE, FAIL or ABORT, with what it
    /// read and wrote.
    pub async fn run_ended(
        &self,
        run: RunRef<'_>,
        end: RunEnd,
        inputs: &[StreamRead],
        outputs: &[TableWritten],
    ) {
        let event_type = match end {
            RunEnd::Complete => EventType::Complete,
            RunEnd::Fail => EventType::Fail,
            RunEnd::Abort => EventType::Abort,
        };
        if let Some(event) = self.event(run, event_type, inputs, outputs).await {
            self.send(&event).await;
        }
    }

    /// The event, or none (with a warning) when the database cannot say
    /// how its tables are named.
    async fn event(
        &self,
        run: RunRef<'_>,
        event_type: EventType,
        inputs: &[StreamRead],
        outputs: &[TableWritten],
    ) -> Option<RunEvent> {
        let named = async {
            let naming = DatabaseNaming::of(run.pool).await?;
            let mut conn = run
                .pool
                .acquire()
                .await
                .map_err(DbError::query("connect"))?;
            let started_at = runs::get(&mut conn, run.run_id)
                .await?
                .map(|r| r.started_at)
                .unwrap_or_default();
            Ok::<_, DbError>((naming, started_at))
        };
        let (naming, started_at) = match named.await {
            Ok(named) => named,
            Err(error) => {
                LineageEventNotSent {
                    transport: "any",
                    event_type: &format!("{event_type:?}"),
                    pipeline: run.pipeline,
                    error: &error.to_string(),
                }
                .emit();
                return None;
            }
        };
        let mut output_datasets = Vec::with_capacity(outputs.len());
        for output in outputs {
            output_datasets.push(output_dataset(run.pool, &naming, output).await);
        }
        Some(RunEvent {
            event_type,
            event_time: crate::db::now_timestamp(),
            run: Run {
                run_id: run_uuid(&naming, run.run_id, &started_at),
            },
            job: Job {
                namespace: self.namespace.clone(),
                name: run.pipeline.to_string(),
            },
            inputs: inputs.iter().map(input_dataset).collect(),
            outputs: output_datasets,
            producer: producer(),
            schema_url: SCHEMA_URL.to_string(),
        })
    }
}

fn input_dataset(input: &StreamRead) -> InputDataset {
    let mut input_facets = BTreeMap::new();
    if !input.assertions.is_empty() {
        input_facets.insert(
            "dataQualityAssertions".to_string(),
            assertions_facet(&input.assertions),
        );
    }
    InputDataset {
        namespace: provider_namespace(&input.base_url),
        name: input.stream.clone(),
        input_facets,
    }
}

/// The table as an output, with its schema read from the database (left
/// out, with a warning, if it cannot be read).
async fn output_dataset(
    pool: &Pool,
    naming: &DatabaseNaming,
    output: &TableWritten,
) -> OutputDataset {
    let mut facets = BTreeMap::new();
    match table_columns(pool, &output.table).await {
        Ok(columns) if !columns.is_empty() => {
            facets.insert("schema".to_string(), schema_facet(&columns));
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(table = %output.table, error = %error, "lineage: table schema not read");
        }
    }
    let mut output_facets = BTreeMap::new();
    output_facets.insert(
        "outputStatistics".to_string(),
        output_statistics_facet(output.rows),
    );
    if !output.assertions.is_empty() {
        output_facets.insert(
            "dataQualityAssertions".to_string(),
            assertions_facet(&output.assertions),
        );
    }
    OutputDataset {
        namespace: naming.namespace.clone(),
        name: naming.table(&output.table),
        facets,
        output_facets,
    }
}
