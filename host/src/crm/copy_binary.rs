//! The features rows in PostgreSQL's binary `COPY` format: the server
//! stores binary values without parsing text (no float, numeric or date
//! parsing per cell) and the host formats no floats. Each cell is written
//! for the type its column has in the table sluice creates
//! ([`super::target`]): `text`, `bigint`, `numeric`, `double precision`,
//! `date`.

use super::row::{COLUMNS, Cell, Kind};

/// Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch, as Julian days.
const POSTGRES_EPOCH_JULIAN_DAY: i32 = 2_451_545;

/// `numeric`'s sign word for a negative value.
const NUMERIC_NEGATIVE: u16 = 0x4000;

/// A cell that does not fit its column's type: a bug, reported as one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column `{column}` is {kind:?} but its value is {value}")]
pub struct CellMismatch {
    /// The column.
    pub column: &'static str,
    /// The column's type.
    pub kind: Kind,
    /// The value given.
    pub value: String,
}

/// Appends one row, its cells in the order of [`COLUMNS`].
pub fn row(out: &mut Vec<u8>, cells: &[Cell<'_>]) -> Result<(), CellMismatch> {
    if cells.len() != COLUMNS.len() {
        return Err(CellMismatch {
            column: "*",
            kind: Kind::Text,
            value: format!(
                "a row of {} cells for {} columns",
                cells.len(),
                COLUMNS.len()
            ),
        });
    }
    // 50 columns: the count always fits.
    out.extend_from_slice(&(COLUMNS.len() as i16).to_be_bytes());
    for (&(column, kind), cell) in COLUMNS.iter().zip(cells) {
        match (kind, cell) {
            (_, Cell::Null) => out.extend_from_slice(&(-1i32).to_be_bytes()),
            (Kind::Text, Cell::Text(text)) => field(out, text.as_bytes()),
            (Kind::Int, Cell::Int(n)) => field(out, &n.to_be_bytes()),
            (Kind::Float, Cell::Float(x)) => field(out, &x.to_be_bytes()),
            (Kind::Money, Cell::Cents(cents)) => numeric_cents(out, *cents),
            (Kind::Date, Cell::Date(day)) => field(
                out,
                &(day.to_julian_day() - POSTGRES_EPOCH_JULIAN_DAY).to_be_bytes(),
            ),
            (kind, other) => {
                return Err(CellMismatch {
                    column,
                    kind,
                    value: format!("{other:?}"),
                });
            }
        }
    }
    Ok(())
}

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    // Cells are single values far below 2 GiB.
    out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// `cents / 100` as a `numeric` of scale 2: base-10,000 digit groups,
/// most significant first, the weight of the first, the sign and the
/// display scale.
fn numeric_cents(out: &mut Vec<u8>, cents: i64) {
    let abs = cents.unsigned_abs();
    let (mut whole, fraction) = (abs / 100, (abs % 100) as u16 * 100);
    // u64 has at most 20 decimal digits: five groups above the point.
    let mut groups = [0u16; 6];
    let mut above = 0usize;
    while whole > 0 {
        groups[above] = (whole % 10_000) as u16;
        whole /= 10_000;
        above += 1;
    }
    groups[..above].reverse();
    let mut count = above;
    if fraction != 0 {
        groups[count] = fraction;
        count += 1;
    }
    // Trailing zero groups carry nothing.
    while count > 0 && groups[count - 1] == 0 {
        count -= 1;
    }
    let weight = if above > 0 { above as i16 - 1 } else { -1 };
    let (weight, sign) = if count == 0 {
        (0, 0)
    } else if cents < 0 {
        (weight, NUMERIC_NEGATIVE)
    } else {
        (weight, 0)
    };
    out.extend_from_slice(&((8 + 2 * count) as i32).to_be_bytes());
    out.extend_from_slice(&(count as u16).to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&2u16.to_be_bytes());
    for group in &groups[..count] {
        out.extend_from_slice(&group.to_be_bytes());
    }
}

/// Whether a column of `kind` can take binary values of the type the
/// table has (`format_type`'s name): tables sluice did not create may
/// differ.
pub fn fits(kind: Kind, database_type: &str) -> bool {
    match kind {
        Kind::Text => database_type == "text" || database_type.starts_with("character varying"),
        Kind::Int => database_type == "bigint",
        Kind::Money => database_type.starts_with("numeric"),
        Kind::Float => database_type == "double precision",
        Kind::Date => database_type == "date",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::table_stream::binary::numeric_cents as read_cents;
    use std::borrow::Cow;

    fn numeric(cents: i64) -> Vec<u8> {
        let mut out = Vec::new();
        numeric_cents(&mut out, cents);
        let len = i32::from_be_bytes([out[0], out[1], out[2], out[3]]) as usize;
        assert_eq!(len, out.len() - 4, "length prefix of {cents}");
        out.split_off(4)
    }

    #[test]
    fn cents_read_back_as_the_same_numeric() {
        for cents in [
            0,
            1,
            -1,
            5,
            99,
            100,
            -100,
            123_456,
            -123_456,
            1_000_000,
            100_000_000,
            1_000_000_050,
            99_999_999_999_999,
            i64::MAX,
            i64::MIN + 1,
            i64::MIN,
        ] {
            assert_eq!(read_cents(&numeric(cents)), Ok(cents), "{cents}");
        }
    }

    #[test]
    fn numerics_are_normalised() {
        // 0: no digit groups, weight 0, positive, scale 2.
        assert_eq!(numeric(0), [0, 0, 0, 0, 0, 0, 0, 2]);
        // 0.05: one group 500 of weight -1.
        assert_eq!(numeric(5), [0, 1, 0xff, 0xff, 0, 0, 0, 2, 0x01, 0xf4]);
        // 10,000.00: one group 1 of weight 1 (the zero group dropped).
        assert_eq!(numeric(1_000_000), [0, 1, 0, 1, 0, 0, 0, 2, 0, 1]);
        // -12.34: groups 12, 3400, negative.
        assert_eq!(
            numeric(-1234),
            [0, 2, 0, 0, 0x40, 0, 0, 2, 0, 12, 0x0d, 0x48]
        );
    }

    #[test]
    fn a_cell_of_another_type_is_refused() {
        let mut cells: Vec<Cell<'_>> = COLUMNS.iter().map(|_| Cell::Null).collect();
        let mut out = Vec::new();
        assert_eq!(row(&mut out, &cells), Ok(()));
        // user_id is text.
        cells[0] = Cell::Int(7);
        let err = row(&mut out, &cells).expect_err("an int for a text column");
        assert_eq!(err.column, "user_id");
        cells[0] = Cell::Text(Cow::Borrowed("7"));
        assert_eq!(row(&mut out, &cells[..3]).map_err(|e| e.column), Err("*"));
    }

    #[test]
    fn only_matching_database_types_take_binary() {
        assert!(fits(Kind::Money, "numeric(16,2)"));
        assert!(fits(Kind::Text, "character varying(40)"));
        assert!(!fits(Kind::Int, "integer"));
        assert!(!fits(Kind::Float, "real"));
        assert!(!fits(Kind::Date, "timestamp without time zone"));
    }
}
