//! Fitting a file's value to its column's type: a value that does not fit
//! is a bad row whose reason names the column and the value.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::cell::Cell;
use crate::config::ColumnType;
use crate::db::Value;

/// A value fitted to its column, in the form it is stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Text: text, a `YYYY-MM-DD` date, a timestamp as every timestamp
    /// column holds it, a decimal's digits, or JSON.
    Text(String),
}

impl Typed {
    /// The value bound for SQLite, whose columns take it as it is.
    pub fn sqlite(&self) -> Value {
        match self {
            Typed::Null => Value::Null,
            Typed::Int(i) => Value::Int(*i),
            Typed::Float(f) => Value::Float(*f),
            Typed::Bool(b) => Value::Int(i64::from(*b)),
            Typed::Text(s) => Value::Text(s.clone()),
        }
    }

    /// The value bound for PostgreSQL in a statement (rows themselves go
    /// by `COPY`): text, cast by the statement to the column's type.
    pub fn postgres(&self) -> Value {
        match self {
            Typed::Null => Value::Null,
            Typed::Int(i) => Value::Text(i.to_string()),
            Typed::Float(f) if f.is_nan() => Value::Text("NaN".to_string()),
            Typed::Float(f) if f.is_infinite() => {
                Value::Text(if *f > 0.0 { "Infinity" } else { "-Infinity" }.to_string())
            }
            Typed::Float(f) => Value::Text(f.to_string()),
            Typed::Bool(b) => Value::Text(b.to_string()),
            Typed::Text(s) => Value::Text(s.clone()),
        }
    }
}

/// `cell` as a value of a `kind` column, or why it is not one.
pub fn fit(cell: &Cell, kind: ColumnType) -> Result<Typed, String> {
    let wrong = || format!("`{}` is not {}", cell.shown(), article(kind));
    Ok(match (kind, cell) {
        (_, Cell::Null) => Typed::Null,
        (ColumnType::Text, Cell::Json(v)) => Typed::Text(v.to_string()),
        (ColumnType::Text, other) => Typed::Text(other.shown()),
        (ColumnType::Int, Cell::Int(i)) => Typed::Int(*i),
        (ColumnType::Int, Cell::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e18 => {
            Typed::Int(*f as i64)
        }
        (ColumnType::Int, Cell::Text(s) | Cell::Decimal(s)) => {
            Typed::Int(s.trim().parse().map_err(|_| wrong())?)
        }
        (ColumnType::Float, Cell::Int(i)) => Typed::Float(*i as f64),
        (ColumnType::Float, Cell::Float(f)) => Typed::Float(*f),
        (ColumnType::Float, Cell::Text(s) | Cell::Decimal(s)) => {
            Typed::Float(s.trim().parse().map_err(|_| wrong())?)
        }
        (ColumnType::Bool, Cell::Bool(b)) => Typed::Bool(*b),
        (ColumnType::Bool, Cell::Int(i @ (0 | 1))) => Typed::Bool(*i == 1),
        (ColumnType::Bool, Cell::Text(s)) => Typed::Bool(parse_bool(s).ok_or_else(wrong)?),
        (ColumnType::Date, Cell::Date(d)) => Typed::Text(date_text(*d)),
        (ColumnType::Date, Cell::Timestamp(t)) if t.time() == time::Time::MIDNIGHT => {
            Typed::Text(date_text(t.date()))
        }
        (ColumnType::Date, Cell::Text(s)) => {
            Typed::Text(date_text(parse_date(s).ok_or_else(wrong)?))
        }
        (ColumnType::Timestamp, Cell::Timestamp(t)) => Typed::Text(crate::db::timestamp(*t)),
        (ColumnType::Timestamp, Cell::Date(d)) => {
            Typed::Text(crate::db::timestamp(d.midnight().assume_utc()))
        }
        (ColumnType::Timestamp, Cell::Text(s)) => match plain_utc_timestamp(s) {
            Some(stored) => Typed::Text(stored),
            None => Typed::Text(crate::db::timestamp(parse_timestamp(s).ok_or_else(wrong)?)),
        },
        (ColumnType::Decimal, Cell::Int(i)) => Typed::Text(i.to_string()),
        (ColumnType::Decimal, Cell::Float(f)) if f.is_finite() => Typed::Text(f.to_string()),
        (ColumnType::Decimal, Cell::Decimal(s)) => Typed::Text(s.clone()),
        (ColumnType::Decimal, Cell::Text(s)) if is_decimal(s.trim()) => {
            Typed::Text(s.trim().to_string())
        }
        (ColumnType::Json, Cell::Json(v)) => Typed::Text(v.to_string()),
        (ColumnType::Json, Cell::Text(s)) => {
            let value: serde_json::Value = serde_json::from_str(s).map_err(|_| wrong())?;
            Typed::Text(value.to_string())
        }
        (ColumnType::Json, other) => Typed::Text(other.to_json().to_string()),
        _ => return Err(wrong()),
    })
}

fn article(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text => "text",
        ColumnType::Int => "an integer",
        ColumnType::Float => "a number",
        ColumnType::Bool => "a boolean",
        ColumnType::Date => "a date (YYYY-MM-DD)",
        ColumnType::Timestamp => "a timestamp",
        ColumnType::Decimal => "a decimal number",
        ColumnType::Json => "JSON",
    }
}

