//! Rows: a record's values in its table's column order, what every row
//! records about where it came from, and a batch's rows grouped by table
//! with repeats dropped.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::HashTable;

use super::TableSpec;
use crate::db::Value;
use crate::model::Record;
use crate::state::RunId;

/// A record as a row: its table, key values in [`TableSpec::key`] order and
/// content values in [`TableSpec::content`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Which table.
    pub table: &'static TableSpec,
    /// `provider` column.
    pub provider: String,
    /// Key values after `provider`.
    pub key: Vec<Value>,
    /// Content values.
    pub values: Vec<Value>,
}

impl Row {
    /// Feeds the row's identity within its table (table, provider, key) to
    /// `state`, consistently with [`Row::same_identity`].
    fn hash_identity(&self, state: &mut impl Hasher) {
        self.table.name.hash(state);
        self.provider.hash(state);
        for part in &self.key {
            match part {
                Value::Null | Value::NullInt | Value::NullFloat => state.write_u8(0),
                Value::Int(i) => i.hash(state),
                Value::Float(f) => float_identity(*f).hash(state),
                Value::Text(t) => t.hash(state),
                Value::Blob(b) => b.hash(state),
                Value::Key(k) => k.hash(state),
            }
        }
    }

    /// Whether two rows are the same row of one table, for finding repeats
    /// in a batch: -0 and 0 are one line to the database, and so is any NaN.
    fn same_identity(&self, other: &Row) -> bool {
        self.table.name == other.table.name
            && self.provider == other.provider
            && self.key.len() == other.key.len()
            && self.key.iter().zip(&other.key).all(|pair| match pair {
                (Value::Float(a), Value::Float(b)) => float_identity(*a) == float_identity(*b),
                (a, b) if is_null(a) && is_null(b) => true,
                (a, b) => a == b,
            })
    }
}

/// Whether `value` is a NULL, whatever its type.
fn is_null(value: &Value) -> bool {
    matches!(value, Value::Null | Value::NullInt | Value::NullFloat)
}

/// The bits a float key part is told apart by: -0 and 0 are one, NaNs are one.
fn float_identity(f: f64) -> u64 {
    if f.is_nan() {
        f64::NAN.to_bits()
    } else {
        (f + 0.0).to_bits()
    }
}

/// The plugin that produced a table's rows of a batch when that is not the
/// batch's normalizer: the enricher that added rows of a table the records
/// before it did not have (`odds-maths` adds `fair_prices`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProducer {
    /// The table.
    pub table: &'static str,
    /// The enricher's name.
    pub plugin: String,
    /// The enricher's version.
    pub plugin_version: String,
}

/// What every row of a batch records about where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// Plugin name.
    pub plugin: &'a str,
    /// Plugin version.
    pub plugin_version: &'a str,
    /// The run.
    pub run_id: RunId,
    /// sha256 of the response body.
    pub payload_hash: &'a str,
    /// The batch's timestamp, for `created_at` and `updated_at`.
    pub now: &'a str,
}

/// A batch's records as rows grouped by table, repeats dropped: made by
/// whoever produces the batch, so the hashing and grouping happen off the
/// committing path.
#[derive(Debug, Clone, Default)]
pub struct BatchRows {
    /// Rows per table, tables in the order their first record came.
    pub tables: Vec<(&'static TableSpec, Vec<Row>)>,
    /// Records that repeated an earlier record of the batch (the last wins).
    pub duplicates: u64,
    /// Tables whose rows an enricher produced; the others are the
    /// normalizer's.
    pub producers: Vec<TableProducer>,
    /// The batch's matches as the live path sees them, for a stream with
    /// `live = true`: tracked, and what changed told into the outbox, in
    /// the batch's transaction.
    pub live: Vec<crate::live::LiveSnapshot>,
    /// How a live stream's matches are watched; `None` when not live.
    pub live_settings: Option<crate::live::LiveSettings>,
}

impl BatchRows {
    /// Records the batch had, repeats included.
    pub fn records(&self) -> u64 {
        self.tables
            .iter()
            .map(|(_, rows)| rows.len() as u64)
            .sum::<u64>()
            + self.duplicates
    }
}

impl From<Vec<Record>> for BatchRows {
    fn from(records: Vec<Record>) -> Self {
        let (tables, duplicates) = rows_by_table(records.into_iter().map(Row::from));
        BatchRows {
            tables,
            duplicates,
            producers: Vec::new(),
            live: Vec::new(),
            live_settings: None,
        }
    }
}

/// Groups rows by table, keeping the last of rows with the same key; returns
/// the groups in table order and how many rows were dropped as repeats.
/// Rows are looked up by a hash of their identity and compared in place,
/// so finding repeats allocates nothing per row.
pub fn rows_by_table(
    rows: impl ExactSizeIterator<Item = Row>,
) -> (Vec<(&'static TableSpec, Vec<Row>)>, u64) {
    let hasher = hashbrown::DefaultHashBuilder::default();
    let hash = |row: &Row| {
        let mut state = hasher.build_hasher();
        row.hash_identity(&mut state);
        state.finish()
    };
    let total = rows.len();
    let mut groups: Vec<(&'static TableSpec, Vec<Row>)> = Vec::new();
    let mut index: HashTable<(usize, usize)> = HashTable::with_capacity(total);
    let mut duplicates = 0;
    for row in rows {
        let hashed = hash(&row);
        let found = index
            .find(hashed, |&(g, i)| groups[g].1[i].same_identity(&row))
            .copied();
        if let Some((g, i)) = found {
            groups[g].1[i] = row;
            duplicates += 1;
            continue;
        }
        let g = match groups.iter().position(|(t, _)| t.name == row.table.name) {
            Some(g) => g,
            None => {
                // Most batches hold one table: room for every row at once.
                let room = if groups.is_empty() { total } else { 0 };
                groups.push((row.table, Vec::with_capacity(room)));
                groups.len() - 1
            }
        };
        let at = (g, groups[g].1.len());
        groups[g].1.push(row);
        index.insert_unique(hashed, at, |&(g, i)| hash(&groups[g].1[i]));
    }
    (groups, duplicates)
}
