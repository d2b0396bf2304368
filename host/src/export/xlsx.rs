//! Excel workbooks (`rust_xlsxwriter` in constant-memory mode: each row is
//! written to disk as it comes): a bold header row, then typed cells:
//! numbers as numbers, booleans as booleans, dates and timestamps as
//! Excel dates with a date format, text as text. A sheet holds 1,048,576
//! rows, so at most [`MAX_DATA_ROWS`] under the header.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use std::path::PathBuf;

use super::ExportError;
use super::cells::{Cell, Column, ColumnType, instant_of};
use super::format::{FormatWriter, WriterOptions};

/// Data rows one sheet can hold under its header row.
pub const MAX_DATA_ROWS: u64 = 1_048_575;

/// Integers beyond this lose digits as an Excel number (a double), so
/// they are written as text.
const EXACT_INTEGER: i64 = 1 << 53;

/// Writes `xlsx`.
pub struct XlsxWriter {
    workbook: Workbook,
    columns: Vec<Column>,
    formats: Vec<Option<Format>>,
    rows: u64,
    limit: u64,
    path: PathBuf,
    relative: PathBuf,
}

impl XlsxWriter {
    /// A workbook with its header row.
    pub fn new(options: WriterOptions) -> Result<Self, ExportError> {
        Self::with_limit(options, MAX_DATA_ROWS)
    }

    /// [`XlsxWriter::new`] refusing more than `limit` data rows.
    pub fn with_limit(options: WriterOptions, limit: u64) -> Result<Self, ExportError> {
        let path = options.file();
        let xlsx = |source: XlsxError| ExportError::Xlsx {
            path: path.clone(),
            message: source.to_string(),
        };
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        {
            let sheet = workbook
                .add_worksheet_with_constant_memory()
                .map_err(xlsx)?;
            for (i, column) in options.columns.iter().enumerate() {
                let col = u16::try_from(i).map_err(|_| ExportError::Xlsx {
                    path: path.clone(),
                    message: format!("{} columns: a sheet holds 16,384", options.columns.len()),
                })?;
                sheet
                    .write_string_with_format(0, col, &column.name, &bold)
                    .map_err(xlsx)?;
            }
        }
        let formats = options
            .columns
            .iter()
            .map(|c| match c.kind {
                ColumnType::Date => Some(Format::new().set_num_format("yyyy-mm-dd")),
                ColumnType::Timestamp { .. } => {
                    Some(Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"))
                }
                ColumnType::Decimal { scale, .. } if scale > 0 => {
                    Some(Format::new().set_num_format(format!(
                        "0.{}",
                        "0".repeat(usize::try_from(scale).unwrap_or(0))
                    )))
                }
                _ => None,
            })
            .collect();
        Ok(XlsxWriter {
            workbook,
            columns: options.columns,
            formats,
            rows: 0,
            limit,
            relative: PathBuf::from(options.file_name.unwrap_or_default()),
            path,
        })
    }

    fn xlsx_error(&self, source: XlsxError) -> ExportError {
        ExportError::Xlsx {
            path: self.path.clone(),
            message: source.to_string(),
        }
    }
}

/// An instant as an Excel date and time (to the millisecond).
fn excel_datetime(micros: i64) -> Result<ExcelDateTime, XlsxError> {
    let at = instant_of(micros).ok_or(XlsxError::DateTimeRangeError(format!(
        "{micros} µs is out of range"
    )))?;
    let (date, time) = (at.date(), at.time());
    let year = u16::try_from(date.year())
        .map_err(|_| XlsxError::DateTimeRangeError(format!("year {}", date.year())))?;
    ExcelDateTime::from_ymd(year, u8::from(date.month()), date.day())?.and_hms_milli(
        u16::from(time.hour()),
        time.minute(),
        time.second(),
        time.millisecond(),
    )
}

impl FormatWriter for XlsxWriter {
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        for row in rows {
            if self.rows >= self.limit {
                return Err(ExportError::TooManyRows {
                    format: "xlsx",
                    limit: self.limit,
                });
            }
            self.rows += 1;
            let r = u32::try_from(self.rows).unwrap_or(u32::MAX);
            let sheet = self
                .workbook
                .worksheet_from_index(0)
                .map_err(|e| ExportError::Xlsx {
                    path: self.path.clone(),
                    message: e.to_string(),
                })?;
            for (i, (cell, column)) in row.iter().zip(&self.columns).enumerate() {
                let c = u16::try_from(i).unwrap_or(u16::MAX);
                let format = self.formats.get(i).and_then(Option::as_ref);
                let written = match (cell, format) {
                    (Cell::Null, _) => continue,
                    (Cell::Bool(b), _) => sheet.write_boolean(r, c, *b).map(drop),
                    (Cell::Int(i), _) if i.abs() <= EXACT_INTEGER => {
                        sheet.write_number(r, c, *i as f64).map(drop)
                    }
                    (Cell::Float(f), _) => sheet.write_number(r, c, *f).map(drop),
                    (Cell::Decimal(d), format) => {
                        let text = cell.text(column.kind).unwrap_or_default();
                        match (text.parse::<f64>(), format) {
                            (Ok(n), Some(f)) if d.unsigned_abs() < 1 << 53 => {
                                sheet.write_number_with_format(r, c, n, f).map(drop)
                            }
                            (Ok(n), None) if d.unsigned_abs() < 1 << 53 => {
                                sheet.write_number(r, c, n).map(drop)
                            }
                            _ => sheet.write_string(r, c, text.as_ref()).map(drop),
                        }
                    }
                    (Cell::Date(_) | Cell::Timestamp(_), Some(format)) => {
                        let micros = match cell {
                            Cell::Date(days) => i64::from(*days) * 86_400_000_000,
                            Cell::Timestamp(t) => *t,
                            _ => 0,
                        };
                        match excel_datetime(micros) {
                            Ok(at) => sheet.write_datetime_with_format(r, c, at, format).map(drop),
                            // Before 1900 Excel has no dates: the text.
                            Err(_) => sheet
                                .write_string(
                                    r,
                                    c,
                                    cell.text(column.kind).unwrap_or_default().as_ref(),
                                )
                                .map(drop),
                        }
                    }
                    (other, _) => sheet
                        .write_string(r, c, other.text(column.kind).unwrap_or_default().as_ref())
                        .map(drop),
                };
                written.map_err(|e| ExportError::Xlsx {
                    path: self.path.clone(),
                    message: format!("row {}, column {}: {e}", self.rows, column.name),
                })?;
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>, ExportError> {
        let path = self.path.clone();
        self.workbook.save(&path).map_err(|e| self.xlsx_error(e))?;
        Ok(vec![self.relative])
    }
}
