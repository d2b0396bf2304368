//! JSON: one array of objects, read one element at a time. A syntax error
//! anywhere refuses the file, naming its line and column; an element that
//! is not an object is a bad row.

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use std::fmt;
use std::io::BufRead;

use crate::files::cell::{BadRow, Batcher, Item, Place, ReadError};

/// Reads a JSON array from `input` into `out`.
pub fn read(input: Box<dyn BufRead + Send>, out: &mut Batcher) -> Result<(), ReadError> {
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut stop = None;
    let elements = Elements {
        out,
        stop: &mut stop,
    };
    let read = de.deserialize_seq(elements).and_then(|()| de.end());
    if let Some(stop) = stop {
        return Err(stop);
    }
    read.map_err(|e| ReadError::fatal(syntax(&e)))
}

/// A serde_json error as "JSON syntax error at line L, column C: …".
pub fn syntax(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    let what = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "JSON syntax error"
        }
        serde_json::error::Category::Data => "not a JSON array of objects",
        serde_json::error::Category::Io => "read error",
    };
    format!(
        "{what} at line {}, column {}: {message}",
        e.line(),
        e.column()
    )
}

/// The array's visitor: hands each element on as it is parsed.
struct Elements<'a> {
    out: &'a mut Batcher,
    stop: &'a mut Option<ReadError>,
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0u64;
        while let Some(value) = seq.next_element_seed(Element)? {
            index += 1;
            let place = Place::Element(index);
            let item = match super::ndjson::object_row(place, value) {
                Ok(row) => Item::Row(row),
                Err(raw) => Item::Bad(BadRow {
                    place,
                    reason: format!("{place}: not a JSON object"),
                    raw,
                }),
            };
            if let Err(stop) = self.out.push(item) {
                *self.stop = Some(stop);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// One element, as a JSON value.
struct Element;

impl<'de> DeserializeSeed<'de> for Element {
    type Value = serde_json::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}
