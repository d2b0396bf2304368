//! Parquet: record batches read in the loader's batch size and turned into
//! typed cells. A file that is not Parquet, or is cut short, is refused.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;
use std::sync::Arc;

use crate::files::cell::{Batcher, Cell, Item, Place, RawRow, ReadError};

/// Reads the Parquet file at `path` into `out`.
pub fn read(path: &Path, out: &mut Batcher) -> Result<(), ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::fatal(e.to_string()))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
        ReadError::fatal(format!(
            "not a readable Parquet file (truncated or corrupt?): {e}"
        ))
    })?;
    let reader = builder
        .with_batch_size(4096)
        .build()
        .map_err(|e| ReadError::fatal(format!("cannot read the Parquet file: {e}")))?;
    let mut row = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| {
            ReadError::fatal(format!(
                "row {}: cannot read on (truncated or corrupt?): {e}",
                row + 1
            ))
        })?;
        let names: Vec<Arc<str>> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| Arc::from(f.name().as_str()))
            .collect();
        for i in 0..batch.num_rows() {
            row += 1;
            out.push(Item::Row(row_of(&batch, &names, i, row)?))?;
        }
    }
    Ok(())
}

fn row_of(
    batch: &RecordBatch,
    names: &[Arc<str>],
    i: usize,
    row: u64,
) -> Result<RawRow, ReadError> {
    let mut fields = Vec::with_capacity(names.len());
    for (name, column) in names.iter().zip(batch.columns()) {
        let cell = cell(column.as_ref(), i).map_err(|t| {
            ReadError::fatal(format!(
                "column `{name}` has the Parquet type {t}, which sluice does not read"
            ))
        })?;
        fields.push((name.clone(), cell));
    }
    Ok(RawRow {
        place: Place::Row(row),
        fields,
    })
}

/// The value at `i` of `array`, or the type when it is not one sluice reads.
fn cell(array: &dyn Array, i: usize) -> Result<Cell, String> {
    if array.is_null(i) {
        return Ok(Cell::Null);
    }
    Ok(match array.data_type() {
        DataType::Boolean => Cell::Bool(array.as_boolean().value(i)),
        DataType::Int8 => Cell::Int(i64::from(array.as_primitive::<Int8Type>().value(i))),
        DataType::Int16 => Cell::Int(i64::from(array.as_primitive::<Int16Type>().value(i))),
        DataType::Int32 => Cell::Int(i64::from(array.as_primitive::<Int32Type>().value(i))),
        DataType::Int64 => Cell::Int(array.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => Cell::Int(i64::from(array.as_primitive::<UInt8Type>().value(i))),
        DataType::UInt16 => Cell::Int(i64::from(array.as_primitive::<UInt16Type>().value(i))),
        DataType::UInt32 => Cell::Int(i64::from(array.as_primitive::<UInt32Type>().value(i))),
        DataType::UInt64 => {
            let v = array.as_primitive::<UInt64Type>().value(i);
            i64::try_from(v).map_or_else(|_| Cell::Decimal(v.to_string()), Cell::Int)
        }
        DataType::Float32 => Cell::Float(f64::from(array.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => Cell::Float(array.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => Cell::Text(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Cell::Text(array.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Cell::Text(array.as_string_view().value(i).to_string()),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(i);
            let epoch = time::Date::from_calendar_date(1970, time::Month::January, 1)
                .map_err(|e| e.to_string())?;
            epoch
                .checked_add(time::Duration::days(i64::from(days)))
                .map_or_else(|| Cell::Int(i64::from(days)), Cell::Date)
        }
        DataType::Timestamp(unit, _) => {
            let (v, nanos_per) = match unit {
                TimeUnit::Second => (
                    array.as_primitive::<TimestampSecondType>().value(i),
                    1_000_000_000,
                ),
                TimeUnit::Millisecond => (
                    array.as_primitive::<TimestampMillisecondType>().value(i),
                    1_000_000,
                ),
                TimeUnit::Microsecond => (
                    array.as_primitive::<TimestampMicrosecondType>().value(i),
                    1_000,
                ),
                TimeUnit::Nanosecond => {
                    (array.as_primitive::<TimestampNanosecondType>().value(i), 1)
                }
            };
            let nanos = i128::from(v) * nanos_per;
            time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
                .map_or_else(|_| Cell::Int(v), Cell::Timestamp)
        }
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(i);
            Cell::Decimal(decimal_text(v, *scale))
        }
        other => return Err(other.to_string()),
    })
}

/// `12345` at scale 2 as `123.45`.
fn decimal_text(v: i128, scale: i8) -> String {
    let negative = v < 0;
    let digits = v.unsigned_abs().to_string();
    let text = if scale <= 0 {
        format!("{digits}{}", "0".repeat(usize::from(scale.unsigned_abs())))
    } else {
        let scale = usize::from(scale.unsigned_abs());
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{int}.{frac}")
    };
    if negative { format!("-{text}") } else { text }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(super::decimal_text(12345, 2), "123.45");
        assert_eq!(super::decimal_text(-5, 3), "-0.005");
        assert_eq!(super::decimal_text(7, -2), "700");
    }
}
