//! Read-only tables the host hands enrichers through the contract's
//! `lookup.get`: each enricher sees only the tables its manifest lists, and
//! only for the length of a call. The plugin does no I/O; the host answers.

use std::collections::{BTreeMap, HashMap};

use super::bindings::enricher::sluice::plugin::lookup;
use super::sandbox::SandboxState;

/// The table of team spellings from the alias file (`[resolution]
/// aliases`): any name or alias to the name it stands for.
pub const TEAM_ALIASES: &str = "team-aliases";

/// The tables the host can offer, by name.
pub const OFFERED: &[&str] = &[TEAM_ALIASES];

/// Named tables of keys to values; keys compare without regard to case or
/// surrounding spaces.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lookups {
    tables: BTreeMap<String, HashMap<String, String>>,
}

impl Lookups {
    /// Adds (or replaces) table `name` with `entries`.
    pub fn insert(&mut self, name: &str, entries: impl IntoIterator<Item = (String, String)>) {
        let table = entries
            .into_iter()
            .map(|(key, value)| (fold(&key), value))
            .collect();
        self.tables.insert(name.to_string(), table);
    }

    /// Only the tables named in `granted`, for one enricher.
    pub fn granted(&self, granted: &[String]) -> Lookups {
        Lookups {
            tables: self
                .tables
                .iter()
                .filter(|(name, _)| granted.contains(name))
                .map(|(name, table)| (name.clone(), table.clone()))
                .collect(),
        }
    }

    /// Whether table `name` is here.
    pub fn has_table(&self, name: &str) -> bool {
        self.tables.contains_key(name)
    }

    /// The value of `key` in `table`, if the table is here and has it.
    pub fn get(&self, table: &str, key: &str) -> Option<&str> {
        self.tables.get(table)?.get(&fold(key)).map(String::as_str)
    }
}

fn fold(key: &str) -> String {
    key.trim().to_lowercase()
}

// The record types carry no functions; the linker asks for the (empty)
// trait all the same.
impl super::bindings::wit::Host for SandboxState {}

impl lookup::Host for SandboxState {
    fn get(&mut self, table: String, key: String) -> Option<String> {
        self.lookups
            .as_ref()
            .and_then(|l| l.get(&table, &key))
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enricher_sees_only_the_tables_it_is_granted_and_keys_ignore_case() {
        let mut all = Lookups::default();
        all.insert(
            TEAM_ALIASES,
            [("Bayern Munich".to_string(), "FC Bayern München".to_string())],
        );
        all.insert("secrets", [("k".to_string(), "v".to_string())]);
        let granted = all.granted(&[TEAM_ALIASES.to_string()]);
        assert_eq!(
            granted.get(TEAM_ALIASES, "  bayern MUNICH "),
            Some("FC Bayern München")
        );
        assert_eq!(granted.get(TEAM_ALIASES, "Dortmund"), None);
        assert_eq!(granted.get("secrets", "k"), None);
        assert_eq!(all.get("secrets", "k"), Some("v"));
    }
}
