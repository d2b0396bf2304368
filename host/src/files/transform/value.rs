//! A cell as an expression sees it, and an expression's value back as a
//! cell. Text is a string; integers are `i64`; decimals and floats are
//! exact decimals (a float through its shortest text, so `0.1` is `0.1`);
//! booleans are booleans; dates are `YYYY-MM-DD` text and timestamps the
//! text every timestamp column holds (`2024-08-17T15:00:00.000000Z`), both
//! ordered as text; JSON is its text; null is `()`.

use rhai::Dynamic;
use rust_decimal::Decimal;

use crate::files::cell::Cell;

/// `cell` as an expression's value. A decimal too wide for 28 digits, or
/// a float that is not finite, is left as its text.
pub fn to_dynamic(cell: &Cell) -> Dynamic {
    match cell {
        Cell::Null => Dynamic::UNIT,
        Cell::Text(s) => Dynamic::from(s.clone()),
        Cell::Int(i) => Dynamic::from_int(*i),
        Cell::Float(f) => exact(&f.to_string()),
        Cell::Bool(b) => Dynamic::from_bool(*b),
        Cell::Decimal(s) => exact(s),
        Cell::Date(d) => Dynamic::from(date_text(*d)),
        Cell::Timestamp(t) => Dynamic::from(crate::db::timestamp(*t)),
        Cell::Json(v) => Dynamic::from(v.to_string()),
    }
}

fn exact(text: &str) -> Dynamic {
    match Decimal::from_str_exact(text.trim()) {
        Ok(d) => Dynamic::from_decimal(d),
        Err(_) => Dynamic::from(text.to_string()),
    }
}

/// An expression's value as a cell, or what the value is when no cell
/// holds it (an array, a map, a function).
pub fn to_cell(value: Dynamic) -> Result<Cell, String> {
    if value.is_unit() {
        return Ok(Cell::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Cell::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Cell::Int(i));
    }
    if let Ok(d) = value.as_decimal() {
        return Ok(Cell::Decimal(d.to_string()));
    }
    if let Ok(c) = value.as_char() {
        return Ok(Cell::Text(c.to_string()));
    }
    let kind = value.type_name();
    value
        .into_string()
        .map(Cell::Text)
        .map_err(|_| format!("gave {}, which no column holds", article(kind)))
}

/// What a value is, for a message: `an array`, `a map`.
pub fn article(type_name: &str) -> String {
    let name = type_name.rsplit("::").next().unwrap_or(type_name);
    let name = match name {
        "()" => "null",
        "i64" => "an integer",
        "string" | "ImmutableString" => "text",
        "bool" => "a boolean",
        "Decimal" | "decimal" => "a decimal",
        "array" => "an array",
        "map" => "a map",
        other => other,
    };
    name.to_string()
}

fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_and_decimals_stay_exact() {
        let cells = [
            Cell::Null,
            Cell::Text("a".to_string()),
            Cell::Int(-4),
            Cell::Bool(true),
            Cell::Decimal("12.50".to_string()),
        ];
        for cell in cells {
            assert_eq!(to_cell(to_dynamic(&cell)), Ok(cell.clone()));
        }
        assert_eq!(
            to_cell(to_dynamic(&Cell::Float(0.1))),
            Ok(Cell::Decimal("0.1".to_string()))
        );
        let day = time::macros::date!(2024 - 08 - 17);
        assert_eq!(
            to_cell(to_dynamic(&Cell::Date(day))),
            Ok(Cell::Text("2024-08-17".to_string()))
        );
        let wide = "1234567890123456789012345678901234.5";
        assert_eq!(
            to_cell(to_dynamic(&Cell::Decimal(wide.to_string()))),
            Ok(Cell::Text(wide.to_string()))
        );
        assert!(to_cell(Dynamic::from_array(vec![])).is_err());
    }
}
