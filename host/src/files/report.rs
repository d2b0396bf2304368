//! What a file source did in a run: the run summary's line for it.

use super::transform::TransformCounts;

/// Per file source: its files and what loading them did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceReport {
    /// The source's key (`table <- path`).
    pub source: String,
    /// Files loaded.
    pub files_loaded: u64,
    /// Files skipped: loaded before with the same size and checksum.
    pub files_skipped: u64,
    /// Files refused whole.
    pub files_refused: u64,
    /// New rows.
    pub inserted: u64,
    /// Rows whose content changed.
    pub updated: u64,
    /// Rows already holding the same content.
    pub unchanged: u64,
    /// Rows repeating a key of their batch (the last one kept).
    pub duplicates: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Rows a replace removed.
    pub deleted: u64,
    /// Columns added to the table.
    pub columns_added: Vec<String>,
    /// Whether the source is a database's table or query.
    pub database: bool,
    /// A database source: its batches committed.
    pub batches: u64,
    /// Whether the source has row transforms.
    pub has_transforms: bool,
    /// Rows the transforms filtered, deduplicated, and failed on (the
    /// failed ones are among the quarantined).
    pub transformed: TransformCounts,
}

impl SourceReport {
    /// An empty report of `source`.
    pub fn new(source: &str) -> Self {
        SourceReport {
            source: source.to_string(),
            ..SourceReport::default()
        }
    }

    /// An empty report of the database source `source`.
    pub fn database(source: &str) -> Self {
        SourceReport {
            database: true,
            ..SourceReport::new(source)
        }
    }

    /// Whether the source wrote anything to its table in the run.
    pub fn loaded_any(&self) -> bool {
        self.files_loaded > 0 || self.batches > 0
    }

    /// One line for the run summary.
    pub fn line(&self) -> String {
        if self.database {
            return self.database_line();
        }
        let mut line = format!(
            "files {}: {} loaded, {} skipped, {} refused; rows: {} inserted, {} updated, {} unchanged, {} quarantined",
            self.source,
            self.files_loaded,
            self.files_skipped,
            self.files_refused,
            self.inserted,
            self.updated,
            self.unchanged,
            self.quarantined
        );
        if self.duplicates > 0 {
            line.push_str(&format!(", {} repeated", self.duplicates));
        }
        if self.deleted > 0 {
            line.push_str(&format!(", {} replaced away", self.deleted));
        }
        if self.has_transforms {
            let t = self.transformed;
            line.push_str(&format!(
                "; transforms: {} filtered, {} deduplicated, {} failed",
                t.filtered, t.deduplicated, t.failed
            ));
        }
        if !self.columns_added.is_empty() {
            line.push_str(&format!(
                "; columns added: {}",
                self.columns_added.join(", ")
            ));
        }
        line
    }

    /// A database source's line: its rows, deletes included.
    fn database_line(&self) -> String {
        let mut line = format!(
            "database {}: {} batches; rows: {} inserted, {} updated, {} unchanged, {} deleted, {} quarantined",
            self.source,
            self.batches,
            self.inserted,
            self.updated,
            self.unchanged,
            self.deleted,
            self.quarantined
        );
        if self.duplicates > 0 {
            line.push_str(&format!(", {} repeated", self.duplicates));
        }
        if !self.columns_added.is_empty() {
            line.push_str(&format!(
                "; columns added: {}",
                self.columns_added.join(", ")
            ));
        }
        line
    }
}
