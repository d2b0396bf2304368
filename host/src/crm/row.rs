//! The features table's columns, and one user's row of them: the
//! aggregates, the behaviour and time features and the scores, side by side.

use std::borrow::Cow;
use time::Date;

use super::aggregates::{BET, BONUS, DEPOSIT, UserAggregates, WIN, WITHDRAWAL};
use super::features::{self, Behaviour, Timing};
use super::scores::{self, Population, Scores};

/// The type of a features column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// A whole number.
    Int,
    /// An amount with two decimals (`NUMERIC(16,2)`).
    Money,
    /// A ratio or score.
    Float,
    /// A day.
    Date,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// No value.
    Null,
    /// Text.
    Text(Cow<'a, str>),
    /// A whole number.
    Int(i64),
    /// An amount in cents.
    Cents(i64),
    /// A ratio or score.
    Float(f64),
    /// A day.
    Date(Date),
}

impl Cell<'_> {
    /// The value, owning its text: for rows kept after the users they
    /// were built from.
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Null => Cell::Null,
            Cell::Text(text) => Cell::Text(Cow::Owned(text.into_owned())),
            Cell::Int(n) => Cell::Int(n),
            Cell::Cents(c) => Cell::Cents(c),
            Cell::Float(x) => Cell::Float(x),
            Cell::Date(d) => Cell::Date(d),
        }
    }
}

/// The columns, in order: the key, then the features.
pub const COLUMNS: &[(&str, Kind)] = &[
    ("user_id", Kind::Text),
    ("snapshot_date", Kind::Date),
    ("total_transactions", Kind::Int),
    ("active_days", Kind::Int),
    ("first_active_day", Kind::Date),
    ("last_active_day", Kind::Date),
    ("days_since_last_activity", Kind::Int),
    ("tenure_days", Kind::Int),
    ("total_deposits", Kind::Money),
    ("total_withdrawals", Kind::Money),
    ("total_bets", Kind::Money),
    ("total_wins", Kind::Money),
    ("total_bonuses", Kind::Money),
    ("deposit_count", Kind::Int),
    ("withdrawal_count", Kind::Int),
    ("bet_count", Kind::Int),
    ("win_count", Kind::Int),
    ("bonus_count", Kind::Int),
    ("net_deposits", Kind::Money),
    ("gross_gaming_revenue", Kind::Money),
    ("avg_ticket", Kind::Float),
    ("max_ticket", Kind::Money),
    ("ticket_category", Kind::Text),
    ("bet_volatility", Kind::Float),
    ("balance_ratio", Kind::Float),
    ("payout_ratio", Kind::Float),
    ("bonus_ratio", Kind::Float),
    ("favorite_game_type", Kind::Text),
    ("game_diversity_score", Kind::Float),
    ("casino_bets", Kind::Int),
    ("crash_bets", Kind::Int),
    ("poker_bets", Kind::Int),
    ("slots_bets", Kind::Int),
    ("sports_bets", Kind::Int),
    ("preferred_weekdays", Kind::Text),
    ("weekend_activity_ratio", Kind::Float),
    ("activity_hours", Kind::Text),
    ("dawn_share", Kind::Float),
    ("morning_share", Kind::Float),
    ("afternoon_share", Kind::Float),
    ("night_share", Kind::Float),
    ("activity_regularity", Kind::Float),
    ("frequency", Kind::Float),
    ("recency_score", Kind::Int),
    ("frequency_score", Kind::Int),
    ("monetary_score", Kind::Int),
    ("rfm_segment", Kind::Text),
    ("clv_score", Kind::Float),
    ("churn_risk_score", Kind::Float),
    ("behavioral_diversity_score", Kind::Float),
];

/// Whether column `name` of kind `kind` may hold no value: the ratios and
/// scores (none where undefined or not finite), and what only users with
/// bets have (the largest ticket, its band, the favourite game). Every
/// other column always has a value, which a file's schema states.
pub fn may_be_null(name: &str, kind: Kind) -> bool {
    kind == Kind::Float
        || matches!(
            name,
            "max_ticket" | "ticket_category" | "favorite_game_type"
        )
}

/// How many columns [`COLUMNS`] lists.
pub const COLUMN_COUNT: usize = 50;

const _: () = assert!(COLUMNS.len() == COLUMN_COUNT);

/// One row's values, in the order of [`COLUMNS`].
pub type Cells<'a> = [Cell<'a>; COLUMN_COUNT];

/// One user's features, computed and ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRow<'a> {
    /// The user's aggregates.
    pub user: &'a UserAggregates,
    /// Behaviour features.
    pub behaviour: Behaviour,
    /// Time features.
    pub timing: Timing,
    /// Scores.
    pub scores: Scores,
    /// `low`, `medium` or `high`.
    pub ticket_category: Option<&'static str>,
}

impl<'a> FeatureRow<'a> {
    /// Computes every feature of `user`, listing `top_weekdays` weekdays;
    /// its scores are `given` when a scorer gave them, else the built-in
    /// formulas'.
    pub fn new(
        user: &'a UserAggregates,
        population: &Population,
        given: Option<Scores>,
        top_weekdays: usize,
    ) -> Self {
        let behaviour = features::behaviour(user);
        FeatureRow {
            ticket_category: features::ticket_category(behaviour.avg_ticket, population.tickets),
            timing: features::timing(user, top_weekdays),
            scores: given.unwrap_or_else(|| scores::score(user, population)),
            behaviour,
            user,
        }
    }

