//! What loading did, per table and per run: the counters a batch adds to
//! its run in `sluice_runs`, and the balance every run must keep.

use std::collections::BTreeMap;

/// What loading did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableCounts {
    /// Records received for the table.
    pub records: u64,
    /// New rows.
    pub inserted: u64,
    /// Rows whose content changed.
    pub updated: u64,
    /// Rows already holding the same content.
    pub unchanged: u64,
    /// Rows deleted: lines withdrawn from a market.
    pub deleted: u64,
    /// Price and line moves written to `odds_history`.
    pub moves: u64,
}

impl TableCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: TableCounts) {
        self.records += other.records;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.deleted += other.deleted;
        self.moves += other.moves;
    }
}

/// What loading did with one or more batches. Every record in is accounted
/// for: `records_in = inserted + updated + unchanged + duplicates +
/// quarantined`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadCounts {
    /// Per table.
    pub tables: BTreeMap<&'static str, TableCounts>,
    /// Records that repeated an earlier record of the same batch (the last
    /// one wins).
    pub duplicates: u64,
    /// Items quarantined.
    pub quarantined: u64,
    /// Responses quarantined whole.
    pub failed_batches: u64,
    /// HTTP requests made.
    pub requests: u64,
    /// Events a live stream's batches told into the outbox.
    pub live_events: u64,
}

impl LoadCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &LoadCounts) {
        for (table, counts) in &other.tables {
            self.tables.entry(table).or_default().add(*counts);
        }
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
        self.live_events += other.live_events;
        self.failed_batches += other.failed_batches;
        self.requests += other.requests;
    }

    /// Every item the plugins produced: records and rejected items.
    pub fn records_in(&self) -> u64 {
        self.total().records + self.duplicates + self.quarantined
    }

    /// Whether every item in is accounted for by exactly one outcome.
    pub fn balances(&self) -> bool {
        let t = self.total();
        self.records_in()
            == t.inserted + t.updated + t.unchanged + self.duplicates + self.quarantined
            && self
                .tables
                .values()
                .all(|c| c.records == c.inserted + c.updated + c.unchanged)
    }

    /// All tables together.
    pub fn total(&self) -> TableCounts {
        let mut total = TableCounts::default();
        for counts in self.tables.values() {
            total.add(*counts);
        }
        total
    }
}
