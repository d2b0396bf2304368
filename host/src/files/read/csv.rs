//! CSV: every field is text (an empty one is null); a row with more or
//! fewer fields than the header, or bytes that are not UTF-8, is a bad row
//! named by its line.

use std::io::BufRead;
use std::sync::Arc;

use super::ReadSpec;
use crate::config::Encoding;
use crate::files::cell::{BadRow, Batcher, Cell, Item, Place, RawRow, ReadError};

/// Reads CSV from `input` into `out`.
pub fn read(
    input: Box<dyn BufRead + Send>,
    spec: &ReadSpec,
    out: &mut Batcher,
) -> Result<(), ReadError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(spec.delimiter)
        .quote(spec.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut header: Option<Vec<Arc<str>>> = (!spec.header).then(|| spec.positional.clone());
    let mut record = ::csv::ByteRecord::new();
    loop {
        let before = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(before, |p| p.line());
                return Err(ReadError::fatal(format!("line {line}: {e}")));
            }
        }
        let line = record.position().map_or(before, |p| p.line());
        let place = Place::Line(line);
        let Some(names) = &header else {
            let mut names = Vec::with_capacity(record.len());
            for (i, field) in record.iter().enumerate() {
                let name = decode(field, spec.encoding).map_err(|at| {
                    ReadError::fatal(format!(
                        "line {line}: the header's field {} is not valid UTF-8 (byte {at})",
                        i + 1
                    ))
                })?;
                names.push(Arc::from(name.trim()));
            }
            header = Some(names);
            continue;
        };
        if record.len() != names.len() {
            out.push(Item::Bad(BadRow {
                place,
                reason: format!(
                    "{place}: expected {} fields, found {}",
                    names.len(),
                    record.len()
                ),
                raw: lossy(&record, spec.delimiter),
            }))?;
            continue;
        }
        let mut fields = Vec::with_capacity(names.len());
        let mut bad = None;
        for (name, field) in names.iter().zip(record.iter()) {
            match decode(field, spec.encoding) {
                Ok(text) if text.is_empty() => fields.push((name.clone(), Cell::Null)),
                Ok(text) => fields.push((name.clone(), Cell::Text(text))),
                Err(at) => {
                    bad = Some(format!(
                        "{place}, column `{name}`: invalid UTF-8 (byte {at} of the field); set encoding = \"latin-1\" if the file is Latin-1"
                    ));
                    break;
                }
            }
        }
        match bad {
            Some(reason) => out.push(Item::Bad(BadRow {
                place,
                reason,
                raw: lossy(&record, spec.delimiter),
            }))?,
            None => out.push(Item::Row(RawRow { place, fields }))?,
        }
    }
}

/// A field as text, or the offset of its first invalid byte.
fn decode(field: &[u8], encoding: Encoding) -> Result<String, usize> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(field)
            .map(str::to_string)
            .map_err(|e| e.valid_up_to()),
        Encoding::Latin1 => Ok(field.iter().map(|&b| char::from(b)).collect()),
    }
}

/// The record's fields joined back, invalid bytes replaced, for the
/// quarantine.
fn lossy(record: &::csv::ByteRecord, delimiter: u8) -> String {
    let fields: Vec<String> = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    fields.join(&char::from(delimiter).to_string())
}
