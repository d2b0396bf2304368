//! Per-user accumulators over decoded batches: the same figures the
//! grouped query returns (counts, sums in cents, the sum of squared bet
//! cents, the largest bet), kept compact (32-bit counts, a fixed array
//! per breakdown) in a table indexed through a map of user ids, plus one
//! bit per user and local day for the active days. Days are counted back
//! from the reference date in blocks of 64, each block a word per user
//! allocated when a row first falls in it, so a year of history costs six
//! words a user whatever the order of the rows. The tables of different
//! threads are not merged: a user's figures are added up across them
//! exactly when the user's [`UserAggregates`] are built.

use hashbrown::HashMap;
use time::{Date, OffsetDateTime};

use super::clock::Clock;
use super::columns::{Decoded, NONE};
use super::compact::CompactUsers;
use crate::crm::aggregates::{BET, GapStats, TypeTotal, UserAggregates};

/// One user's figures so far.
#[derive(Debug, Clone, Copy)]
pub(super) struct Figures {
    transactions: u32,
    bets_by_game: [u32; 5],
    by_weekday: [u32; 7],
    by_daypart: [u32; 4],
    counts: [u32; 5],
    cents: [i64; 5],
    /// The largest bet amount; `i64::MIN` while there is none.
    max_bet: i64,
    bet_squares: i128,
}

impl Figures {
    pub(super) const EMPTY: Figures = Figures {
        transactions: 0,
        bets_by_game: [0; 5],
        by_weekday: [0; 7],
        by_daypart: [0; 4],
        counts: [0; 5],
        cents: [0; 5],
        max_bet: i64::MIN,
        bet_squares: 0,
    };

    pub(super) fn add(&mut self, other: &Figures) {
        self.transactions += other.transactions;
        for (a, b) in self.bets_by_game.iter_mut().zip(other.bets_by_game) {
            *a += b;
        }
        for (a, b) in self.by_weekday.iter_mut().zip(other.by_weekday) {
            *a += b;
        }
        for (a, b) in self.by_daypart.iter_mut().zip(other.by_daypart) {
            *a += b;
        }
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        for (a, b) in self.cents.iter_mut().zip(other.cents) {
            *a += b;
        }
        self.max_bet = self.max_bet.max(other.max_bet);
        self.bet_squares += other.bet_squares;
    }

    /// User `id`'s aggregates from these figures and the user's active
    /// days (`activity`'s answer), as of `reference`.
    pub(super) fn aggregates(
        &self,
        id: i64,
        (active_days, first, last, gaps): (u64, i64, i64, GapStats),
        reference: Date,
    ) -> UserAggregates {
        let day = |back: i64| {
            i32::try_from(back)
                .ok()
                .and_then(|b| Date::from_julian_day(reference.to_julian_day() - b).ok())
                .unwrap_or(Date::MIN)
        };
        let mut by_type = [TypeTotal::default(); 5];
        for (k, total) in by_type.iter_mut().enumerate() {
            *total = TypeTotal {
                count: u64::from(self.counts[k]),
                cents: self.cents[k],
            };
        }
        UserAggregates {
            user_id: id.to_string(),
            transactions: u64::from(self.transactions),
            active_days,
            first_day: day(first),
            last_day: day(last),
            bets_by_game: self.bets_by_game.map(u64::from),
            by_weekday: self.by_weekday.map(u64::from),
            by_daypart: self.by_daypart.map(u64::from),
            by_type,
            bet_cents_squared: self.bet_squares,
            max_bet_cents: if self.max_bet == i64::MIN {
                0
            } else {
                self.max_bet
            },
            gaps,
        }
    }
}

/// What decides which rows count and how their days are read.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Rows at or after this instant (microseconds since 1970) do not count.
    pub cutoff_micros: i64,
    /// The reference date, as days since 1970-01-01.
    pub reference_day: i64,
    /// Local time in the job's zone.
    pub clock: Clock,
}

