//! The alias file: the user's word on which spellings name one team or one
//! competition. It comes before any similarity, and settles what
//! `sluice resolve review` lists.
//!
//! ```toml
//! [teams]
//! "FC Bayern München" = ["Bayern Munich", "Bayern"]
//!
//! [competitions]
//! "Bundesliga" = ["Deutsche Bundesliga", "1. Bundesliga"]
//! ```

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::ResolveError;
use super::names::{fold, team_key};

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    #[serde(default)]
    teams: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    competitions: BTreeMap<String, Vec<String>>,
}

/// Alias keys mapped to the key of the name they stand for.
#[derive(Debug, Default, Clone)]
pub struct Aliases {
    teams: HashMap<String, String>,
    competitions: HashMap<String, String>,
    /// Every team spelling of the file with the name it stands for, as
    /// written: what the `team-aliases` lookup table hands enrichers.
    team_spellings: Vec<(String, String)>,
}

impl Aliases {
    /// Reads the alias file at `path`.
    pub fn load(path: &Path) -> Result<Self, ResolveError> {
        let invalid = |message: String| ResolveError::Aliases {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let file: AliasFile =
            toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        Ok(Aliases {
            teams: index(&file.teams, team_key).map_err(invalid)?,
            competitions: index(&file.competitions, fold).map_err(invalid)?,
            team_spellings: file
                .teams
                .iter()
                .flat_map(|(name, aliases)| {
                    std::iter::once(name)
                        .chain(aliases)
                        .map(move |spelling| (spelling.clone(), name.clone()))
                })
                .collect(),
        })
    }

    /// Every team name and alias of the file with the name it stands for.
    pub fn team_spellings(&self) -> &[(String, String)] {
        &self.team_spellings
    }

    /// The key of the team `key` is an alias of, if it is one.
    pub fn team<'a>(&'a self, key: &'a str) -> &'a str {
        self.teams.get(key).map_or(key, String::as_str)
    }

    /// The key of the competition whose folded name is `key`, if an alias.
    pub fn competition<'a>(&'a self, key: &'a str) -> &'a str {
        self.competitions.get(key).map_or(key, String::as_str)
    }

    /// Whether `key` is one of the file's team names or aliases.
    pub fn knows_team(&self, key: &str) -> bool {
        self.teams.contains_key(key)
    }
}

/// Every name and alias, keyed as `key_of` keys them, to its name's key; an
/// alias listed under two names is an error naming both.
fn index(
    groups: &BTreeMap<String, Vec<String>>,
    key_of: fn(&str) -> String,
) -> Result<HashMap<String, String>, String> {
    let mut index: HashMap<String, String> = HashMap::new();
    let mut named_by: HashMap<String, &str> = HashMap::new();
    for (name, aliases) in groups {
        let target = key_of(name);
        for spelling in std::iter::once(name).chain(aliases) {
            let key = key_of(spelling);
            if key.is_empty() {
                return Err(format!(
                    "`{spelling}` (under `{name}`) has no letters or digits"
                ));
            }
            if let Some(other) = named_by.get(&key)
                && index.get(&key) != Some(&target)
            {
                return Err(format!(
                    "`{spelling}` is listed under both `{other}` and `{name}`"
                ));
            }
            named_by.insert(key.clone(), name);
            index.insert(key, target.clone());
        }
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases(text: &str) -> Result<Aliases, String> {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("aliases.toml");
        std::fs::write(&path, text).expect("write");
        Aliases::load(&path).map_err(|e| e.to_string())
    }

    #[test]
    fn every_spelling_leads_to_its_name() {
        let a = aliases(
            "[teams]\n\"FC Bayern München\" = [\"Bayern Munich\", \"Die Bayern\"]\n\
             [competitions]\n\"Bundesliga\" = [\"Deutsche Bundesliga\"]\n",
        )
        .expect("valid");
        let bayern = team_key("FC Bayern München");
        assert_eq!(a.team(&team_key("Bayern Munich")), bayern);
        assert_eq!(a.team(&team_key("die bayern")), bayern);
        assert_eq!(a.team(&bayern), bayern);
        assert_eq!(a.team("borussia dortmund"), "borussia dortmund");
        assert!(a.knows_team(&team_key("Bayern Munich")));
        assert_eq!(a.competition(&fold("Deutsche Bundesliga")), "bundesliga");
    }

    #[test]
    fn a_spelling_under_two_names_or_an_unknown_table_is_refused() {
        let err =
            aliases("[teams]\nArsenal = [\"The Gunners\"]\n\"Arsenal Tula\" = [\"Gunners\"]\n")
                .expect_err("ambiguous");
        assert!(
            err.contains("`Gunners` is listed under both `Arsenal` and `Arsenal Tula`"),
            "{err}"
        );
        let err = aliases("[clubs]\n").expect_err("unknown table");
        assert!(err.contains("unknown field `clubs`"), "{err}");
        let err = aliases("[teams]\nArsenal = [\"!!\"]\n").expect_err("empty");
        assert!(err.contains("no letters or digits"), "{err}");
    }
}
