//! PostgreSQL's binary `COPY ... TO STDOUT` format, read tuple by tuple
//! into the compact per-row values the accumulators take
//! ([`Decoded`]): the five columns the transactions stream selects, in
//! order `user_id, amount, transaction_type, created_at, game_type`.
//!
//! Data arrives in chunks that need not end on a tuple's end; the bytes
//! of an unfinished tuple wait for the next chunk.

use crate::crm::lake::columns::{Decoded, NONE, Vocabulary, code_of, to_cents};

/// The signature every binary COPY stream starts with.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// Columns each tuple holds.
const FIELDS: i16 = 5;

/// Why the stream could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyFormatError {
    /// The stream does not start as binary COPY does.
    #[error("the COPY stream does not start with PostgreSQL's binary signature")]
    Signature,
    /// A tuple has another number of columns than selected.
    #[error("a COPY tuple has {0} columns, expected {FIELDS}")]
    Fields(i16),
    /// A value's bytes do not fit its column's type.
    #[error("column `{column}`: {message}")]
    Value {
        /// The column.
        column: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The stream ended inside the header or a tuple.
    #[error("the COPY stream ended inside a tuple")]
    Truncated,
}

fn bad(column: &'static str, message: impl Into<String>) -> CopyFormatError {
    CopyFormatError::Value {
        column,
        message: message.into(),
    }
}

/// Reads one binary COPY stream.
#[derive(Debug, Default)]
pub struct CopyReader {
    pending: Vec<u8>,
    header_done: bool,
    finished: bool,
}

/// A cursor over the bytes of one tuple.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn i16(&mut self) -> Option<i16> {
        self.take(2).map(|b| i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> Option<i32> {
        self.take(4)
            .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A field: `None` for SQL NULL, `Some(bytes)` otherwise; the outer
    /// `None` when the tuple is not complete yet.
    fn field(&mut self) -> Option<Option<&'a [u8]>> {
        let len = self.i32()?;
        if len < 0 {
            return Some(None);
        }
        self.take(len as usize).map(Some)
    }
}

