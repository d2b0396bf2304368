//! The declared types of the database as the export's column types: by
//! name on PostgreSQL, by SQLite's affinity rules (and the names that say
//! more) on SQLite, and from the values themselves where SQLite declares
//! nothing.

use super::cells::{Cell, Column, ColumnType};

/// A PostgreSQL column's type (`information_schema.columns.data_type`).
pub fn postgres_type(data_type: &str, precision: Option<i32>, scale: Option<i32>) -> ColumnType {
    match data_type {
        "smallint" | "integer" | "bigint" => ColumnType::Int,
        "real" | "double precision" => ColumnType::Float,
        "numeric" => decimal(precision, scale),
        "boolean" => ColumnType::Bool,
        "bytea" => ColumnType::Bytes,
        "date" => ColumnType::Date,
        "timestamp with time zone" => ColumnType::Timestamp { utc: true },
        "timestamp without time zone" => ColumnType::Timestamp { utc: false },
        _ => ColumnType::Text,
    }
}

/// A decimal type when its precision fits Arrow's 128-bit decimal, else
/// text, which keeps every digit.
fn decimal(precision: Option<i32>, scale: Option<i32>) -> ColumnType {
    match (precision, scale) {
        (Some(p), Some(s)) if (1..=38).contains(&p) && (0..=p).contains(&s) => {
            ColumnType::Decimal {
                precision: u8::try_from(p).unwrap_or(38),
                scale: i8::try_from(s).unwrap_or(0),
            }
        }
        _ => ColumnType::Text,
    }
}

/// A SQLite column's declared type, read as SQLite's affinity rules read
/// it, with the names that say more (`BOOLEAN`, `DATE`, `TIMESTAMP`,
/// `DECIMAL(p, s)`). An expression without one, or `BLOB` (no affinity),
/// is `Undeclared`: its values settle it.
pub fn sqlite_type(declared: &str) -> ColumnType {
    let d = declared.trim().to_ascii_uppercase();
    if d.is_empty() {
        return ColumnType::Undeclared;
    }
    if d.starts_with("DECIMAL") || d.starts_with("NUMERIC") {
        let inside = d
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(inside, _)| inside);
        let mut parts = inside
            .unwrap_or_default()
            .split(',')
            .map(|p| p.trim().parse::<i32>().ok());
        let precision = parts.next().flatten();
        let scale = parts.next().flatten().or(precision.map(|_| 0));
        return decimal(precision, scale);
    }
    if d.contains("BOOL") {
        ColumnType::Bool
    } else if d.contains("TIMESTAMP") || d.contains("DATETIME") {
        ColumnType::Timestamp { utc: true }
    } else if d == "DATE" {
        ColumnType::Date
    } else if d.contains("INT") {
        ColumnType::Int
    } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
        ColumnType::Text
    } else if d.contains("BLOB") {
        // BLOB is SQLite's "no affinity": values keep whatever they were
        // stored as (`CREATE TABLE … AS SELECT` declares its expressions
        // so), so the values say.
        ColumnType::Undeclared
    } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
        ColumnType::Float
    } else {
        ColumnType::Text
    }
}

/// Gives each `Undeclared` column the type its values in `rows` share:
/// integers, floats (integers among them), bytes, else text.
pub fn settle(columns: &mut [Column], rows: &[Vec<Cell>]) {
    for (i, column) in columns.iter_mut().enumerate() {
        if column.kind != ColumnType::Undeclared {
            continue;
        }
        let (mut ints, mut floats, mut bytes, mut texts) = (0, 0, 0, 0);
        for row in rows {
            match row.get(i) {
                Some(Cell::Int(_)) => ints += 1,
                Some(Cell::Float(_)) => floats += 1,
                Some(Cell::Bytes(_)) => bytes += 1,
                Some(Cell::Null) | None => {}
                Some(_) => texts += 1,
            }
        }
        column.kind = match (ints, floats, bytes, texts) {
            (_, _, 0, 0) if floats > 0 => ColumnType::Float,
            (n, 0, 0, 0) if n > 0 => ColumnType::Int,
            (0, 0, n, 0) if n > 0 => ColumnType::Bytes,
            _ => ColumnType::Text,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_declared_types_map_by_affinity_and_name() {
        assert_eq!(sqlite_type("INTEGER"), ColumnType::Int);
        assert_eq!(sqlite_type("bigint"), ColumnType::Int);
        assert_eq!(sqlite_type("DOUBLE PRECISION"), ColumnType::Float);
        assert_eq!(sqlite_type("VARCHAR(20)"), ColumnType::Text);
        assert_eq!(sqlite_type("BOOLEAN"), ColumnType::Bool);
        assert_eq!(sqlite_type("DATE"), ColumnType::Date);
        assert_eq!(
            sqlite_type("TIMESTAMP"),
            ColumnType::Timestamp { utc: true }
        );
        assert_eq!(
            sqlite_type("DECIMAL(10, 2)"),
            ColumnType::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(sqlite_type("NUMERIC"), ColumnType::Text);
        assert_eq!(sqlite_type("DECIMAL(50,2)"), ColumnType::Text);
        assert_eq!(sqlite_type(""), ColumnType::Undeclared);
        assert_eq!(sqlite_type("BLOB"), ColumnType::Undeclared);
    }

    #[test]
    fn postgres_numeric_is_a_decimal_only_with_its_precision() {
        assert_eq!(
            postgres_type("numeric", Some(12), Some(3)),
            ColumnType::Decimal {
                precision: 12,
                scale: 3
            }
        );
        assert_eq!(postgres_type("numeric", None, None), ColumnType::Text);
        assert_eq!(postgres_type("uuid", None, None), ColumnType::Text);
        assert_eq!(
            postgres_type("timestamp without time zone", None, None),
            ColumnType::Timestamp { utc: false }
        );
    }

    #[test]
    fn undeclared_columns_take_the_type_of_their_values() {
        let mut columns = vec![
            Column {
                name: "n".into(),
                kind: ColumnType::Undeclared,
            },
            Column {
                name: "x".into(),
                kind: ColumnType::Undeclared,
            },
            Column {
                name: "none".into(),
                kind: ColumnType::Undeclared,
            },
        ];
        let rows = vec![
            vec![Cell::Int(1), Cell::Int(2), Cell::Null],
            vec![Cell::Int(3), Cell::Float(2.5), Cell::Null],
        ];
        settle(&mut columns, &rows);
        let kinds: Vec<ColumnType> = columns.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ColumnType::Int, ColumnType::Float, ColumnType::Text]
        );
    }
}
