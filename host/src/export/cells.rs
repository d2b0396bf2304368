//! The typed values an export carries from the database to a file, and the
//! column types they belong to, with their text form (CSV, reports,
//! partition folders).

use std::borrow::Cow;
use time::{Date, OffsetDateTime};

/// A column's type as every writer reads it, mapped from the database's
/// declared type (see `columns.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `boolean`.
    Bool,
    /// Any integer type, as 64 bits.
    Int,
    /// `real`, `double precision`, `float`.
    Float,
    /// `numeric(p, s)` / `decimal(p, s)` with a precision of at most 38.
    Decimal {
        /// Digits in all.
        precision: u8,
        /// Digits after the point.
        scale: i8,
    },
    /// Text, and what has no closer type (`numeric` without a precision,
    /// `uuid`, `json`, intervals, arrays).
    Text,
    /// `bytea` / `BLOB`.
    Bytes,
    /// `date`.
    Date,
    /// `timestamp` (`utc`: with a time zone, normalised to UTC).
    Timestamp {
        /// Whether the database's type carries a time zone.
        utc: bool,
    },
    /// A SQLite expression with no declared type: settled from the values of
    /// the first batch.
    Undeclared,
}

impl ColumnType {
    /// The type's name in messages and reports.
    pub fn name(self) -> String {
        match self {
            ColumnType::Bool => "boolean".into(),
            ColumnType::Int => "integer".into(),
            ColumnType::Float => "float".into(),
            ColumnType::Decimal { precision, scale } => format!("decimal({precision}, {scale})"),
            ColumnType::Text => "text".into(),
            ColumnType::Bytes => "bytes".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Timestamp { utc: true } => "timestamp (UTC)".into(),
            ColumnType::Timestamp { utc: false } => "timestamp".into(),
            ColumnType::Undeclared => "undeclared".into(),
        }
    }
}

/// One column of what is exported.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// The type its values are written as.
    pub kind: ColumnType,
}

/// One value. Decimals are unscaled (their column holds the scale), dates
/// are days since 1970-01-01, timestamps microseconds since its midnight.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A decimal, unscaled.
    Decimal(i128),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A date.
    Date(i32),
    /// A timestamp.
    Timestamp(i64),
}

/// The Julian day of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Days since 1970-01-01 of `date`.
pub fn days_since_epoch(date: Date) -> i32 {
    date.to_julian_day() - UNIX_EPOCH_JULIAN_DAY
}

/// The date `days` after 1970-01-01.
pub fn date_of(days: i32) -> Option<Date> {
    Date::from_julian_day(days.checked_add(UNIX_EPOCH_JULIAN_DAY)?).ok()
}

/// Microseconds since 1970-01-01T00:00:00Z of `at`.
pub fn micros_since_epoch(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// The instant `micros` after 1970-01-01T00:00:00Z.
pub fn instant_of(micros: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).ok()
}

/// `unscaled` with `scale` digits after the point (`1250`, 2 → `12.50`).
pub fn decimal_text(unscaled: i128, scale: i8) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale <= 0 {
        let zeros = "0".repeat(usize::from(scale.unsigned_abs()));
        return format!("{sign}{digits}{zeros}");
    }
    let scale = usize::from(scale.unsigned_abs());
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{sign}{whole}.{fraction}")
}

/// Decimal text (`-12.5`, `3`, `0.125`) as an unscaled integer of `scale`
/// digits after the point, refused when it has more digits than the
/// scale or the precision allow.
pub fn parse_decimal(text: &str, precision: u8, scale: i8) -> Result<i128, String> {
    let trimmed = text.trim();
    let (negative, body) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let is_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !is_digits(whole) || !is_digits(fraction) {
        return Err(format!("`{text}` is not a decimal number"));
    }
    let scale_digits = usize::try_from(scale.max(0)).unwrap_or(0);
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > scale_digits {
        return Err(format!(
            "`{text}` has more than {scale} digits after the point"
        ));
    }
    let digits = format!("{whole}{fraction:0<scale_digits$}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > usize::from(precision) {
        return Err(format!(
            "`{text}` has more than {precision} digits (decimal({precision}, {scale}))"
        ));
    }
    let unscaled: i128 = if digits.is_empty() {
        0
    } else {
        digits
            .parse()
            .map_err(|_| format!("`{text}` is not a decimal number"))?
    };
    Ok(if negative { -unscaled } else { unscaled })
}

