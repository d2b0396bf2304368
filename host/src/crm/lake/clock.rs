//! Local days, weekdays and dayparts of UTC instants in the job's time
//! zone, from the zone's offset periods (`zone.rs`): a lookup that stays
//! on the current period while instants come in order, so reading local
//! time costs a comparison per row instead of a time-zone database query.

use super::super::zone::{OffsetPeriod, periods};

const DAY: i64 = 86_400;

/// Where one instant falls in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// Days since 1970-01-01, local.
    pub day: i64,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: usize,
    /// 0 = dawn (00–06), 1 = morning, 2 = afternoon, 3 = night (18–24).
    pub daypart: usize,
}

/// The zone's offsets and the period last used.
#[derive(Debug, Clone)]
pub struct Clock {
    periods: Vec<OffsetPeriod>,
    at: usize,
}

impl Clock {
    /// A clock for `zone`, exact up to `until` (Unix seconds).
    pub fn new(zone: chrono_tz::Tz, until: i64) -> Self {
        Clock {
            periods: periods(zone, until),
            at: 0,
        }
    }

    fn offset(&mut self, epoch: i64) -> i64 {
        let p = &self.periods;
        let inside = |i: usize| {
            p[i].from_epoch <= epoch && p.get(i + 1).is_none_or(|next| epoch < next.from_epoch)
        };
        if !inside(self.at) {
            // The first period starts at i64::MIN, so one always holds.
            self.at = p
                .partition_point(|q| q.from_epoch <= epoch)
                .saturating_sub(1);
        }
        i64::from(p[self.at].offset_seconds)
    }

    /// Local time of `epoch` (Unix seconds).
    pub fn local(&mut self, epoch: i64) -> Local {
        let local = epoch + self.offset(epoch);
        let day = local.div_euclid(DAY);
        let second = local.rem_euclid(DAY);
        Local {
            day,
            // 1970-01-01 was a Thursday.
            weekday: (day + 3).rem_euclid(7) as usize,
            daypart: (second / (6 * 3600)) as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn madrid_reads_summer_and_winter_time() {
        let mut clock = Clock::new(chrono_tz::Europe::Madrid, 1_760_000_000);
        // 2025-06-29T23:30:00Z is Monday 30 June, 01:30 in Madrid.
        let summer = clock.local(1_751_239_800);
        assert_eq!((summer.weekday, summer.daypart), (0, 0));
        assert_eq!(summer.day, 20_269);
        // 2025-01-10T17:30:00Z is Friday, 18:30 in Madrid (night).
        let winter = clock.local(1_736_530_200);
        assert_eq!((winter.weekday, winter.daypart), (4, 3));
        // Back to summer after a lookup elsewhere.
        assert_eq!(clock.local(1_751_239_800), summer);
    }
}