impl Rules {
    /// The rules of a job in `zone` counting rows before `cutoff`, as of
    /// `reference_date`.
    pub fn new(zone: chrono_tz::Tz, cutoff: OffsetDateTime, reference_date: Date) -> Self {
        let until = cutoff.unix_timestamp();
        Rules {
            cutoff_micros: until.saturating_mul(1_000_000),
            reference_day: i64::from(reference_date.to_julian_day()) - 2_440_588,
            clock: Clock::new(zone, until),
        }
    }
}

/// Most slots an array index may have: 64 MiB of `u32`.
const MAX_DENSE_SLOTS: u64 = 16 << 20;

/// A slot in [`Dense::slots`] no user has taken.
pub(super) const FREE: u32 = u32::MAX;

/// Users' places by id over a range of ids: one array read per lookup.
#[derive(Debug, Default)]
struct Dense {
    low: i64,
    slots: Vec<u32>,
    /// Whether the range grows to take ids above it (from 0, for tables
    /// of no known range), as long as the array stays at most eight slots
    /// a user.
    grows: bool,
}

impl Dense {
    /// The slot of `id`, when `id` is in the range or the range grows to
    /// take it; `users` is how many users the table holds.
    fn at(&mut self, id: i64, users: usize) -> Option<&mut u32> {
        let offset = usize::try_from(id.checked_sub(self.low)?).ok()?;
        if offset >= self.slots.len() && self.grows {
            let wanted = (offset + 1).next_power_of_two().max(1 << 16);
            let limit = users.saturating_add(1 << 16).saturating_mul(8);
            if (wanted as u64) <= MAX_DENSE_SLOTS && wanted <= limit {
                self.slots.resize(wanted, FREE);
            }
        }
        self.slots.get_mut(offset)
    }
}

/// Every user seen so far.
#[derive(Debug)]
pub struct UserTable {
    dense: Dense,
    /// Users whose ids fall outside the dense range.
    index: HashMap<i64, u32>,
    pub(super) ids: Vec<i64>,
    pub(super) figures: Vec<Figures>,
    /// `days[b][u]`: bit `k` set when user `u` was active `64 b + k` days
    /// before the reference date.
    pub(super) days: Vec<Vec<u64>>,
    last: Option<(i64, u32)>,
    /// Users room is reserved for (address space only until written).
    capacity: usize,
}

impl Default for UserTable {
    /// An empty table: ids from 0 up are found through an array that grows
    /// while they stay compact (serial ids), others through the hash map.
    fn default() -> Self {
        UserTable {
            dense: Dense {
                grows: true,
                ..Dense::default()
            },
            index: HashMap::default(),
            ids: Vec::new(),
            figures: Vec::new(),
            days: Vec::new(),
            last: None,
            capacity: 0,
        }
    }
}

impl UserTable {
    /// A table with room for `users` users: reserved up front, so growing
    /// never copies the figures (pages not yet written cost nothing).
    pub fn with_capacity(users: usize) -> Self {
        UserTable {
            index: HashMap::with_capacity(users),
            ids: Vec::with_capacity(users),
            figures: Vec::with_capacity(users),
            capacity: users,
            ..UserTable::default()
        }
    }

    /// A table with room for `users` users whose ids are expected within
    /// `low..=high`: those are found through an array over the range when
    /// it is at most eight slots a user (ids outside it still count,
    /// through the hash map).
    pub fn with_id_range(users: usize, low: i64, high: i64) -> Self {
        let span = u64::try_from(i128::from(high) - i128::from(low) + 1).unwrap_or(u64::MAX);
        let compact = span <= MAX_DENSE_SLOTS && span <= (users as u64).saturating_mul(8);
        if !compact || high < low {
            return UserTable::with_capacity(users);
        }
        UserTable {
            dense: Dense {
                low,
                slots: vec![FREE; span as usize],
                grows: false,
            },
            ids: Vec::with_capacity(users),
            figures: Vec::with_capacity(users),
            capacity: users,
            ..UserTable::default()
        }
    }