impl CopyReader {
    /// Whether the trailer has been read.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Decodes every complete tuple of `chunk` (after what was pending)
    /// onto the end of `out`.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        words: Vocabulary<'_>,
        out: &mut Decoded,
    ) -> Result<(), CopyFormatError> {
        let owned;
        let bytes: &[u8] = if self.pending.is_empty() {
            chunk
        } else {
            self.pending.extend_from_slice(chunk);
            owned = std::mem::take(&mut self.pending);
            &owned
        };
        let mut c = Cursor { bytes, at: 0 };
        if !self.header_done {
            let Some(head) = c.take(SIGNATURE.len() + 8) else {
                self.pending = bytes.to_vec();
                return Ok(());
            };
            if &head[..SIGNATURE.len()] != SIGNATURE {
                return Err(CopyFormatError::Signature);
            }
            let extension = &head[SIGNATURE.len() + 4..];
            let extension =
                u32::from_be_bytes([extension[0], extension[1], extension[2], extension[3]]);
            if c.take(extension as usize).is_none() {
                self.pending = bytes.to_vec();
                return Ok(());
            }
            self.header_done = true;
        }
        while !self.finished {
            let start = c.at;
            match tuple(&mut c, words, out)? {
                Tuple::Row => {}
                Tuple::Trailer => self.finished = true,
                Tuple::Incomplete => {
                    self.pending = bytes[start..].to_vec();
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Checks that the stream ended where a stream may end.
    pub fn finish(&self) -> Result<(), CopyFormatError> {
        if self.finished && self.pending.is_empty() {
            Ok(())
        } else {
            Err(CopyFormatError::Truncated)
        }
    }
}

enum Tuple {
    Row,
    Trailer,
    Incomplete,
}

/// Reads one tuple; pushes nothing unless the whole tuple is there.
fn tuple(
    c: &mut Cursor<'_>,
    words: Vocabulary<'_>,
    out: &mut Decoded,
) -> Result<Tuple, CopyFormatError> {
    let Some(count) = c.i16() else {
        return Ok(Tuple::Incomplete);
    };
    if count == -1 {
        return Ok(Tuple::Trailer);
    }
    if count != FIELDS {
        return Err(CopyFormatError::Fields(count));
    }
    let mut fields = [None; FIELDS as usize];
    for slot in &mut fields {
        match c.field() {
            Some(value) => *slot = value,
            None => return Ok(Tuple::Incomplete),
        }
    }
    let [user, amount, kind, created, game] = fields;
    let user = user.map(integer).transpose()?;
    out.users.push(user.unwrap_or(0));
    out.user_valid.push(user.is_some());
    out.cents.push(amount.map(numeric_cents).transpose()?);
    out.kinds
        .push(kind.map_or(NONE, |k| code_of(words.kinds, k)));
    out.micros.push(created.map(timestamp_micros).transpose()?);
    out.games
        .push(game.map_or(NONE, |g| code_of(words.games, g)));
    // Only the statuses that count are selected.
    out.statuses.push(0);
    Ok(Tuple::Row)
}

/// A `smallint`, `integer` or `bigint`, by its width.
fn integer(b: &[u8]) -> Result<i64, CopyFormatError> {
    match *b {
        [a, b] => Ok(i64::from(i16::from_be_bytes([a, b]))),
        [a, b, c, d] => Ok(i64::from(i32::from_be_bytes([a, b, c, d]))),
        [a, b, c, d, e, f, g, h] => Ok(i64::from_be_bytes([a, b, c, d, e, f, g, h])),
        _ => Err(bad("user_id", format!("an integer of {} bytes", b.len()))),
    }
}

/// A `timestamptz` as microseconds since 1970-01-01 UTC.
fn timestamp_micros(b: &[u8]) -> Result<i64, CopyFormatError> {
    let raw: [u8; 8] = b
        .try_into()
        .map_err(|_| bad("created_at", format!("a timestamp of {} bytes", b.len())))?;
    let micros = i64::from_be_bytes(raw);
    if micros == i64::MAX || micros == i64::MIN {
        return Err(bad(
            "created_at",
            "an infinite time (`infinity` or `-infinity`) has no day or hour",
        ));
    }
    micros
        .checked_add(POSTGRES_EPOCH_MICROS)
        .ok_or_else(|| bad("created_at", "a time out of range"))
}

/// A `numeric` as cents: exact to two decimals, rounded half away from
/// zero beyond (as PostgreSQL's cast to bigint).
pub(crate) fn numeric_cents(b: &[u8]) -> Result<i64, CopyFormatError> {
    let word = |i: usize| -> Result<u16, CopyFormatError> {
        b.get(i..i + 2)
            .map(|w| u16::from_be_bytes([w[0], w[1]]))
            .ok_or_else(|| bad("amount", "a numeric cut short"))
    };
    let digits = usize::from(word(0)?);
    let weight = i32::from(word(2)? as i16);
    let sign = word(4)?;
    let scale = word(6)?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Err(bad("amount", "NaN is not an amount")),
        _ => return Err(bad("amount", "an infinite amount")),
    }
    if b.len() != 8 + 2 * digits {
        return Err(bad("amount", "a numeric of the wrong length"));
    }
    let too_large = || bad("amount", "does not fit in 64-bit cents");
    // The value times 10^scale, digit group by digit group (base 10,000).
    let scale_i = i32::from(scale);
    let mut value: i128 = 0;
    for i in 0..digits {
        let digit = i128::from(word(8 + 2 * i)?);
        let power = 4 * (weight - i as i32) + scale_i;
        let term = if power >= 0 {
            10i128
                .checked_pow(power as u32)
                .and_then(|p| digit.checked_mul(p))
                .ok_or_else(too_large)?
        } else {
            // Past the display scale: a group's trailing zeros.
            10i128
                .checked_pow(power.unsigned_abs())
                .map_or(0, |p| digit / p)
        };
        value = value.checked_add(term).ok_or_else(too_large)?;
    }
    if sign == 0x4000 {
        value = -value;
    }
    let scale = i8::try_from(scale).map_err(|_| too_large())?;
    to_cents(value, scale).ok_or_else(too_large)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: Vocabulary<'static> = Vocabulary {
        kinds: &["deposit", "withdrawal", "bet"],
        statuses: &[],
        games: &["crash", "casino"],
    };

    fn header() -> Vec<u8> {
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&0i32.to_be_bytes());
        b.extend_from_slice(&0i32.to_be_bytes());
        b
    }

    fn field(out: &mut Vec<u8>, value: Option<&[u8]>) {
        match value {
            Some(v) => {
                out.extend_from_slice(&(v.len() as i32).to_be_bytes());
                out.extend_from_slice(v);
            }
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    /// `numeric` bytes: digit groups, weight, sign, display scale.
    fn numeric(groups: &[u16], weight: i16, negative: bool, scale: u16) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&(groups.len() as u16).to_be_bytes());
        b.extend_from_slice(&weight.to_be_bytes());
        b.extend_from_slice(&(if negative { 0x4000u16 } else { 0 }).to_be_bytes());
        b.extend_from_slice(&scale.to_be_bytes());
        for g in groups {
            b.extend_from_slice(&g.to_be_bytes());
        }
        b
    }

    fn row(
        user: Option<i64>,
        amount: Option<Vec<u8>>,
        kind: &str,
        micros: i64,
        game: &str,
    ) -> Vec<u8> {
        let mut b = FIELDS.to_be_bytes().to_vec();
        field(&mut b, user.map(|u| u.to_be_bytes().to_vec()).as_deref());
        field(&mut b, amount.as_deref());
        field(&mut b, Some(kind.as_bytes()));
        field(
            &mut b,
            Some(&(micros - POSTGRES_EPOCH_MICROS).to_be_bytes()),
        );
        field(&mut b, Some(game.as_bytes()));
        b
    }

    fn stream() -> Vec<u8> {
        let mut b = header();
        // 1234.56: groups 1234, 5600; weight 0; scale 2.
        b.extend(row(
            Some(7),
            Some(numeric(&[1234, 5600], 0, false, 2)),
            "bet",
            1_751_239_800_000_000,
            "casino",
        ));
        b.extend(row(None, None, "other", 0, "crash"));
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b
    }

    #[test]
    fn a_stream_split_anywhere_reads_the_same() {
        let whole = stream();
        let mut expected = Decoded::default();
        let mut reader = CopyReader::default();
        reader
            .feed(&whole, WORDS, &mut expected)
            .expect("whole stream");
        reader.finish().expect("ended");
        assert_eq!(expected.users, [7, 0]);
        assert_eq!(expected.user_valid, [true, false]);
        assert_eq!(expected.cents, [Some(123_456), None]);
        assert_eq!(expected.kinds, [2, NONE]);
        assert_eq!(expected.games, [1, 0]);
        assert_eq!(expected.micros, [Some(1_751_239_800_000_000), Some(0)]);
        for cut in 1..whole.len() {
            let mut got = Decoded::default();
            let mut reader = CopyReader::default();
            reader
                .feed(&whole[..cut], WORDS, &mut got)
                .expect("first part");
            reader
                .feed(&whole[cut..], WORDS, &mut got)
                .expect("second part");
            reader.finish().expect("ended");
            assert_eq!(got.cents, expected.cents, "cut at {cut}");
            assert_eq!(got.micros, expected.micros, "cut at {cut}");
            assert_eq!(got.users, expected.users, "cut at {cut}");
        }
    }

    #[test]
    fn a_stream_cut_short_is_an_error() {
        let whole = stream();
        let mut reader = CopyReader::default();
        reader
            .feed(&whole[..whole.len() - 3], WORDS, &mut Decoded::default())
            .expect("a part");
        assert_eq!(reader.finish(), Err(CopyFormatError::Truncated));
        let mut reader = CopyReader::default();
        assert_eq!(
            reader.feed(
                b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0",
                WORDS,
                &mut Decoded::default()
            ),
            Err(CopyFormatError::Signature)
        );
    }

    #[test]
    fn numerics_become_cents() {
        let cents = |g: &[u16], w: i16, neg: bool, s: u16| numeric_cents(&numeric(g, w, neg, s));
        assert_eq!(cents(&[12, 3400], 0, false, 2), Ok(1234));
        assert_eq!(cents(&[12], 0, true, 0), Ok(-1200));
        assert_eq!(cents(&[], 0, false, 2), Ok(0));
        // 0.05 is one group 500 of weight -1.
        assert_eq!(cents(&[500], -1, false, 2), Ok(5));
        // 1.005 rounds half away from zero, as the cast to bigint does.
        assert_eq!(cents(&[1, 50], 0, false, 3), Ok(101));
        assert_eq!(cents(&[1, 50], 0, true, 3), Ok(-101));
        // 1.004 rounds down.
        assert_eq!(cents(&[1, 40], 0, false, 3), Ok(100));
        // 10,000,000.5 (two groups above the point).
        assert_eq!(cents(&[1000, 0, 5000], 1, false, 1), Ok(1_000_000_050));
        assert!(cents(&[9999; 12], 11, false, 0).is_err());
        let mut nan = numeric(&[], 0, false, 0);
        nan[4] = 0xC0;
        assert!(numeric_cents(&nan).is_err());
    }

    #[test]
    fn integers_of_every_width_are_user_ids() {
        assert_eq!(integer(&7i16.to_be_bytes()), Ok(7));
        assert_eq!(integer(&(-7i32).to_be_bytes()), Ok(-7));
        assert_eq!(integer(&(1i64 << 40).to_be_bytes()), Ok(1 << 40));
        assert!(integer(&[1, 2, 3]).is_err());
    }

    #[test]
    fn infinite_times_are_refused() {
        assert!(timestamp_micros(&i64::MAX.to_be_bytes()).is_err());
        assert_eq!(
            timestamp_micros(&0i64.to_be_bytes()),
            Ok(POSTGRES_EPOCH_MICROS)
        );
    }
}
