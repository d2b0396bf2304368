//! `cast`: a cell converted to a column type, as the loader would fit it,
//! so the expressions after it see the typed value.

use crate::config::ColumnType;
use crate::files::cell::Cell;
use crate::files::typing::{Typed, fit, parse_date, parse_timestamp};

/// `cell` as a value of `kind`, or why it is not one; null stays null.
pub fn cast(cell: &Cell, kind: ColumnType) -> Result<Cell, String> {
    let typed = fit(cell, kind)?;
    let unexpected = || format!("`{}` cannot be cast to {}", cell.shown(), kind.as_str());
    Ok(match (kind, typed) {
        (_, Typed::Null) => Cell::Null,
        (_, Typed::Int(i)) => Cell::Int(i),
        (_, Typed::Float(f)) => Cell::Float(f),
        (_, Typed::Bool(b)) => Cell::Bool(b),
        (ColumnType::Text, Typed::Text(s)) => Cell::Text(s),
        (ColumnType::Decimal, Typed::Text(s)) => Cell::Decimal(s),
        (ColumnType::Date, Typed::Text(s)) => Cell::Date(parse_date(&s).ok_or_else(unexpected)?),
        (ColumnType::Timestamp, Typed::Text(s)) => {
            Cell::Timestamp(parse_timestamp(&s).ok_or_else(unexpected)?)
        }
        (ColumnType::Json, Typed::Text(s)) => {
            Cell::Json(serde_json::from_str(&s).map_err(|_| unexpected())?)
        }
        (_, Typed::Text(_)) => return Err(unexpected()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_typed_cells() {
        let t = |s: &str| Cell::Text(s.to_string());
        assert_eq!(
            cast(&t(" 12.50 "), ColumnType::Decimal),
            Ok(Cell::Decimal("12.50".to_string()))
        );
        assert_eq!(cast(&t("7"), ColumnType::Int), Ok(Cell::Int(7)));
        assert_eq!(cast(&Cell::Int(7), ColumnType::Text), Ok(t("7")));
        assert!(matches!(
            cast(&t("2024-08-17 15:00"), ColumnType::Timestamp),
            Ok(Cell::Timestamp(_))
        ));
        assert_eq!(
            cast(&t("12,5"), ColumnType::Decimal),
            Err("`12,5` is not a decimal number".to_string())
        );
        assert_eq!(cast(&Cell::Null, ColumnType::Int), Ok(Cell::Null));
    }
}
