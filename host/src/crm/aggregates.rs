//! One user's figures as the grouped query returns them: counts, sums in
//! integer cents, and the spread of the gaps between active days. Every
//! feature is computed from these alone, so the database sends one row per
//! user, never a transaction.

use time::Date;

/// The game types counted, in the order of their columns (alphabetical, which
/// is also how ties for the favourite are broken).
pub const GAME_TYPES: [&str; 5] = ["casino", "crash", "poker", "slots", "sports"];

/// Weekdays, Monday first, as `preferred_weekdays` names them.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parts of the day in the configured time zone: dawn 00–06, morning 06–12,
/// afternoon 12–18, night 18–24.
pub const DAYPARTS: [&str; 4] = ["dawn", "morning", "afternoon", "night"];

/// The transaction types summed, in the order of [`UserAggregates::by_type`].
pub const TRANSACTION_TYPES: [&str; 5] = ["deposit", "withdrawal", "bet", "win", "bonus"];

/// Index of deposits in [`UserAggregates::by_type`].
pub const DEPOSIT: usize = 0;
/// Index of withdrawals.
pub const WITHDRAWAL: usize = 1;
/// Index of bets.
pub const BET: usize = 2;
/// Index of wins.
pub const WIN: usize = 3;
/// Index of bonuses.
pub const BONUS: usize = 4;

/// How many transactions of one type a user made and what they add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeTotal {
    /// Completed transactions of the type.
    pub count: u64,
    /// Their amounts, in cents.
    pub cents: i64,
}

/// The gaps, in days, between a user's consecutive active days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GapStats {
    /// How many gaps (active days less one).
    pub count: u64,
    /// Their sum.
    pub sum: i64,
    /// The sum of their squares.
    pub sum_squares: i64,
}

/// One user's completed transactions up to the reference date, aggregated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAggregates {
    /// The user, as text whatever its type in the source.
    pub user_id: String,
    /// Completed transactions of every type.
    pub transactions: u64,
    /// Distinct days with a transaction, in the configured time zone.
    pub active_days: u64,
    /// The first active day.
    pub first_day: Date,
    /// The last active day.
    pub last_day: Date,
    /// Bets per game type, in the order of [`GAME_TYPES`].
    pub bets_by_game: [u64; 5],
    /// Transactions per weekday, Monday first.
    pub by_weekday: [u64; 7],
    /// Transactions per part of the day, in the order of [`DAYPARTS`].
    pub by_daypart: [u64; 4],
    /// Count and sum per transaction type, in the order of
    /// [`TRANSACTION_TYPES`].
    pub by_type: [TypeTotal; 5],
    /// The sum of the squares of bet amounts, in cents².
    pub bet_cents_squared: i128,
    /// The largest bet, in cents (0 without bets).
    pub max_bet_cents: i64,
    /// Gaps between consecutive active days.
    pub gaps: GapStats,
}

impl UserAggregates {
    /// The count and sum of transactions of type `index`.
    pub fn total(&self, index: usize) -> TypeTotal {
        self.by_type[index]
    }

    /// Days from the last active day to `reference` (0 when active that day).
    pub fn recency_days(&self, reference: Date) -> i64 {
        (reference - self.last_day).whole_days().max(0)
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! A user built field by field, for the formulas' unit tests.

    use super::*;

    /// A user with one transaction on `day` and nothing else.
    pub fn user(day: Date) -> UserAggregates {
        UserAggregates {
            user_id: "u1".to_string(),
            transactions: 1,
            active_days: 1,
            first_day: day,
            last_day: day,
            bets_by_game: [0; 5],
            by_weekday: [0; 7],
            by_daypart: [0; 4],
            by_type: [TypeTotal::default(); 5],
            bet_cents_squared: 0,
            max_bet_cents: 0,
            gaps: GapStats::default(),
        }
    }
}
