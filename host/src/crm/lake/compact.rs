//! The per-user tables of every thread or stream, handed over as they
//! are: users in user-id order with their place in each table, a user's
//! figures and day bits added up across the tables only when that user's
//! [`UserAggregates`] are built, a slice of users at a time.

use std::ops::Range;

use time::Date;

use super::accumulate::{FREE, Figures, UserTable, activity};
use crate::crm::aggregates::UserAggregates;

/// Every user's aggregates, by user id, kept as the compact tables they
/// were counted in (one per thread or stream, not merged). A user's
/// [`UserAggregates`] (twice the size, and an allocated id) is built only
/// when a slice of users is asked for, so the features of a population
/// need memory for a chunk of users, not for all of them at once.
#[derive(Debug)]
pub struct CompactUsers {
    tables: Vec<UserTable>,
    /// By user, in user-id order: the user's place in each table, or
    /// `FREE`; `tables.len()` entries a user.
    places: Vec<u32>,
    reference: Date,
}

impl CompactUsers {
    /// The users of `tables` (each user counted in one or more of them)
    /// as of `reference`.
    pub fn new(tables: Vec<UserTable>, reference: Date) -> Self {
        let orders: Vec<Vec<usize>> = tables.iter().map(UserTable::by_id).collect();
        let width = tables.len();
        let most = orders.iter().map(Vec::len).max().unwrap_or(0);
        let mut places = Vec::with_capacity(most * width);
        let mut heads = vec![0usize; width];
        // Merges the tables' id orders: each step takes the lowest id any
        // table has next, with its place in every table that has it.
        let next_id =
            |t: usize, heads: &[usize]| orders[t].get(heads[t]).map(|&u| tables[t].ids[u]);
        loop {
            let lowest = (0..width).filter_map(|t| next_id(t, &heads)).min();
            let Some(id) = lowest else { break };
            for t in 0..width {
                if next_id(t, &heads) == Some(id) {
                    places.push(orders[t][heads[t]] as u32);
                    heads[t] += 1;
                } else {
                    places.push(FREE);
                }
            }
        }
        CompactUsers {
            tables,
            places,
            reference,
        }
    }

    /// How many users there are.
    pub fn len(&self) -> usize {
        self.places.len() / self.tables.len().max(1)
    }

    /// Whether there is no user.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Replaces what `out` holds with the aggregates of users `range` (in
    /// user-id order; clamped to the users there are).
    pub fn fill(&self, range: Range<usize>, out: &mut Vec<UserAggregates>) {
        out.clear();
        let width = self.tables.len().max(1);
        let end = range.end.min(self.len());
        let places = self
            .places
            .get(range.start.min(end) * width..end * width)
            .unwrap_or(&[]);
        let blocks = self.tables.iter().map(|t| t.days.len()).max().unwrap_or(0);
        for user in places.chunks_exact(width) {
            let mut f = Figures::EMPTY;
            let mut id = 0;
            for (table, &u) in self.tables.iter().zip(user) {
                if u != FREE {
                    f.add(&table.figures[u as usize]);
                    id = table.ids[u as usize];
                }
            }
            let word = |block: usize| {
                self.tables
                    .iter()
                    .zip(user)
                    .fold(0, |word, (table, &u)| word | table.word(block, u))
            };
            out.push(f.aggregates(id, activity(blocks, word), self.reference));
        }
    }

    /// Every user's aggregates in one vector, built on `threads` threads.
    pub fn listed(&self, threads: usize) -> Vec<UserAggregates> {
        let total = self.len();
        let mut parts = in_parts(total, threads, |i, range| {
            // The first part is built in room for all, so the others
            // append to it without a copy of it.
            let mut part = Vec::with_capacity(if i == 0 { total } else { range.len() });
            self.fill(range, &mut part);
            part
        })
        .into_iter();
        let mut users = parts.next().unwrap_or_default();
        for part in parts {
            users.extend(part);
        }
        users
    }
}

/// `work(i, range)` for each of up to `threads` consecutive parts of
/// `0..total`, each part on a thread of its own; the answers in order of
/// the parts. A panic in one is raised again here.
pub fn in_parts<T: Send>(
    total: usize,
    threads: usize,
    work: impl Fn(usize, Range<usize>) -> T + Sync,
) -> Vec<T> {
    let per_thread = total.div_ceil(threads.max(1)).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..total)
            .step_by(per_thread)
            .enumerate()
            .map(|(i, start)| scope.spawn(move || work(i, start..(start + per_thread).min(total))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
