//! What a day of live polling costs: a live schedule polls from `lead`
//! before each kick-off until the match is over, every cadence, so the
//! day's polls follow from the fixtures loaded; times the credits of one
//! poll, that is what the provider's quota must allow.

/// How long a match stays in play from its kick-off, with half-time,
/// stoppage time and some extra time to spare.
pub const MATCH_SPAN_SECS: i64 = 2 * 3_600;

/// The stretches of `[from, until)` (unix seconds) a live schedule polls
/// in: from `lead_secs` before each kick-off to `MATCH_SPAN_SECS` after
/// it, overlapping stretches merged.
pub fn polling_windows(kickoffs: &[i64], lead_secs: i64, from: i64, until: i64) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = kickoffs
        .iter()
        .map(|k| {
            (
                k.saturating_sub(lead_secs).max(from),
                k.saturating_add(MATCH_SPAN_SECS).min(until),
            )
        })
        .filter(|(start, end)| start < end)
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The most polls a schedule ticking every `cadence_secs` makes within
/// `windows`: one at each end, and one per cadence between.
pub fn polls(windows: &[(i64, i64)], cadence_secs: u64) -> u64 {
    let cadence = i64::try_from(cadence_secs.max(1)).unwrap_or(i64::MAX);
    windows
        .iter()
        .map(|(start, end)| u64::try_from((end - start) / cadence + 1).unwrap_or(0))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_matches_are_polled_once() {
        // Two matches at 15:00 and 16:00, one at 20:00, a lead of 15 min.
        let h = 3_600;
        let windows = polling_windows(&[15 * h, 16 * h, 20 * h], 900, 0, 24 * h);
        assert_eq!(windows, [(15 * h - 900, 18 * h), (20 * h - 900, 22 * h)]);
        // Every 30 s: 3 h 15 min and 2 h 15 min.
        assert_eq!(polls(&windows, 30), (11_700 / 30 + 1) + (8_100 / 30 + 1));
    }

    #[test]
    fn windows_are_cut_to_the_day() {
        let windows = polling_windows(&[-3_600, 23 * 3_600], 900, 0, 86_400);
        assert_eq!(windows, [(0, 3_600), (23 * 3_600 - 900, 86_400)]);
    }
}