/// `true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n`, `1`/`0`, in any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    let any = |words: &[&str]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
    if any(&["true", "t", "yes", "y", "1"]) {
        Some(true)
    } else if any(&["false", "f", "no", "n", "0"]) {
        Some(false)
    } else {
        None
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// RFC 3339, or `YYYY-MM-DD HH:MM:SS[.fff]` / `YYYY-MM-DDTHH:MM:SS` taken
/// as UTC.
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let naive: std::borrow::Cow<'_, str> = if s.contains('T') {
        s.replacen('T', " ", 1).into()
    } else {
        s.into()
    };
    let formats = [
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    formats
        .iter()
        .find_map(|f| PrimitiveDateTime::parse(&naive, f).ok())
        .map(PrimitiveDateTime::assume_utc)
}

/// `YYYY-MM-DD HH:MM:SS` (or with `T`, or ending in `Z`), the commonest
/// form of a timestamp in files, as every timestamp column stores it,
/// without the general parser's work; `None` for any other form, which
/// [`parse_timestamp`] reads.
fn plain_utc_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let b = match b.len() {
        19 => b,
        20 if b[19] == b'Z' => &b[..19],
        _ => return None,
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u16> {
        b[from..to].iter().try_fold(0u16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
        })
    };
    let month = time::Month::try_from(u8::try_from(number(5, 7)?).ok()?).ok()?;
    let day = u8::try_from(number(8, 10)?).ok()?;
    Date::from_calendar_date(i32::from(number(0, 4)?), month, day).ok()?;
    if number(11, 13)? > 23 || number(14, 16)? > 59 || number(17, 19)? > 59 {
        return None;
    }
    let mut stored = String::with_capacity(27);
    stored.push_str(&s[..10]);
    stored.push('T');
    stored.push_str(&s[11..19]);
    stored.push_str(".000000Z");
    Some(stored)
}

/// An optional sign, digits, and an optional fraction.
pub fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_timestamps_are_stored_as_the_general_parser_stores_them() {
        for text in [
            "2024-08-17 15:00:00",
            "2024-08-17T15:00:59Z",
            "0001-01-01 00:00:00",
            "2024-02-29 23:59:59",
        ] {
            let general = parse_timestamp(text).map(crate::db::timestamp);
            assert!(general.is_some(), "{text}");
            assert_eq!(plain_utc_timestamp(text), general, "{text}");
        }
        for text in [
            "2023-02-29 10:00:00",
            "2024-13-01 10:00:00",
            "2024-01-01 24:00:00",
            "2024-01-01 10:60:00",
            "2024-01-01 10:00:0x",
            "2024/01/01 10:00:00",
            "2024-01-01 10:00:00+02:00",
        ] {
            assert_eq!(plain_utc_timestamp(text), None, "{text}");
        }
    }

    #[test]
    fn text_fits_typed_columns_or_says_why_not() {
        let t = |s: &str| Cell::Text(s.to_string());
        assert_eq!(fit(&t(" 42 "), ColumnType::Int), Ok(Typed::Int(42)));
        assert_eq!(
            fit(&t("4x"), ColumnType::Int),
            Err("`4x` is not an integer".to_string())
        );
        assert_eq!(fit(&t("yes"), ColumnType::Bool), Ok(Typed::Bool(true)));
        assert_eq!(
            fit(&t("2024-02-30"), ColumnType::Date),
            Err("`2024-02-30` is not a date (YYYY-MM-DD)".to_string())
        );
        assert_eq!(
            fit(&t("2024-08-17 15:00:00"), ColumnType::Timestamp),
            Ok(Typed::Text("2024-08-17T15:00:00.000000Z".to_string()))
        );
        assert_eq!(
            fit(&t("-12.50"), ColumnType::Decimal),
            Ok(Typed::Text("-12.50".to_string()))
        );
        assert!(fit(&t("1e5"), ColumnType::Decimal).is_err());
        assert!(fit(&t("{\"a\":"), ColumnType::Json).is_err());
        assert_eq!(fit(&Cell::Null, ColumnType::Int), Ok(Typed::Null));
    }
}
