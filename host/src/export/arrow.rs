//! Rows of cells as Arrow record batches, with the Arrow type of each
//! column type (the mapping the README documents).

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

use super::ExportError;
use super::cells::{Cell, Column, ColumnType};

/// The Arrow type a column is written as.
pub fn data_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Decimal { precision, scale } => DataType::Decimal128(precision, scale),
        ColumnType::Text | ColumnType::Undeclared => DataType::Utf8,
        ColumnType::Bytes => DataType::Binary,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp { utc: true } => {
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        }
        ColumnType::Timestamp { utc: false } => DataType::Timestamp(TimeUnit::Microsecond, None),
    }
}

/// The Arrow schema of `columns`, every field nullable.
pub fn schema(columns: &[Column]) -> Arc<Schema> {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(&c.name, data_type(c.kind), true))
            .collect::<Vec<_>>(),
    ))
}

/// A cell that is not of its column's type: the reader coerces every value,
/// so this is a fault of the host, reported rather than written wrong.
fn mismatch(column: &Column, cell: &Cell) -> ExportError {
    ExportError::Parquet(format!(
        "column `{}`: {cell:?} reached the writer as a value of another type than {}",
        column.name,
        column.kind.name()
    ))
}

/// The cells `rows[..][index]` of column `column` as one Arrow array.
fn array<'a>(
    column: &Column,
    cells: impl Iterator<Item = &'a Cell>,
    len: usize,
) -> Result<ArrayRef, ExportError> {
    macro_rules! build {
        ($builder:expr, $($pattern:pat => $value:expr),+) => {{
            let mut builder = $builder;
            for cell in cells {
                match cell {
                    Cell::Null => builder.append_null(),
                    $($pattern => builder.append_value($value),)+
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(builder.finish()) as ArrayRef
        }};
    }
    Ok(match column.kind {
        ColumnType::Bool => build!(BooleanBuilder::with_capacity(len), Cell::Bool(b) => *b),
        ColumnType::Int => build!(Int64Builder::with_capacity(len), Cell::Int(i) => *i),
        ColumnType::Float => build!(Float64Builder::with_capacity(len), Cell::Float(f) => *f),
        ColumnType::Decimal { precision, scale } => {
            let builder = Decimal128Builder::with_capacity(len)
                .with_precision_and_scale(precision, scale)
                .map_err(|e| ExportError::Parquet(e.to_string()))?;
            build!(builder, Cell::Decimal(d) => *d)
        }
        ColumnType::Text | ColumnType::Undeclared => {
            build!(StringBuilder::with_capacity(len, len * 16), Cell::Text(t) => t.as_str())
        }
        ColumnType::Bytes => {
            build!(BinaryBuilder::with_capacity(len, len * 16), Cell::Bytes(b) => b.as_slice())
        }
        ColumnType::Date => build!(Date32Builder::with_capacity(len), Cell::Date(d) => *d),
        ColumnType::Timestamp { utc } => {
            let builder = TimestampMicrosecondBuilder::with_capacity(len);
            let builder = if utc {
                builder.with_timezone("UTC")
            } else {
                builder
            };
            build!(builder, Cell::Timestamp(t) => *t)
        }
    })
}

/// The rows `picked` of `rows`, columns `fields` (indexes into each row),
/// as a record batch of `schema`.
pub fn record_batch(
    schema: &Arc<Schema>,
    columns: &[Column],
    fields: &[usize],
    rows: &[Vec<Cell>],
    picked: &[usize],
) -> Result<RecordBatch, ExportError> {
    let arrays = fields
        .iter()
        .map(|&f| {
            let column = &columns[f];
            let cells = picked.iter().filter_map(|&r| rows.get(r)?.get(f));
            array(column, cells, picked.len())
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema.clone(), arrays).map_err(|e| ExportError::Parquet(e.to_string()))
}
