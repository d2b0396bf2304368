//! The OpenLineage 2-0-2 run event as JSON: the few parts of the spec the
//! host fills, typed so a misspelt field cannot reach a lineage server.

use serde::Serialize;
use std::collections::BTreeMap;

/// The spec version events are written against.
pub const SCHEMA_URL: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
/// The `schema` dataset facet's schema.
const SCHEMA_FACET_URL: &str =
    "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
/// The `outputStatistics` facet's schema.
const OUTPUT_STATISTICS_URL: &str = "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet";
/// The `dataQualityAssertions` facet's schema.
const ASSERTIONS_URL: &str = "https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet";

/// The URI naming sluice and its version, as every event and facet states
/// (a URN: the project publishes no URL of its own to point at).
pub fn producer() -> String {
    format!("urn:sluice:{}", env!("CARGO_PKG_VERSION"))
}

/// A run's transition: one START, then one of COMPLETE, FAIL or ABORT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EventType {
    /// The run started.
    Start,
    /// The run finished (wholly or partly loaded).
    Complete,
    /// The run failed.
    Fail,
    /// The run was abandoned (its process went away).
    Abort,
}

/// One OpenLineage run event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunEvent {
    /// START, COMPLETE, FAIL or ABORT.
    pub event_type: EventType,
    /// When it happened, RFC 3339.
    pub event_time: String,
    /// The run.
    pub run: Run,
    /// The job: the pipeline.
    pub job: Job,
    /// The provider streams read.
    pub inputs: Vec<InputDataset>,
    /// The tables written.
    pub outputs: Vec<OutputDataset>,
    /// sluice and its version.
    pub producer: String,
    /// The spec's schema for this event.
    #[serde(rename = "schemaURL")]
    pub schema_url: String,
}

/// The run's identity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// A UUID, the same in every event of one run.
    pub run_id: String,
}

/// The job a run is an instance of.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// `[lineage] namespace`, `sluice` by default.
    pub namespace: String,
    /// The pipeline's name.
    pub name: String,
}

/// A dataset read: one provider stream.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputDataset {
    /// The provider's scheme and host.
    pub namespace: String,
    /// The stream's name.
    pub name: String,
    /// Facets of the read, by facet name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub input_facets: BTreeMap<String, serde_json::Value>,
}

/// A dataset written: one table.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputDataset {
    /// The database, as the naming spec writes it.
    pub namespace: String,
    /// The table, qualified as the naming spec says.
    pub name: String,
    /// Facets of the dataset (its schema), by facet name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facets: BTreeMap<String, serde_json::Value>,
    /// Facets of the write (its statistics), by facet name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub output_facets: BTreeMap<String, serde_json::Value>,
}

/// One column of a table, for the `schema` facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type as the database declares it.
    #[serde(rename = "type")]
    pub data_type: String,
}

/// One data-quality check and whether it held: what a run's summary passes
/// in, and the item of the `dataQualityAssertions` facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assertion {
    /// What was checked (`no_quarantined_rows`).
    pub assertion: String,
    /// Whether it held.
    pub success: bool,
    /// The column checked, when the check is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// Every facet carries who wrote it and its schema.
fn facet(schema_url: &str, body: serde_json::Value) -> serde_json::Value {
    let mut facet = serde_json::json!({
        "_producer": producer(),
        "_schemaURL": schema_url,
    });
    if let (Some(facet), serde_json::Value::Object(body)) = (facet.as_object_mut(), body) {
        facet.extend(body);
    }
    facet
}

/// The `schema` facet: the table's columns and their types.
pub fn schema_facet(columns: &[Column]) -> serde_json::Value {
    facet(SCHEMA_FACET_URL, serde_json::json!({ "fields": columns }))
}

/// The `outputStatistics` facet: rows the run wrote.
pub fn output_statistics_facet(row_count: u64) -> serde_json::Value {
    facet(
        OUTPUT_STATISTICS_URL,
        serde_json::json!({ "rowCount": row_count }),
    )
}

/// The `dataQualityAssertions` facet: each check and whether it held.
pub fn assertions_facet(assertions: &[Assertion]) -> serde_json::Value {
    facet(
        ASSERTIONS_URL,
        serde_json::json!({ "assertions": assertions }),
    )
}
