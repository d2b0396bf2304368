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

    /// Every user in user-id order mapped by `f` (the user's place and
    /// aggregates), built a chunk at a time into one buffer the iterator
    /// reuses when compact: for writers that take one row after another.
    pub fn each<T, F>(&self, f: F) -> Each<'_, F>
    where
        F: FnMut(usize, &UserAggregates) -> T,
    {
        Each {
            users: self,
            buffer: Vec::new(),
            chunk: 0..0,
            at: 0,
            f,
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

/// The iterator of [`Users::each`].
pub struct Each<'u, F> {
    users: &'u Users,
    buffer: Vec<UserAggregates>,
    chunk: Range<usize>,
    at: usize,
    f: F,
}

impl<T, F> Iterator for Each<'_, F>
where
    F: FnMut(usize, &UserAggregates) -> T,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let Each {
            users,
            buffer,
            chunk,
            at,
            f,
        } = self;
        loop {
            if *at < chunk.end {
                let i = *at;
                *at += 1;
                let user = match users {
                    Users::Listed(list) => list.get(i),
                    Users::Compact(_) => buffer.get(i - chunk.start),
                }?;
                return Some(f(i, user));
            }
            let (from, total) = (chunk.end, users.len());
            if from >= total {
                return None;
            }
            let to = (from + CHUNK_USERS).min(total);
            if let Users::Compact(compact) = users {
                compact.fill(from..to, buffer);
            }
            *chunk = from..to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::aggregates::sample;
    use time::macros::date;

    #[test]
    fn each_user_comes_once_in_order_across_chunks() {
        use crate::crm::lake::accumulate::{Rules, UserTable};
        use crate::crm::lake::columns::Decoded;
        let reference = date!(2025 - 06 - 30);
        let cutoff = time::macros::datetime!(2025-07-01 0:00 UTC);
        let mut rules = Rules::new(chrono_tz::UTC, cutoff, reference);
        let total = CHUNK_USERS * 2 + 5;
        // Ids in descending order, so a table's place is not the id order.
        let mut batch = Decoded::default();
        for k in 0..total {
            batch.users.push((total - k) as i64 * 3);
            batch.user_valid.push(true);
            batch.cents.push(Some(100 + k as i64));
            batch.micros.push(Some(1_750_000_000_000_000));
            batch.kinds.push(0);
            batch.statuses.push(0);
            batch.games.push(0);
        }
        let mut table = UserTable::default();
        table.add(&batch, &mut rules);
        let compact = Users::Compact(table.into_compact(reference));
        let listed = Users::Listed(compact.all(2).into_owned());
        for users in [&compact, &listed] {
            let seen: Vec<(usize, String, i64)> = users
                .each(|i, u| (i, u.user_id.clone(), u.by_type[0].cents))
                .collect();
            assert_eq!(seen.len(), total);
            for (place, (i, id, cents)) in seen.iter().enumerate() {
                assert_eq!(*i, place);
                assert_eq!(id, &((place + 1) * 3).to_string());
                // User 3 (place 0) was the last row, k = total - 1.
                assert_eq!(*cents, 100 + (total - 1 - place) as i64);
            }
        }
    }

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
