//! The keys of an odds quote: narrow, fixed-width digests of its identity,
//! so `odds` and its index stay small and one event's quotes sit together.

use sha2::{Digest, Sha256};

/// The keys of a quote: its market (event, bookmaker, market), its
/// selection (the market's parts, selection, participant) and the quote
/// itself (the selection's parts, line), as 128 bits (a `uuid` on
/// PostgreSQL, 32 hex digits on SQLite). Each is 64 bits of a SHA-256 of its event
/// followed by 64 bits of a SHA-256 of its parts: narrow fixed-width keys
/// keep `odds` and its index small, and the event prefix keeps an event's
/// quotes together in the index, so a batch's inserts touch few pages.
pub fn odds_keys(o: &crate::model::OddsQuote) -> ([u8; 16], [u8; 16], [u8; 16]) {
    quote_keys(
        &o.event,
        &o.bookmaker,
        &o.market,
        &o.selection,
        o.participant.as_deref(),
        o.line,
    )
}

/// [`odds_keys`] of a quote given by its parts.
pub fn quote_keys(
    event: &str,
    bookmaker: &str,
    market_name: &str,
    selection_name: &str,
    participant: Option<&str>,
    line: Option<f64>,
) -> ([u8; 16], [u8; 16], [u8; 16]) {
    let mut market = Sha256::new();
    digest_part(&mut market, Some(event.as_bytes()));
    let event = market.clone().finalize();
    for part in [bookmaker, market_name] {
        digest_part(&mut market, Some(part.as_bytes()));
    }
    let mut selection = market.clone();
    digest_part(&mut selection, Some(selection_name.as_bytes()));
    digest_part(&mut selection, participant.map(str::as_bytes));
    let mut quote = selection.clone();
    // -0 and 0 are one line.
    let line = line.map(|l| (l + 0.0).to_bits().to_le_bytes());
    digest_part(&mut quote, line.as_ref().map(|l| l.as_slice()));
    let key = |hasher: Sha256| {
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&event[..8]);
        key[8..].copy_from_slice(&hasher.finalize()[..8]);
        key
    };
    (key(market), key(selection), key(quote))
}

/// Feeds one key part, absent or present and length-prefixed, so that no
/// two different lists of parts feed the same bytes.
fn digest_part(hasher: &mut Sha256, part: Option<&[u8]>) {
    match part {
        None => hasher.update([0]),
        Some(bytes) => {
            hasher.update([1]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
    }
}
