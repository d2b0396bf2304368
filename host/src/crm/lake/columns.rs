//! The transactions columns a Parquet file must have, checked against its
//! schema before any row is read, and each batch's columns turned into
//! the compact per-row values the accumulators take: user ids, cents,
//! microseconds since 1970 and small codes for the text columns.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowDictionaryKeyType, Decimal32Type, Decimal64Type, Decimal128Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, DictionaryArray, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};
use std::path::Path;

use super::LakeError;

/// A text column's code for a null or a value not in its list.
pub const NONE: u8 = u8::MAX;

/// The columns read, in no particular order.
pub const NEEDED: [&str; 6] = [
    "user_id",
    "amount",
    "transaction_type",
    "status",
    "created_at",
    "game_type",
];

/// What each needed column must be, for error messages.
fn expected(column: &str) -> &'static str {
    match column {
        "user_id" => "an integer (int32 or int64)",
        "amount" => "a decimal (such as decimal(10, 2))",
        "created_at" => "a timestamp",
        _ => "text (string or dictionary of strings)",
    }
}

fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(key, value) => key.is_dictionary_key_type() && is_text(value),
        _ => false,
    }
}

fn fits(column: &str, t: &DataType) -> bool {
    match column {
        "user_id" => matches!(t, DataType::Int64 | DataType::Int32),
        "amount" => matches!(
            t,
            DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..)
        ),
        "created_at" => matches!(t, DataType::Timestamp(..)),
        _ => is_text(t),
    }
}

/// Checks that `schema` (of the file at `path`) has every needed column
/// with a type it can be read as; returns their indices.
pub fn check(path: &Path, schema: &Schema) -> Result<Vec<usize>, LakeError> {
    let mut indices = Vec::with_capacity(NEEDED.len());
    for column in NEEDED {
        let Ok(index) = schema.index_of(column) else {
            return Err(LakeError::MissingColumn {
                path: path.to_path_buf(),
                column: column.to_string(),
            });
        };
        let found = schema.field(index).data_type();
        if !fits(column, found) {
            return Err(LakeError::ColumnType {
                path: path.to_path_buf(),
                column: column.to_string(),
                found: found.to_string(),
                expected: expected(column),
            });
        }
        indices.push(index);
    }
    indices.sort_unstable();
    Ok(indices)
}

/// One batch's rows, column by column, in the shapes the accumulators take.
#[derive(Debug, Default)]
pub struct Decoded {
    /// User ids (meaningless where `user_valid` is false).
    pub users: Vec<i64>,
    /// Whether the row has a user.
    pub user_valid: Vec<bool>,
    /// Amounts in cents; `None` for a missing amount.
    pub cents: Vec<Option<i64>>,
    /// Microseconds since 1970 UTC; `None` for a missing time.
    pub micros: Vec<Option<i64>>,
    /// Index into the transaction types, or [`NONE`].
    pub kinds: Vec<u8>,
    /// Index into the statuses that count, or [`NONE`].
    pub statuses: Vec<u8>,
    /// Index into the game types, or [`NONE`].
    pub games: Vec<u8>,
}

/// The names each text column is coded against.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary<'a> {
    /// Transaction types.
    pub kinds: &'a [&'a str],
    /// Statuses that count.
    pub statuses: &'a [&'a str],
    /// Game types.
    pub games: &'a [&'a str],
}

impl Decoded {
    /// Rows held.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether no row is held.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Forgets every row, keeping the room.
    pub fn clear(&mut self) {
        self.users.clear();
        self.user_valid.clear();
        self.cents.clear();
        self.micros.clear();
        self.kinds.clear();
        self.statuses.clear();
        self.games.clear();
    }

    /// Decodes `batch` (read from `path`, columns checked by [`check`]).
    pub fn fill(
        &mut self,
        path: &Path,
        batch: &RecordBatch,
        words: Vocabulary<'_>,
    ) -> Result<(), LakeError> {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .ok_or_else(|| LakeError::MissingColumn {
                    path: path.to_path_buf(),
                    column: name.to_string(),
                })
        };
        users(
            column("user_id")?.as_ref(),
            &mut self.users,
            &mut self.user_valid,
        );
        cents(path, column("amount")?.as_ref(), &mut self.cents)?;
        micros(column("created_at")?.as_ref(), &mut self.micros);
        text_codes(
            column("transaction_type")?.as_ref(),
            words.kinds,
            &mut self.kinds,
        );
        text_codes(
            column("status")?.as_ref(),
            words.statuses,
            &mut self.statuses,
        );
        text_codes(column("game_type")?.as_ref(), words.games, &mut self.games);
        Ok(())
    }
}

