//! The population's aggregates as a source hands them over: listed (the
//! grouped query's rows, one per user) or compact (the per-user table the
//! COPY streams and the file reader count into). Writers and the
//! population's statistics take users a chunk at a time, so a compact
//! population is never built whole.

use std::borrow::Cow;
use std::ops::Range;

use time::Date;

use super::aggregates::UserAggregates;
use super::lake::compact::{CompactUsers, in_parts};
use super::scores::{Population, PopulationValues};

/// Users whose aggregates are built at a time from a compact population.
pub const CHUNK_USERS: usize = 16 * 1024;

/// Every user's aggregates, in user-id order.
#[derive(Debug)]
pub enum Users {
    /// Built already, one per user.
    Listed(Vec<UserAggregates>),
    /// Kept compact, built a chunk at a time.
    Compact(CompactUsers),
}

impl Users {
    /// How many users there are.
    pub fn len(&self) -> usize {
        match self {
            Users::Listed(users) => users.len(),
            Users::Compact(users) => users.len(),
        }
    }

    /// Whether there is no user.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Users `range` (clamped to the users there are): borrowed when
    /// listed, built into `buffer` when compact.
    pub fn slice<'a>(
        &'a self,
        range: Range<usize>,
        buffer: &'a mut Vec<UserAggregates>,
    ) -> &'a [UserAggregates] {
        match self {
            Users::Listed(users) => {
                let end = range.end.min(users.len());
                users.get(range.start.min(end)..end).unwrap_or(&[])
            }
            Users::Compact(users) => {
                users.fill(range, buffer);
                buffer
            }
        }
    }

    /// Every user's aggregates at once (built on `threads` threads when
    /// compact), for the writers and scorers that take them so.
    pub fn all(&self, threads: usize) -> Cow<'_, [UserAggregates]> {
        match self {
            Users::Listed(users) => Cow::Borrowed(users),
            Users::Compact(users) => Cow::Owned(users.listed(threads)),
        }
    }

    /// The population's statistics as of `reference`, tickets split at
    /// `ticket_quantiles`, read a chunk at a time on `threads` threads.
    pub fn population(
        &self,
        reference: Date,
        ticket_quantiles: [f64; 2],
        threads: usize,
    ) -> Population {
        let total = self.len();
        let parts = in_parts(total, threads, |_, part| {
            let mut values = PopulationValues::with_capacity(part.len());
            let mut buffer = Vec::new();
            for from in part.clone().step_by(CHUNK_USERS) {
                let range = from..(from + CHUNK_USERS).min(part.end);
                for user in self.slice(range, &mut buffer) {
                    values.add(user, reference);
                }
            }
            values
        });
        let mut values = PopulationValues::with_capacity(total);
        for part in parts {
            values.append(part);
        }
        values.finish(reference, ticket_quantiles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::aggregates::sample;
    use time::macros::date;

    #[test]
    fn a_population_read_in_parts_is_the_population_read_whole() {
        let reference = date!(2025 - 06 - 30);
        let users: Vec<UserAggregates> = (0..1_000u64)
            .map(|i| {
                let n = i as i64;
                let mut u = sample::user(date!(2025 - 01 - 01));
                u.user_id = i.to_string();
                u.transactions = (i * 7919) % 113;
                u.last_day = reference - time::Duration::days((n * 31) % 97);
                u.by_type[crate::crm::aggregates::DEPOSIT].cents = (n * 104_729) % 100_000;
                u.by_type[crate::crm::aggregates::BET].count = i % 5;
                u.by_type[crate::crm::aggregates::BET].cents = (n * 613) % 9_000;
                u
            })
            .collect();
        let whole = Population::of(&users, reference, [0.33, 0.67]);
        let listed = Users::Listed(users);
        assert_eq!(listed.population(reference, [0.33, 0.67], 3), whole);
        let mut buffer = Vec::new();
        assert_eq!(listed.slice(990..2_000, &mut buffer).len(), 10);
        assert!(listed.slice(5_000..6_000, &mut buffer).is_empty());
    }
}
