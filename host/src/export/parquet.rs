//! Parquet, zstd-compressed: one file, or a folder of
//! `part-<label>-<n>.parquet` files, partitioned Hive-style
//! (`season=2024/month=08/…`) by data columns, which then live in the
//! folder names rather than in the files. A file is closed and the next
//! begun once it reaches the size limit; rows buffered for row groups are
//! flushed once all open files together hold more than [`MAX_BUFFERED`].

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ExportError;
use super::arrow::{record_batch, schema};
use super::cells::{Cell, Column};
use super::format::{FormatWriter, WriterOptions, io_error};

/// Bytes of unflushed row groups all open files may hold together.
pub const MAX_BUFFERED: usize = 64 * 1024 * 1024;

/// Rows of one row group.
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// The folder name of a NULL partition value, as Hive and Spark write it.
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// One partition's open file and how many it has written.
struct Part {
    writer: Option<ArrowWriter<File>>,
    next: u32,
}

/// Writes `parquet`.
pub struct ParquetWriter {
    options: WriterOptions,
    schema: Arc<arrow_schema::Schema>,
    /// Indexes of the columns stored in the files.
    fields: Vec<usize>,
    /// Indexes of the partition columns.
    keys: Vec<usize>,
    properties: WriterProperties,
    parts: BTreeMap<String, Part>,
    written: Vec<PathBuf>,
}

impl ParquetWriter {
    /// A writer; files are created as rows reach them.
    pub fn new(options: WriterOptions) -> Result<Self, ExportError> {
        let keys: Vec<usize> = options
            .partition_by
            .iter()
            .map(|name| {
                options
                    .columns
                    .iter()
                    .position(|c| &c.name == name)
                    .ok_or_else(|| ExportError::UnknownColumn {
                        column: name.clone(),
                        columns: options.columns.iter().map(|c| c.name.clone()).collect(),
                    })
            })
            .collect::<Result<_, _>>()?;
        let fields: Vec<usize> = (0..options.columns.len())
            .filter(|i| !keys.contains(i))
            .collect();
        let stored: Vec<Column> = fields.iter().map(|&i| options.columns[i].clone()).collect();
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        Ok(ParquetWriter {
            schema: schema(&stored),
            fields,
            keys,
            properties,
            parts: BTreeMap::new(),
            written: Vec::new(),
            options,
        })
    }

    /// The folder of `row`'s partition (`season=2024/month=08`), or `""`.
    fn partition_of(&self, row: &[Cell]) -> String {
        let segments: Vec<String> = self
            .keys
            .iter()
            .map(|&k| {
                let column = &self.options.columns[k];
                let value = row
                    .get(k)
                    .and_then(|cell| cell.text(column.kind))
                    .map_or_else(|| NULL_PARTITION.to_string(), |v| escape(&v));
                format!("{}={value}", escape(&column.name))
            })
            .collect();
        segments.join("/")
    }

    /// The relative path of partition `dir`'s file number `n`.
    fn file_path(&self, dir: &str, n: u32) -> PathBuf {
        if let Some(name) = &self.options.file_name {
            return PathBuf::from(name);
        }
        let name = format!("part-{}-{n}.parquet", self.options.label);
        if dir.is_empty() {
            PathBuf::from(name)
        } else {
            Path::new(dir).join(name)
        }
    }

    fn open_file(&mut self, dir: &str, n: u32) -> Result<ArrowWriter<File>, ExportError> {
        let relative = self.file_path(dir, n);
        let path = self.options.staging.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let file = File::create(&path).map_err(io_error(&path))?;
        self.written.push(relative);
        ArrowWriter::try_new(file, self.schema.clone(), Some(self.properties.clone()))
            .map_err(|e| ExportError::Parquet(e.to_string()))
    }

    /// Writes `picked` rows to partition `dir`, rolling its file over at
    /// the size limit.
    fn write_part(
        &mut self,
        dir: &str,
        rows: &[Vec<Cell>],
        picked: &[usize],
    ) -> Result<(), ExportError> {
        if !self.parts.contains_key(dir) {
            if self.parts.len() >= self.options.max_partitions {
                return Err(ExportError::TooManyPartitions {
                    count: self.parts.len() + 1,
                    limit: self.options.max_partitions,
                    at_least: true,
                });
            }
            self.parts.insert(
                dir.to_string(),
                Part {
                    writer: None,
                    next: 0,
                },
            );
        }
        let batch = record_batch(
            &self.schema,
            &self.options.columns,
            &self.fields,
            rows,
            picked,
        )?;
        let (taken, n) = match self.parts.get_mut(dir) {
            Some(part) => (part.writer.take(), part.next),
            None => return Ok(()),
        };
        let mut writer = match taken {
            Some(writer) => writer,
            None => self.open_file(dir, n)?,
        };
        writer
            .write(&batch)
            .map_err(|e| ExportError::Parquet(e.to_string()))?;
        let size = writer.bytes_written() + writer.in_progress_size();
        let single = self.options.file_name.is_some();
        let part = self.parts.get_mut(dir).ok_or_else(|| {
            ExportError::Parquet(format!("partition {dir} was forgotten while written"))
        })?;
        if !single && size as u64 >= self.options.max_file_size {
            writer
                .close()
                .map_err(|e| ExportError::Parquet(e.to_string()))?;
            part.next += 1;
        } else {
            part.writer = Some(writer);
        }
        Ok(())
    }

    /// Flushes every open file's buffered rows once they hold too much.
    fn bound_buffers(&mut self) -> Result<(), ExportError> {
        let buffered: usize = self
            .parts
            .values()
            .filter_map(|p| p.writer.as_ref())
            .map(ArrowWriter::in_progress_size)
            .sum();
        if buffered <= MAX_BUFFERED {
            return Ok(());
        }
        for writer in self.parts.values_mut().filter_map(|p| p.writer.as_mut()) {
            writer
                .flush()
                .map_err(|e| ExportError::Parquet(e.to_string()))?;
        }
        Ok(())
    }
}

impl FormatWriter for ParquetWriter {
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        let mut partitions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            partitions
                .entry(self.partition_of(row))
                .or_default()
                .push(i);
        }
        for (dir, picked) in partitions {
            self.write_part(&dir, rows, &picked)?;
        }
        self.bound_buffers()
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>, ExportError> {
        if self.written.is_empty() && self.options.file_name.is_some() {
            // A single file is written even without rows: its schema.
            let writer = self.open_file("", 0)?;
            self.parts.insert(
                String::new(),
                Part {
                    writer: Some(writer),
                    next: 0,
                },
            );
        }
        for part in self.parts.values_mut() {
            if let Some(writer) = part.writer.take() {
                writer
                    .close()
                    .map_err(|e| ExportError::Parquet(e.to_string()))?;
            }
        }
        Ok(self.written)
    }
}

/// A partition value as a folder name: the characters Hive escapes, as
/// `%XX`.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_control()
            || matches!(
                c,
                '"' | '#' | '%' | '\'' | '*' | '/' | ':' | '=' | '?' | '\\' | '[' | ']' | '^' | '{'
            )
        {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    match out.as_str() {
        // Hive writes an empty value as it writes NULL.
        "" => NULL_PARTITION.to_string(),
        "." | ".." => out.replace('.', "%2E"),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_are_escaped_as_hive_does() {
        assert_eq!(escape("2024"), "2024");
        assert_eq!(escape("a/b=c"), "a%2Fb%3Dc");
        assert_eq!(escape(".."), "%2E%2E");
    }
}