fn users(array: &dyn Array, out: &mut Vec<i64>, valid: &mut Vec<bool>) {
    out.clear();
    valid.clear();
    match array.data_type() {
        DataType::Int64 => out.extend_from_slice(array.as_primitive::<Int64Type>().values()),
        _ => {
            if let Some(a) = array.as_primitive_opt::<Int32Type>() {
                out.extend(a.values().iter().map(|&v| i64::from(v)));
            }
        }
    }
    out.resize(array.len(), 0);
    match array.logical_nulls() {
        Some(nulls) => valid.extend(nulls.iter()),
        None => valid.resize(array.len(), true),
    }
}

/// `value` of a decimal with `scale` as cents: exact for scales up to 2,
/// rounded half away from zero beyond (as PostgreSQL's cast to bigint).
pub fn to_cents(value: i128, scale: i8) -> Option<i64> {
    let scale = i32::from(scale);
    let cents = if scale <= 2 {
        value.checked_mul(10i128.checked_pow(u32::try_from(2 - scale).ok()?)?)?
    } else {
        let d = 10i128.checked_pow(u32::try_from(scale - 2).ok()?)?;
        let (q, r) = (value / d, value % d);
        if r.unsigned_abs() * 2 >= d.unsigned_abs() {
            q + value.signum()
        } else {
            q
        }
    };
    i64::try_from(cents).ok()
}

fn cents(path: &Path, array: &dyn Array, out: &mut Vec<Option<i64>>) -> Result<(), LakeError> {
    out.clear();
    let nulls = array.logical_nulls();
    let too_large = |v: i128, scale: i8| LakeError::Value {
        path: path.to_path_buf(),
        column: "amount".to_string(),
        message: format!("{v} (scale {scale}) does not fit in 64-bit cents"),
    };
    // Each type's values read in place, never copied first; a null's
    // value slot holds anything, so it is not converted.
    let mut convert = |values: &mut dyn Iterator<Item = i128>, scale: i8| {
        for (i, v) in values.enumerate() {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                out.push(None);
            } else if scale == 2 {
                // Cents already: only the width to check.
                out.push(Some(i64::try_from(v).map_err(|_| too_large(v, scale))?));
            } else {
                out.push(Some(to_cents(v, scale).ok_or_else(|| too_large(v, scale))?));
            }
        }
        Ok(())
    };
    match array.data_type() {
        DataType::Decimal32(_, s) => {
            let values = array.as_primitive::<Decimal32Type>().values();
            convert(&mut values.iter().map(|&v| i128::from(v)), *s)
        }
        DataType::Decimal64(_, s) => {
            let values = array.as_primitive::<Decimal64Type>().values();
            convert(&mut values.iter().map(|&v| i128::from(v)), *s)
        }
        DataType::Decimal128(_, s) => {
            let values = array.as_primitive::<Decimal128Type>().values();
            convert(&mut values.iter().copied(), *s)
        }
        other => Err(LakeError::ColumnType {
            path: path.to_path_buf(),
            column: "amount".to_string(),
            found: other.to_string(),
            expected: expected("amount"),
        }),
    }
}

fn micros(array: &dyn Array, out: &mut Vec<Option<i64>>) {
    out.clear();
    let nulls = array.logical_nulls();
    let mut push = |values: &[i64], scale: fn(i64) -> i64| {
        out.extend(values.iter().enumerate().map(|(i, &v)| {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                None
            } else {
                Some(scale(v))
            }
        }));
    };
    match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            push(array.as_primitive::<TimestampSecondType>().values(), |v| {
                v.saturating_mul(1_000_000)
            })
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => push(
            array.as_primitive::<TimestampMillisecondType>().values(),
            |v| v.saturating_mul(1_000),
        ),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => push(
            array.as_primitive::<TimestampNanosecondType>().values(),
            |v| v.div_euclid(1_000),
        ),
        _ => {
            if let Some(a) = array.as_primitive_opt::<TimestampMicrosecondType>() {
                push(a.values(), |v| v);
            }
        }
    }
    out.resize(array.len(), None);
}

