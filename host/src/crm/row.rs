//! The features table's columns, and one user's row of them: the
//! aggregates, the behaviour and time features and the scores, side by side.

use std::borrow::Cow;
use time::Date;

use super::aggregates::{BET, BONUS, DEPOSIT, TRANSACTION_TYPES, UserAggregates, WIN, WITHDRAWAL};
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

    /// The row's values in the order of [`COLUMNS`].
    pub fn cells(&self, snapshot: Date) -> Vec<Cell<'a>> {
        let u = self.user;
        let (b, t, s) = (&self.behaviour, &self.timing, &self.scores);
        let reference = snapshot;
        let int = |v: u64| Cell::Int(i64::try_from(v).unwrap_or(i64::MAX));
        let float = |v: Option<f64>| v.filter(|x| x.is_finite()).map_or(Cell::Null, Cell::Float);
        let text = |v: Option<&'static str>| v.map_or(Cell::Null, |s| Cell::Text(Cow::Borrowed(s)));
        let mut cells = vec![
            Cell::Text(Cow::Borrowed(&u.user_id)),
            Cell::Date(snapshot),
            int(u.transactions),
            int(u.active_days),
            Cell::Date(u.first_day),
            Cell::Date(u.last_day),
            Cell::Int(u.recency_days(reference)),
            Cell::Int((reference - u.first_day).whole_days().max(0)),
        ];
        debug_assert_eq!(TRANSACTION_TYPES.len(), 5);
        cells.extend([DEPOSIT, WITHDRAWAL, BET, WIN, BONUS].map(|i| Cell::Cents(u.total(i).cents)));
        cells.extend([DEPOSIT, WITHDRAWAL, BET, WIN, BONUS].map(|i| int(u.total(i).count)));
        cells.extend([
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
        ]);
        cells.extend(u.bets_by_game.map(int));
        cells.extend([
            Cell::Text(Cow::Owned(t.preferred_weekdays.clone())),
            float(Some(t.weekend_activity_ratio)),
            text(Some(t.activity_hours)),
        ]);
        cells.extend(t.daypart_shares.map(|x| float(Some(x))));
        cells.extend([
            float(Some(t.activity_regularity)),
            float(Some(t.frequency)),
            Cell::Int(i64::from(s.recency_score)),
            Cell::Int(i64::from(s.frequency_score)),
            Cell::Int(i64::from(s.monetary_score)),
            text(Some(s.rfm_segment.as_str())),
            float(Some(s.clv_score)),
            float(Some(s.churn_risk_score)),
            float(Some(s.behavioral_diversity_score)),
        ]);
        cells
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
        let user = sample::user(day);
        let population = Population::of(std::slice::from_ref(&user), day, [0.33, 0.67]);
        let row = FeatureRow::new(&user, &population, None, 2);
        let cells = row.cells(day);
        assert_eq!(cells.len(), COLUMNS.len());
        for (cell, (name, kind)) in cells.iter().zip(COLUMNS) {
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