/// A timestamp as written in text: RFC 3339 (`2024-08-01T12:00:00Z`), or
/// without an offset (`2024-08-01 12:00:00`, read as UTC).
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    let mut normal = text.trim().to_string();
    if normal.len() > 10 && normal.as_bytes().get(10) == Some(&b' ') {
        normal.replace_range(10..11, "T");
    }
    let has_offset = normal.ends_with('Z')
        || normal.ends_with('z')
        || normal
            .get(normal.len().saturating_sub(6)..)
            .is_some_and(|tail| {
                tail.starts_with(['+', '-']) && tail.as_bytes().get(3) == Some(&b':')
            });
    if !has_offset {
        normal.push('Z');
    }
    OffsetDateTime::parse(&normal, &Rfc3339)
        .map(micros_since_epoch)
        .map_err(|_| format!("`{text}` is not a timestamp (expected RFC 3339)"))
}

/// A date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<i32, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .map(days_since_epoch)
        .map_err(|_| format!("`{text}` is not a date (expected YYYY-MM-DD)"))
}

/// `micros` as RFC 3339 in UTC (`utc`) or as a plain date and time,
/// with as many fractional digits as it has.
pub fn timestamp_text(micros: i64, utc: bool) -> String {
    let Some(at) = instant_of(micros) else {
        return micros.to_string();
    };
    let (date, time) = (at.date(), at.time());
    let separator = if utc { 'T' } else { ' ' };
    let mut text = format!(
        "{date}{separator}{:02}:{:02}:{:02}",
        time.hour(),
        time.minute(),
        time.second()
    );
    let micro = time.microsecond();
    if micro != 0 {
        let fraction = format!("{micro:06}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    if utc {
        text.push('Z');
    }
    text
}

impl Cell {
    /// The value as text in a column of `kind`; NULL as none.
    pub fn text(&self, kind: ColumnType) -> Option<Cow<'_, str>> {
        Some(match self {
            Cell::Null => return None,
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Float(f) => Cow::Owned(f.to_string()),
            Cell::Decimal(d) => {
                let scale = match kind {
                    ColumnType::Decimal { scale, .. } => scale,
                    _ => 0,
                };
                Cow::Owned(decimal_text(*d, scale))
            }
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Bytes(b) => Cow::Owned(hex::encode(b)),
            Cell::Date(days) => {
                Cow::Owned(date_of(*days).map_or_else(|| days.to_string(), |d| d.to_string()))
            }
            Cell::Timestamp(micros) => {
                let utc = !matches!(kind, ColumnType::Timestamp { utc: false });
                Cow::Owned(timestamp_text(*micros, utc))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_every_digit() {
        assert_eq!(parse_decimal("12.5", 10, 2), Ok(1250));
        assert_eq!(parse_decimal("-0.07", 10, 2), Ok(-7));
        assert_eq!(parse_decimal("3", 10, 2), Ok(300));
        assert_eq!(decimal_text(1250, 2), "12.50");
        assert_eq!(decimal_text(-7, 2), "-0.07");
        assert_eq!(decimal_text(42, 0), "42");
        assert!(parse_decimal("1.234", 10, 2).is_err());
        assert!(parse_decimal("123456", 5, 2).is_err());
        assert!(parse_decimal("1e5", 10, 2).is_err());
    }

    #[test]
    fn timestamps_read_with_or_without_an_offset() {
        let noon = parse_timestamp("2024-08-01T12:00:00Z").expect("rfc 3339");
        assert_eq!(parse_timestamp("2024-08-01 12:00:00"), Ok(noon));
        assert_eq!(parse_timestamp("2024-08-01T14:00:00+02:00"), Ok(noon));
        assert_eq!(timestamp_text(noon, true), "2024-08-01T12:00:00Z");
        assert_eq!(
            timestamp_text(noon + 500_000, false),
            "2024-08-01 12:00:00.5"
        );
        assert!(parse_timestamp("yesterday").is_err());
        let day = parse_date("2024-08-01").expect("date");
        assert_eq!(
            Cell::Date(day).text(ColumnType::Date).as_deref(),
            Some("2024-08-01")
        );
    }
}
