//! The readers, one per format: each turns a file into batches of rows and
//! bad rows, and fails naming the place when the file cannot be read on.

mod csv;
mod json;
mod ndjson;
mod parquet;
mod xlsx;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::cell::{Batcher, ReadError};
use crate::config::{CellRange, Compression, Encoding, FileFormat};

/// How to read one file.
#[derive(Debug, Clone)]
pub struct ReadSpec {
    /// Its format.
    pub format: FileFormat,
    /// Its compression.
    pub compression: Compression,
    /// CSV: field delimiter.
    pub delimiter: u8,
    /// CSV: quote character.
    pub quote: u8,
    /// CSV and xlsx: whether the first row names the columns.
    pub header: bool,
    /// CSV: text encoding.
    pub encoding: Encoding,
    /// xlsx: the sheet (the first when `None`).
    pub sheet: Option<String>,
    /// xlsx: the cells read.
    pub range: Option<CellRange>,
    /// Column names by position, for files without a header.
    pub positional: Vec<Arc<str>>,
}

/// Reads `path` as `spec` says into `out`, then flushes it.
pub fn read_file(path: &Path, spec: &ReadSpec, out: &mut Batcher) -> Result<(), ReadError> {
    match spec.format {
        FileFormat::Csv => csv::read(open(path, spec.compression)?, spec, out)?,
        FileFormat::Json => json::read(open(path, spec.compression)?, out)?,
        FileFormat::Ndjson => ndjson::read(open(path, spec.compression)?, out)?,
        FileFormat::Parquet => with_seekable(path, spec.compression, |p| parquet::read(p, out))?,
        FileFormat::Xlsx => with_seekable(path, spec.compression, |p| xlsx::read(p, spec, out))?,
    }
    out.flush()
}

/// The file's bytes, decompressed as `compression` says.
fn open(path: &Path, compression: Compression) -> Result<Box<dyn BufRead + Send>, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::fatal(e.to_string()))?;
    let raw = BufReader::with_capacity(256 * 1024, file);
    Ok(match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(raw),
        )),
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(raw)
                .map_err(|e| ReadError::fatal(format!("not a zstd stream: {e}")))?;
            Box::new(BufReader::with_capacity(256 * 1024, decoder))
        }
    })
}

/// Runs `read` on a seekable file: `path` itself, or its decompressed
/// bytes in a temporary file (Parquet and xlsx are read out of order).
fn with_seekable(
    path: &Path,
    compression: Compression,
    read: impl FnOnce(&Path) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    if compression == Compression::None {
        return read(path);
    }
    let mut input = open(path, compression)?;
    let mut temp = tempfile::NamedTempFile::new()
        .map_err(|e| ReadError::fatal(format!("cannot create a temporary file: {e}")))?;
    std::io::copy(&mut input, temp.as_file_mut())
        .map_err(|e| ReadError::fatal(format!("cannot decompress: {e}")))?;
    read(temp.path())
}

/// A decompression error met while reading, as a fatal error.
fn io_fatal(e: std::io::Error, place: impl std::fmt::Display) -> ReadError {
    ReadError::fatal(format!("{place}: {e}"))
}

/// Reads one line (to `\n`, kept) into `buf`; `false` at the end.
fn next_line(input: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    Ok(input.read_until(b'\n', buf)? > 0)
}

/// Whether `bytes` start like an OLE2 compound file: what an encrypted
/// (password-protected) Office document is.
pub fn is_ole2(path: &Path) -> bool {
    const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == MAGIC
}
