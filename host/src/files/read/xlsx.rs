//! Excel workbooks: one sheet's cells streamed in row order, the first row
//! of the range naming the columns. An encrypted (password-protected) or
//! corrupt workbook is refused.

use calamine::{DataRef, Reader, Xlsx};
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use super::ReadSpec;
use crate::files::cell::{BadRow, Batcher, Cell, Item, Place, RawRow, ReadError};

/// Reads the sheet `spec` names of the workbook at `path` into `out`.
pub fn read(path: &Path, spec: &ReadSpec, out: &mut Batcher) -> Result<(), ReadError> {
    if super::is_ole2(path) {
        return Err(ReadError::fatal(
            "the workbook is encrypted (password-protected); save it without a password",
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::fatal(e.to_string()))?;
    let mut workbook: Xlsx<_> = Xlsx::new(BufReader::new(file))
        .map_err(|e| ReadError::fatal(format!("not a readable xlsx workbook: {e}")))?;
    let sheet = match &spec.sheet {
        Some(sheet) => sheet.clone(),
        None => workbook
            .sheet_names()
            .into_iter()
            .next()
            .ok_or_else(|| ReadError::fatal("the workbook has no sheet"))?,
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| ReadError::fatal(format!("sheet `{sheet}`: {e}")))?;
    let mut rows = Rows {
        header: (!spec.header).then(|| {
            let first = spec.range.map_or(0, |r| r.start.1);
            spec.positional
                .iter()
                .enumerate()
                .map(|(i, n)| (first + i as u32, n.clone()))
                .collect()
        }),
        current: None,
        out,
    };
    loop {
        let cell = cells.next_cell().map_err(|e| {
            let at = rows.current.as_ref().map_or(1, |(r, _)| r + 1);
            ReadError::fatal(format!("sheet `{sheet}`, after row {at}: {e}"))
        })?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.get_position();
        if spec.range.is_some_and(|r| !r.contains((row, col))) {
            continue;
        }
        if rows.current.as_ref().is_some_and(|(r, _)| *r != row) {
            rows.finish_row()?;
        }
        let value = value(cell.get_value());
        rows.current
            .get_or_insert_with(|| (row, Vec::new()))
            .1
            .push((col, value));
    }
    rows.finish_row()
}

/// One row's cells: column index and value, or the Excel error it holds.
type RowCells = Vec<(u32, Result<Cell, String>)>;

/// The rows of a sheet as they are assembled from its cells.
struct Rows<'b> {
    /// Column index -> name, once the header row is read.
    header: Option<Vec<(u32, Arc<str>)>>,
    /// The row being assembled: its index and its cells.
    current: Option<(u32, RowCells)>,
    out: &'b mut Batcher,
}

impl Rows<'_> {
    fn finish_row(&mut self) -> Result<(), ReadError> {
        let Some((row, cells)) = self.current.take() else {
            return Ok(());
        };
        let place = Place::Row(u64::from(row) + 1);
        let Some(header) = &self.header else {
            let names = cells
                .into_iter()
                .filter_map(|(col, v)| match v {
                    Ok(Cell::Null) => None,
                    Ok(cell) => Some((col, Arc::from(cell.shown().trim()))),
                    Err(_) => None,
                })
                .collect();
            self.header = Some(names);
            return Ok(());
        };
        let mut fields = Vec::with_capacity(header.len());
        for (col, value) in cells {
            let Some((_, name)) = header.iter().find(|(c, _)| *c == col) else {
                continue;
            };
            match value {
                Ok(cell) => fields.push((name.clone(), cell)),
                Err(error) => {
                    return self.out.push(Item::Bad(BadRow {
                        place,
                        reason: format!(
                            "{place}, column `{name}`: the cell holds the error {error}"
                        ),
                        raw: error,
                    }));
                }
            }
        }
        if fields.iter().all(|(_, c)| *c == Cell::Null) {
            return Ok(());
        }
        self.out.push(Item::Row(RawRow { place, fields }))
    }
}

/// A cell's value, or the Excel error it holds.
fn value(data: &DataRef<'_>) -> Result<Cell, String> {
    Ok(match data {
        DataRef::Empty => Cell::Null,
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                Cell::Int(*f as i64)
            } else {
                Cell::Float(*f)
            }
        }
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let date = time::Month::try_from(mo)
                .ok()
                .and_then(|m| time::Date::from_calendar_date(i32::from(y), m, d).ok());
            match date {
                Some(date) if dt.is_datetime() && h == 0 && mi == 0 && s == 0 && ms == 0 => {
                    Cell::Date(date)
                }
                Some(date) => match time::Time::from_hms_milli(h, mi, s, ms) {
                    Ok(t) => Cell::Timestamp(date.with_time(t).assume_utc()),
                    Err(_) => Cell::Float(dt.as_f64()),
                },
                None => Cell::Float(dt.as_f64()),
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => return Err(e.to_string()),
    })
}
