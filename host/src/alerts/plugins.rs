//! What `sluice serve` reports of its plugins, which the database does not
//! hold: plugins refused at (re)load, and when each trapped.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

/// Traps older than this are forgotten whatever the rules' windows.
const LONGEST_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The plugins' health as reported since the server started.
#[derive(Debug, Clone, Default)]
pub(crate) struct PluginReports {
    /// Plugins refused at their latest (re)load, with why.
    refused: BTreeMap<String, String>,
    /// Plugins whose latest (re)load went through.
    loaded: BTreeSet<String>,
    /// When each plugin trapped, oldest first.
    traps: BTreeMap<String, VecDeque<Instant>>,
}

/// What a plugin rule knows of one plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Refused at its latest (re)load, with why.
    Refused(String),
    /// Loaded fine since the server started.
    Loaded,
}

impl PluginReports {
    pub fn refused(&mut self, plugin: &str, error: &str) {
        self.loaded.remove(plugin);
        self.refused.insert(plugin.to_string(), error.to_string());
    }

    pub fn loaded(&mut self, plugin: &str) {
        self.refused.remove(plugin);
        self.loaded.insert(plugin.to_string());
    }

    pub fn trapped(&mut self, plugin: &str, at: Instant) {
        let traps = self.traps.entry(plugin.to_string()).or_default();
        traps.push_back(at);
        while traps
            .front()
            .is_some_and(|t| at.duration_since(*t) > LONGEST_WINDOW)
        {
            traps.pop_front();
        }
    }

    /// Every plugin the server said something about at (re)load.
    pub fn refusals(&self) -> BTreeMap<String, Refusal> {
        let mut all: BTreeMap<String, Refusal> = self
            .loaded
            .iter()
            .map(|p| (p.clone(), Refusal::Loaded))
            .collect();
        for (plugin, error) in &self.refused {
            all.insert(plugin.clone(), Refusal::Refused(error.clone()));
        }
        all
    }

    /// Each plugin's traps within `within` of `now`.
    pub fn traps_within(&self, within: Duration, now: Instant) -> BTreeMap<String, usize> {
        self.traps
            .iter()
            .map(|(plugin, traps)| {
                let recent = traps
                    .iter()
                    .filter(|t| now.saturating_duration_since(**t) <= within)
                    .count();
                (plugin.clone(), recent)
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plugin_loaded_after_a_refusal_is_no_longer_refused() {
        let mut reports = PluginReports::default();
        reports.refused("espn", "contract 0.9.0 is not accepted");
        assert_eq!(
            reports.refusals().get("espn"),
            Some(&Refusal::Refused("contract 0.9.0 is not accepted".into()))
        );
        reports.loaded("espn");
        assert_eq!(reports.refusals().get("espn"), Some(&Refusal::Loaded));
    }

    #[test]
    fn only_traps_within_the_window_count() {
        let mut reports = PluginReports::default();
        let start = Instant::now();
        reports.trapped("espn", start);
        reports.trapped("espn", start + Duration::from_secs(100));
        reports.trapped("espn", start + Duration::from_secs(200));
        let now = start + Duration::from_secs(250);
        assert_eq!(
            reports.traps_within(Duration::from_secs(300), now)["espn"],
            3
        );
        assert_eq!(
            reports.traps_within(Duration::from_secs(160), now)["espn"],
            2
        );
        assert!(
            reports
                .traps_within(Duration::from_secs(10), now)
                .is_empty()
        );
    }
}
