//! A time zone's UTC offsets as periods, for SQLite, which has no time zone
//! database: the aggregate query looks up each transaction's period and
//! shifts its timestamp by that offset, so days and hours follow daylight
//! saving exactly as PostgreSQL's `AT TIME ZONE` does.

use chrono::{Offset, TimeZone};
use chrono_tz::Tz;

/// From `from_epoch` (Unix seconds) on, the zone is `offset_seconds` ahead
/// of UTC, until the next period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetPeriod {
    /// The period's first second.
    pub from_epoch: i64,
    /// Seconds ahead of UTC.
    pub offset_seconds: i32,
}

const DAY: i64 = 86_400;

fn offset_at(zone: Tz, epoch: i64) -> i32 {
    match zone.timestamp_opt(epoch, 0) {
        chrono::LocalResult::Single(at) => at.offset().fix().local_minus_utc(),
        _ => 0,
    }
}

/// The periods of `zone` from 1970 to `until` (Unix seconds): the first
/// starts at `i64::MIN`, so every instant falls in one.
pub fn periods(zone: Tz, until: i64) -> Vec<OffsetPeriod> {
    let mut out = vec![OffsetPeriod {
        from_epoch: i64::MIN,
        offset_seconds: offset_at(zone, 0),
    }];
    let mut day = 0;
    while day < until {
        let current = out.last().map_or(0, |p| p.offset_seconds);
        let next = offset_at(zone, day + DAY);
        if next != current {
            // The change lies within (day, day + DAY]: find its second.
            let (mut lo, mut hi) = (day, day + DAY);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(zone, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(OffsetPeriod {
                from_epoch: hi,
                offset_seconds: offset_at(zone, hi),
            });
        }
        day += DAY;
    }
    out
}

/// The SQLite `datetime` modifier shifting UTC by `offset_seconds`.
pub fn modifier(offset_seconds: i32) -> String {
    format!("{offset_seconds:+} seconds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_is_one_period() {
        assert_eq!(periods(chrono_tz::UTC, 1_750_000_000).len(), 1);
    }

    #[test]
    fn madrid_changes_at_the_second_daylight_saving_starts() {
        let periods = periods(chrono_tz::Europe::Madrid, 1_750_000_000);
        // 2025-03-30 01:00 UTC: Madrid goes from +1 h to +2 h.
        let change = periods
            .iter()
            .find(|p| p.from_epoch == 1_743_296_400)
            .expect("the 2025 spring change");
        assert_eq!(change.offset_seconds, 7200);
        assert_eq!(modifier(change.offset_seconds), "+7200 seconds");
        assert_eq!(modifier(-3600), "-3600 seconds");
    }
}
