//! Database sources: a PostgreSQL, MySQL/MariaDB or SQLite table or query
//! loaded into a generic table through the file sources' writing path
//! (fitting, merge/append/replace, quarantine, run counters), by cursor,
//! by snapshot, or whole.

mod connect;
mod read;
mod row;
pub(super) mod run;
mod state;

pub use run::DELETED_AT;
