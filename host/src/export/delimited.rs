//! CSV (RFC 4180, through the `csv` crate) with a header row, plain or
//! gzip-compressed. NULL is an empty field.

use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::ExportError;
use super::cells::{Cell, Column};
use super::format::{FormatWriter, WriterOptions, create, io_error};
use crate::config::ExportFormat;

/// Where the CSV bytes go.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(Box<GzEncoder<BufWriter<File>>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

/// Writes `csv` and `csv.gz`.
pub struct CsvWriter {
    writer: csv::Writer<Sink>,
    columns: Vec<Column>,
    path: PathBuf,
    relative: PathBuf,
}

impl CsvWriter {
    /// Creates the file and writes the header row.
    pub fn new(options: WriterOptions) -> Result<Self, ExportError> {
        let path = options.file();
        let file = create(&path)?;
        let sink = if options.format == ExportFormat::CsvGz {
            Sink::Gzip(Box::new(GzEncoder::new(file, Compression::default())))
        } else {
            Sink::Plain(file)
        };
        let mut writer = csv::Writer::from_writer(sink);
        writer
            .write_record(options.columns.iter().map(|c| c.name.as_str()))
            .map_err(|source| ExportError::Csv {
                path: path.clone(),
                source,
            })?;
        Ok(CsvWriter {
            writer,
            columns: options.columns,
            relative: PathBuf::from(options.file_name.unwrap_or_default()),
            path,
        })
    }
}

impl FormatWriter for CsvWriter {
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        for row in rows {
            let fields = row
                .iter()
                .zip(&self.columns)
                .map(|(cell, column)| cell.text(column.kind).unwrap_or_default());
            self.writer
                .write_record(fields.map(|f| f.into_owned()))
                .map_err(|source| ExportError::Csv {
                    path: self.path.clone(),
                    source,
                })?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, ExportError> {
        let path = self.path.clone();
        let sink = self.writer.into_inner().map_err(|e| ExportError::Write {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let file = match sink {
            Sink::Plain(file) => file,
            Sink::Gzip(gzip) => gzip.finish().map_err(io_error(&path))?,
        };
        file.into_inner()
            .map_err(|e| ExportError::Write {
                path: path.clone(),
                source: std::io::Error::other(e.to_string()),
            })?
            .sync_all()
            .map_err(io_error(&path))?;
        Ok(vec![self.relative])
    }
}
