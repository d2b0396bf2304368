//! Where data came from and where it went: OpenLineage run events for
//! lineage servers (Marquez, DataHub, any OpenLineage HTTP endpoint), the lineage of one
//! loaded row (`sluice lineage TABLE KEY…`), and the graph of a config's
//! providers, streams, plugins and tables (`sluice lineage graph`).

mod columns;
mod event;
mod graph;
mod naming;
mod row;
mod run_events;
mod sources;
mod transport;

pub use event::{
    Assertion, Column, EventType, InputDataset, Job, OutputDataset, Run, RunEvent, SCHEMA_URL,
    producer,
};
pub use graph::{Edge, LineageGraph, Node, build as build_graph, tables_by_plugin};
pub use naming::{DatabaseNaming, provider_namespace, run_uuid};
pub use row::{RowLineage, RowLineageError, RowQuery, RowWrite, row_lineage, table_spec};
pub use run_events::{RunEnd, RunRef, StreamRead, TableWritten};
pub use sources::{ArchivedRequest, CanonicalLink};
pub use transport::LineageTransport;