/// `value`'s index in `names`, or [`NONE`]; bytes, so a text column read
/// from anywhere (Arrow strings, PostgreSQL's COPY) codes the same.
pub fn code_of(names: &[&str], value: &[u8]) -> u8 {
    // Length and first byte rule out the other names without a memcmp.
    names
        .iter()
        .map(|n| n.as_bytes())
        .position(|n| n.len() == value.len() && n.first() == value.first() && n == value)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(NONE)
}

/// Each row's index in `names`, or [`NONE`] for a null or another value.
pub fn text_codes(array: &dyn Array, names: &[&str], out: &mut Vec<u8>) {
    out.clear();
    match array.data_type() {
        DataType::Utf8 => out.extend(
            array
                .as_string::<i32>()
                .iter()
                .map(|v| v.map_or(NONE, |v| code_of(names, v.as_bytes()))),
        ),
        DataType::LargeUtf8 => out.extend(
            array
                .as_string::<i64>()
                .iter()
                .map(|v| v.map_or(NONE, |v| code_of(names, v.as_bytes()))),
        ),
        DataType::Utf8View => out.extend(
            array
                .as_string_view()
                .iter()
                .map(|v| v.map_or(NONE, |v| code_of(names, v.as_bytes()))),
        ),
        DataType::Dictionary(key, _) => match key.as_ref() {
            DataType::Int8 => dictionary(array.as_dictionary::<Int8Type>(), names, out),
            DataType::Int16 => dictionary(array.as_dictionary::<Int16Type>(), names, out),
            DataType::Int32 => dictionary(array.as_dictionary::<Int32Type>(), names, out),
            DataType::Int64 => dictionary(array.as_dictionary::<Int64Type>(), names, out),
            DataType::UInt8 => dictionary(array.as_dictionary::<UInt8Type>(), names, out),
            DataType::UInt16 => dictionary(array.as_dictionary::<UInt16Type>(), names, out),
            DataType::UInt32 => dictionary(array.as_dictionary::<UInt32Type>(), names, out),
            DataType::UInt64 => dictionary(array.as_dictionary::<UInt64Type>(), names, out),
            _ => {}
        },
        _ => {}
    }
    out.resize(array.len(), NONE);
}

/// A dictionary's rows: its values coded once, then looked up per key.
fn dictionary<K: ArrowDictionaryKeyType>(
    array: &DictionaryArray<K>,
    names: &[&str],
    out: &mut Vec<u8>,
) {
    let mut value_codes = Vec::new();
    text_codes(array.values().as_ref(), names, &mut value_codes);
    // A null value in the dictionary shows as NONE through its code; a
    // key out of the dictionary's range too.
    out.extend(
        array
            .keys_iter()
            .map(|k| k.and_then(|k| value_codes.get(k).copied()).unwrap_or(NONE)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{DictionaryArray, StringArray};

    #[test]
    fn decimals_become_cents() {
        assert_eq!(to_cents(1205, 2), Some(1205));
        assert_eq!(to_cents(12, 0), Some(1200));
        assert_eq!(to_cents(12_055, 3), Some(1206));
        assert_eq!(to_cents(-12_055, 3), Some(-1206));
        assert_eq!(to_cents(12_054, 3), Some(1205));
        assert_eq!(to_cents(i128::MAX, 2), None);
    }

    #[test]
    fn text_and_dictionaries_code_the_same() {
        let names = ["bet", "win"];
        let plain = StringArray::from(vec![Some("win"), None, Some("bet"), Some("other")]);
        let mut a = Vec::new();
        text_codes(&plain, &names, &mut a);
        assert_eq!(a, [1, NONE, 0, NONE]);
        let dict: DictionaryArray<Int32Type> = vec![Some("win"), None, Some("bet"), Some("other")]
            .into_iter()
            .collect();
        let mut b = Vec::new();
        text_codes(&dict, &names, &mut b);
        assert_eq!(a, b);
    }
}