    /// The row's values in the order of [`COLUMNS`], borrowing the text
    /// ones from the user and the row.
    pub fn cells(&self, snapshot: Date) -> Cells<'_> {
        self.cells_with(snapshot, Cow::Borrowed(&self.timing.preferred_weekdays))
    }

    /// The row's values, owning what they would borrow from the row, for
    /// writers that keep values after the row is gone.
    pub fn into_cells(mut self, snapshot: Date) -> Cells<'a> {
        let weekdays = std::mem::take(&mut self.timing.preferred_weekdays);
        self.cells_with(snapshot, Cow::Owned(weekdays))
    }

    /// The values, with `preferred_weekdays` given: the one text the row
    /// itself holds.
    fn cells_with<'c>(&self, snapshot: Date, weekdays: Cow<'c, str>) -> Cells<'c>
    where
        'a: 'c,
    {
        let u: &'c UserAggregates = self.user;
        let (b, t, s) = (&self.behaviour, &self.timing, &self.scores);
        let reference = snapshot;
        let int = |v: u64| Cell::Int(i64::try_from(v).unwrap_or(i64::MAX));
        let float = |v: Option<f64>| v.filter(|x| x.is_finite()).map_or(Cell::Null, Cell::Float);
        let text = |v: Option<&'static str>| v.map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s)));
        let cents = |i: usize| Cell::Cents(u.total(i).cents);
        let count = |i: usize| int(u.total(i).count);
        [
            Cell::Text(Cow::Borrowed(&u.user_id)),
            Cell::Date(snapshot),
            int(u.transactions),
            int(u.active_days),
            Cell::Date(u.first_day),
            Cell::Date(u.last_day),
            Cell::Int(u.recency_days(reference)),
            Cell::Int((reference - u.first_day).whole_days().max(0)),
            cents(DEPOSIT),
            cents(WITHDRAWAL),
            cents(BET),
            cents(WIN),
            cents(BONUS),
            count(DEPOSIT),
            count(WITHDRAWAL),
            count(BET),
            count(WIN),
            count(BONUS),
            Cell::Cents(u.total(DEPOSIT).cents - u.total(WITHDRAWAL).cents),
            Cell::Cents(u.total(BET).cents - u.total(WIN).cents),
            float(b.avg_ticket),
            if u.total(BET).count > 0 {
                Cell::Cents(u.max_bet_cents)
            } else {
                Cell::Null
            },
            text(self.ticket_category),
            float(b.bet_volatility),
            float(Some(b.balance_ratio)),
            float(b.payout_ratio),
            float(Some(b.bonus_ratio)),
            text(b.favorite_game_type),
            float(Some(b.game_diversity_score)),
            int(u.bets_by_game[0]),
            int(u.bets_by_game[1]),
            int(u.bets_by_game[2]),
            int(u.bets_by_game[3]),
            int(u.bets_by_game[4]),
            Cell::Text(weekdays),
            float(Some(t.weekend_activity_ratio)),
            text(Some(t.activity_hours)),
            float(Some(t.daypart_shares[0])),
            float(Some(t.daypart_shares[1])),
            float(Some(t.daypart_shares[2])),
            float(Some(t.daypart_shares[3])),
            float(Some(t.activity_regularity)),
            float(Some(t.frequency)),
            Cell::Int(i64::from(s.recency_score)),
            Cell::Int(i64::from(s.frequency_score)),
            Cell::Int(i64::from(s.monetary_score)),
            text(Some(s.rfm_segment.as_str())),
            float(Some(s.clv_score)),
            float(Some(s.churn_risk_score)),
            float(Some(s.behavioral_diversity_score)),
        ]
    }
}

/// Cents as a decimal with two places (`-12.05`).
pub fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::aggregates::sample;
    use time::macros::date;

    #[test]
    fn a_row_has_a_value_of_the_right_kind_per_column() {
        let day = date!(2025 - 06 - 30);
        // No bets, no deposits: as empty as a user gets.
        let user = sample::user(day);
        let population = Population::of(std::slice::from_ref(&user), day, [0.33, 0.67]);
        let row = FeatureRow::new(&user, &population, None, 2);
        let cells = row.cells(day);
        assert_eq!(cells.len(), COLUMNS.len());
        for (cell, (name, kind)) in cells.iter().zip(COLUMNS) {
            assert!(
                *cell != Cell::Null || may_be_null(name, *kind),
                "{name} has no value but is declared to have one"
            );
            let fits = matches!(
                (cell, kind),
                (Cell::Null, _)
                    | (Cell::Text(_), Kind::Text)
                    | (Cell::Int(_), Kind::Int)
                    | (Cell::Cents(_), Kind::Money)
                    | (Cell::Float(_), Kind::Float)
                    | (Cell::Date(_), Kind::Date)
            );
            assert!(fits, "{name}: {cell:?} is not a {kind:?}");
        }
    }

    #[test]
    fn cents_print_as_decimals() {
        assert_eq!(cents_text(123_456), "1234.56");
        assert_eq!(cents_text(-5), "-0.05");
        assert_eq!(cents_text(0), "0.00");
    }
}