    /// Users in the table.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the table has no user.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn slot(&mut self, user: i64) -> usize {
        if let Some((id, at)) = self.last
            && id == user
        {
            return at as usize;
        }
        let next = self.ids.len() as u32;
        let at = match self.dense.at(user, self.ids.len()) {
            Some(slot) if *slot != FREE => *slot,
            Some(slot) => {
                // A grown range may cover an id the hash map took before.
                *slot = self.index.get(&user).copied().unwrap_or(next);
                *slot
            }
            None => *self.index.entry(user).or_insert(next),
        };
        if at == next {
            self.ids.push(user);
            self.figures.push(Figures::EMPTY);
        }
        self.last = Some((user, at));
        at as usize
    }

    fn mark(&mut self, user: usize, days_back: i64, word: u64) {
        let block = (days_back / 64) as usize;
        if self.days.len() <= block {
            let capacity = self.capacity;
            self.days
                .resize_with(block + 1, || Vec::with_capacity(capacity));
        }
        let words = &mut self.days[block];
        if words.len() <= user {
            words.resize(self.ids.len().max(user + 1), 0);
        }
        words[user] |= word;
    }

    /// Adds the rows of `batch` that count.
    pub fn add(&mut self, batch: &Decoded, rules: &mut Rules) {
        for i in 0..batch.users.len() {
            let Some(micros) = batch.micros[i] else {
                continue;
            };
            if !batch.user_valid[i] || batch.statuses[i] == NONE || micros >= rules.cutoff_micros {
                continue;
            }
            let local = rules.clock.local(micros.div_euclid(1_000_000));
            let user = self.slot(batch.users[i]);
            let f = &mut self.figures[user];
            f.transactions += 1;
            f.by_weekday[local.weekday] += 1;
            f.by_daypart[local.daypart] += 1;
            let kind = batch.kinds[i];
            if kind != NONE {
                let k = usize::from(kind);
                f.counts[k] += 1;
                if let Some(cents) = batch.cents[i] {
                    f.cents[k] += cents;
                    if k == BET {
                        f.bet_squares += i128::from(cents) * i128::from(cents);
                        f.max_bet = f.max_bet.max(cents);
                    }
                }
                let game = batch.games[i];
                if k == BET && game != NONE {
                    f.bets_by_game[usize::from(game)] += 1;
                }
            }
            let back = (rules.reference_day - local.day).max(0);
            self.mark(user, back, 1 << (back % 64));
        }
    }

    /// The word of user `u` for days block `block` (0 when none).
    pub(super) fn word(&self, block: usize, u: u32) -> u64 {
        if u == FREE {
            return 0;
        }
        self.days
            .get(block)
            .and_then(|words| words.get(u as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Every user's place, in the order of their ids: read off the array
    /// index in order, only the users the hash map alone holds sorted and
    /// merged in.
    pub(super) fn by_id(&self) -> Vec<usize> {
        let dense = &self.dense;
        let held = |id: i64, u: u32| {
            let offset = usize::try_from(id.wrapping_sub(dense.low)).ok();
            id >= dense.low && offset.and_then(|o| dense.slots.get(o)) == Some(&u)
        };
        let mut others: Vec<usize> = self
            .index
            .iter()
            .filter(|&(&id, &u)| !held(id, u))
            .map(|(_, &u)| u as usize)
            .collect();
        others.sort_unstable_by_key(|&u| self.ids[u]);
        let mut order = Vec::with_capacity(self.ids.len());
        let mut others = others.into_iter().peekable();
        for &u in dense.slots.iter().filter(|&&u| u != FREE) {
            let u = u as usize;
            while let Some(other) = others.next_if(|&o| self.ids[o] < self.ids[u]) {
                order.push(other);
            }
            order.push(u);
        }
        order.extend(others);
        order
    }

    /// The table as every user's aggregates as of `reference`, in user-id
    /// order, built a slice at a time when asked for.
    pub fn into_compact(self, reference: Date) -> CompactUsers {
        CompactUsers::new(vec![self], reference)
    }

    /// Every user's aggregates, by user id, as of `reference`, built on
    /// `threads` threads.
    pub fn into_users(self, reference: Date, threads: usize) -> Vec<UserAggregates> {
        self.into_compact(reference).listed(threads)
    }
}

/// The active days in `blocks` blocks of day words (`word(b)`: bit `k`
/// set when active `64 b + k` days back): their count, the first and last
/// (days back from the reference date) and the gaps between them.
pub(super) fn activity(blocks: usize, word: impl Fn(usize) -> u64) -> (u64, i64, i64, GapStats) {
    let (mut count, mut first, mut last) = (0u64, 0i64, 0i64);
    let mut gaps = GapStats::default();
    let mut previous: Option<i64> = None;
    // Oldest first: the highest block and bit first.
    for block in (0..blocks).rev() {
        let mut word = word(block);
        while word != 0 {
            let bit = 63 - i64::from(word.leading_zeros());
            word &= !(1u64 << bit);
            let back = block as i64 * 64 + bit;
            if let Some(before) = previous {
                let gap = before - back;
                gaps.count += 1;
                gaps.sum += gap;
                gaps.sum_squares += gap * gap;
            } else {
                first = back;
            }
            previous = Some(back);
            last = back;
            count += 1;
        }
    }
    (count, first, last, gaps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::aggregates::{DEPOSIT, WIN};
    use time::macros::date;

    /// 2025-06-30 as days since 1970.
    const REFERENCE: i64 = 20_269;

    fn rules() -> Rules {
        Rules {
            cutoff_micros: (REFERENCE + 1) * 86_400 * 1_000_000,
            reference_day: REFERENCE,
            clock: Clock::new(chrono_tz::UTC, (REFERENCE + 1) * 86_400),
        }
    }

    /// Rows of (user, cents, kind, status counted, day back, hour, game).
    fn batch(rows: &[(i64, i64, u8, bool, i64, i64, u8)]) -> Decoded {
        let mut d = Decoded::default();
        for &(user, cents, kind, counted, back, hour, game) in rows {
            d.users.push(user);
            d.user_valid.push(true);
            d.cents.push(Some(cents));
            d.kinds.push(kind);
            d.statuses.push(if counted { 0 } else { NONE });
            d.micros.push(Some(
                ((REFERENCE - back) * 86_400 + hour * 3600) * 1_000_000,
            ));
            d.games.push(game);
        }
        d
    }

    #[test]
    fn two_threads_tables_add_up_to_one_users_figures() {
        let bet = BET as u8;
        let rows = [
            (7, 10_000, DEPOSIT as u8, true, 30, 9, NONE),
            (3, 700, bet, true, 5, 9, 0),
            (7, 1_000, bet, true, 30, 20, 1),
            (7, 3_000, bet, true, 10, 20, 1),
            (7, 500, WIN as u8, true, 3, 1, 1),
            (7, 9_999, bet, false, 3, 1, 2),
            (7, 2_000, bet, true, 100, 13, 4),
            (9, 800, bet, true, 6, 9, 3),
        ];
        let mut whole = UserTable::default();
        whole.add(&batch(&rows), &mut rules());
        let mut left = UserTable::default();
        left.add(&batch(&rows[..3]), &mut rules());
        let mut right = UserTable::default();
        right.add(&batch(&rows[3..]), &mut rules());
        let reference = date!(2025 - 06 - 30);
        let (a, b) = (
            whole.into_users(reference, 1),
            CompactUsers::new(vec![left, right], reference).listed(2),
        );
        assert_eq!(a, b);
        let ids: Vec<&str> = a.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(ids, ["3", "7", "9"]);
        let u = &a[1];
        assert_eq!(u.user_id, "7");
        assert_eq!(u.transactions, 5);
        assert_eq!(
            u.by_type[BET],
            TypeTotal {
                count: 3,
                cents: 6_000
            }
        );
        assert_eq!(u.max_bet_cents, 3_000);
        assert_eq!(
            u.bet_cents_squared,
            1_000 * 1_000 + 3_000 * 3_000 + 2_000 * 2_000
        );
        assert_eq!(u.bets_by_game, [0, 2, 0, 0, 1]);
        // Active 100, 30, 10 and 3 days back: gaps 70, 20, 7.
        assert_eq!(u.active_days, 4);
        assert_eq!(u.first_day, date!(2025 - 03 - 22));
        assert_eq!(u.last_day, date!(2025 - 06 - 27));
        assert_eq!(
            u.gaps,
            GapStats {
                count: 3,
                sum: 97,
                sum_squares: 70 * 70 + 20 * 20 + 7 * 7
            }
        );
        assert_eq!(u.by_daypart, [1, 1, 1, 2]);
    }

    #[test]
    fn an_id_keeps_its_user_when_the_array_grows_over_it() {
        let bet = BET as u8;
        let one = |user: i64| batch(&[(user, 100, bet, true, 1, 9, 0)]);
        let mut table = UserTable::default();
        // Too far above the first users for the array: the hash map.
        table.add(&one(1_000_000), &mut rules());
        // Enough users from 0 up that the array grows past 1,000,000.
        let many: Vec<_> = (0..200_000)
            .map(|user| (user, 100, bet, true, 1, 9, 0))
            .collect();
        table.add(&batch(&many), &mut rules());
        table.add(&one(1_000_000), &mut rules());
        let users = table.into_users(date!(2025 - 06 - 30), 2);
        assert_eq!(users.len(), 200_001);
        let last = &users[200_000];
        assert_eq!((last.user_id.as_str(), last.transactions), ("1000000", 2));
        assert!(
            users
                .windows(2)
                .all(|w| w[0].user_id.parse::<i64>().ok() < w[1].user_id.parse::<i64>().ok())
        );
    }

    #[test]
    fn users_come_out_by_id_wherever_the_table_keeps_them() {
        let bet = BET as u8;
        let one = |user: i64| batch(&[(user, 100, bet, true, 1, 9, 0)]);
        let mut table = UserTable::default();
        // Below the array's range, and too far above it yet: the hash map.
        table.add(&one(-5), &mut rules());
        table.add(&one(600_000), &mut rules());
        let many: Vec<_> = (0..200_000)
            .rev()
            .map(|user| (user, 100, bet, true, 1, 9, 0))
            .collect();
        table.add(&batch(&many), &mut rules());
        // The array grows over 600,000, which is not seen again.
        table.add(&one(700_000), &mut rules());
        let ids: Vec<i64> = table
            .into_users(date!(2025 - 06 - 30), 2)
            .iter()
            .map(|u| u.user_id.parse().unwrap_or(i64::MIN))
            .collect();
        let mut expected = vec![-5];
        expected.extend(0..200_000);
        expected.extend([600_000, 700_000]);
        assert_eq!(ids, expected);
    }

    #[test]
    fn ids_outside_the_footers_range_still_count() {
        let bet = BET as u8;
        let rows = [
            (5, 100, bet, true, 1, 9, 0),
            (-3, 100, bet, true, 1, 9, 0),
            (50, 100, bet, true, 1, 9, 0),
            (5, 100, bet, true, 2, 9, 0),
            (-3, 100, bet, true, 2, 9, 0),
        ];
        let mut ranged = UserTable::with_id_range(10, 1, 10);
        ranged.add(&batch(&rows), &mut rules());
        let mut hashed = UserTable::with_capacity(10);
        hashed.add(&batch(&rows), &mut rules());
        let reference = date!(2025 - 06 - 30);
        let (a, b) = (
            ranged.into_users(reference, 2),
            hashed.into_users(reference, 1),
        );
        assert_eq!(a, b);
        let ids: Vec<_> = a
            .iter()
            .map(|u| (u.user_id.as_str(), u.transactions))
            .collect();
        assert_eq!(ids, [("-3", 2), ("5", 2), ("50", 1)]);
    }

    #[test]
    fn rows_at_or_after_the_cutoff_do_not_count() {
        let mut d = batch(&[(1, 100, BET as u8, true, 0, 23, 0)]);
        d.micros[0] = Some((REFERENCE + 1) * 86_400 * 1_000_000);
        let mut table = UserTable::default();
        table.add(&d, &mut rules());
        assert!(table.is_empty());
    }
}
