//! `dedup`: one row per key within a file. Memory grows with the number of
//! distinct keys, never with the rows: `keep = "first"` remembers the keys
//! seen; `keep = "last"` reads the file once before loading it and
//! remembers where each key's last row is.

use std::collections::{HashMap, HashSet};

use crate::files::cell::{Cell, Place, RawRow};
use crate::files::table::column_name;

/// A row's key: its key columns' values, each with its kind, so `1` the
/// integer and `"1"` the text are different keys.
pub fn key_of(row: &RawRow, columns: &[String]) -> String {
    let mut key = String::new();
    for column in columns {
        let cell = row
            .fields
            .iter()
            .find(|(name, _)| column_name(name) == *column)
            .map_or(&Cell::Null, |(_, cell)| cell);
        let tag = match cell {
            Cell::Null => 'n',
            Cell::Text(_) => 's',
            Cell::Int(_) => 'i',
            Cell::Float(_) => 'f',
            Cell::Bool(_) => 'b',
            Cell::Date(_) => 'd',
            Cell::Timestamp(_) => 't',
            Cell::Decimal(_) => 'm',
            Cell::Json(_) => 'j',
        };
        key.push(tag);
        key.push_str(&cell.shown());
        key.push('\u{1f}');
    }
    key
}

/// What a `dedup` step remembers while a file loads.
#[derive(Debug)]
pub enum Seen {
    /// The keys met so far: a key met again is a duplicate.
    First(HashSet<String>),
    /// Each key's last row, from the pass before loading: any other row of
    /// the key is a duplicate.
    Last(HashMap<String, Place>),
}

impl Seen {
    /// Whether the row of `key` at `place` stays.
    pub fn keeps(&mut self, key: String, place: Place) -> bool {
        match self {
            Seen::First(keys) => keys.insert(key),
            Seen::Last(last) => last.get(&key).is_none_or(|p| *p == place),
        }
    }
}
