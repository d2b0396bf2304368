//! What a reader makes of a file: rows of named cells with their place in
//! the file, bad rows with the reason, sent in bounded batches.

use std::fmt;
use std::sync::Arc;
use tokio::sync::mpsc;

/// One value as a file holds it, before it is fitted to its column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty or null.
    Null,
    /// Text (every CSV field is text).
    Text(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A calendar day.
    Date(time::Date),
    /// An instant.
    Timestamp(time::OffsetDateTime),
    /// An exact decimal, as its digits.
    Decimal(String),
    /// A JSON array or object.
    Json(serde_json::Value),
}

impl Cell {
    /// The value as a person reads it in a message.
    pub fn shown(&self) -> String {
        match self {
            Cell::Null => "null".to_string(),
            Cell::Text(s) | Cell::Decimal(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Timestamp(t) => crate::db::timestamp(*t),
            Cell::Json(v) => v.to_string(),
        }
    }

    /// The value as JSON, for a quarantined row's raw text.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Int(i) => (*i).into(),
            Cell::Float(f) => serde_json::Number::from_f64(*f)
                .map_or_else(|| f.to_string().into(), serde_json::Value::Number),
            Cell::Bool(b) => (*b).into(),
            Cell::Json(v) => v.clone(),
            other => other.shown().into(),
        }
    }
}

/// Where a row is in its file; ordered as the file holds its rows, the
/// rows transform plugins made after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// A line of a text file (CSV, NDJSON), from 1.
    Line(u64),
    /// A row of a Parquet file (from 1) or an Excel sheet (its row number).
    Row(u64),
    /// An element of a JSON array, from 1.
    Element(u64),
    /// A row a `plugin` transform step made: the step (from 1) and the
    /// row's number among those it made of the file (from 1).
    Made {
        /// The step.
        step: u32,
        /// The row.
        row: u64,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Row(n) => write!(f, "row {n}"),
            Place::Element(n) => write!(f, "element {n}"),
            Place::Made { step, row } => write!(f, "row {row} made by transform step {step}"),
        }
    }
}

/// One row: its place and its named cells, in file order.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// Where it is.
    pub place: Place,
    /// Source column name and value.
    pub fields: Vec<(Arc<str>, Cell)>,
}

impl RawRow {
    /// The row as a JSON object, for the quarantine.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_json()))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

/// A row that could not be read: where, why, and what it held.
#[derive(Debug, Clone)]
pub struct BadRow {
    /// Where it is.
    pub place: Place,
    /// Why it is bad, for a person.
    pub reason: String,
    /// Its text, as far as it could be read.
    pub raw: String,
}

/// What a reader sends.
#[derive(Debug)]
pub enum Item {
    /// A readable row.
    Row(RawRow),
    /// A row that could not be read.
    Bad(BadRow),
}

/// Why a reader stopped before the end of its file.
#[derive(Debug)]
pub enum ReadError {
    /// The file cannot be read on: the reason names the place.
    Fatal(String),
    /// The loader stopped listening (it failed, or had enough rows).
    Cancelled,
}

impl ReadError {
    /// A [`ReadError::Fatal`].
    pub fn fatal(reason: impl Into<String>) -> Self {
        ReadError::Fatal(reason.into())
    }
}

/// Collects items into batches of a bounded size and sends each to the
/// loader, waiting while the loader is busy: memory is bounded by the
/// channel, never by the file.
pub struct Batcher {
    tx: mpsc::Sender<Vec<Item>>,
    buf: Vec<Item>,
    size: usize,
}

impl Batcher {
    /// A batcher sending batches of `size` items into `tx`.
    pub fn new(tx: mpsc::Sender<Vec<Item>>, size: usize) -> Self {
        Batcher {
            tx,
            buf: Vec::with_capacity(size.min(65_536)),
            size: size.max(1),
        }
    }

    /// Adds an item, sending the batch once it is full.
    pub fn push(&mut self, item: Item) -> Result<(), ReadError> {
        self.buf.push(item);
        if self.buf.len() >= self.size {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends what is collected.
    pub fn flush(&mut self) -> Result<(), ReadError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.buf, Vec::with_capacity(self.size.min(65_536)));
        self.tx
            .blocking_send(batch)
            .map_err(|_| ReadError::Cancelled)
    }
}
